"""``batchai export job | cluster``: a Batch AI job or cluster as native Azure ML v2 files.

The way off the shim: from a ``job.json`` / ``cluster.json`` (``-f``, read as ``job create`` /
``cluster create`` read them, placeholders included) or from an existing job or cluster, write
files that run on Azure ML with azure-ai-ml or ``az ml`` alone, no batchai_compat anywhere:

* ``--format yaml`` (default): ``compute.yml`` (``amlcompute``), one ``datastore-<name>.yml`` per
  mounted container/share, ``job.yml`` (``command`` job) — for ``az ml compute|datastore|job
  create --file``;
* ``--format python``: one ``job.py`` / ``compute.py`` building the same entities with
  azure-ai-ml and creating them when run.

The translation is the azureml-v2 backend's (``backends/azureml_v2/native.py``, reached by
name through :func:`~batchai_compat.backends.registry.exporter`); this module reads the Batch AI
side, renders and writes.  What has no native equivalent is dropped with a comment at its place in the file
(and a ``WARNING:`` line); secrets are never written.  No file is written when one exists
already, unless ``--overwrite``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import CommandError, UsageError
from ..messages import log
from ..spec import EXPERIMENT, RESOURCE_GROUP, WORKSPACE, Area, Arg, Command, name

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context


FORMATS = ("yaml", "python")
#: What stands for a storage key while reading a file to export: the export never writes keys.
NOT_EXPORTED = "<not exported>"


def _format_arg(files: str, script: str) -> Arg:
    return Arg(
        "format",
        ("--format",),
        f"yaml: {files} for `az ml ... create --file`; python: {script}, one azure-ai-ml script "
        "that creates the same.",
        default="yaml",
        choices=FORMATS,
    )


OUTPUT_DIR = Arg(
    "output_dir",
    ("--output-dir",),
    "Folder the files are written to (created if missing).",
    default=".",
)
OVERWRITE = Arg(
    "overwrite", ("--overwrite",), "Replace files that exist already.", action="store_true"
)
CONFIG_FILE = Arg(
    "json_file",
    ("--config-file", "-f"),
    "Export this JSON file (what `batchai {what} create -f` takes) instead of an existing {what}.",
)
STORAGE_ACCOUNT = Arg(
    "account_name",
    ("--storage-account-name",),
    "Storage account replacing <AZURE_BATCHAI_STORAGE_ACCOUNT> in --config-file (else "
    "AZURE_BATCHAI_STORAGE_ACCOUNT). Keys are never exported, so none is needed.",
)


def _file_arg(what: str) -> Arg:
    return Arg(CONFIG_FILE.dest, CONFIG_FILE.options, CONFIG_FILE.help.format(what=what))


def _parameters(context: Context, args: Namespace, model: Any, cluster: bool = False) -> Any:
    """The create parameters of ``--config-file``, placeholders replaced, keys not needed;
    a job's ``cluster`` from ``--cluster`` (else the file's)."""
    from ..mounts import StorageAccount, parameters_from_file

    class Keyless(StorageAccount):
        def key_for(self, account: str) -> str:
            return NOT_EXPORTED

    account = Keyless(context, args.account_name, None)
    config, params = parameters_from_file(args.json_file, model, account)
    assert config is not None
    if cluster:
        from ... import models

        given = args.cluster or (params.cluster.id if params.cluster else None)
        if not given:
            raise UsageError(
                "Please provide cluster information via command line or configuration file."
            )
        params.cluster = models.ResourceId(id=given)
    for error in params.validate():
        raise config.error(config.model_path(error.parameter), error.rule)
    return params


def _workspace(context: Context, args: Namespace) -> dict[str, str]:
    return {
        "subscription": context.subscription,
        "resource_group": args.resource_group,
        "workspace": args.workspace,
    }


def export_job(context: Context, args: Namespace) -> Any:
    from ... import models
    from ...backends.registry import exporter

    native = exporter()

    compute = None
    cluster_vm_size = None
    if args.json_file:
        parameters = _parameters(context, args, models.JobCreateParameters, cluster=True)
        cluster_name = _cluster_name(parameters.cluster.id)
        source = f"Batch AI job file {os.path.basename(args.json_file)}"
    else:
        client = context.client
        parameters = client.jobs.get(
            args.resource_group, args.workspace, args.experiment, args.job_name
        )
        cluster_id = parameters.cluster.id if parameters.cluster else None
        if not cluster_id:
            raise CommandError(f"Job {args.job_name!r} names no cluster.")
        cluster_name = _cluster_name(cluster_id)
        from ..resources import resolve

        cluster = client.clusters.get(*resolve(cluster_id, args.resource_group, args.workspace))
        cluster_vm_size = cluster.vm_size
        compute = native.export_compute(cluster, cluster_name, context.subscription)
        source = f"Batch AI job {args.job_name} (experiment {args.experiment})"
    exported = native.export_job(
        parameters,
        job_name=args.job_name,
        experiment=args.experiment,
        cluster_name=cluster_name,
        identity=_workspace(context, args),
        cluster_vm_size=cluster_vm_size,
    )
    return _write(context, args, source, compute, exported)


def export_cluster(context: Context, args: Namespace) -> Any:
    from ... import models
    from ...backends.registry import exporter

    native = exporter()

    if args.json_file:
        parameters = _parameters(context, args, models.ClusterCreateParameters)
        source = f"Batch AI cluster file {os.path.basename(args.json_file)}"
    else:
        parameters = context.client.clusters.get(
            args.resource_group, args.workspace, args.cluster_name
        )
        source = f"Batch AI cluster {args.cluster_name}"
    compute = native.export_compute(parameters, args.cluster_name, context.subscription)
    return _write(context, args, source, compute, None)


def _cluster_name(name_or_id: str) -> str:
    from ..resources import resolve

    return resolve(name_or_id, "", "")[2]


def _write(
    context: Context,
    args: Namespace,
    source: str,
    compute: Any,
    job: Any,
) -> list[dict[str, str]]:
    """Render and write the files (all or none); the list of what was written."""
    from ...backends.registry import exporter

    writer = exporter()

    workspace = _workspace(context, args)
    where = (
        f"--resource-group {workspace['resource_group']} --workspace-name {workspace['workspace']}"
    )
    made = f"Exported by `batchai export` from {source}; runs on Azure ML without batchai_compat."
    files: list[tuple[Any, str, str]] = []
    if args.format == "python":
        script = "job.py" if job is not None else "compute.py"
        text = writer.python_script(
            workspace=workspace,
            compute=compute,
            job=job,
            header=[
                f"{made} Run it (pip install azure-ai-ml azure-identity; az login) to "
                "create what it defines in the workspace below."
            ],
        )
        main = job.job if job is not None else compute
        assert main is not None
        files.append((main, script, text))
    else:
        if compute is not None:
            files.append(
                (
                    compute,
                    "compute.yml",
                    writer.yaml_text(
                        compute, [made, f"Create: az ml compute create --file compute.yml {where}"]
                    ),
                )
            )
        if job is not None:
            for store in job.datastores:
                file = f"datastore-{store.name}.yml"
                header = [made, f"Create: az ml datastore create --file {file} {where}"]
                files.append((store, file, writer.yaml_text(store, header)))
            first = "compute" if compute is not None else "compute (`batchai export cluster`)"
            if job.datastores:
                first += " and the datastores"
            header = [
                made,
                f"Create the {first} first, then: az ml job create --file job.yml {where}",
            ]
            files.append((job.job, "job.yml", writer.yaml_text(job.job, header)))
    folder = args.output_dir
    targets = [os.path.join(folder, file) for _, file, _ in files]
    if not args.overwrite:
        taken = [t for t in targets if os.path.exists(t)]
        if taken:
            raise CommandError(f"{taken[0]} exists already: remove it or pass --overwrite.")
    os.makedirs(folder, exist_ok=True)
    written = []
    for (exported, file, text), target in zip(files, targets, strict=True):
        with open(target, "w", encoding="utf-8") as out:
            out.write(text)
        for texts in exported.notes.values():
            for note in texts:
                if note.startswith("Dropped:"):
                    what = note.split(". ", 1)[0].removeprefix("Dropped: ")
                    log.warning("%s: dropped %s (its comment there says what to do)", file, what)
        written.append({"kind": exported.kind, "name": exported.name, "file": target})
    return written


JOB_NAME = name("job")
CLUSTER_NAME = name("cluster")
COMMON = (OUTPUT_DIR, OVERWRITE)

AREA = Area(
    summary="Write native Azure ML v2 files for a Batch AI job or cluster (no batchai_compat "
    "needed to run them).",
    groups={},
    commands=(
        Command(
            ("job",),
            "Export a job as an Azure ML v2 command job (job.yml, its datastores, its compute).",
            export_job,
            (
                RESOURCE_GROUP,
                WORKSPACE,
                EXPERIMENT,
                JOB_NAME,
                _file_arg("job"),
                Arg(
                    "cluster",
                    ("--cluster", "-c"),
                    "With --config-file: name or ARM ID of the cluster (else the file's "
                    "cluster.id); it becomes the job's compute.",
                ),
                STORAGE_ACCOUNT,
                _format_arg("compute.yml, datastore-<name>.yml and job.yml", "job.py"),
                *COMMON,
            ),
            long_summary=(
                "The job's own command runs on Azure ML with $AZ_BATCHAI_INPUT_<ID>, "
                "$AZ_BATCHAI_OUTPUT_<ID> and $AZ_BATCHAI_JOB_MOUNT_ROOT/<path> rewritten into "
                "${{inputs.<ID>}}, ${{outputs.<ID>}} and ${{outputs.<mount>}}/<path>; mounted "
                "containers and shares become datastores. Settings without a native equivalent "
                "(job preparation, secrets, file servers, ...) are left out with a comment "
                "saying what to do. Secrets are never written."
            ),
            examples=(
                (
                    "Export an existing job as compute.yml, datastore-*.yml and job.yml.",
                    "batchai export job -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob --output-dir azureml",
                ),
                (
                    "Export a job.json of a runbook as an azure-ai-ml script.",
                    "batchai export job -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob -f job.json -c MyCluster --storage-account-name MyStorageAccount "
                    "--format python",
                ),
            ),
        ),
        Command(
            ("cluster",),
            "Export a cluster as an Azure ML v2 AmlCompute (compute.yml).",
            export_cluster,
            (
                RESOURCE_GROUP,
                WORKSPACE,
                CLUSTER_NAME,
                _file_arg("cluster"),
                STORAGE_ACCOUNT,
                _format_arg("compute.yml", "compute.py"),
                *COMMON,
            ),
            examples=(
                (
                    "Export an existing cluster as compute.yml.",
                    "batchai export cluster -g MyResourceGroup -w MyWorkspace -n MyCluster",
                ),
                (
                    "Export a cluster.json as an azure-ai-ml script.",
                    "batchai export cluster -g MyResourceGroup -w MyWorkspace -n MyCluster "
                    "-f cluster.json --format python",
                ),
            ),
        ),
    ),
)

"""Batch AI clusters and jobs as *native* Azure ML v2 documents: what ``batchai export`` writes.

The azureml-v2 backend submits a Batch AI job as a command job that runs the shim's node adapter
(:func:`.translate.job_document`).  An export is the command job a user would write by hand
instead, one that runs with azure-ai-ml alone and no batchai_compat on the nodes: the job's own
program (``python <script> <args>``, ``command_line``, ``cntk configFile=...``, ``caffe train
--solver=...``, from :func:`batchai_compat.domain.toolkits.task_program`) with Batch AI's
references rewritten into Azure ML's:

* ``$AZ_BATCHAI_JOB_MOUNT_ROOT/<mount>[/<path>]`` -> ``${{outputs.<mount>}}[/<path>]`` (the
  whole container/share, mounted read-write as Batch AI did);
* ``$AZ_BATCHAI_INPUT_<ID>`` -> ``${{inputs.<ID>}}`` (the folder, ``ro_mount``), or the
  rewritten path when it is not under a mount;
* ``$AZ_BATCHAI_OUTPUT_<ID>`` -> ``${{outputs.<ID>}}``; ``$AZ_BATCHAI_STDOUTERR_DIR`` ->
  ``${{outputs.stdouterr}}``;
* the task index, TensorFlow hosts, PyTorch init method, GPU count and temp folders -> what
  Azure ML's distribution sets (``$OMPI_COMM_WORLD_RANK``, ``$RANK``, ``TF_CONFIG``...).

Everything else is the backend's translation, shared so the two cannot drift: the plan of
:func:`.._azureml_common.jobs.job_plan` (distribution, instance count, datastores and the paths
under them, image, wall clock, priority), :func:`.translate.output_place` (where outputs go,
under ``${{name}}``, the Azure ML job's own name, in place of Batch AI's job uuid),
:func:`.translate.compute_document` and :func:`.translate.datastore_documents`.  Where the
backend raises :class:`~batchai_compat.exceptions.NoEquivalentError`, an export drops the
setting and leaves a note at that spot saying what was dropped and what to do (per-role
TensorFlow arguments are kept: the command picks them from ``TF_CONFIG``).  Secrets (storage
keys, passwords, secret variables, registry credentials) are never exported.

Pure: documents in the shape of Azure ML's YAML files plus notes; :mod:`.render` writes them.
One module (about 600 lines) on purpose: the reference rewrites above and the job, compute and
datastore documents that use them are one translation, read top to bottom.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import answers, ids
from ...domain import mounts as domain_mounts
from ...domain.documents import get, snake_document
from ...domain.paths import output_path_segment
from ...domain.toolkits import (
    Launch,
    chosen_toolkit,
    task_layout,
    task_program,
    tensorflow_role_args,
)
from .._azureml_common import AzureMLSemanticsWarning, jobs
from . import translate

__all__ = ["RUN_NAME", "Exported", "NativeJob", "export_compute", "export_job"]

#: Azure ML's expression for the job's own name, unique per submission: the export's stand-in
#: for Batch AI's job uuid in output paths, so every run writes to new folders.
RUN_NAME = "${{name}}"

Notes = dict[tuple[str, ...], list[str]]


@dataclass(frozen=True)
class Exported:
    """One native Azure ML file: ``document`` (the YAML file's content) and ``notes``, comment
    lines to place before the key at a path (``()``: the head of the file)."""

    kind: str  # "compute", "datastore" or "job"
    name: str
    document: dict[str, Any]
    notes: Notes = field(default_factory=dict)


@dataclass(frozen=True)
class NativeJob:
    """An exported job: the command job and the datastores it mounts (to create first)."""

    job: Exported
    datastores: tuple[Exported, ...]


def _note(notes: Notes, path: tuple[str, ...], text: str) -> None:
    notes.setdefault(path, []).append(text)


def _semantics(notes: Notes, path: tuple[str, ...], call: Callable[[], Any]) -> Any:
    """Run a shared translation step; its Azure ML semantics warnings become notes at ``path``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AzureMLSemanticsWarning)
        result = call()
    for warning in caught:
        if issubclass(warning.category, AzureMLSemanticsWarning):
            _note(notes, path, f"{warning.message}.")
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return result


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------


def export_compute(parameters: Any, name: str, subscription_id: str) -> Exported:
    """Batch AI ``ClusterCreateParameters`` (or a ``Cluster``) -> a native ``amlcompute`` file.

    Node setup (setup task, cluster-wide mounts, performance counters), a VM image other than
    Batch AI's default and a subnet of another subscription are dropped with a note; the admin
    password and SSH key are never exported.
    """
    document = snake_document(parameters)
    notes: Notes = {}
    image = get(get(document, "virtual_machine_configuration") or {}, "image_reference")
    document.pop("virtual_machine_configuration", None)
    if image is not None and not answers.is_default_image(image):  # (the default: none asked)
        _note(
            notes,
            ("size",),
            f"Dropped: the {_image_name(image)}. AmlCompute nodes run a managed OS image: put "
            "your software into a Docker image and name it in the job's environment.",
        )
    setup = document.pop("node_setup", None) or {}
    task = get(setup, "setup_task")
    if task is not None:
        _note(
            notes,
            (),
            "Dropped: the node setup task "
            f"({get(task, 'command_line')!r}). AmlCompute runs no per-node setup command: bake "
            "it into the job's Docker image, or run it at the start of the job's command.",
        )
    cluster_mounts = domain_mounts.mounts(get(setup, "mount_volumes"), "node_setup.mount_volumes")
    if cluster_mounts:
        listed = ", ".join(f"{m.relative_mount_path} ({_volume(m)})" for m in cluster_mounts)
        _note(
            notes,
            (),
            f"Dropped: the cluster-wide mounts under $AZ_BATCHAI_MOUNT_ROOT: {listed}. Azure ML "
            "mounts storage per job: add each as a uri_folder input or output of the jobs that "
            "use it (`batchai export job` does so for a job's own mount_volumes).",
        )
    if get(setup, "performance_counters_settings") is not None:
        _note(
            notes,
            (),
            "Dropped: performance counters. Azure ML reports node metrics in the workspace's "
            "monitoring (Application Insights and the job's metrics).",
        )
    subnet_id = get(get(document, "subnet") or {}, "id")
    if subnet_id and ids.parse_subnet_id(subnet_id).subscription_id.lower() != (
        subscription_id.lower()
    ):
        document.pop("subnet")
        _note(
            notes,
            ("size",),
            f"Dropped: the subnet {subnet_id}, of another subscription. AmlCompute joins virtual "
            "networks of the workspace's subscription only: peer the network, or create the "
            "workspace in the network's subscription, then add network_settings.",
        )
    admin = get(document, "user_account_settings") or {}
    compute = _semantics(
        notes, (), lambda: translate.compute_document(document, name, subscription_id)
    )
    if get(admin, "admin_user_password") or get(admin, "admin_user_ssh_public_key"):
        _note(
            notes,
            ("ssh_settings",),
            "The admin password / SSH public key are not exported (secrets never are): add "
            "admin_password or ssh_key_value here, or pass them with `az ml compute create "
            "--file compute.yml --set ssh_settings.ssh_key_value=...`.",
        )
    if compute["min_instances"] == compute["max_instances"] and compute["min_instances"]:
        _note(
            notes,
            ("min_instances",),
            f"Batch AI manual scale: {compute['min_instances']} nodes stay allocated (and "
            "billed) while idle, as on Batch AI; set min_instances: 0 to let AmlCompute release "
            f"them after idle_time_before_scale_down seconds.",
        )
    return Exported("compute", name, compute, notes)


def _image_name(image: Any) -> str:
    """``VM image <publisher:offer:sku[:version]>``, or ``custom VM image <its ARM id>``."""
    custom = get(image, "virtual_machine_image_id")
    if custom:
        return f"custom VM image {custom}"
    parts = [get(image, k) for k in ("publisher", "offer", "sku", "version")]
    return "VM image " + ":".join(str(p) for p in parts if p)


def _volume(mount: domain_mounts.Mount) -> str:
    if mount.kind == domain_mounts.FILE_SERVER and mount.file_server is not None:
        return f"file server {mount.file_server.name}"
    if mount.kind == domain_mounts.UNMANAGED:
        return f"mount command {mount.mount_command!r}"
    what = "container" if mount.kind == domain_mounts.AZURE_BLOB else "share"
    return f"{what} {mount.container} of account {mount.account_name}"


# --------------------------------------------------------------------------------------------
# jobs
# --------------------------------------------------------------------------------------------

#: What a Batch AI job does that an Azure ML command job cannot, and what to do about it.
_FILE_SERVERS = (
    "Azure ML has no NFS file server: copy the data to an Azure file share or blob container, "
    "register it as a datastore and add it here as an input or output."
)
_UNMANAGED = (
    "Azure ML mounts only datastores: copy the data to Azure Storage and add it here as an "
    "input or output."
)
_JOB_PREPARATION = (
    "Azure ML has no per-node preparation step: bake it into the Docker image, or prefix the "
    "command with it (it then runs once per process, not once per node)."
)
_SECRETS = (
    "Put each value in the workspace Key Vault and read it in the job (azure-keyvault-secrets "
    "with the job's identity), or pass it through your own secret store; never in "
    "environment_variables, which anyone who can read the job sees."
)
_REGISTRY_CREDENTIALS = (
    "Grant the workspace's managed identity AcrPull on the registry (or use the workspace's "
    "own registry); Azure ML would show a password in the environment definition."
)

#: A task's rank, as Azure ML's MPI launch sets it (Open MPI, else Intel MPI, else one process).
_MPI_RANK = "${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"
#: Reads Azure ML's TF_CONFIG into the shell: the task's role and index, and the hosts of
#: each role, comma-separated as Batch AI gave them.
_TF_CONFIG_READER = (
    "import json,os;c=json.loads(os.environ['TF_CONFIG']);t=c['task'];h=c['cluster'];"
    "print('TF_ROLE=%s TF_INDEX=%d TF_PS_HOSTS=%s TF_WORKER_HOSTS=%s' % (t['type'],t['index'],"
    "','.join(h.get('ps',[])),','.join(h.get('worker',[]))))"
)

_REFERENCE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)
#: A path under the job mount root, up to the first character a path in a command line ends at.
_JOB_MOUNT_PATH = re.compile(
    r"\$(?:\{" + domain_mounts.JOB_MOUNT_ROOT + r"\}|" + domain_mounts.JOB_MOUNT_ROOT + r")"
    r"(?![A-Za-z0-9_])(?P<path>/[^\s'\"`$;&|<>(){}]*)?"
)
_IO_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _io_name(text: str, taken: set[str]) -> str:
    """An Azure ML input/output name (``[A-Za-z_][A-Za-z0-9_]*``) for a Batch AI id or mount
    path, unique among ``taken`` (input and output names both)."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "data"
    if not _IO_NAME.match(name):
        name = f"_{name}"
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}_{n}", n + 1
    taken.add(unique)
    return unique


class _Rewriter:
    """Rewrites Batch AI's ``$AZ_BATCHAI_*`` references in a job's strings into Azure ML's.

    ``variables`` maps a variable to its replacement; ``mounts`` a job mount's relative path to
    its output name.  What has no replacement is left as written and noted once.
    """

    def __init__(self, notes: Notes, mounts: dict[str, str]) -> None:
        self.notes = notes
        self.mounts = mounts
        self.variables: dict[str, str] = {}
        self.unresolved: dict[str, str] = {}  # variable -> what to do
        self.used: set[str] = set()

    def __call__(self, text: str) -> str:
        text = _JOB_MOUNT_PATH.sub(self._mount_path, text)
        return _REFERENCE.sub(self._variable, text)

    def _mount_path(self, match: re.Match[str]) -> str:
        path = match.group("path") or ""
        found = domain_mounts.under_mount(f"${domain_mounts.JOB_MOUNT_ROOT}{path}", self.mounts)
        if found is None:
            self.unresolved.setdefault(
                domain_mounts.JOB_MOUNT_ROOT,
                "Azure ML mounts each volume at its own place: name a mounted volume "
                "(${{outputs.<mount>}}) instead of the mount root.",
            )
            return match.group(0)
        head, rest = found
        # keep the rest as written (a trailing slash, say) unless the path needed normalising
        tail = path[len(head) + 1 :] if path.startswith(f"/{head}") else f"/{rest}" * bool(rest)
        return f"${{{{outputs.{self.mounts[head]}}}}}{tail}"

    def _variable(self, match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        if name in self.variables:
            self.used.add(name)
            return self.variables[name]
        if name.startswith("AZ_BATCHAI_") and name not in self.unresolved:
            self.unresolved[name] = _UNRESOLVED.get(
                name, "Batch AI set it on the node; Azure ML does not: replace it."
            )
        return match.group(0)


_UNRESOLVED = {
    domain_mounts.MOUNT_ROOT: "Cluster-wide mounts have no Azure ML equivalent: add the "
    "storage as an input or output of this job and use ${{inputs.<name>}} / "
    "${{outputs.<name>}} instead.",
    "AZ_BATCHAI_MPI_HOST_FILE": "Azure ML starts the MPI processes itself "
    "(distribution: mpi): drop your own mpirun and its hostfile.",
    "AZ_BATCHAI_SHARED_JOB_TEMP": "Azure ML has no folder shared by the job's nodes: use an "
    "output (${{outputs.<name>}}) for what the nodes share.",
}


def export_job(
    parameters: Any,
    *,
    job_name: str,
    experiment: str,
    cluster_name: str,
    identity: Mapping[str, str],
    job_uuid: str = RUN_NAME,
    cluster_vm_size: str | None = None,
) -> NativeJob:
    """Batch AI ``JobCreateParameters`` (or a ``Job``) -> a native Azure ML command job.

    ``identity`` holds ``subscription``, ``resource_group`` and ``workspace``; with ``job_uuid``
    they place outputs exactly where the azureml-v2 backend would put the job's (the default,
    :data:`RUN_NAME`, gives each run its own folders).  Without ``cluster_vm_size`` a job
    without an image runs in Azure ML's CPU image.
    """
    document = snake_document(parameters)
    notes: Notes = {}
    kept = _drop_without_equivalent(document, notes)
    plan = _semantics(
        notes,
        (),
        lambda: jobs.job_plan(
            document,
            backend=translate.BACKEND,
            job_name=job_name,
            experiment=experiment,
            cluster_name=cluster_name,
            job_uuid=job_uuid,
            cluster_vm_size=cluster_vm_size,
            identity=identity,
        ),
    )
    priority = str(plan.scheduling_priority or "normal")

    taken: set[str] = set()
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    mount_names: dict[str, str] = {}
    input_names: dict[str, str] = {}
    for mount in plan.mounts:
        if mount.relative_mount_path is not None:
            name = _io_name(mount.relative_mount_path, taken)
            mount_names[mount.relative_mount_path] = name
            outputs[name] = {
                "type": "uri_folder",
                "path": f"azureml://datastores/{mount.datastore.name}/paths/",
                "mode": "rw_mount",
            }
        elif mount.input_id is not None:
            name = _io_name(mount.input_id, taken)
            input_names[mount.input_id] = name
            inputs[name] = {
                "type": "uri_folder",
                "path": f"azureml://datastores/{mount.datastore.name}/paths/"
                f"{(mount.path_on_datastore or '').strip('/')}/",
                "mode": "ro_mount",
            }
    rewrite = _Rewriter(notes, mount_names)
    segment = output_path_segment(
        identity["subscription"],
        identity["resource_group"],
        identity["workspace"],
        experiment,
        job_name,
        job_uuid,
    )
    for directory in document.get("input_directories") or ():
        variable = f"AZ_BATCHAI_INPUT_{directory['id']}"
        if directory["id"] in input_names:
            rewrite.variables[variable] = f"${{{{inputs.{input_names[directory['id']]}}}}}"
        else:
            rewrite.variables[variable] = rewrite(str(directory["path"]))
            if not _JOB_MOUNT_PATH.match(str(directory["path"])):
                _note(
                    notes,
                    ("command",),
                    f"Input directory {directory['id']} ({directory['path']}) is not on a job "
                    "mount: its path is used as it is; make it an input of a datastore path if "
                    "the nodes do not have it.",
                )
    for directory in document.get("output_directories") or ():
        place = translate.output_place(segment, str(directory["id"]))
        name = _io_name(str(directory["id"]), taken)
        outputs[name] = {"type": "uri_folder", "path": place.uri, "mode": "rw_mount"}
        rewrite.variables[f"AZ_BATCHAI_OUTPUT_{directory['id']}"] = f"${{{{outputs.{name}}}}}"
    logs = translate.output_place(segment, translate.STDOUTERR)
    logs_name = _io_name(translate.STDOUTERR, taken)
    rewrite.variables["AZ_BATCHAI_STDOUTERR_DIR"] = f"${{{{outputs.{logs_name}}}}}"
    for variable in ("AZ_BATCHAI_JOB_TEMP", "AZ_BATCHAI_JOB_TEMP_DIR"):
        rewrite.variables[variable] = "${TMPDIR:-/tmp}"
    rewrite.variables["AZ_BATCHAI_NUM_GPUS"] = "$(nvidia-smi -L 2>/dev/null | wc -l)"

    command = _command(document, plan, rewrite, notes)
    exports = []
    variables: dict[str, str] = {}
    for name, value in plan.environment_variables.items():
        rewritten = rewrite(value)
        if rewritten == value:
            variables[name] = value
        else:  # Azure ML does not substitute ${{...}} in variables: the command sets it
            escaped = re.sub(r'(["\\`])', r"\\\1", rewritten)
            exports.append(f'export {name}="{escaped}"')
    if exports:
        command = "\n".join([*exports, command])
    if "AZ_BATCHAI_STDOUTERR_DIR" in rewrite.used:
        outputs[logs_name] = {"type": "uri_folder", "path": logs.uri, "mode": "rw_mount"}
    else:
        _note(
            notes,
            ("command",),
            "Logs: Azure ML keeps the job's stdout and stderr in its user_logs "
            "(std_log*.txt; `az ml job stream` / `az ml job download`), not in "
            "std_out_err_path_prefix.",
        )
    for variable, advice in rewrite.unresolved.items():
        _note(notes, ("command",), f"${variable} is left as written: {advice}")
    for path, texts in kept.items():
        notes.setdefault(path, []).extend(texts)

    job: dict[str, Any] = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/commandJob.schema.json",
        "type": "command",
        "display_name": job_name,
        "experiment_name": experiment,
        "description": f"Batch AI job {job_name}, exported by `batchai export`.",
        "compute": f"azureml:{cluster_name}",
        "command": command,
        "environment": {"image": translate.environment_image(plan.container)},
        "resources": {"instance_count": plan.node_count},
        "limits": {"timeout": plan.max_run_duration_seconds},
        **translate.queue_settings(priority),
    }
    if plan.container.shm_size:
        job["resources"]["shm_size"] = plan.container.shm_size
    distribution = translate.distribution_document(plan)
    if distribution is not None:
        job["distribution"] = distribution
    if variables:
        job["environment_variables"] = variables
    if inputs:
        job["inputs"] = inputs
    if outputs:
        job["outputs"] = outputs
    if plan.container.image is None:
        kind = "GPU" if plan.container.gpu else "CPU"
        _note(
            notes,
            ("environment",),
            f"Batch AI ran this job directly on the node's VM image; this is Azure ML's curated "
            f"{kind} image: use an image holding your job's software (and a GPU image on GPU "
            "sizes).",
        )
    datastores = tuple(
        Exported(
            "datastore",
            spec["name"],
            spec,
            {
                (): [
                    "No credentials: batchai export never writes storage keys. Give the "
                    "account key (YAML: credentials: {account_key: ...}, or `az ml datastore "
                    "create --file <file> --set credentials.account_key=<key>`; Python: "
                    "credentials=AccountKeyConfiguration(account_key=...)), or none and grant "
                    "the workspace's identity access to the storage account."
                ]
            },
        )
        for spec in translate.datastore_documents(plan.datastores)
    )
    return NativeJob(Exported("job", job_name, job, notes), datastores)


def _drop_without_equivalent(document: dict[str, Any], notes: Notes) -> Notes:
    """Remove from ``document`` what a command job cannot express (noted in the returned notes,
    placed after the others); storage keys are replaced: the export never needs them."""
    kept: Notes = {}
    volumes = document.get("mount_volumes") or {}
    for group, advice in (("file_servers", _FILE_SERVERS), ("unmanaged_file_systems", _UNMANAGED)):
        dropped = domain_mounts.mounts({group: volumes.pop(group, None) or []})
        if dropped:
            listed = ", ".join(f"{m.relative_mount_path} ({_volume(m)})" for m in dropped)
            _note(kept, ("outputs",), f"Dropped: the job mounts {listed}. {advice}")
    for group in ("azure_file_shares", "azure_blob_file_systems"):
        for reference in volumes.get(group) or ():
            reference["credentials"] = {"account_key": "never exported"}
    preparation = document.pop("job_preparation", None)
    if preparation is not None:
        _note(
            kept,
            ("command",),
            f"Dropped: the job preparation ({get(preparation, 'command_line')!r}), which Batch "
            f"AI ran once per node before the job. {_JOB_PREPARATION}",
        )
    secrets = document.pop("secrets", None)
    if secrets:
        names = ", ".join(str(get(s, "name")) for s in secrets)
        _note(kept, ("environment",), f"Dropped: the secret variables {names}. {_SECRETS}")
    registry = get(get(document, "container_settings") or {}, "image_source_registry")
    if registry is not None and registry.pop("credentials", None) is not None:
        _note(
            kept,
            ("environment",),
            f"Dropped: the registry credentials of {get(registry, 'server_url') or 'the image'}. "
            f"{_REGISTRY_CREDENTIALS}",
        )
    return kept


def _command(document: dict[str, Any], plan: jobs.JobPlan, rewrite: _Rewriter, notes: Notes) -> str:
    """The job's program with its arguments, rewritten, as Azure ML's one command."""
    toolkit, settings = chosen_toolkit(document)
    layout = task_layout(toolkit, settings, document.get("node_count", 1))
    program = task_program(toolkit, settings)
    if program.kind == "shell":
        head = str(program.text)
    elif program.kind == "cntk":
        head = f"cntk configFile={program.path}"
    elif program.kind == "caffe":
        head = f"caffe train --solver={program.path}"
    else:
        head = f"{program.interpreter or 'python'} {program.path}"

    def with_args(args: str | None) -> str:
        return rewrite(f"{head} {args}" if args else head)

    distribution = plan.distribution
    if layout.launch == Launch.TENSORFLOW:
        return _tensorflow_command(settings, with_args, rewrite, program.interpreter, notes)
    if distribution is not None and distribution.kind == "pytorch":
        rewrite.variables.update(
            AZ_BATCHAI_TASK_INDEX="$RANK",
            AZ_BATCHAI_PYTORCH_INIT_METHOD="env://",
            AZ_BATCHAI_PYTORCH_BACKEND=str(distribution.communication_backend),
        )
    else:
        rewrite.variables["AZ_BATCHAI_TASK_INDEX"] = _MPI_RANK if distribution else "0"
    if toolkit.kind == "tensorflow":  # one machine: the master's arguments
        return with_args(get(settings, "master_command_line_args"))
    command = with_args(get(settings, "command_line_args"))
    if layout.launch == Launch.SINGLE and distribution is not None:
        _note(
            notes,
            ("command",),
            "Batch AI ran this command once, on the first of the job's nodes (the others stay "
            "allocated): Azure ML starts it on every node, so it runs on rank 0 only.",
        )
        return f'if [ "{_MPI_RANK}" = 0 ]; then\n  {command}\nfi'
    return command


def _tensorflow_command(
    settings: Any,
    with_args: Callable[[str | None], str],
    rewrite: _Rewriter,
    interpreter: str | None,
    notes: Notes,
) -> str:
    """Batch AI's per-role TensorFlow arguments as one command picking them from TF_CONFIG."""
    rewrite.variables.update(
        AZ_BATCHAI_TASK_INDEX="$TF_INDEX",
        AZ_BATCHAI_PS_HOSTS="$TF_PS_HOSTS",
        AZ_BATCHAI_WORKER_HOSTS="$TF_WORKER_HOSTS",
    )
    ps = with_args(tensorflow_role_args(settings, "ps", 0))
    master = with_args(tensorflow_role_args(settings, "worker", 0))
    worker = with_args(tensorflow_role_args(settings, "worker", 1))
    reads_config = bool(
        rewrite.used & {"AZ_BATCHAI_TASK_INDEX", "AZ_BATCHAI_PS_HOSTS", "AZ_BATCHAI_WORKER_HOSTS"}
    )
    if ps == master == worker and not reads_config:
        return master
    reader = f"""eval "$({interpreter or "python"} -c "{_TF_CONFIG_READER}")\""""
    if master == worker:
        switch = f'if [ "$TF_ROLE" = ps ]; then\n  {ps}\nelse\n  {worker}\nfi'
    else:
        switch = (
            f'if [ "$TF_ROLE" = ps ]; then\n  {ps}\nelif [ "$TF_INDEX" = 0 ]; then\n  {master}\n'
            f"else\n  {worker}\nfi"
        )
    _note(
        notes,
        ("command",),
        "Azure ML starts every TensorFlow task with this one command and describes the task in "
        "TF_CONFIG: the command reads it into TF_ROLE, TF_INDEX, TF_PS_HOSTS and "
        "TF_WORKER_HOSTS to give each role Batch AI's arguments ($AZ_BATCHAI_TASK_INDEX -> "
        "$TF_INDEX, $AZ_BATCHAI_PS_HOSTS -> $TF_PS_HOSTS, ...). A script that reads TF_CONFIG "
        "itself needs none of it.",
    )
    return f"{reader}\n{switch}"

"""``batchai job ...``: Batch AI jobs, their output files and their nodes.

``job create`` reads ``JobCreateParameters`` from ``-f job.json`` (see :mod:`..files`,
:mod:`..mounts`); ``-c`` names the cluster (a name or an ARM id; else the file's
``cluster.id``), and ``--afs-name`` / ``--bfs-name`` / ``--nfs`` add mounts.  ``job wait`` polls
until the job ends and exits with its exit code when it failed.  ``job file stream`` waits for
the file, then follows it with HTTP ``Range`` requests on its download URL until the job ends,
like ``tail -f``.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from .. import tables
from ..errors import CommandError, UsageError
from ..messages import log
from ..nodes import EXEC_ARGS, exec_on_cluster_node
from ..resources import complete, resolve
from ..spec import (
    CONFIRM,
    EXPERIMENT,
    EXPIRY,
    RESOURCE_GROUP,
    WORKSPACE,
    Area,
    Arg,
    Command,
    Exit,
    config_file_arg,
    name,
    nfs_args,
    storage_account_args,
)

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context


STANDARD_OUTPUT_DIRECTORY_ID = "stdouterr"
JOB_NAME = name("job")
JOB = Arg("job_name", ("--job", "-j"), "Name of job.", required=True)
FINISHED = ("succeeded", "failed")


def _state(job: Any) -> str:
    return str(job.execution_state) if job.execution_state is not None else ""


def create(context: Context, args: Namespace) -> Any:
    from ... import models
    from ...exceptions import ResourceNotFoundError
    from ..mounts import StorageAccount, add_option_mounts, parameters_from_file

    client = context.client
    try:
        client.jobs.get(args.resource_group, args.workspace, args.experiment, args.job_name)
    except ResourceNotFoundError:
        pass
    else:
        raise CommandError(
            "A job with given name, experiment, workspace and resource group already exists."
        )
    account = StorageAccount(context, args.account_name, args.account_key)
    config, params = parameters_from_file(args.json_file, models.JobCreateParameters, account)
    assert config is not None  # -f is required
    cluster = args.cluster or (params.cluster.id if params.cluster else None)
    if not cluster:
        raise UsageError(
            "Please provide cluster information via command line or configuration file."
        )
    existing = client.clusters.get(*resolve(cluster, args.resource_group, args.workspace))
    params.cluster = models.ResourceId(id=str(existing.id))
    nfs_id = None
    if args.nfs:
        nfs_id = client.file_servers.get(*resolve(args.nfs, args.resource_group, args.workspace)).id
    params.mount_volumes = add_option_mounts(params.mount_volumes, args, account, nfs_id)
    for error in params.validate():
        raise config.error(config.model_path(error.parameter), error.rule)
    return context.finish(
        client.jobs.create(
            args.resource_group, args.workspace, args.experiment, args.job_name, params
        )
    )


def show(context: Context, args: Namespace) -> Any:
    return context.client.jobs.get(
        args.resource_group, args.workspace, args.experiment, args.job_name
    )


def list_jobs(context: Context, args: Namespace) -> Any:
    return list(
        context.client.jobs.list_by_experiment(args.resource_group, args.workspace, args.experiment)
    )


def delete(context: Context, args: Namespace) -> Any:
    where = (args.resource_group, args.workspace, args.experiment, args.job_name)
    complete(context, context.client.jobs.delete(*where, polling=not args.no_wait), args.no_wait)


def terminate(context: Context, args: Namespace) -> Any:
    where = (args.resource_group, args.workspace, args.experiment, args.job_name)
    complete(context, context.client.jobs.terminate(*where, polling=not args.no_wait), args.no_wait)


def wait(context: Context, args: Namespace) -> Any:
    """az's ``wait_for_job_completion``: report the job's progress; its exit code on failure.
    On a terminal a spinner shows the state between az's ``WARNING:`` lines."""
    interval = args.interval if args.interval is not None else (1.0 if context.is_local else 15.0)
    jobs = context.client.jobs
    where = (args.resource_group, args.workspace, args.experiment, args.job_name)
    job = jobs.get(*where)
    with context.progress(f"job {args.job_name}") as progress:

        def say(message: str, *values: Any) -> None:
            progress.clear()  # the message on a line of its own
            log.warning(message, *values)

        say("Job submitted at %s", job.creation_time)
        last_state = None
        reported_start = False
        while True:
            info = job.execution_info
            if info is not None and info.start_time is not None and not reported_start:
                say("Job started execution at %s", info.start_time)
                reported_start = True
            state = _state(job)
            if state != last_state:
                say("Job state: %s", state)
                last_state = state
            if state == "succeeded":
                end = info.end_time if info else None
                say("Job completed at %s; execution took %s", end, _took(info))
                return None
            if state == "failed":
                progress.clear()
                return Exit(_report_failure(args.resource_group, job))
            progress.pause(interval, state)
            job = jobs.get(*where)


def _took(info: Any) -> Any:
    if info is None or info.start_time is None or info.end_time is None:
        return None
    return info.end_time - info.start_time


def _report_failure(resource_group: str, job: Any) -> int:
    log.warning('The job "%s" in resource group "%s" failed.', job.name, resource_group)
    info = job.execution_info
    if info is None:
        log.warning("Failed job has no execution info")
        return 1
    log.warning(
        "Job failed with exit code %s at %s; execution took %s",
        info.exit_code,
        info.end_time,
        _took(info),
    )
    for error in info.errors or []:
        details = "<none>"
        if error.details:
            details = "\n" + "\n".join(f"{d.name}: {d.value}" for d in error.details)
        log.warning("Error message: %s\nDetails:\n %s", error.message, details)
    code = info.exit_code
    return code if isinstance(code, int) and 0 < code < 256 else 1


def _options(args: Namespace) -> Any:
    from ... import models

    return models.JobsListOutputFilesOptions(
        outputdirectoryid=args.output_directory_id,
        directory=args.path,
        linkexpiryinminutes=args.expiry,
    )


def list_files(context: Context, args: Namespace) -> Any:
    return list(
        context.client.jobs.list_output_files(
            args.resource_group, args.workspace, args.experiment, args.job_name, _options(args)
        )
    )


def stream_file(context: Context, args: Namespace) -> Any:
    """az's ``tail_file``: wait for the file, then print what it gains until the job ends."""
    args.expiry = 60
    jobs = context.client.jobs
    where = (args.resource_group, args.workspace, args.experiment, args.job_name)

    def find_url() -> str | None:
        for item in jobs.list_output_files(*where, _options(args)):
            if item.name == args.file_name and item.download_url:
                return str(item.download_url)
        return None

    url = find_url()
    reported_absence = False
    while url is None:
        if _state(jobs.get(*where)) in FINISHED:
            url = find_url()  # written just before the job ended
            if url is None:
                log.warning('The file "%s" not found for the completed job.', args.file_name)
                return None
            break
        if not reported_absence:
            log.warning(
                'The file "%s" not found. Waiting for the job to generate it.', args.file_name
            )
            reported_absence = True
        time.sleep(1)
        url = find_url()
    log.info('File found with URL "%s". Start streaming', url.split("?")[0])
    downloaded = 0
    out = sys.stdout.buffer
    while True:
        # The state first: what the job wrote before it ended is read once more after.
        finished = _state(jobs.get(*where)) in FINISHED
        chunk, expired = _read_from(url, downloaded)
        if expired:
            url = find_url() or url  # the link expired: list the file again for a new one
            continue
        if chunk:
            out.write(chunk)
            out.flush()
            downloaded += len(chunk)
        if finished:
            return None
        time.sleep(1)


def _read_from(url: str, offset: int) -> tuple[bytes, bool]:
    """The bytes of ``url`` from ``offset`` on (``Range``); ``(b"", True)`` when refused (403)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            data: bytes = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        if error.code == 416:  # nothing new yet
            return b"", False
        if error.code in (401, 403):
            return b"", True
        raise CommandError(f"Streaming the file failed: HTTP {error.code} {error.reason}") from None
    if status == 200 and offset:  # a server that ignored the range sent the whole file
        data = data[offset:]
    return data, False


def list_nodes(context: Context, args: Namespace) -> Any:
    return list(
        context.client.jobs.list_remote_login_information(
            args.resource_group, args.workspace, args.experiment, args.job_name
        )
    )


def exec_on_node(context: Context, args: Namespace) -> Any:
    if not args.cmdline and not args.ports:
        return None
    from ...domain.ids import job_cluster

    client = context.client
    where = (args.resource_group, args.workspace, args.experiment, args.job_name)
    nodes = list(client.jobs.list_remote_login_information(*where))
    job = client.jobs.get(*where)
    cluster_id = job_cluster(job.cluster.id if job.cluster else None)
    cluster = client.clusters.get(cluster_id.resource_group, cluster_id.workspace, cluster_id.name)
    return exec_on_cluster_node(context.is_local, args, nodes, cluster)


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------

_BASE = (RESOURCE_GROUP, WORKSPACE, EXPERIMENT)
_OUTPUT_DIRECTORY = Arg(
    "output_directory_id",
    ("--output-directory-id", "-d"),
    'The Id of the job\'s output directory (as specified by "id" element in '
    "outputDirectories collection in the job create parameters).",
    default=STANDARD_OUTPUT_DIRECTORY_ID,
)
_PATH = Arg("path", ("--path", "-p"), "Relative path in the given output directory.", default=".")
_FILE_OPTIONS = (*_BASE, JOB, _OUTPUT_DIRECTORY, _PATH)

AREA = Area(
    summary="Commands to manage jobs.",
    groups={
        ("file",): "Commands to list and stream files in job's output directories.",
        ("node",): "Commands to work with nodes which executed a job.",
    },
    commands=(
        Command(
            ("create",),
            "Create a job.",
            create,
            (
                *_BASE,
                JOB_NAME,
                config_file_arg("JobCreateParameters", required=True),
                Arg(
                    "cluster",
                    ("--cluster", "-c", "-r", "--cluster-name"),
                    "Name or ARM ID of the cluster to run the job. You need to provide ARM ID if "
                    "the cluster belongs to a different workspace.",
                ),
                *storage_account_args("job"),
                *nfs_args("job"),
            ),
            examples=(
                (
                    "Create a job to run on a cluster in the same resource group.",
                    "batchai job create -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob \\\n    -c MyCluster -f job.json",
                ),
                (
                    "Create a job to run on a cluster in a different workspace.",
                    "batchai job create -g MyJobResourceGroup -w MyJobWorkspace -e MyExperiment "
                    "-n MyJob \\\n"
                    "    -f job.json \\\n"
                    "    -c /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                    "MyClusterResourceGroup/providers/Microsoft.BatchAI/workspaces/"
                    "MyClusterWorkspace/clusters/MyCluster",
                ),
                (
                    "Create a job whose job.json names <AZURE_BATCHAI_STORAGE_ACCOUNT>.",
                    "batchai job create -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob \\\n    -c MyCluster -f job.json --storage-account-name "
                    "MyStorageAccount",
                ),
            ),
        ),
        Command(
            ("delete",),
            "Delete a job.",
            delete,
            (*_BASE, JOB_NAME),
            examples=(
                (
                    "Delete a job. The job will be terminated if it's currently running.",
                    "batchai job delete -g MyResourceGroup -w MyWorkspace -e MyExperiment -n MyJob",
                ),
                (
                    "Delete a job without asking for confirmation (for non-interactive scenarios).",
                    "batchai job delete -g MyResourceGroup -w MyWorkspace -e MyExperiment -n MyJob "
                    "-y",
                ),
                (
                    "Request job deletion without waiting for job to be deleted.",
                    "batchai job delete -g MyResourceGroup -w MyWorkspace -e MyExperiment -n MyJob "
                    "--no-wait",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
        Command(
            ("terminate",),
            "Terminate a job.",
            terminate,
            (*_BASE, JOB_NAME),
            examples=(
                (
                    "Terminate a job and wait for the job to be terminated.",
                    "batchai job terminate -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob",
                ),
                (
                    "Terminate a job without asking for confirmation (for non-interactive "
                    "scenarios).",
                    "batchai job terminate -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob -y",
                ),
                (
                    "Request job termination without waiting for the job to be terminated.",
                    "batchai job terminate -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-n MyJob \\\n    --no-wait",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
        Command(
            ("show",),
            "Show information about a job.",
            show,
            (*_BASE, JOB_NAME),
            examples=(
                (
                    "Show full information about a job.",
                    "batchai job show -g MyResourceGroup -w MyWorkspace -e MyExperiment -n MyJob",
                ),
                (
                    "Show job's summary.",
                    "batchai job show -g MyResourceGroup -w MyWorkspace -e MyExperiment -n MyJob "
                    "-o table",
                ),
            ),
            table=tables.job_show,
        ),
        Command(
            ("list",),
            "List jobs.",
            list_jobs,
            _BASE,
            examples=(
                (
                    "List jobs.",
                    "batchai job list -g MyResourceGroup -w MyWorkspace -e MyExperiment -o table",
                ),
            ),
            table=tables.job_list,
        ),
        Command(
            ("wait",),
            "Wait for a job to finish; exit with the job's exit code when it failed.",
            wait,
            (
                *_BASE,
                JOB_NAME,
                Arg(
                    "interval",
                    ("--interval",),
                    "Polling interval in sec. Default: 15 on Azure backends, 1 on the local "
                    "backend (where a poll is a local database read).",
                    type=float,
                ),
            ),
            examples=(
                (
                    "Wait for the job completion.",
                    "batchai job wait -g MyResourceGroup -w MyWorkspace -e MyExperiment -n MyJob",
                ),
            ),
        ),
        Command(
            ("file", "list"),
            "List job's output files in a directory with given id.",
            list_files,
            (*_FILE_OPTIONS, EXPIRY),
            long_summary="List job's output files in a directory with given id if the output "
            "directory is located on mounted Azure File Share or Blob Container.",
            examples=(
                (
                    "List files in the standard output directory of the job.",
                    "batchai job file list -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob",
                ),
                (
                    "List files in the standard output directory of the job. Generates output in "
                    "a table format.",
                    "batchai job file list -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob -o table",
                ),
                (
                    "List files in a folder 'MyFolder/MySubfolder' of an output directory with id "
                    "'MODELS'.",
                    "batchai job file list -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob \\\n    -d MODELS -p MyFolder/MySubfolder",
                ),
                (
                    "List files in the standard output directory of the job making download URLs "
                    "to remain valid for 15 minutes.",
                    "batchai job file list -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob \\\n    --expiry 15",
                ),
            ),
            table=tables.file_list,
        ),
        Command(
            ("file", "stream"),
            "Stream the content of a file (similar to 'tail -f').",
            stream_file,
            (
                *_FILE_OPTIONS,
                Arg(
                    "file_name",
                    ("--file-name", "-f"),
                    "The name of the file to stream.",
                    required=True,
                ),
            ),
            long_summary="Waits for the job to create the given file and starts streaming it "
            "similar to 'tail -f' command. The command completes when the job finished execution.",
            examples=(
                (
                    "Stream standard output file of the job.",
                    "batchai job file stream -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob \\\n    -f stdout.txt",
                ),
                (
                    "Stream a file 'log.txt' from a folder 'logs' of an output directory with id "
                    "'OUTPUTS'.",
                    "batchai job file stream -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob \\\n    -d OUTPUTS -p logs -f log.txt",
                ),
            ),
        ),
        Command(
            ("node", "list"),
            "List remote login information for nodes which executed the job.",
            list_nodes,
            (*_BASE, JOB),
            long_summary="List remote login information for currently existing (not "
            "deallocated) nodes on which the job was executed. You can ssh to a particular node "
            "using the provided public IP address and the port number. E.g. ssh <admin user "
            "name>@<public ip> -p <node's SSH port number>",
            examples=(
                (
                    "List remote login information for a job's nodes.",
                    "batchai job node list -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob -o table",
                ),
            ),
            table=tables.remote_login,
        ),
        Command(
            ("node", "exec"),
            "Executes a command line on a cluster's node used to execute the job with optional "
            "ports forwarding.",
            exec_on_node,
            (*_BASE, JOB, *EXEC_ARGS),
            examples=(
                (
                    "Report a GPU state for a job's node.",
                    "batchai job node exec -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    '-j MyJob \\\n    --exec "nvidia-smi"',
                ),
                (
                    "Report a snapshot of the current processes.",
                    "batchai job node exec -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    '-j MyJob \\\n    --exec "ps aux"',
                ),
                (
                    "Forward local 9000 to port 9001 on the given node.",
                    "batchai job node exec -g MyResourceGroup -w MyWorkspace -e MyExperiment "
                    "-j MyJob \\\n    -n tvm-xxx -L 9000:localhost:9001",
                ),
            ),
        ),
    ),
)

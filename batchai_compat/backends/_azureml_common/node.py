"""Inside an Azure ML run: turn Azure ML's process environment into Batch AI's node contract.

This module is the entry point of every Azure ML process a Batch AI job becomes (it ships in the
run snapshot as ``batchai_node.pyz`` together with :mod:`batchai_compat.runtime`; standard
library only).  Azure ML starts one process per TensorFlow task, MPI rank or PyTorch rank; each
runs ``python batchai_node.pyz`` with the job manifest (the Batch AI job parameters without
secrets, and how they map onto the run) in ``$AZ_BATCHAI_COMPAT_JOB``,

and this adapter

1. finds its Batch AI task: TensorFlow role and index from ``TF_CONFIG``, MPI rank from
   ``OMPI_COMM_WORLD_RANK``/``PMI_RANK``, PyTorch rank from ``RANK``;
2. links every mounted datastore (``$AZUREML_DATAREFERENCE_<name>``) to its Batch AI place,
   ``$AZ_BATCHAI_JOB_MOUNT_ROOT/<relative_mount_path>``;
3. reads the job's secrets from the workspace Key Vault (azureml-core's run context when the
   image has it, the credential REST endpoint with the run token otherwise);
4. builds the ``$AZ_BATCHAI_*`` environment with the shared runtime, with three Azure ML choices:
   ``$AZ_BATCHAI_STDOUTERR_DIR`` is ``./logs/stdouterr`` (streamed to run history),
   ``$AZ_BATCHAI_OUTPUT_<ID>`` is ``./outputs/<ID>`` (uploaded to run history), which is what
   ``jobs.list_output_files`` lists, and ``$AZ_BATCHAI_SHARED_JOB_TEMP`` is node-local (Azure ML
   runs share no folder but their mounted datastores); the MPI host file lists
   ``$AZ_BATCH_NODE_LIST`` and ``$AZ_BATCHAI_NUM_GPUS`` counts ``/dev/nvidia<N>``;
5. runs ``job_preparation`` once per node, then its task's Batch AI command, logging to Batch
   AI's file names (``stdout-wk-0.txt``, ``stdout-ps-0.txt``, ``stdout-<rank>.txt``...);
6. when the task or the job preparation fails, writes Batch AI's error message as the last line
   of its own stderr: the service's words (``Job failed with non-zero exit code``, ``Job
   preparation task failed with non-zero exit code``, :mod:`batchai_compat.domain.answers`),
   then the same detail as the local backend (which task, which node, the exit code and the
   task's last meaningful stderr line, :mod:`batchai_compat.runtime.reasons`).  Azure ML ends
   the run's error message with the failed process's stderr; the backend finds that line there
   and reports it under Batch AI's code (:mod:`.._azureml_common.runs`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...domain import answers
from ...domain.toolkits import Launch
from ...runtime.environment import TaskRole, expand, job_environment, task_environment
from ...runtime.launcher import write_host_file
from ...runtime.logs import task_log_names
from ...runtime.reasons import failure_reason
from ...runtime.spec import JobSpec, job_spec
from ...runtime.toolkits import MpiOptions, TaskPlan, task_plans
from ...runtime.topology import JobIdentity, Topology
from .._azureml_common.naming import MANIFEST_VARIABLE, STDOUTERR_FOLDER

__all__ = ["NodeTask", "azureml_task", "main", "read_secrets"]


@dataclass(frozen=True)
class NodeTask:
    """Which Batch AI task this Azure ML process is."""

    role: str  # "worker" | "ps" (TensorFlow) | "task"
    index: int
    hosts: tuple[str, ...]
    node_index: int
    ps_hosts: tuple[str, ...] = ()
    worker_hosts: tuple[str, ...] = ()
    pytorch_init_method: str | None = None


def _int(env: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        value = env.get(name)
        if value is not None and value.strip().lstrip("-").isdigit():
            return int(value)
    return None


def _node_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    listed = env.get("AZ_BATCH_NODE_LIST") or env.get("AZ_BATCHAI_NODE_LIST") or ""
    hosts = tuple(h for h in listed.replace(",", ";").split(";") if h)
    return hosts or (socket.gethostname(),)


def azureml_task(spec: JobSpec, env: Mapping[str, str]) -> NodeTask:
    """This process's Batch AI task, from the variables Azure ML sets for its distribution."""
    hosts = _node_hosts(env)
    kind = spec.toolkit.kind
    tf_config = env.get("TF_CONFIG")
    if kind == "tensorflow" and tf_config:
        config = json.loads(tf_config)
        task = config.get("task") or {}
        cluster = config.get("cluster") or {}
        role = "ps" if task.get("type") == "ps" else "worker"
        index = int(task.get("index", 0))
        if task.get("type") == "chief":
            index = 0
        own = (cluster.get(task.get("type")) or [""])[
            min(index, len(cluster.get(task.get("type")) or [""]) - 1)
        ]
        node_host = own.rsplit(":", 1)[0]
        node_index = hosts.index(node_host) if node_host in hosts else 0
        workers = tuple(cluster.get("chief", ())) + tuple(cluster.get("worker", ()))
        return NodeTask(role, index, hosts, node_index, tuple(cluster.get("ps", ())), workers)
    rank = _int(env, "OMPI_COMM_WORLD_RANK", "PMI_RANK", "RANK") or 0
    if kind == "pytorch" and env.get("MASTER_ADDR"):
        init = f"tcp://{env['MASTER_ADDR']}:{env.get('MASTER_PORT', '6105')}"
        group = _int(env, "NODE_RANK", "GROUP_RANK") or 0
        return NodeTask("task", rank, hosts, group, pytorch_init_method=init)
    explicit = _int(env, "NODE_RANK", "AZ_BATCHAI_NODE_INDEX")
    per_node = _int(env, "OMPI_COMM_WORLD_LOCAL_SIZE") or 1
    node_index = explicit if explicit is not None else rank // per_node
    return NodeTask("task", rank, hosts, min(node_index, len(hosts) - 1))


def gpu_count(devices: str = "/dev") -> int:
    """GPUs visible on this node (``/dev/nvidia<N>``), for ``$AZ_BATCHAI_NUM_GPUS``."""
    root = Path(devices)
    if not root.is_dir():
        return 0
    return sum(1 for p in root.iterdir() if p.name.startswith("nvidia") and p.name[6:].isdigit())


def _secret_via_rest(name: str, env: Mapping[str, str]) -> str:
    scope = (
        f"/subscriptions/{env['AZUREML_ARM_SUBSCRIPTION']}/resourceGroups/"
        f"{env['AZUREML_ARM_RESOURCEGROUP']}/providers/Microsoft.MachineLearningServices/"
        f"workspaces/{env['AZUREML_ARM_WORKSPACE_NAME']}"
    )
    url = f"{env['AZUREML_SERVICE_ENDPOINT'].rstrip('/')}/credential/v2.0{scope}/secrets/{name}"
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {env['AZUREML_RUN_TOKEN']}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - https service URL
        return str(json.loads(response.read().decode("utf-8"))["value"])


def read_secrets(names: Mapping[str, str], env: Mapping[str, str]) -> dict[str, str]:
    """``{variable: Key Vault secret name}`` → ``{variable: value}`` from the workspace Key Vault."""
    if not names:
        return {}
    try:
        from azureml.core import Run  # present when the image installs azureml-core
    except ImportError:
        return {variable: _secret_via_rest(secret, env) for variable, secret in names.items()}
    values = Run.get_context().get_secrets(list(names.values()))
    return {variable: str(values[secret]) for variable, secret in names.items()}


def _link_mounts(
    manifest: Mapping[str, Any],
    mount_root: Path,
    env: Mapping[str, str],
    places: Mapping[str, str],
) -> None:
    mount_root.mkdir(parents=True, exist_ok=True)
    for mount in manifest.get("mounts", ()):
        name = mount["data_reference"]
        source = places.get(name) or env.get(f"AZUREML_DATAREFERENCE_{name}")
        if not source:
            raise RuntimeError(f"Azure ML did not mount data reference {mount['data_reference']!r}")
        target = mount_root / mount["relative_mount_path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            continue  # another process of this node linked it already
        with contextlib.suppress(FileExistsError):
            target.symlink_to(source, target_is_directory=True)


def _identity(manifest: Mapping[str, Any]) -> JobIdentity:
    job = manifest["job"]
    return JobIdentity(
        subscription_id=job.get("subscription", ""),
        resource_group=job.get("resource_group", ""),
        workspace=job.get("workspace", ""),
        experiment=job["experiment"],
        job=job["job"],
        job_uuid=job["uuid"],
    )


def _contract(
    spec: JobSpec,
    topology: Topology,
    task: NodeTask,
    secrets: Mapping[str, str],
    manifest: Mapping[str, Any],
    cwd: Path,
    places: Mapping[str, str],
) -> dict[str, str]:
    """The runtime's contract with the Azure ML placements for logs, outputs and TF hosts.

    Azure ML v1 uploads ``./logs`` and ``./outputs`` of the run; on v2 the job's outputs are
    mounted where ``places`` (the node's command-line ``name=path`` pairs) say.
    """
    contract = job_environment(spec, topology, {})
    stdouterr = places.get(manifest.get("stdouterr_place", ""))
    contract["AZ_BATCHAI_STDOUTERR_DIR"] = stdouterr or str(cwd / STDOUTERR_FOLDER)
    for output in manifest.get("output_directories", ()):
        place = places.get(output.get("place", ""))
        contract[f"AZ_BATCHAI_OUTPUT_{output['id']}"] = place or str(
            cwd / output["run_history_folder"]
        )
    if spec.toolkit.kind == "tensorflow" and (task.ps_hosts or task.worker_hosts):
        contract["AZ_BATCHAI_PS_HOSTS"] = ",".join(task.ps_hosts)
        contract["AZ_BATCHAI_WORKER_HOSTS"] = ",".join(task.worker_hosts)
    # user variables may reference the contract (Batch AI expanded them): expand again
    user_names = {name for name, _ in spec.environment_variables}
    base = {k: v for k, v in contract.items() if k not in user_names}
    for name, value in spec.environment_variables:
        contract[name] = expand(value, base)
    contract.update(secrets)
    return contract


def _plan(
    spec: JobSpec, topology: Topology, task: NodeTask, env: dict[str, str]
) -> TaskPlan | None:
    """The Batch AI command this Azure ML process runs (None: nothing, e.g. custom on rank > 0)."""
    mpi = MpiOptions(program="mpirun", oversubscribe=False)
    plans = task_plans(spec, topology, env, default_python=sys.executable, mpi=mpi)
    kind = spec.toolkit.kind
    if spec.layout.launch == Launch.MPI:
        # Azure ML already runs mpirun and started this rank: run the program itself.
        (plan,) = plans
        prefix = mpi.prefix(spec.layout.processes) + " "
        program = plan.command[len(prefix) :] if plan.command.startswith(prefix) else plan.command
        out, err = task_log_names("task", task.index, single=task.index == 0)
        return TaskPlan("task", task.index, task.node_index, program, out, err)
    for plan in plans:
        if (plan.role, plan.index) == (task.role, task.index):
            return plan
    if kind == "tensorflow" and len(plans) == 1:
        return plans[0]
    return None


def _job_preparation_once(
    spec: JobSpec,
    env: dict[str, str],
    cwd: Path,
    topology: Topology,
    secrets: Mapping[str, str],
) -> int:
    """Batch AI ran job preparation once per node: the first process of the node runs it."""
    if not spec.job_preparation:
        return 0
    marker = Path(tempfile.gettempdir()) / f"batchai-{topology.identity.job_uuid}-prep"
    with open(f"{marker}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return int(marker.read_text() or "0")
        suffix = "" if topology.node_count == 1 else f"-{topology.node_id}"
        stdouterr = Path(env["AZ_BATCHAI_STDOUTERR_DIR"])
        err_path = stdouterr / f"stderr-job_prep{suffix}.txt"
        with (
            open(stdouterr / f"stdout-job_prep{suffix}.txt", "ab") as out,
            open(err_path, "ab") as err,
        ):
            code = subprocess.call(
                ["bash", "-c", spec.job_preparation], env=env, cwd=cwd, stdout=out, stderr=err
            )
        marker.write_text(str(code))
        if code != 0:
            detail = f"it exited with code {code} on node {topology.node_id}"
            _report(answers.JOB_PREPARATION_FAILED, detail, err_path, secrets)
        return code


def _report(kind: tuple[str, str], detail: str, stderr: Path, secrets: Mapping[str, str]) -> None:
    """Batch AI's error message (``kind``: :data:`answers.JOB_FAILED` or
    :data:`answers.JOB_PREPARATION_FAILED`) on this process's stderr, last: Azure ML puts it at
    the end of the run's error.  ``detail`` says which task failed where, as the local backend
    does; the reason (the task's stderr) follows it."""
    reason = failure_reason(stderr, secrets)
    detail += f": {reason}" if reason else ""
    print(answers.job_error_message(kind, detail), file=sys.stderr, flush=True)


def run(
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    places: Mapping[str, str] | None = None,
) -> int:
    """Run this Azure ML process's Batch AI task; the exit code is the task's.

    ``places`` maps the job's Azure ML input/output names to the folders Azure ML mounted them
    at (v2 passes them on the command line); v1 data references come from the environment.
    """
    env = dict(os.environ if env is None else env)
    places = dict(places or {})
    work_dir = Path(cwd or os.getcwd())
    manifest = json.loads(env.pop(MANIFEST_VARIABLE))
    spec = job_spec(manifest["parameters"])
    task = azureml_task(spec, env)
    scratch = (
        Path(env.get("AZ_BATCHAI_COMPAT_SCRATCH") or tempfile.gettempdir())
        / "batchai"
        / manifest["job"]["uuid"]
    )
    topology = Topology(
        identity=_identity(manifest),
        hosts=task.hosts,
        node_index=task.node_index,
        mount_root=str(scratch / "mounts"),
        job_mount_root=str(scratch / "job_mounts"),
        job_temp_dir=str(scratch / "temp"),
        # Azure ML has no folder shared by a run's nodes (outside mounted datastores)
        shared_job_temp=str(scratch / "shared"),
        num_gpus=gpu_count(),
        pytorch_init_method=task.pytorch_init_method,
    )
    _link_mounts(manifest, Path(topology.job_mount_root), env, places)
    secrets = read_secrets(manifest.get("secrets") or {}, env)
    contract = _contract(spec, topology, task, secrets, manifest, work_dir, places)
    node_env = {**env, **contract}
    node_env.setdefault("PYTHONUNBUFFERED", "1")
    for folder in [
        contract["AZ_BATCHAI_STDOUTERR_DIR"],
        topology.job_temp,
        topology.shared_job_temp,
    ]:
        Path(folder).mkdir(parents=True, exist_ok=True)
    write_host_file(topology, topology.mpi_host_file)  # for commands that call mpirun themselves
    for name, value in contract.items():
        if name.startswith("AZ_BATCHAI_OUTPUT_"):
            Path(value).mkdir(parents=True, exist_ok=True)
    code = _job_preparation_once(spec, node_env, Path(topology.job_temp), topology, secrets)
    if code != 0:
        return code
    plan = _plan(spec, topology, task, node_env)
    if plan is None:
        return 0
    task_env = task_environment(node_env, spec, topology, TaskRole(plan.role, plan.index))
    stdouterr = Path(contract["AZ_BATCHAI_STDOUTERR_DIR"])
    with (
        open(stdouterr / plan.stdout_name, "ab") as out,
        open(stdouterr / plan.stderr_name, "ab") as err,
    ):
        code = subprocess.call(
            ["bash", "-c", plan.command],
            env=task_env,
            cwd=topology.job_temp,
            stdout=out,
            stderr=err,
        )
    if code != 0:
        _report(
            answers.JOB_FAILED,
            f"task {plan.role}-{plan.index} on node {topology.node_id} exited with code {code}",
            stderr=stdouterr / plan.stderr_name,
            secrets=secrets,
        )
    return code


def main() -> int:
    if MANIFEST_VARIABLE not in os.environ:
        print(
            f"batchai_node.pyz: ${MANIFEST_VARIABLE} is not set (not a Batch AI job run)",
            file=sys.stderr,
        )
        return 2
    places = dict(arg.split("=", 1) for arg in sys.argv[1:] if "=" in arg)
    return run(places=places)


if __name__ == "__main__":
    sys.exit(main())

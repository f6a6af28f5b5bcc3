"""Batch AI's job environment contract (``$AZ_BATCHAI_*``), as pure functions.

Batch AI set these variables on every node and expanded references to them (and to the job's
own ``environment_variables``) inside script paths, ``InputDirectory.path``,
``OutputDirectory.path_prefix`` and ``std_out_err_path_prefix``: the SDK sent them literally.
Command lines run under ``bash`` with the variables exported, so bash expands them there exactly
as it did on a Batch AI node.

Paths follow the 2018-05-01 service (:mod:`batchai_compat.domain.paths`):

* ``AZ_BATCHAI_STDOUTERR_DIR`` = ``{std_out_err_path_prefix}/{segment}/stdouterr``
* ``AZ_BATCHAI_OUTPUT_<ID>`` = ``{path_prefix}/{segment}/outputs[/{path_suffix}]``

where ``segment`` is ``Job.job_output_directory_path_segment``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.paths import output_dir, stdouterr_dir
from .spec import JobSpec
from .topology import Topology

__all__ = [
    "JobPaths",
    "TaskRole",
    "expand",
    "job_environment",
    "job_paths",
    "task_environment",
    "tf_cluster",
]

_REFERENCE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def expand(text: str, variables: Mapping[str, str]) -> str:
    """Replace ``$NAME`` and ``${NAME}`` for the names in ``variables``.

    References to unknown names stay as written (a Batch AI node left them to the shell), so
    ``$HOME`` in a path survives until bash sees it.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        value = variables.get(name)
        return match.group(0) if value is None else value

    return _REFERENCE.sub(substitute, text)


@dataclass(frozen=True)
class JobPaths:
    """The expanded folders of one job on one node."""

    stdouterr_dir: str
    inputs: dict[str, str]
    outputs: dict[str, str]


@dataclass(frozen=True)
class TaskRole:
    """Which task a process is: ``role`` is ``ps``/``worker`` (TensorFlow) or ``task``."""

    role: str = "task"
    index: int = 0


def _base_variables(topology: Topology) -> dict[str, str]:
    return {
        "AZ_BATCHAI_MOUNT_ROOT": topology.mount_root,
        "AZ_BATCHAI_JOB_MOUNT_ROOT": topology.job_mount_root,
        "AZ_BATCHAI_JOB_TEMP_DIR": topology.job_temp_dir,
        "AZ_BATCHAI_JOB_TEMP": topology.job_temp,
        "AZ_BATCHAI_SHARED_JOB_TEMP": topology.shared_job_temp,
        "AZ_BATCHAI_MPI_HOST_FILE": topology.mpi_host_file,
        "AZ_BATCHAI_NUM_GPUS": str(topology.num_gpus),
    }


def job_paths(spec: JobSpec, topology: Topology) -> JobPaths:
    """Expand the stdout/err prefix, input paths and output prefixes for this node."""
    known = _base_variables(topology)
    known.update(dict(spec.environment_variables))
    known.update(_base_variables(topology))  # the contract wins over a same-named user variable
    segment = topology.identity.output_path_segment
    stdouterr = stdouterr_dir(expand(spec.std_out_err_path_prefix, known), segment)
    inputs = {d.id: expand(d.path, known) for d in spec.input_directories}
    outputs = {
        d.id: output_dir(expand(d.path, known), segment, d.suffix and expand(d.suffix, known))
        for d in spec.output_directories
    }
    return JobPaths(stdouterr, inputs, outputs)


def tf_cluster(topology: Topology) -> dict[str, list[str]]:
    """TensorFlow's cluster spec: task ``i`` of a role runs on node ``i % node_count``."""
    cluster: dict[str, list[str]] = {}
    for role in ("ps", "worker"):
        ports = topology.tf_ports.get(role) or []
        cluster[role] = [
            f"{topology.hosts[i % topology.node_count]}:{port}" for i, port in enumerate(ports)
        ]
    return cluster


def job_environment(
    spec: JobSpec, topology: Topology, secrets: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every variable a node's job-preparation task sees (the task-independent part).

    User ``environment_variables`` may reference ``$AZ_BATCHAI_*`` (Batch AI expanded them);
    ``secrets`` are exported verbatim and never expanded into anything else.
    """
    paths = job_paths(spec, topology)
    env = _base_variables(topology)
    env["AZ_BATCHAI_STDOUTERR_DIR"] = paths.stdouterr_dir
    for name, path in paths.inputs.items():
        env[f"AZ_BATCHAI_INPUT_{name}"] = path
    for name, path in paths.outputs.items():
        env[f"AZ_BATCHAI_OUTPUT_{name}"] = path
    if spec.toolkit.kind == "pytorch":
        env["AZ_BATCHAI_PYTORCH_INIT_METHOD"] = topology.pytorch_init_method or (
            f"file://{topology.shared_job_temp.rstrip('/')}/pytorch_init_method"
        )
        backend = spec.toolkit.get("communication_backend")
        if backend:
            env["AZ_BATCHAI_PYTORCH_BACKEND"] = str(backend).lower()
    if spec.toolkit.kind == "tensorflow" and topology.tf_ports:
        cluster = tf_cluster(topology)
        env["AZ_BATCHAI_PS_HOSTS"] = ",".join(cluster["ps"])
        env["AZ_BATCHAI_WORKER_HOSTS"] = ",".join(cluster["worker"])
    contract = dict(env)
    for name, value in spec.environment_variables:
        env[name] = expand(value, contract)
    for name, value in (secrets or {}).items():
        env[name] = value
    return env


def task_environment(
    base: Mapping[str, str], spec: JobSpec, topology: Topology, task: TaskRole
) -> dict[str, str]:
    """``base`` plus the per-task variables: ``AZ_BATCHAI_TASK_INDEX`` and ``TF_CONFIG``."""
    env = dict(base)
    env["AZ_BATCHAI_TASK_INDEX"] = str(task.index)
    if spec.toolkit.kind == "tensorflow" and task.role in ("ps", "worker") and topology.tf_ports:
        env["TF_CONFIG"] = json.dumps(
            {
                "cluster": tf_cluster(topology),
                "task": {"type": task.role, "index": task.index},
                "environment": "cloud",
            },
            separators=(",", ":"),
        )
    return env

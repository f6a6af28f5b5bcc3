"""The node runtime: what a Batch AI node agent did, shared by every backend.

A backend describes where a job runs (a :class:`Topology`); the runtime does the rest on each
node: the ``$AZ_BATCHAI_*`` environment contract (:mod:`.environment`), per-toolkit task plans
with per-role TensorFlow arguments (:mod:`.toolkits`), job preparation, and Batch AI's log file
names (:mod:`.logs`).  :func:`run_node` is the one process-running entry point; from a shell it
is ``python -m batchai_compat.runtime LAUNCH_JSON``.

Everything here is standard library only (plus :mod:`batchai_compat.domain`, which is too), so
the runtime starts fast on any node.
"""

from __future__ import annotations

from .environment import TaskRole, expand, job_environment, job_paths, task_environment
from .launcher import NodeError, NodeResult, run_node, shell_exit_code
from .spec import JobSpec, job_spec
from .toolkits import MpiOptions, TaskPlan, task_plans, tensorflow_task_counts
from .topology import JobIdentity, Topology

__all__ = [
    "JobIdentity",
    "JobSpec",
    "MpiOptions",
    "NodeError",
    "NodeResult",
    "TaskPlan",
    "TaskRole",
    "Topology",
    "expand",
    "job_environment",
    "job_paths",
    "job_spec",
    "run_node",
    "shell_exit_code",
    "task_environment",
    "task_plans",
    "tensorflow_task_counts",
]

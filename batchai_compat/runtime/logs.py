"""Batch AI's log file names in the ``stdouterr`` folder.

Measured from the service's documentation and SDK tests (2018-05-01):

* a job with one task writes ``stdout.txt`` / ``stderr.txt`` (MPI toolkits too: ``mpirun``
  gathers every rank's output there);
* distributed TensorFlow writes ``stdout-wk-N.txt`` / ``stderr-wk-N.txt`` per worker and
  ``stdout-ps-N.txt`` / ``stderr-ps-N.txt`` per parameter server;
* PyTorch / Caffe2 with several processes write ``stdout-N.txt`` / ``stderr-N.txt`` per rank;
* job preparation writes ``stdout-job_prep.txt`` / ``stderr-job_prep.txt``, and the node agent
  ``execution.log``; on jobs with several nodes those two carry the node id
  (``stdout-job_prep-<node>.txt``, ``execution-<node>.log``) so nodes do not overwrite each other.
"""

from __future__ import annotations

__all__ = ["execution_log_name", "job_prep_log_names", "task_log_names"]


def task_log_names(role: str, index: int, *, single: bool) -> tuple[str, str]:
    """(stdout, stderr) file names of a task.  ``role``: ``worker``, ``ps`` or ``task``."""
    if single:
        return "stdout.txt", "stderr.txt"
    if role == "worker":
        return f"stdout-wk-{index}.txt", f"stderr-wk-{index}.txt"
    if role == "ps":
        return f"stdout-ps-{index}.txt", f"stderr-ps-{index}.txt"
    return f"stdout-{index}.txt", f"stderr-{index}.txt"


def job_prep_log_names(node_id: str, *, single_node: bool) -> tuple[str, str]:
    if single_node:
        return "stdout-job_prep.txt", "stderr-job_prep.txt"
    return f"stdout-job_prep-{node_id}.txt", f"stderr-job_prep-{node_id}.txt"


def execution_log_name(node_id: str, *, single_node: bool) -> str:
    return "execution.log" if single_node else f"execution-{node_id}.log"

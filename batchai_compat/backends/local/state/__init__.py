"""The local backend's control plane: what the Batch AI *service* held, in one SQLite file.

Workspaces, experiments, clusters (with their nodes), file servers and jobs live in
``$BATCHAI_COMPAT_HOME/state.db``, shared by every local process (the user's scripts, job
supervisors, a second notebook).  The package, bottom to top:

* :mod:`.records` — plain frozen records, one per resource (plus nodes); no models, no SQL;
* :mod:`.lifecycle` — the cluster and job life cycles as pure functions of (record, time):
  resizing, node preparation, auto-scale, preemption, job start / finish / termination;
* :mod:`.documents` and :mod:`.errors` — the stored REST bodies (never a secret) and the
  service's error answers;
* :mod:`.schema` and :mod:`.database` — tables and migrations; connections, WAL, transactions;
* :mod:`.workspaces`, :mod:`.clusters`, :mod:`.file_servers`, :mod:`.jobs` — each resource's
  rows, read and written inside a transaction;
* :mod:`.store` — :class:`StateStore`, one transaction per call: what the backend, the job
  supervisors and the scheduler use.
"""

from __future__ import annotations

from .lifecycle import (
    ACTIVE_STATES,
    DEFAULT_CORE_QUOTA,
    JOB_PRIORITY_RANK,
    ScaleRequest,
    error_body,
)
from .records import (
    ClusterKey,
    ClusterRecord,
    ExperimentRecord,
    FileServerRecord,
    JobKey,
    JobRecord,
    NodeRecord,
    WorkspaceKey,
    WorkspaceRecord,
)
from .store import StateStore

__all__ = [
    "ACTIVE_STATES",
    "DEFAULT_CORE_QUOTA",
    "JOB_PRIORITY_RANK",
    "ClusterKey",
    "ClusterRecord",
    "ExperimentRecord",
    "FileServerRecord",
    "JobKey",
    "JobRecord",
    "NodeRecord",
    "ScaleRequest",
    "StateStore",
    "WorkspaceKey",
    "WorkspaceRecord",
    "error_body",
]

"""The local backend's control plane: Batch AI's resources in one SQLite file.

``StateStore`` keeps workspaces, experiments, clusters (with their nodes), file servers and jobs
in ``$BATCHAI_COMPAT_HOME/state.db`` (see :mod:`.layout`).  It is what the Batch AI *service*
was for the old client: the source of truth several processes share — the user's scripts, the
job supervisors, a second notebook.

Concurrency
-----------
* The database runs in WAL mode with a busy timeout, so readers never block the writer and
  writers queue instead of failing.
* Every change is one ``BEGIN IMMEDIATE`` transaction (the write lock is taken up front, so two
  processes never both read-then-write the same row), and checks ("does the parent exist?",
  "is this name free?") happen inside the transaction that acts on them.
* Each thread gets its own connection; one ``StateStore`` is safe to share between threads.

Secrets
-------
The store never receives a secret: callers hand it REST bodies built from
``models.strip_secrets(...)``.  As a second line of defence :func:`assert_no_secrets` refuses a
document that still carries a storage key, password or secret value.

Resource semantics (measured on, or documented for, Batch AI 2018-05-01)
------------------------------------------------------------------------
* Deleting a workspace deletes its clusters, file servers and experiments; deleting an
  experiment deletes its jobs (Batch AI CLI documentation, "Batch AI Resources Overview").
* Getting or deleting a resource that does not exist is a 404 ``ResourceNotFound``; creating a
  child of a missing parent is a 404 ``ParentResourceNotFound`` (ARM's codes).
* Creating a workspace or experiment that exists is an idempotent ARM PUT (a workspace's tags
  are replaced; a different location is a 409 ``InvalidResourceLocation``).  Creating a cluster,
  file server or job that exists with the *same* parameters returns the existing resource (a
  re-run notebook cell); with different parameters it is a 409 ``Conflict``: Batch AI could not
  update them in place (clusters change through ``clusters.update``).

Node allocation API (used by the execution layer's scheduler)
-------------------------------------------------------------
Jobs are created ``queued``.  A scheduler turns them into processes with:

* :meth:`StateStore.queued_jobs` — queued jobs of a cluster, highest ``scheduling_priority``
  first, then oldest first;
* :meth:`StateStore.allocate_nodes` — atomically give a queued job ``node_count`` idle nodes of
  its cluster and mark it ``running`` (returns the nodes), or return ``None`` when not enough
  nodes are idle yet.  The job's demand is what makes an auto-scale cluster grow (up to its
  maximum); :meth:`StateStore.next_transition_at` says when the cluster will next change, so a
  scheduler knows when to try again without polling;
* :meth:`StateStore.set_execution_state` — e.g. ``terminating``;
* :meth:`StateStore.finish_job` — ``succeeded`` / ``failed`` with exit code and errors, nodes
  released in the same transaction;
* :meth:`StateStore.requeue_job` — give the nodes back and put the job back in the queue.

A scale-down that takes a running job's nodes (``requeue`` / ``terminate`` deallocation) changes
the job's row and reports it to :attr:`StateStore.on_preempted` after the commit.  Listing an
experiment's jobs reads a snapshot of row ids (:meth:`StateStore.list_job_rows`) whose pages are
loaded on access (:meth:`StateStore.get_jobs_by_rows`).

Methods that act on a job by ``row_id`` return ``False`` / ``None`` when the job was deleted in
the meantime (a supervisor outliving its job is normal).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...domain import ids
from ...domain.paths import output_path_segment
from ...domain.secrets import secret_paths
from ...exceptions import cloud_error
from . import vm_sizes
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
from .scaling import Clock, ScalingPolicy, SystemClock, autoscale_target

__all__ = [
    "ACTIVE_STATES",
    "DEFAULT_CORE_QUOTA",
    "JOB_PRIORITY_RANK",
    "StateStore",
    "assert_no_secrets",
]

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 60.0
DEFAULT_CORE_QUOTA = 1000
"""Cores per location and VM priority a local subscription may use (``usages.list`` limit)."""

JOB_PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2}
ACTIVE_STATES = ("queued", "running", "terminating")
"""Execution states of a job that still wants (or holds) nodes."""

_JOB_TRANSITIONS = {
    "queued": {"running", "failed", "terminating"},
    "running": {"terminating", "succeeded", "failed", "queued"},
    "terminating": {"failed", "succeeded"},
    "succeeded": set(),
    "failed": set(),
}

# Row ids are AUTOINCREMENT: a deleted resource's id is never given to a new one, so ids a
# process remembers (a cluster's in-memory parameters, a job's supervisor) cannot alias.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT NOT NULL COLLATE NOCASE,
    resource_group TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    location TEXT NOT NULL,
    tags TEXT NOT NULL,
    creation_time REAL NOT NULL,
    provisioning_state TEXT NOT NULL,
    provisioning_state_transition_time REAL NOT NULL,
    UNIQUE (subscription_id, resource_group, name)
);
CREATE TABLE IF NOT EXISTS experiments (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_row INTEGER NOT NULL REFERENCES workspaces(row_id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    creation_time REAL NOT NULL,
    provisioning_state TEXT NOT NULL,
    provisioning_state_transition_time REAL NOT NULL,
    UNIQUE (workspace_row, name)
);
CREATE TABLE IF NOT EXISTS clusters (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_row INTEGER NOT NULL REFERENCES workspaces(row_id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    parameters TEXT NOT NULL,
    vm_size TEXT NOT NULL,
    vm_priority TEXT NOT NULL,
    cores_per_node INTEGER NOT NULL,
    gpus_per_node INTEGER NOT NULL,
    scale_mode TEXT NOT NULL CHECK (scale_mode IN ('manual', 'auto')),
    target_node_count INTEGER NOT NULL,
    minimum_node_count INTEGER,
    maximum_node_count INTEGER,
    deallocation_option TEXT,
    allocation_state TEXT NOT NULL,
    allocation_state_transition_time REAL NOT NULL,
    resize_due REAL,
    errors TEXT NOT NULL,
    next_node_index INTEGER NOT NULL DEFAULT 0,
    creation_time REAL NOT NULL,
    provisioning_state TEXT NOT NULL,
    provisioning_state_transition_time REAL NOT NULL,
    UNIQUE (workspace_row, name)
);
CREATE TABLE IF NOT EXISTS file_servers (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_row INTEGER NOT NULL REFERENCES workspaces(row_id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    parameters TEXT NOT NULL,
    creation_time REAL NOT NULL,
    provisioning_state TEXT NOT NULL,
    provisioning_state_transition_time REAL NOT NULL,
    UNIQUE (workspace_row, name)
);
CREATE TABLE IF NOT EXISTS jobs (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment_row INTEGER NOT NULL REFERENCES experiments(row_id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    job_uuid TEXT NOT NULL UNIQUE,
    parameters TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    cluster_row INTEGER REFERENCES clusters(row_id) ON DELETE SET NULL,
    node_count INTEGER NOT NULL,
    scheduling_priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    tool_type TEXT NOT NULL,
    output_path_segment TEXT NOT NULL,
    creation_time REAL NOT NULL,
    provisioning_state TEXT NOT NULL,
    provisioning_state_transition_time REAL NOT NULL,
    execution_state TEXT NOT NULL,
    execution_state_transition_time REAL NOT NULL,
    start_time REAL,
    end_time REAL,
    exit_code INTEGER,
    errors TEXT NOT NULL,
    UNIQUE (experiment_row, name)
);
CREATE INDEX IF NOT EXISTS jobs_by_cluster ON jobs (cluster_row, execution_state);
-- An experiment's jobs in row order (an index holds the row id after its columns), for list
-- snapshots without a sort.
CREATE INDEX IF NOT EXISTS jobs_by_experiment ON jobs (experiment_row);
CREATE TABLE IF NOT EXISTS nodes (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_row INTEGER NOT NULL REFERENCES clusters(row_id) ON DELETE CASCADE,
    node_id TEXT NOT NULL UNIQUE,
    node_index INTEGER NOT NULL,
    state TEXT NOT NULL,
    job_row INTEGER REFERENCES jobs(row_id) ON DELETE SET NULL,
    state_since REAL NOT NULL,
    ready_at REAL
);
CREATE INDEX IF NOT EXISTS nodes_by_cluster ON nodes (cluster_row, state);
CREATE INDEX IF NOT EXISTS nodes_by_job ON nodes (job_row);
"""


def assert_no_secrets(document: Any, where: str = "document") -> None:
    """Refuse to persist a document that still holds a secret value (the secret fields are
    :data:`batchai_compat.domain.secrets.SECRET_FIELDS`)."""
    found = secret_paths(document, where)
    if found:
        raise ValueError(f"refusing to persist a secret value at {found[0]}")


def _dumps(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _not_found(kind: str, name: str, parent: str | None = None) -> Exception:
    where = f" under {parent}" if parent else ""
    return cloud_error(404, "ResourceNotFound", f"The {kind} '{name}'{where} was not found.")


def _parent_not_found(kind: str, name: str) -> Exception:
    return cloud_error(404, "ParentResourceNotFound", f"The parent {kind} '{name}' was not found.")


class StateStore:
    """Batch AI's resources, persisted in SQLite and shared by every local process.

    ``clock`` and ``policy`` drive cluster transitions (see :mod:`.scaling`); ``core_quota`` is
    the number of cores per location and VM priority the subscription may allocate.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        policy: ScalingPolicy | None = None,
        core_quota: int = DEFAULT_CORE_QUOTA,
    ) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or SystemClock()
        self.policy = policy or ScalingPolicy()
        self.core_quota = core_quota
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        self.on_preempted: Callable[[list[JobRecord]], None] | None = None
        """Called (after commit) with the running jobs a scale-down took nodes from: their rows
        already say ``queued`` (requeue) or ``terminating`` (terminate)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._initialise()

    # connections and transactions ------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        if self._closed:
            raise RuntimeError("this StateStore is closed")
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,  # used by one thread; closed by close() from any thread
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        self._local.conn = conn
        self._local.pid = os.getpid()  # a forked child never reuses its parent's connection
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the database's write lock is taken at BEGIN.

        Methods read the clock inside it, so the times they record follow commit order.
        """
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        preempted: list[int] = []
        self._local.preempted = preempted
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if preempted and self.on_preempted is not None:
            jobs = [job for row in preempted if (job := self.get_job_by_row(row)) is not None]
            try:
                self.on_preempted(jobs)
            except Exception:  # the change is committed; a failed stop must not fail the call
                _log.exception("stopping preempted jobs %s failed", [j.name for j in jobs])

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: a consistent snapshot, never blocking writers (WAL)."""
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def _initialise(self) -> None:
        conn = self._connection()
        conn.execute("PRAGMA journal_mode = WAL")
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} was written by a newer batchai_compat (schema {version})"
                )
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def now(self) -> float:
        return self.clock.time()

    # workspaces ------------------------------------------------------------------------------
    def _workspace_row(
        self, db: sqlite3.Connection, key: WorkspaceKey, *, parent_of: bool = False
    ) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM workspaces WHERE subscription_id = ? AND resource_group = ? AND name = ?",
            key,
        ).fetchone()
        if row is None:
            if parent_of:
                raise _parent_not_found("workspace", key.workspace)
            raise _not_found("workspace", key.workspace, f"resource group '{key.resource_group}'")
        return row

    @staticmethod
    def _workspace_record(row: sqlite3.Row) -> WorkspaceRecord:
        return WorkspaceRecord(
            row_id=row["row_id"],
            subscription_id=row["subscription_id"],
            resource_group=row["resource_group"],
            name=row["name"],
            location=row["location"],
            tags=json.loads(row["tags"]),
            creation_time=row["creation_time"],
            provisioning_state=row["provisioning_state"],
            provisioning_state_transition_time=row["provisioning_state_transition_time"],
        )

    def put_workspace(
        self, key: WorkspaceKey, location: str, tags: dict[str, str] | None
    ) -> WorkspaceRecord:
        """Create a workspace, or (ARM PUT) replace the tags of the existing one."""
        with self._write() as db:
            now = self.now()
            row = db.execute(
                "SELECT * FROM workspaces WHERE subscription_id = ? AND resource_group = ? "
                "AND name = ?",
                key,
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO workspaces (subscription_id, resource_group, name, location, "
                    "tags, creation_time, provisioning_state, provisioning_state_transition_time) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'succeeded', ?)",
                    (*key, location, _dumps(tags or {}), now, now),
                )
            elif _norm_location(row["location"]) != _norm_location(location):
                raise cloud_error(
                    409,
                    "InvalidResourceLocation",
                    f"The workspace '{key.workspace}' already exists in location "
                    f"'{row['location']}'; it cannot be created in '{location}'.",
                )
            else:
                db.execute(
                    "UPDATE workspaces SET tags = ? WHERE row_id = ?",
                    (_dumps(tags or {}), row["row_id"]),
                )
            return self._workspace_record(self._workspace_row(db, key))

    def get_workspace(self, key: WorkspaceKey) -> WorkspaceRecord:
        with self._read() as db:
            return self._workspace_record(self._workspace_row(db, key))

    def update_workspace_tags(
        self, key: WorkspaceKey, tags: dict[str, str] | None
    ) -> WorkspaceRecord:
        with self._write() as db:
            row = self._workspace_row(db, key)
            if tags is not None:
                db.execute(
                    "UPDATE workspaces SET tags = ? WHERE row_id = ?", (_dumps(tags), row["row_id"])
                )
            return self._workspace_record(self._workspace_row(db, key))

    def list_workspaces(
        self, subscription_id: str, resource_group: str | None = None
    ) -> list[WorkspaceRecord]:
        with self._read() as db:
            if resource_group is None:
                rows = db.execute(
                    "SELECT * FROM workspaces WHERE subscription_id = ? ORDER BY row_id",
                    (subscription_id,),
                ).fetchall()
            else:
                rows = db.execute(
                    "SELECT * FROM workspaces WHERE subscription_id = ? AND resource_group = ? "
                    "ORDER BY row_id",
                    (subscription_id, resource_group),
                ).fetchall()
        return [self._workspace_record(row) for row in rows]

    def delete_workspace(self, key: WorkspaceKey) -> tuple[list[JobRecord], list[FileServerRecord]]:
        """Delete a workspace with its clusters, file servers, experiments and jobs.

        Returns the jobs and file servers that went with it, so the caller can stop processes
        and remove folders.
        """
        with self._write() as db:
            ws = self._workspace_row(db, key)
            jobs = self._job_records(
                db,
                "WHERE e.workspace_row = ?",
                (ws["row_id"],),
            )
            servers = [
                self._file_server_record(row, key)
                for row in db.execute(
                    "SELECT * FROM file_servers WHERE workspace_row = ?", (ws["row_id"],)
                )
            ]
            self._release_job_nodes(db, [job.row_id for job in jobs])
            db.execute("DELETE FROM workspaces WHERE row_id = ?", (ws["row_id"],))
            return jobs, servers

    # experiments -----------------------------------------------------------------------------
    @staticmethod
    def _experiment_record(row: sqlite3.Row, ws: WorkspaceKey) -> ExperimentRecord:
        return ExperimentRecord(
            row_id=row["row_id"],
            workspace=ws,
            name=row["name"],
            creation_time=row["creation_time"],
            provisioning_state=row["provisioning_state"],
            provisioning_state_transition_time=row["provisioning_state_transition_time"],
        )

    def _experiment_row(
        self, db: sqlite3.Connection, ws_row: sqlite3.Row, name: str, *, parent_of: bool = False
    ) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM experiments WHERE workspace_row = ? AND name = ?",
            (ws_row["row_id"], name),
        ).fetchone()
        if row is None:
            if parent_of:
                raise _parent_not_found("experiment", name)
            raise _not_found("experiment", name, f"workspace '{ws_row['name']}'")
        return row

    def put_experiment(self, key: WorkspaceKey, name: str) -> ExperimentRecord:
        """Create an experiment; an existing one is returned unchanged (ARM PUT)."""
        with self._write() as db:
            now = self.now()
            ws = self._workspace_row(db, key, parent_of=True)
            db.execute(
                "INSERT OR IGNORE INTO experiments (workspace_row, name, creation_time, "
                "provisioning_state, provisioning_state_transition_time) "
                "VALUES (?, ?, ?, 'succeeded', ?)",
                (ws["row_id"], name, now, now),
            )
            return self._experiment_record(self._experiment_row(db, ws, name), _ws_key(ws))

    def get_experiment(self, key: WorkspaceKey, name: str) -> ExperimentRecord:
        with self._read() as db:
            ws = self._workspace_row(db, key)
            return self._experiment_record(self._experiment_row(db, ws, name), _ws_key(ws))

    def list_experiments(self, key: WorkspaceKey) -> list[ExperimentRecord]:
        with self._read() as db:
            ws = self._workspace_row(db, key)
            rows = db.execute(
                "SELECT * FROM experiments WHERE workspace_row = ? ORDER BY row_id",
                (ws["row_id"],),
            ).fetchall()
            return [self._experiment_record(row, _ws_key(ws)) for row in rows]

    def delete_experiment(self, key: WorkspaceKey, name: str) -> list[JobRecord]:
        """Delete an experiment and its jobs; returns the deleted jobs."""
        with self._write() as db:
            ws = self._workspace_row(db, key)
            exp = self._experiment_row(db, ws, name)
            jobs = self._job_records(db, "WHERE j.experiment_row = ?", (exp["row_id"],))
            self._release_job_nodes(db, [job.row_id for job in jobs])
            db.execute("DELETE FROM experiments WHERE row_id = ?", (exp["row_id"],))
            return jobs

    # clusters --------------------------------------------------------------------------------
    def _cluster_row(self, db: sqlite3.Connection, ws_row: sqlite3.Row, name: str) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM clusters WHERE workspace_row = ? AND name = ?",
            (ws_row["row_id"], name),
        ).fetchone()
        if row is None:
            raise _not_found("cluster", name, f"workspace '{ws_row['name']}'")
        return row

    def _cluster_record(self, db: sqlite3.Connection, row_id: int) -> ClusterRecord:
        row = db.execute(
            "SELECT c.*, w.subscription_id, w.resource_group, w.name AS ws_name, w.location "
            "FROM clusters c JOIN workspaces w ON c.workspace_row = w.row_id WHERE c.row_id = ?",
            (row_id,),
        ).fetchone()
        nodes = tuple(
            _node_record(node)
            for node in db.execute(
                "SELECT * FROM nodes WHERE cluster_row = ? ORDER BY node_index", (row_id,)
            )
        )
        return ClusterRecord(
            row_id=row["row_id"],
            workspace=WorkspaceKey(row["subscription_id"], row["resource_group"], row["ws_name"]),
            location=row["location"],
            name=row["name"],
            parameters=json.loads(row["parameters"]),
            vm_size=row["vm_size"],
            vm_priority=row["vm_priority"],
            cores_per_node=row["cores_per_node"],
            gpus_per_node=row["gpus_per_node"],
            scale_mode=row["scale_mode"],
            target_node_count=row["target_node_count"],
            minimum_node_count=row["minimum_node_count"],
            maximum_node_count=row["maximum_node_count"],
            deallocation_option=row["deallocation_option"],
            allocation_state=row["allocation_state"],
            allocation_state_transition_time=row["allocation_state_transition_time"],
            errors=json.loads(row["errors"]),
            creation_time=row["creation_time"],
            provisioning_state=row["provisioning_state"],
            provisioning_state_transition_time=row["provisioning_state_transition_time"],
            nodes=nodes,
        )

    def put_cluster(
        self,
        key: ClusterKey,
        parameters: dict[str, Any],
        *,
        vm_size: str,
        vm_priority: str,
        scale: ScaleRequest,
    ) -> tuple[ClusterRecord, bool]:
        """Create a cluster (``parameters``: its ClusterCreateParameters REST body, no secrets).

        Returns ``(record, created)``; an existing cluster with identical parameters is returned
        with ``created=False``, one with different parameters is a 409 ``Conflict``.  The new
        cluster starts ``resizing`` towards its initial size.
        """
        assert_no_secrets(parameters, "cluster")
        document = _dumps(parameters)
        size = vm_sizes.lookup(vm_size)
        with self._write() as db:
            now = self.now()
            ws = self._workspace_row(db, WorkspaceKey(*key[:3]), parent_of=True)
            existing = db.execute(
                "SELECT * FROM clusters WHERE workspace_row = ? AND name = ?",
                (ws["row_id"], key.cluster),
            ).fetchone()
            if existing is not None:
                if existing["parameters"] != document:
                    raise cloud_error(
                        409,
                        "Conflict",
                        f"The cluster '{key.cluster}' already exists with different parameters; "
                        "use clusters.update to change its scale settings, or delete it first.",
                    )
                self._settle_cluster(db, existing["row_id"], now)
                return self._cluster_record(db, existing["row_id"]), False
            cursor = db.execute(
                "INSERT INTO clusters (workspace_row, name, parameters, vm_size, vm_priority, "
                "cores_per_node, gpus_per_node, scale_mode, target_node_count, "
                "minimum_node_count, maximum_node_count, deallocation_option, allocation_state, "
                "allocation_state_transition_time, errors, creation_time, provisioning_state, "
                "provisioning_state_transition_time) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'steady', ?, '[]', ?, 'succeeded', ?)",
                (
                    ws["row_id"],
                    key.cluster,
                    document,
                    vm_size,
                    vm_priority,
                    size.cores,
                    size.gpus,
                    scale.mode,
                    scale.initial_target,
                    scale.minimum,
                    scale.maximum,
                    scale.deallocation_option,
                    now,
                    now,
                    now,
                ),
            )
            row_id = int(cursor.lastrowid or 0)
            # Start the initial allocation, but report the cluster as Batch AI's PUT did:
            # still 'resizing', with no node yet.
            self._begin_resize_if_needed(db, row_id, now)
            return self._cluster_record(db, row_id), True

    def get_cluster(self, key: ClusterKey) -> ClusterRecord:
        with self._write() as db:  # settling may move the cluster forward
            ws = self._workspace_row(db, WorkspaceKey(*key[:3]))
            row = self._cluster_row(db, ws, key.cluster)
            self._settle_cluster(db, row["row_id"], self.now())
            return self._cluster_record(db, row["row_id"])

    def get_cluster_by_row(self, row_id: int) -> ClusterRecord | None:
        with self._write() as db:
            if db.execute("SELECT 1 FROM clusters WHERE row_id = ?", (row_id,)).fetchone() is None:
                return None
            self._settle_cluster(db, row_id, self.now())
            return self._cluster_record(db, row_id)

    def list_clusters(self, key: WorkspaceKey) -> list[ClusterRecord]:
        with self._write() as db:
            ws = self._workspace_row(db, key)
            rows = db.execute(
                "SELECT row_id FROM clusters WHERE workspace_row = ? ORDER BY row_id",
                (ws["row_id"],),
            ).fetchall()
            now = self.now()
            records = []
            for row in rows:
                self._settle_cluster(db, row["row_id"], now)
                records.append(self._cluster_record(db, row["row_id"]))
            return records

    def rescale_cluster(self, key: ClusterKey, scale: ScaleRequest) -> ClusterRecord:
        """Apply ``clusters.update`` scale settings: manual target, or auto-scale min/max.

        Also rewrites ``scaleSettings`` in the stored parameters so GET shows the new settings.
        """
        with self._write() as db:
            now = self.now()
            ws = self._workspace_row(db, WorkspaceKey(*key[:3]))
            row = self._cluster_row(db, ws, key.cluster)
            self._settle_cluster(db, row["row_id"], now)  # catch up first
            parameters = json.loads(row["parameters"])
            parameters.setdefault("properties", {})["scaleSettings"] = scale.rest_body
            target = scale.initial_target
            if scale.mode == "auto":
                # Batch AI kept the current size and let auto-scale move it within the bounds.
                current = db.execute(
                    "SELECT COUNT(*) FROM nodes WHERE cluster_row = ? AND state != 'leaving'",
                    (row["row_id"],),
                ).fetchone()[0]
                target = autoscale_target(current, scale.minimum or 0, scale.maximum or 0)
            db.execute(
                "UPDATE clusters SET parameters = ?, scale_mode = ?, target_node_count = ?, "
                "minimum_node_count = ?, maximum_node_count = ?, deallocation_option = ?, "
                "errors = '[]' WHERE row_id = ?",
                (
                    _dumps(parameters),
                    scale.mode,
                    target,
                    scale.minimum,
                    scale.maximum,
                    scale.deallocation_option,
                    row["row_id"],
                ),
            )
            self._settle_cluster(db, row["row_id"], now)
            return self._cluster_record(db, row["row_id"])

    def delete_cluster(self, key: ClusterKey) -> list[JobRecord]:
        """Delete a cluster and its nodes.

        Its queued jobs fail with ``ClusterDeleted``; its running jobs are set ``terminating``
        and returned so the caller stops their processes.
        """
        with self._write() as db:
            now = self.now()
            ws = self._workspace_row(db, WorkspaceKey(*key[:3]))
            row = self._cluster_row(db, ws, key.cluster)
            error = _error("ClusterDeleted", f"The cluster '{key.cluster}' was deleted.")
            db.execute(
                "UPDATE jobs SET execution_state = 'failed', execution_state_transition_time = ?, "
                "end_time = ?, errors = ? WHERE cluster_row = ? AND execution_state = 'queued'",
                (now, now, _dumps([error]), row["row_id"]),
            )
            running = self._job_records(
                db,
                "WHERE j.cluster_row = ? AND j.execution_state IN ('running', 'terminating')",
                (row["row_id"],),
            )
            db.execute(
                "UPDATE jobs SET execution_state = 'terminating', "
                "execution_state_transition_time = ?, errors = ? "
                "WHERE cluster_row = ? AND execution_state = 'running'",
                (now, _dumps([error]), row["row_id"]),
            )
            db.execute("DELETE FROM clusters WHERE row_id = ?", (row["row_id"],))
            return running

    def resolve_cluster_id(self, subscription_id: str, cluster_id: str) -> ClusterRecord | None:
        """The cluster an ARM id names in ``subscription_id``, or None."""
        parsed = ids.parse(cluster_id)
        if parsed is None or parsed.kind != "clusters":
            return None
        if parsed.subscription_id.lower() != subscription_id.lower():
            return None
        with self._read() as db:
            row = db.execute(
                "SELECT c.row_id FROM clusters c JOIN workspaces w ON c.workspace_row = w.row_id "
                "WHERE w.subscription_id = ? AND w.resource_group = ? AND w.name = ? "
                "AND c.name = ?",
                (subscription_id, parsed.resource_group, parsed.workspace, parsed.name),
            ).fetchone()
            return None if row is None else self._cluster_record(db, row["row_id"])

    # cluster life cycle ---------------------------------------------------------------------
    def _begin_resize_if_needed(self, db: sqlite3.Connection, row_id: int, now: float) -> None:
        """Start resizing a steady cluster whose node count is not its target (at ``now``)."""
        cluster = db.execute("SELECT * FROM clusters WHERE row_id = ?", (row_id,)).fetchone()
        if cluster["allocation_state"] != "steady":
            return
        live = db.execute(
            "SELECT COUNT(*) FROM nodes WHERE cluster_row = ? AND state != 'leaving'", (row_id,)
        ).fetchone()[0]
        target = cluster["target_node_count"]
        if live == target:
            return
        if (
            live < target
            and self._quota_allowance(db, cluster) <= 0
            and json.loads(cluster["errors"])
        ):
            return  # still out of quota: stay steady with the error, as Batch AI did
        db.execute(
            "UPDATE clusters SET allocation_state = 'resizing', "
            "allocation_state_transition_time = ?, resize_due = ? WHERE row_id = ?",
            (now, now + self.policy.allocation_seconds, row_id),
        )

    def _settle_cluster(self, db: sqlite3.Connection, row_id: int, now: float) -> None:
        """Apply every transition of cluster ``row_id`` due by ``now`` (see :mod:`.scaling`).

        Running jobs a scale-down takes nodes from (``requeue`` / ``terminate`` deallocation)
        are reported to :attr:`on_preempted` once the transaction has committed.
        """
        preempted: list[int] = self._local.preempted
        for _ in range(8):  # each pass may make the next transition due; a few always suffice
            if not self._settle_once(db, row_id, now, preempted):
                break

    def _settle_once(
        self, db: sqlite3.Connection, row_id: int, now: float, preempted: list[int]
    ) -> bool:
        changed = False
        # Node timers: preparing -> idle, leaving -> gone.
        changed |= (
            db.execute(
                "UPDATE nodes SET state = 'idle', state_since = ready_at, ready_at = NULL "
                "WHERE cluster_row = ? AND state = 'preparing' AND ready_at <= ?",
                (row_id, now),
            ).rowcount
            > 0
        )
        changed |= (
            db.execute(
                "DELETE FROM nodes WHERE cluster_row = ? AND state = 'leaving' "
                "AND job_row IS NULL AND ready_at <= ?",
                (row_id, now),
            ).rowcount
            > 0
        )
        cluster = db.execute("SELECT * FROM clusters WHERE row_id = ?", (row_id,)).fetchone()
        if cluster["scale_mode"] == "auto":
            changed |= self._autoscale(db, cluster, now)
            cluster = db.execute("SELECT * FROM clusters WHERE row_id = ?", (row_id,)).fetchone()
        if cluster["allocation_state"] == "steady":
            self._begin_resize_if_needed(db, row_id, now)
            cluster = db.execute("SELECT * FROM clusters WHERE row_id = ?", (row_id,)).fetchone()
            changed |= cluster["allocation_state"] != "steady"
        if cluster["allocation_state"] == "resizing" and cluster["resize_due"] <= now:
            changed |= self._apply_resize(db, cluster, preempted)
        return changed

    def _autoscale(self, db: sqlite3.Connection, cluster: sqlite3.Row, now: float) -> bool:
        """Move an auto-scale cluster's target towards the demand of its jobs.

        Growth is immediate (queued jobs wait for it); shrinking only takes nodes that have been
        idle for ``idle_seconds_before_scale_down``, and the resize starts when the last of
        them crossed that line, so a late read gives the same history as a timely one.
        """
        row_id = cluster["row_id"]
        demand = db.execute(
            "SELECT COALESCE(SUM(node_count), 0) FROM jobs WHERE cluster_row = ? "
            f"AND execution_state IN {ACTIVE_STATES!r}",
            (row_id,),
        ).fetchone()[0]
        wanted = autoscale_target(
            demand, cluster["minimum_node_count"] or 0, cluster["maximum_node_count"] or 0
        )
        target = cluster["target_node_count"]
        if wanted == target:
            return False
        if wanted > target:
            db.execute(
                "UPDATE clusters SET target_node_count = ? WHERE row_id = ?", (wanted, row_id)
            )
            return True
        if cluster["allocation_state"] != "steady":  # a resize in flight is not cancelled
            return False
        timeout = self.policy.idle_seconds_before_scale_down
        idle_since = [
            since
            for (since,) in db.execute(
                "SELECT state_since FROM nodes WHERE cluster_row = ? AND state = 'idle' "
                "ORDER BY state_since, node_index DESC",
                (row_id,),
            )
        ]
        expired = [since + timeout for since in idle_since if since + timeout <= now]
        removable = min(target - wanted, len(expired))
        if removable <= 0:
            return False
        started = expired[removable - 1]
        db.execute(
            "UPDATE clusters SET target_node_count = ?, allocation_state = 'resizing', "
            "allocation_state_transition_time = ?, resize_due = ? WHERE row_id = ?",
            (target - removable, started, started + self.policy.allocation_seconds, row_id),
        )
        return True

    def _quota_allowance(self, db: sqlite3.Connection, cluster: sqlite3.Row) -> int:
        """How many more nodes of ``cluster`` the core quota allows."""
        location, subscription = db.execute(
            "SELECT location, subscription_id FROM workspaces WHERE row_id = ?",
            (cluster["workspace_row"],),
        ).fetchone()
        used = self._cores_in_use(db, subscription, location, cluster["vm_priority"])
        return max(0, (self.core_quota - used) // max(1, cluster["cores_per_node"]))

    def _cores_in_use(
        self, db: sqlite3.Connection, subscription_id: str, location: str, vm_priority: str
    ) -> int:
        return int(
            db.execute(
                "SELECT COALESCE(SUM(c.cores_per_node), 0) FROM nodes n "
                "JOIN clusters c ON n.cluster_row = c.row_id "
                "JOIN workspaces w ON c.workspace_row = w.row_id "
                "WHERE w.subscription_id = ? AND lower(replace(w.location, ' ', '')) = ? "
                "AND c.vm_priority = ?",
                (subscription_id, _norm_location(location), vm_priority),
            ).fetchone()[0]
        )

    def _apply_resize(
        self, db: sqlite3.Connection, cluster: sqlite3.Row, preempted: list[int]
    ) -> bool:
        """Carry out a resize that is due: add nodes (within the core quota) or remove them."""
        row_id = cluster["row_id"]
        due = cluster["resize_due"]
        target = cluster["target_node_count"]
        live = db.execute(
            "SELECT * FROM nodes WHERE cluster_row = ? AND state != 'leaving' ORDER BY node_index",
            (row_id,),
        ).fetchall()
        errors: list[dict[str, Any]] = []
        finished = due
        if len(live) < target:
            missing = target - len(live)
            allowed = min(missing, self._quota_allowance(db, cluster))
            index = cluster["next_node_index"]
            stamp = _node_stamp(due)
            for offset in range(allowed):
                db.execute(
                    "INSERT INTO nodes (cluster_row, node_id, node_index, state, state_since, "
                    "ready_at) VALUES (?, ?, ?, 'preparing', ?, ?)",
                    (
                        row_id,
                        f"tvm-{row_id}-{index + offset}_{stamp}",
                        index + offset,
                        due,
                        due + self.policy.node_preparation_seconds,
                    ),
                )
            db.execute(
                "UPDATE clusters SET next_node_index = ? WHERE row_id = ?",
                (index + allowed, row_id),
            )
            if allowed < missing:
                errors.append(
                    _error(
                        "InsufficientCoreQuota",
                        f"The cluster could allocate {len(live) + allowed} of {target} nodes: "
                        f"the core quota ({self.core_quota} {cluster['vm_priority']} cores in "
                        "this location) is used up.",
                    )
                )
            done = True
        else:
            surplus = len(live) - target
            removable = [n for n in live if n["state"] in ("preparing", "idle", "unusable")]
            # preparing (and unusable) nodes first, then the longest idle
            removable.sort(key=lambda n: (n["state"] == "idle", n["state_since"], -n["node_index"]))
            leaving = removable[:surplus]
            surplus -= len(leaving)
            victims: list[sqlite3.Row] = []
            if surplus > 0 and cluster["deallocation_option"] in ("requeue", "terminate"):
                busy = [n for n in live if n["state"] == "running"]
                busy.sort(key=lambda n: -n["node_index"])
                victims = busy[:surplus]
                surplus -= len(victims)
            for node in [*leaving, *victims]:
                # a node freed by a job after the resize was due leaves when it was freed
                start = max(due, node["state_since"]) if node["state"] == "idle" else due
                finished = max(finished, start)
                db.execute(
                    "UPDATE nodes SET state = 'leaving', job_row = NULL, state_since = ?, "
                    "ready_at = ? WHERE row_id = ?",
                    (start, start + self.policy.node_leaving_seconds, node["row_id"]),
                )
            jobs = sorted({n["job_row"] for n in victims if n["job_row"] is not None})
            if jobs:
                self._preempt(db, jobs, cluster["deallocation_option"], due)
                preempted.extend(jobs)
            # 'waitforjobcompletion': running nodes leave when their job ends, and the cluster
            # stays 'resizing' until then.
            done = surplus <= 0
            if not done:
                return bool(leaving or victims)
        db.execute(
            "UPDATE clusters SET allocation_state = 'steady', allocation_state_transition_time = ?, "
            "resize_due = NULL, errors = ? WHERE row_id = ?",
            (finished, _dumps(errors), row_id),
        )
        return True

    def _preempt(
        self, db: sqlite3.Connection, job_rows: list[int], option: str, when: float
    ) -> None:
        """Running jobs that lost nodes to a scale-down (Batch AI's ``DeallocationOption``):
        ``requeue`` puts them back in the queue, ``terminate`` ends them.  Their other nodes go
        back to the cluster; whoever runs them sees the state change and stops."""
        self._release_job_nodes(db, job_rows)
        marks = ",".join("?" * len(job_rows))
        if option == "requeue":
            db.execute(
                "UPDATE jobs SET execution_state = 'queued', execution_state_transition_time = ?, "
                f"start_time = NULL WHERE row_id IN ({marks})",
                (when, *job_rows),
            )
        else:
            error = _error("JobPreempted", "The job's nodes were removed by a cluster resize.")
            db.execute(
                "UPDATE jobs SET execution_state = 'terminating', "
                f"execution_state_transition_time = ?, errors = ? WHERE row_id IN ({marks})",
                (when, _dumps([error]), *job_rows),
            )

    def next_transition_at(self, cluster_row: int) -> float | None:
        """When cluster ``cluster_row`` will next change on its own (epoch seconds), or None."""
        with self._write() as db:
            if (
                db.execute("SELECT 1 FROM clusters WHERE row_id = ?", (cluster_row,)).fetchone()
                is None
            ):
                return None
            now = self.now()
            self._settle_cluster(db, cluster_row, now)
            cluster = db.execute(
                "SELECT * FROM clusters WHERE row_id = ?", (cluster_row,)
            ).fetchone()
            candidates = [
                value
                for (value,) in db.execute(
                    "SELECT ready_at FROM nodes WHERE cluster_row = ? AND ready_at IS NOT NULL",
                    (cluster_row,),
                )
            ]
            if cluster["resize_due"] is not None and cluster["resize_due"] > now:
                candidates.append(cluster["resize_due"])
            if cluster["scale_mode"] == "auto" and cluster["allocation_state"] == "steady":
                # an idle node of an auto-scale cluster may be scaled down
                (oldest_idle,) = db.execute(
                    "SELECT MIN(state_since) FROM nodes WHERE cluster_row = ? AND state = 'idle'",
                    (cluster_row,),
                ).fetchone()
                if oldest_idle is not None and (cluster["minimum_node_count"] or 0) < len(
                    self._cluster_record(db, cluster_row).nodes
                ):
                    candidates.append(oldest_idle + self.policy.idle_seconds_before_scale_down)
            return min(candidates) if candidates else None

    # usages ----------------------------------------------------------------------------------
    def cores_in_use(self, subscription_id: str, location: str) -> dict[str, int]:
        """Cores allocated in ``location`` by VM priority: ``{'dedicated': n, 'lowpriority': m}``."""
        with self._write() as db:
            now = self.now()
            for (row_id,) in db.execute(
                "SELECT c.row_id FROM clusters c JOIN workspaces w ON c.workspace_row = w.row_id "
                "WHERE w.subscription_id = ?",
                (subscription_id,),
            ).fetchall():
                self._settle_cluster(db, row_id, now)
            return {
                priority: self._cores_in_use(db, subscription_id, location, priority)
                for priority in ("dedicated", "lowpriority")
            }

    # file servers ----------------------------------------------------------------------------
    @staticmethod
    def _file_server_record(row: sqlite3.Row, ws: WorkspaceKey) -> FileServerRecord:
        return FileServerRecord(
            row_id=row["row_id"],
            workspace=ws,
            name=row["name"],
            parameters=json.loads(row["parameters"]),
            creation_time=row["creation_time"],
            provisioning_state=row["provisioning_state"],
            provisioning_state_transition_time=row["provisioning_state_transition_time"],
        )

    def _file_server_row(
        self, db: sqlite3.Connection, ws_row: sqlite3.Row, name: str
    ) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM file_servers WHERE workspace_row = ? AND name = ?",
            (ws_row["row_id"], name),
        ).fetchone()
        if row is None:
            raise _not_found("file server", name, f"workspace '{ws_row['name']}'")
        return row

    def put_file_server(
        self, key: WorkspaceKey, name: str, parameters: dict[str, Any]
    ) -> tuple[FileServerRecord, bool]:
        """Create a file server; same rules as :meth:`put_cluster` for an existing one."""
        assert_no_secrets(parameters, "file server")
        document = _dumps(parameters)
        with self._write() as db:
            now = self.now()
            ws = self._workspace_row(db, key, parent_of=True)
            existing = db.execute(
                "SELECT * FROM file_servers WHERE workspace_row = ? AND name = ?",
                (ws["row_id"], name),
            ).fetchone()
            if existing is not None:
                if existing["parameters"] != document:
                    raise cloud_error(
                        409,
                        "Conflict",
                        f"The file server '{name}' already exists with different parameters.",
                    )
                return self._file_server_record(existing, _ws_key(ws)), False
            db.execute(
                "INSERT INTO file_servers (workspace_row, name, parameters, creation_time, "
                "provisioning_state, provisioning_state_transition_time) "
                "VALUES (?, ?, ?, ?, 'succeeded', ?)",
                (ws["row_id"], name, document, now, now),
            )
            return self._file_server_record(self._file_server_row(db, ws, name), _ws_key(ws)), True

    def get_file_server(self, key: WorkspaceKey, name: str) -> FileServerRecord:
        with self._read() as db:
            ws = self._workspace_row(db, key)
            return self._file_server_record(self._file_server_row(db, ws, name), _ws_key(ws))

    def list_file_servers(self, key: WorkspaceKey) -> list[FileServerRecord]:
        with self._read() as db:
            ws = self._workspace_row(db, key)
            return [
                self._file_server_record(row, _ws_key(ws))
                for row in db.execute(
                    "SELECT * FROM file_servers WHERE workspace_row = ? ORDER BY row_id",
                    (ws["row_id"],),
                )
            ]

    def delete_file_server(self, key: WorkspaceKey, name: str) -> FileServerRecord:
        with self._write() as db:
            ws = self._workspace_row(db, key)
            row = self._file_server_row(db, ws, name)
            db.execute("DELETE FROM file_servers WHERE row_id = ?", (row["row_id"],))
            return self._file_server_record(row, _ws_key(ws))

    # jobs ------------------------------------------------------------------------------------
    def _job_records(self, db: sqlite3.Connection, where: str, params: Any = ()) -> list[JobRecord]:
        """Jobs matching ``where`` (over ``jobs j``, ``experiments e``, ``workspaces w``)."""
        rows = db.execute(
            "SELECT j.*, e.name AS exp_name, w.subscription_id, w.resource_group, "
            "w.name AS ws_name FROM jobs j "
            "JOIN experiments e ON j.experiment_row = e.row_id "
            "JOIN workspaces w ON e.workspace_row = w.row_id "
            f"{where} ORDER BY j.row_id",
            params,
        ).fetchall()
        return [_job_record(row) for row in rows]

    def _job_row(self, db: sqlite3.Connection, key: JobKey) -> sqlite3.Row:
        ws = self._workspace_row(db, WorkspaceKey(*key[:3]))
        exp = self._experiment_row(db, ws, key.experiment)
        row = db.execute(
            "SELECT row_id FROM jobs WHERE experiment_row = ? AND name = ?",
            (exp["row_id"], key.job),
        ).fetchone()
        if row is None:
            raise _not_found("job", key.job, f"experiment '{exp['name']}'")
        return row

    def put_job(
        self,
        key: JobKey,
        parameters: dict[str, Any],
        *,
        cluster_id: str,
        node_count: int,
        scheduling_priority: str,
        tool_type: str,
    ) -> tuple[JobRecord, bool]:
        """Create a queued job (``parameters``: its JobCreateParameters REST body, no secrets).

        ``cluster_id`` must name an existing cluster of the same subscription (400
        ``InvalidClusterId`` otherwise).  An existing job with identical parameters is returned
        with ``created=False``; different parameters are a 409 ``Conflict``.
        """
        assert_no_secrets(parameters, "job")
        document = _dumps(parameters)
        with self._write() as db:
            now = self.now()
            ws = self._workspace_row(db, WorkspaceKey(*key[:3]), parent_of=True)
            exp = self._experiment_row(db, ws, key.experiment, parent_of=True)
            existing = db.execute(
                "SELECT * FROM jobs WHERE experiment_row = ? AND name = ?",
                (exp["row_id"], key.job),
            ).fetchone()
            if existing is not None:
                if existing["parameters"] != document:
                    raise cloud_error(
                        409,
                        "Conflict",
                        f"The job '{key.job}' already exists in experiment '{key.experiment}' "
                        "with different parameters; delete it first or choose another name.",
                    )
                return self._job_records(db, "WHERE j.row_id = ?", (existing["row_id"],))[0], False
            cluster_row = self._cluster_row_for_id(db, key.subscription_id, cluster_id)
            job_uuid = str(uuid.uuid4())
            segment = output_path_segment(*key, job_uuid)
            cursor = db.execute(
                "INSERT INTO jobs (experiment_row, name, job_uuid, parameters, cluster_id, "
                "cluster_row, node_count, scheduling_priority, priority_rank, tool_type, "
                "output_path_segment, creation_time, provisioning_state, "
                "provisioning_state_transition_time, execution_state, "
                "execution_state_transition_time, errors) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'succeeded', ?, 'queued', ?, '[]')",
                (
                    exp["row_id"],
                    key.job,
                    job_uuid,
                    document,
                    cluster_id,
                    cluster_row,
                    node_count,
                    scheduling_priority,
                    JOB_PRIORITY_RANK.get(scheduling_priority, 1),
                    tool_type,
                    segment,
                    now,
                    now,
                    now,
                ),
            )
            self._settle_cluster(db, cluster_row, now)  # an auto-scale cluster grows from now
            return self._job_records(db, "WHERE j.row_id = ?", (cursor.lastrowid,))[0], True

    def _cluster_row_for_id(
        self, db: sqlite3.Connection, subscription_id: str, cluster_id: str
    ) -> int:
        parsed = ids.parse(cluster_id)
        row = None
        if (
            parsed is not None
            and parsed.kind == "clusters"
            and (parsed.subscription_id.lower() == subscription_id.lower())
        ):
            row = db.execute(
                "SELECT c.row_id FROM clusters c JOIN workspaces w ON c.workspace_row = w.row_id "
                "WHERE w.subscription_id = ? AND w.resource_group = ? AND w.name = ? "
                "AND c.name = ?",
                (subscription_id, parsed.resource_group, parsed.workspace, parsed.name),
            ).fetchone()
        if row is None:
            raise cloud_error(
                400,
                "InvalidClusterId",
                f"The job's cluster '{cluster_id}' does not name an existing cluster of "
                f"subscription '{subscription_id}'.",
            )
        return int(row["row_id"])

    def get_job(self, key: JobKey) -> JobRecord:
        with self._read() as db:
            row = self._job_row(db, key)
            return self._job_records(db, "WHERE j.row_id = ?", (row["row_id"],))[0]

    def get_job_by_row(self, row_id: int) -> JobRecord | None:
        with self._read() as db:
            records = self._job_records(db, "WHERE j.row_id = ?", (row_id,))
            return records[0] if records else None

    def list_jobs(self, key: WorkspaceKey, experiment: str) -> list[JobRecord]:
        with self._read() as db:
            ws = self._workspace_row(db, key)
            exp = self._experiment_row(db, ws, experiment)
            return self._job_records(db, "WHERE j.experiment_row = ?", (exp["row_id"],))

    def list_job_rows(self, key: WorkspaceKey, experiment: str) -> list[int]:
        """Row ids of the experiment's jobs, oldest first (404 if it does not exist): a cheap
        snapshot a pager reads page by page with :meth:`get_jobs_by_rows`."""
        with self._read() as db:
            ws = self._workspace_row(db, key)
            exp = self._experiment_row(db, ws, experiment)
            # One JSON array from SQLite instead of a Row object per job.
            (rows,) = db.execute(
                "SELECT json_group_array(row_id) FROM "
                "(SELECT row_id FROM jobs WHERE experiment_row = ? ORDER BY row_id)",
                (exp["row_id"],),
            ).fetchone()
            job_rows: list[int] = json.loads(rows)
            return job_rows

    def get_jobs_by_rows(self, rows: list[int]) -> list[JobRecord]:
        """The jobs of ``rows`` that still exist, in row order."""
        records: list[JobRecord] = []
        with self._read() as db:
            for start in range(0, len(rows), 500):  # SQLite's bound-parameter limit
                chunk = rows[start : start + 500]
                marks = ",".join("?" * len(chunk))
                records += self._job_records(db, f"WHERE j.row_id IN ({marks})", chunk)
        return sorted(records, key=lambda record: record.row_id)

    def delete_job(self, key: JobKey) -> JobRecord:
        """Delete a job (its nodes go back to the cluster); returns it as it was."""
        with self._write() as db:
            row = self._job_row(db, key)
            record = self._job_records(db, "WHERE j.row_id = ?", (row["row_id"],))[0]
            self._release_job_nodes(db, [record.row_id])
            db.execute("DELETE FROM jobs WHERE row_id = ?", (record.row_id,))
            return record

    def request_termination(self, key: JobKey) -> JobRecord:
        """``jobs.terminate``: a queued job fails at once; a running one becomes
        ``terminating`` (whoever runs it finishes it); a finished job is left as it is."""
        with self._write() as db:
            now = self.now()
            row = self._job_row(db, key)
            record = self._job_records(db, "WHERE j.row_id = ?", (row["row_id"],))[0]
            if record.execution_state == "queued":
                error = _error("JobTerminated", "The job was terminated by the user.")
                db.execute(
                    "UPDATE jobs SET execution_state = 'failed', "
                    "execution_state_transition_time = ?, end_time = ?, errors = ? "
                    "WHERE row_id = ?",
                    (now, now, _dumps([error]), record.row_id),
                )
            elif record.execution_state == "running":
                db.execute(
                    "UPDATE jobs SET execution_state = 'terminating', "
                    "execution_state_transition_time = ? WHERE row_id = ?",
                    (now, record.row_id),
                )
            return record

    # node allocation API (scheduler side) ----------------------------------------------------
    def queued_jobs(self, cluster_row: int | None = None) -> list[JobRecord]:
        """Queued jobs (of one cluster, or all), highest priority first, then oldest first."""
        with self._read() as db:
            where = "WHERE j.execution_state = 'queued'"
            params: tuple[Any, ...] = ()
            if cluster_row is not None:
                where += " AND j.cluster_row = ?"
                params = (cluster_row,)
            records = self._job_records(db, where, params)
        rank = JOB_PRIORITY_RANK
        return sorted(
            records,
            key=lambda job: (-rank.get(job.scheduling_priority, 1), job.creation_time, job.row_id),
        )

    def allocate_nodes(self, job_row: int) -> list[NodeRecord] | None:
        """Give queued job ``job_row`` ``node_count`` idle nodes of its cluster and mark it
        ``running``, in one transaction.

        Returns the nodes (ordered by index: the first is the job's master), or ``None`` when
        the job is not queued any more or not enough nodes are idle yet — an auto-scale cluster
        is growing towards the demand of its queued jobs meanwhile.
        """
        with self._write() as db:
            now = self.now()
            job = db.execute("SELECT * FROM jobs WHERE row_id = ?", (job_row,)).fetchone()
            if job is None or job["execution_state"] != "queued" or job["cluster_row"] is None:
                return None
            self._settle_cluster(db, job["cluster_row"], now)
            idle = db.execute(
                "SELECT row_id FROM nodes WHERE cluster_row = ? AND state = 'idle' "
                "ORDER BY node_index LIMIT ?",
                (job["cluster_row"], job["node_count"]),
            ).fetchall()
            if len(idle) < job["node_count"]:
                return None
            node_ids = [row["row_id"] for row in idle]
            db.execute(
                f"UPDATE nodes SET state = 'running', job_row = ?, state_since = ? "
                f"WHERE row_id IN ({','.join('?' * len(node_ids))})",
                (job_row, now, *node_ids),
            )
            db.execute(
                "UPDATE jobs SET execution_state = 'running', execution_state_transition_time = ?, "
                "start_time = ?, end_time = NULL, exit_code = NULL WHERE row_id = ?",
                (now, now, job_row),
            )
            return [
                _node_record(row)
                for row in db.execute(
                    "SELECT * FROM nodes WHERE job_row = ? ORDER BY node_index", (job_row,)
                )
            ]

    def job_nodes(self, job_row: int) -> list[NodeRecord]:
        """The nodes job ``job_row`` holds (empty unless it is running)."""
        with self._read() as db:
            return [
                _node_record(row)
                for row in db.execute(
                    "SELECT * FROM nodes WHERE job_row = ? ORDER BY node_index", (job_row,)
                )
            ]

    def set_execution_state(self, job_row: int, state: str) -> bool:
        """Move job ``job_row`` to ``state`` (a legal Batch AI transition); False if the job is
        gone or already in a final state."""
        with self._write() as db:
            now = self.now()
            job = db.execute(
                "SELECT execution_state FROM jobs WHERE row_id = ?", (job_row,)
            ).fetchone()
            if job is None:
                return False
            current = job["execution_state"]
            if current == state:
                return True
            if state not in _JOB_TRANSITIONS.get(current, set()):
                return False
            db.execute(
                "UPDATE jobs SET execution_state = ?, execution_state_transition_time = ? "
                "WHERE row_id = ?",
                (state, now, job_row),
            )
            return True

    def finish_job(
        self,
        job_row: int,
        *,
        succeeded: bool,
        exit_code: int | None,
        errors: list[dict[str, Any]] | None = None,
        from_states: tuple[str, ...] | None = None,
    ) -> bool:
        """End job ``job_row`` (``succeeded`` or ``failed``) and give its nodes back, atomically.

        ``errors`` are BatchAIError bodies (``{'code', 'message', 'details'}``).  False when the
        job is gone or already finished, or, with ``from_states``, in none of those states (a
        run's result must not end a job that a scale-down has put back in the queue).
        """
        with self._write() as db:
            now = self.now()
            job = db.execute(
                "SELECT execution_state, errors, cluster_row FROM jobs WHERE row_id = ?", (job_row,)
            ).fetchone()
            if job is None or job["execution_state"] in ("succeeded", "failed"):
                return False
            if from_states is not None and job["execution_state"] not in from_states:
                return False
            all_errors = json.loads(job["errors"]) + list(errors or [])
            db.execute(
                "UPDATE jobs SET execution_state = ?, execution_state_transition_time = ?, "
                "end_time = ?, exit_code = ?, errors = ? WHERE row_id = ?",
                (
                    "succeeded" if succeeded else "failed",
                    now,
                    now,
                    exit_code,
                    _dumps(all_errors),
                    job_row,
                ),
            )
            self._release_job_nodes(db, [job_row])
            if job["cluster_row"] is not None:
                self._settle_cluster(db, job["cluster_row"], now)
            return True

    def requeue_job(self, job_row: int) -> bool:
        """Put a running job back in the queue and give its nodes back (e.g. a lost node)."""
        with self._write() as db:
            now = self.now()
            job = db.execute(
                "SELECT execution_state FROM jobs WHERE row_id = ?", (job_row,)
            ).fetchone()
            if job is None or job["execution_state"] != "running":
                return False
            self._release_job_nodes(db, [job_row])
            db.execute(
                "UPDATE jobs SET execution_state = 'queued', execution_state_transition_time = ?, "
                "start_time = NULL WHERE row_id = ?",
                (now, job_row),
            )
            return True

    def _release_job_nodes(
        self, db: sqlite3.Connection, job_rows: list[int], *, leave: bool = False
    ) -> None:
        if not job_rows:
            return
        now = self.now()
        marks = ",".join("?" * len(job_rows))
        state = "leaving" if leave else "idle"
        db.execute(
            f"UPDATE nodes SET state = ?, job_row = NULL, state_since = ?, "
            f"ready_at = CASE WHEN ? = 'leaving' THEN ? ELSE NULL END "
            f"WHERE job_row IN ({marks})",
            (state, now, state, now + self.policy.node_leaving_seconds, *job_rows),
        )


class ScaleRequest:
    """A cluster's scale settings, as the store applies them.

    ``mode`` is ``manual`` (``initial_target`` nodes; ``deallocation_option`` says what happens
    to running jobs on a scale-down) or ``auto`` (between ``minimum`` and ``maximum``, starting
    at ``initial_target``).  ``rest_body`` is the ``scaleSettings`` REST body GET returns.
    """

    __slots__ = ("deallocation_option", "initial_target", "maximum", "minimum", "mode", "rest_body")

    def __init__(
        self,
        mode: str,
        initial_target: int,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        deallocation_option: str | None = None,
        rest_body: dict[str, Any] | None = None,
    ) -> None:
        if mode not in ("manual", "auto"):
            raise ValueError(f"unknown scale mode {mode!r}")
        self.mode = mode
        self.initial_target = initial_target
        self.minimum = minimum
        self.maximum = maximum
        self.deallocation_option = deallocation_option
        self.rest_body = rest_body or {}


def _ws_key(row: sqlite3.Row) -> WorkspaceKey:
    return WorkspaceKey(row["subscription_id"], row["resource_group"], row["name"])


def _norm_location(location: str) -> str:
    """ARM locations compare without case or spaces ('East US' == 'eastus')."""
    return location.replace(" ", "").lower()


def _node_stamp(seconds: float) -> str:
    """Batch AI node ids ended with their allocation time, e.g. ``20180601t120000z``."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y%m%dt%H%M%Sz")


def _node_record(row: sqlite3.Row) -> NodeRecord:
    return NodeRecord(
        row_id=row["row_id"],
        cluster_row=row["cluster_row"],
        node_id=row["node_id"],
        node_index=row["node_index"],
        state=row["state"],
        job_row=row["job_row"],
        state_since=row["state_since"],
    )


def _job_record(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        row_id=row["row_id"],
        workspace=WorkspaceKey(row["subscription_id"], row["resource_group"], row["ws_name"]),
        experiment=row["exp_name"],
        name=row["name"],
        job_uuid=row["job_uuid"],
        parameters_json=row["parameters"],
        cluster_id=row["cluster_id"],
        cluster_row=row["cluster_row"],
        node_count=row["node_count"],
        scheduling_priority=row["scheduling_priority"],
        tool_type=row["tool_type"],
        output_path_segment=row["output_path_segment"],
        creation_time=row["creation_time"],
        provisioning_state=row["provisioning_state"],
        provisioning_state_transition_time=row["provisioning_state_transition_time"],
        execution_state=row["execution_state"],
        execution_state_transition_time=row["execution_state_transition_time"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        exit_code=row["exit_code"],
        errors=json.loads(row["errors"]),
    )


def _error(code: str, message: str) -> dict[str, Any]:
    """A BatchAIError REST body."""
    return {"code": code, "message": message, "details": []}

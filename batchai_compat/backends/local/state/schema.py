"""The tables of the local control plane, and how an older state file is brought up to date.

One SQLite file (``$BATCHAI_COMPAT_HOME/state.db``) holds what the Batch AI service held for a
subscription: workspaces, their experiments, clusters (with their nodes), file servers and jobs.
Rows keep each resource's create parameters as the stored REST body plus the read-only columns
Batch AI computed.  ``PRAGMA user_version`` is the schema version: :func:`migrate` creates a new
file at :data:`SCHEMA_VERSION` and applies :data:`MIGRATIONS` to an older one, in one
transaction; a file written by a newer version is refused rather than misread.
"""

from __future__ import annotations

import sqlite3

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

# Row ids are AUTOINCREMENT: a deleted resource's id is never given to a new one, so ids a
# process remembers (a cluster's in-memory parameters, a job's supervisor) cannot alias.
_SCHEMA_V1 = """
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

MIGRATIONS: tuple[str, ...] = (
    # 2: a resize that finished within clusters.update still owes one 'resizing' report
    "ALTER TABLE clusters ADD COLUMN unreported_resize_since REAL",
)
"""Scripts that take a file from version ``i + 1`` to ``i + 2`` (the first from 1 to 2)."""

SCHEMA_VERSION = 1 + len(MIGRATIONS)


def migrate(db: sqlite3.Connection, path: object) -> None:
    """Bring the database of ``db`` (inside a write transaction) to :data:`SCHEMA_VERSION`."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"{path} was written by a newer batchai_compat (schema {version})")
    if version == SCHEMA_VERSION:
        return
    if version == 0:  # a new file (or one from before versions were kept: same tables)
        _run(db, _SCHEMA_V1)
        version = 1
    for script in MIGRATIONS[version - 1 :]:
        _run(db, script)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _run(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the transaction the migration runs in.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)

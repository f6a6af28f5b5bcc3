"""Jobs in the state file: Batch AI's unit of work, kept per experiment.

A job row keeps its JobCreateParameters REST body (no secrets), what the scheduler needs as
columns (cluster, node count, priority) and Batch AI's read-only state (execution state, times,
exit code, errors).  Reads by key are one statement (a missing parent is diagnosed only on a
miss); a list is a snapshot of row ids whose pages are loaded on access.  Functions take a
connection inside the caller's transaction (or, for one-statement reads, none).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

from ....domain.paths import output_path_segment
from .documents import dumps
from .errors import conflict, not_found
from .lifecycle import JOB_PRIORITY_RANK
from .records import (
    JOB_COLUMNS,
    ExperimentRecord,
    JobKey,
    JobRecord,
    WorkspaceKey,
    WorkspaceRecord,
    job_from_row,
)
from .workspaces import find_experiment, find_workspace

__all__ = [
    "by_row",
    "by_rows",
    "delete",
    "find",
    "insert",
    "row_ids",
    "save_state",
    "select",
]

_FROM = (
    "FROM jobs j JOIN experiments e ON j.experiment_row = e.row_id "
    "JOIN workspaces w ON e.workspace_row = w.row_id"
)
_BY_KEY = (
    "w.subscription_id = ? AND w.resource_group = ? AND w.name = ? AND e.name = ? AND j.name = ?"
)
#: SQLite's default limit of bound parameters per statement is 999 on old builds.
_CHUNK = 500


def select(db: sqlite3.Connection, where: str, params: Sequence[Any] = ()) -> list[JobRecord]:
    """Jobs matching ``where`` (over ``jobs j``, ``experiments e``, ``workspaces w``), by row."""
    rows = db.execute(f"SELECT {JOB_COLUMNS} {_FROM} {where} ORDER BY j.row_id", params)
    return [job_from_row(row) for row in rows]


def _missing(db: sqlite3.Connection, key: JobKey) -> Exception:
    """The 404 for a job key that matched no row: its workspace, experiment, or itself."""
    workspace = find_workspace(db, WorkspaceKey(*key[:3]))
    experiment = find_experiment(db, workspace, key.experiment)
    return not_found("job", key.job, f"experiment '{experiment.name}'")


def find(db: sqlite3.Connection, key: JobKey) -> JobRecord:
    """Job ``key``; 404 for a missing workspace, experiment or job."""
    row = db.execute(f"SELECT {JOB_COLUMNS} {_FROM} WHERE {_BY_KEY}", key).fetchone()
    if row is None:
        raise _missing(db, key)
    return job_from_row(row)


def by_row(db: sqlite3.Connection, row_id: int) -> JobRecord | None:
    row = db.execute(f"SELECT {JOB_COLUMNS} {_FROM} WHERE j.row_id = ?", (row_id,)).fetchone()
    return None if row is None else job_from_row(row)


def by_rows(db: sqlite3.Connection, rows: Sequence[int]) -> list[JobRecord]:
    """The jobs of ``rows`` that still exist, in row order (one statement per 500)."""
    records: list[JobRecord] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        records += select(db, f"WHERE j.row_id IN ({','.join('?' * len(chunk))})", chunk)
    if len(rows) > _CHUNK:
        records.sort(key=lambda record: record.row_id)
    return records


def row_ids(db: sqlite3.Connection, key: WorkspaceKey, experiment: str) -> list[int]:
    """Row ids of the experiment's jobs, oldest first (404 if it does not exist): a cheap
    snapshot a pager reads page by page with :func:`by_rows`."""
    # One JSON array from SQLite instead of a row per job.
    row = db.execute(
        "SELECT (SELECT json_group_array(row_id) FROM "
        "(SELECT row_id FROM jobs WHERE experiment_row = e.row_id ORDER BY row_id)) "
        "FROM workspaces w JOIN experiments e ON e.workspace_row = w.row_id "
        "WHERE w.subscription_id = ? AND w.resource_group = ? AND w.name = ? AND e.name = ?",
        (*key, experiment),
    ).fetchone()
    if row is None:
        find_experiment(db, find_workspace(db, key), experiment)  # raises the right 404
        raise AssertionError("unreachable")  # pragma: no cover
    rows: list[int] = json.loads(row[0])
    return rows


def parents(db: sqlite3.Connection, key: JobKey) -> tuple[WorkspaceRecord, ExperimentRecord]:
    """The workspace and experiment a new job goes in (404 ``ParentResourceNotFound``)."""
    workspace = find_workspace(db, WorkspaceKey(*key[:3]), parent_of=True)
    return workspace, find_experiment(db, workspace, key.experiment, parent_of=True)


def existing(
    db: sqlite3.Connection, experiment: ExperimentRecord, key: JobKey, document: str
) -> JobRecord | None:
    """The job ``key`` if it exists with the same parameters (a re-run cell); None if it does
    not exist; 409 ``Conflict`` if it exists with other ones."""
    row = db.execute(
        "SELECT parameters FROM jobs WHERE experiment_row = ? AND name = ?",
        (experiment.row_id, key.job),
    ).fetchone()
    if row is None:
        return None
    if row[0] != document:
        raise conflict(
            f"The job '{key.job}' already exists in experiment '{key.experiment}' with "
            "different parameters; delete it first or choose another name."
        )
    return find(db, key)


def insert(
    db: sqlite3.Connection,
    now: float,
    key: JobKey,
    workspace: WorkspaceRecord,
    experiment: ExperimentRecord,
    document: str,
    *,
    cluster_id: str,
    cluster_row: int,
    node_count: int,
    scheduling_priority: str,
    tool_type: str,
) -> JobRecord:
    """Store a new ``queued`` job; its record (built from what was written, not read back)."""
    job_uuid = str(uuid.uuid4())
    segment = output_path_segment(*key, job_uuid)
    cursor = db.execute(
        "INSERT INTO jobs (experiment_row, name, job_uuid, parameters, cluster_id, cluster_row, "
        "node_count, scheduling_priority, priority_rank, tool_type, output_path_segment, "
        "creation_time, provisioning_state, provisioning_state_transition_time, "
        "execution_state, execution_state_transition_time, errors) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'succeeded', ?, 'queued', ?, '[]')",
        (
            experiment.row_id,
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
    return JobRecord(
        row_id=int(cursor.lastrowid or 0),
        workspace=workspace.key,
        experiment=experiment.name,
        name=key.job,
        job_uuid=job_uuid,
        parameters_json=document,
        cluster_id=cluster_id,
        cluster_row=cluster_row,
        node_count=node_count,
        scheduling_priority=scheduling_priority,
        tool_type=tool_type,
        output_path_segment=segment,
        creation_time=now,
        provisioning_state="succeeded",
        provisioning_state_transition_time=now,
        execution_state="queued",
        execution_state_transition_time=now,
        start_time=None,
        end_time=None,
        exit_code=None,
        errors=[],
    )


def save_state(db: sqlite3.Connection, job: JobRecord) -> None:
    """Write the execution state of ``job`` (what the life cycle changes)."""
    db.execute(
        "UPDATE jobs SET execution_state = ?, execution_state_transition_time = ?, "
        "start_time = ?, end_time = ?, exit_code = ?, errors = ? WHERE row_id = ?",
        (
            job.execution_state,
            job.execution_state_transition_time,
            job.start_time,
            job.end_time,
            job.exit_code,
            dumps(job.errors),
            job.row_id,
        ),
    )


def delete(db: sqlite3.Connection, row_id: int) -> None:
    db.execute("DELETE FROM jobs WHERE row_id = ?", (row_id,))

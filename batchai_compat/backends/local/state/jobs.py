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
from collections.abc import Sequence
from typing import Any, NamedTuple

from ....domain.paths import output_path_segment
from .documents import dumps
from .errors import conflict, not_found
from .lifecycle import JOB_PRIORITY_RANK
from .records import (
    JOB_COLUMNS,
    JobKey,
    JobRecord,
    WorkspaceKey,
    job_from_row,
)
from .workspaces import DELETING, find_experiment, find_workspace

__all__ = [
    "Place",
    "by_row",
    "by_rows",
    "delete",
    "existing",
    "find",
    "insert",
    "place",
    "queue",
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


def queue(
    db: sqlite3.Connection, cluster_row: int | None, limit: int = -1, offset: int = 0
) -> list[JobRecord]:
    """Queued jobs (of one cluster, or all) in the order Batch AI served them: highest
    ``scheduling_priority`` first, then oldest first; ``limit`` of them from ``offset``."""
    where = "WHERE j.execution_state = 'queued'"
    params: tuple[Any, ...] = ()
    if cluster_row is not None:
        where += " AND j.cluster_row = ?"
        params = (cluster_row,)
    rows = db.execute(
        f"SELECT {JOB_COLUMNS} {_FROM} {where} "
        "ORDER BY j.priority_rank DESC, j.creation_time, j.row_id LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [job_from_row(row) for row in rows]


def _missing(db: sqlite3.Connection, key: JobKey) -> Exception:
    """The 404 for a job key that matched no row: its workspace, experiment, or itself."""
    find_experiment(db, find_workspace(db, WorkspaceKey(*key[:3])), key.experiment)
    return not_found("job", key.job)


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


class Place(NamedTuple):
    """Where a new job goes: its workspace (names as stored), experiment, and the parameters
    of a job of that name already there (None if there is none)."""

    workspace: WorkspaceKey
    experiment_row: int
    experiment: str
    existing: str | None


def place(db: sqlite3.Connection, key: JobKey) -> Place:
    """Where job ``key`` goes, in one statement (a missing or deleting parent: 404
    ``ParentResourceNotFound``)."""
    row = db.execute(
        "SELECT w.subscription_id, w.resource_group, w.name, e.row_id, e.name, "
        "(SELECT parameters FROM jobs WHERE experiment_row = e.row_id AND name = ?) "
        "FROM workspaces w JOIN experiments e ON e.workspace_row = w.row_id "
        "WHERE w.subscription_id = ? AND w.resource_group = ? AND w.name = ? AND e.name = ? "
        "AND w.provisioning_state != ?",
        (key.job, *key[:4], DELETING),
    ).fetchone()
    if row is None:
        workspace = find_workspace(db, WorkspaceKey(*key[:3]), parent_of=True)
        find_experiment(db, workspace, key.experiment, parent_of=True)  # raises its 404
        raise AssertionError("unreachable")  # pragma: no cover
    return Place(WorkspaceKey(*row[:3]), row[3], row[4], row[5])


def existing(db: sqlite3.Connection, place: Place, key: JobKey, document: str) -> JobRecord | None:
    """The job ``key`` if it exists with the same parameters (a re-run cell); None if it does
    not exist; 409 ``Conflict`` if it exists with other ones."""
    if place.existing is None:
        return None
    if place.existing != document:
        raise conflict(
            f"The job '{key.job}' already exists in experiment '{key.experiment}' with "
            "different parameters; delete it first or choose another name."
        )
    return find(db, key)


def insert(
    db: sqlite3.Connection,
    now: float,
    key: JobKey,
    place: Place,
    document: str,
    *,
    cluster_id: str,
    cluster_row: int,
    node_count: int,
    scheduling_priority: str,
    tool_type: str,
) -> JobRecord:
    """Store a new ``queued`` job; its record (built from what was written, not read back)."""
    import uuid  # on creation only: uuid costs every reader's start-up (benchmark 6)

    job_uuid = str(uuid.uuid4())
    segment = output_path_segment(*key, job_uuid)
    cursor = db.execute(
        "INSERT INTO jobs (experiment_row, name, job_uuid, parameters, cluster_id, cluster_row, "
        "node_count, scheduling_priority, priority_rank, tool_type, output_path_segment, "
        "creation_time, provisioning_state, provisioning_state_transition_time, "
        "execution_state, execution_state_transition_time, errors) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'succeeded', ?, 'queued', ?, '[]')",
        (
            place.experiment_row,
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
        workspace=place.workspace,
        experiment=place.experiment,
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

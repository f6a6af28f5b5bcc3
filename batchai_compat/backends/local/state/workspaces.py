"""Workspaces and experiments in the state file: Batch AI's two plain containers.

A workspace (subscription, resource group, name) holds clusters, file servers and experiments;
an experiment holds jobs.  Both are ARM PUTs: creating one that exists is idempotent (a
workspace's tags are replaced; another location is a 409 ``InvalidResourceLocation``).  Names
compare without case, as ARM's did.  Functions take a connection inside the caller's
transaction (:mod:`.store` owns transactions and the deletes that cascade).

A deleted workspace loses its children at once but stays, ``deleting``, until a reader has seen
it so or its delete operation is waited for (:func:`purge`): the service showed deleted
workspaces as ``deleting`` while their deletion ran.  Nothing can be created in it meanwhile,
and creating it again replaces it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ....exceptions import cloud_error
from .documents import dumps
from .errors import not_found, parent_not_found
from .records import ExperimentRecord, WorkspaceKey, WorkspaceRecord

__all__ = [
    "DELETING",
    "find_experiment",
    "find_workspace",
    "list_experiments",
    "list_workspaces",
    "mark_deleting",
    "purge",
    "put_experiment",
    "put_workspace",
    "update_workspace_tags",
]

DELETING = "deleting"

_WORKSPACE_COLUMNS = (
    "row_id, subscription_id, resource_group, name, location, tags, creation_time, "
    "provisioning_state, provisioning_state_transition_time"
)
_EXPERIMENT_COLUMNS = (
    "row_id, name, creation_time, provisioning_state, provisioning_state_transition_time"
)


def _workspace(row: Sequence[Any]) -> WorkspaceRecord:
    row_id, subscription, group, name, location, tags, created, state, since = row
    return WorkspaceRecord(
        row_id, subscription, group, name, location, json.loads(tags), created, state, since
    )


def _experiment(row: Sequence[Any], workspace: WorkspaceKey) -> ExperimentRecord:
    return ExperimentRecord(row[0], workspace, *row[1:])


def _norm_location(location: str) -> str:
    """ARM locations compare without case or spaces ('East US' == 'eastus')."""
    return location.replace(" ", "").lower()


def find_workspace(
    db: sqlite3.Connection, key: WorkspaceKey, *, parent_of: bool = False
) -> WorkspaceRecord:
    """The workspace ``key``; the service's 404 (``ParentResourceNotFound`` when it is looked
    up as the parent of something being created: a ``deleting`` workspace is none)."""
    row = db.execute(
        f"SELECT {_WORKSPACE_COLUMNS} FROM workspaces "
        "WHERE subscription_id = ? AND resource_group = ? AND name = ?",
        key,
    ).fetchone()
    if row is None or (parent_of and row[7] == DELETING):
        if parent_of:
            raise parent_not_found("workspace", key.workspace)
        raise not_found("workspace", key.workspace)
    return _workspace(row)


def put_workspace(
    db: sqlite3.Connection,
    now: float,
    key: WorkspaceKey,
    location: str,
    tags: dict[str, str] | None,
) -> WorkspaceRecord:
    """Create a workspace, or (ARM PUT) replace the tags of the existing one."""
    row = db.execute(
        "SELECT row_id, location, provisioning_state FROM workspaces "
        "WHERE subscription_id = ? AND resource_group = ? AND name = ?",
        key,
    ).fetchone()
    if row is not None and row[2] == DELETING:
        purge(db, [row[0]])
        row = None
    if row is None:
        db.execute(
            "INSERT INTO workspaces (subscription_id, resource_group, name, location, tags, "
            "creation_time, provisioning_state, provisioning_state_transition_time) "
            "VALUES (?, ?, ?, ?, ?, ?, 'succeeded', ?)",
            (*key, location, dumps(tags or {}), now, now),
        )
    elif _norm_location(row[1]) != _norm_location(location):
        raise cloud_error(
            409,
            "InvalidResourceLocation",
            f"The workspace '{key.workspace}' already exists in location '{row[1]}'; it cannot "
            f"be created in '{location}'.",
        )
    else:
        db.execute("UPDATE workspaces SET tags = ? WHERE row_id = ?", (dumps(tags or {}), row[0]))
    return find_workspace(db, key)


def update_workspace_tags(
    db: sqlite3.Connection, key: WorkspaceKey, tags: dict[str, str] | None
) -> WorkspaceRecord:
    """``workspaces.update``: new tags (None keeps them)."""
    workspace = find_workspace(db, key)
    if tags is None:
        return workspace
    db.execute("UPDATE workspaces SET tags = ? WHERE row_id = ?", (dumps(tags), workspace.row_id))
    return find_workspace(db, key)


def list_workspaces(
    db: sqlite3.Connection, subscription_id: str, resource_group: str | None
) -> list[WorkspaceRecord]:
    where, params = "subscription_id = ?", [subscription_id]
    if resource_group is not None:
        where, params = f"{where} AND resource_group = ?", [*params, resource_group]
    rows = db.execute(
        f"SELECT {_WORKSPACE_COLUMNS} FROM workspaces WHERE {where} ORDER BY row_id", params
    )
    return [_workspace(row) for row in rows]


def mark_deleting(db: sqlite3.Connection, now: float, workspace: WorkspaceRecord) -> None:
    """``workspace`` is being deleted (its children are gone already)."""
    db.execute(
        "UPDATE workspaces SET provisioning_state = ?, provisioning_state_transition_time = ? "
        "WHERE row_id = ?",
        (DELETING, now, workspace.row_id),
    )


def purge(db: sqlite3.Connection, rows: Sequence[int]) -> None:
    """Finish deleting these workspaces (those of ``rows`` still ``deleting``)."""
    if rows:
        db.execute(
            f"DELETE FROM workspaces WHERE provisioning_state = ? "
            f"AND row_id IN ({','.join('?' * len(rows))})",
            (DELETING, *rows),
        )


def find_experiment(
    db: sqlite3.Connection, workspace: WorkspaceRecord, name: str, *, parent_of: bool = False
) -> ExperimentRecord:
    """The experiment ``name`` of ``workspace``; 404 as :func:`find_workspace`."""
    row = db.execute(
        f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE workspace_row = ? AND name = ?",
        (workspace.row_id, name),
    ).fetchone()
    if row is None:
        if parent_of:
            raise parent_not_found("experiment", name)
        raise not_found("experiment", name)
    return _experiment(row, workspace.key)


def put_experiment(
    db: sqlite3.Connection, now: float, key: WorkspaceKey, name: str
) -> ExperimentRecord:
    """Create an experiment; an existing one is returned unchanged (ARM PUT)."""
    workspace = find_workspace(db, key, parent_of=True)
    db.execute(
        "INSERT OR IGNORE INTO experiments (workspace_row, name, creation_time, "
        "provisioning_state, provisioning_state_transition_time) VALUES (?, ?, ?, 'succeeded', ?)",
        (workspace.row_id, name, now, now),
    )
    return find_experiment(db, workspace, name)


def list_experiments(db: sqlite3.Connection, workspace: WorkspaceRecord) -> list[ExperimentRecord]:
    rows = db.execute(
        f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE workspace_row = ? ORDER BY row_id",
        (workspace.row_id,),
    )
    return [_experiment(row, workspace.key) for row in rows]

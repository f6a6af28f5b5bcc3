"""File servers in the state file (Batch AI's NFS servers of a workspace; locally a folder).

A file server row keeps its FileServerCreateParameters REST body (no secrets).  Creating one
that exists with the same parameters returns it (a re-run notebook cell); with other parameters
it is a 409 ``Conflict``: Batch AI could not change a file server in place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from .documents import dumps_document
from .errors import conflict, not_found
from .records import FileServerRecord, WorkspaceRecord
from .workspaces import find_workspace

__all__ = ["find_file_server", "in_workspace", "put_file_server"]

_COLUMNS = "row_id, name, parameters, creation_time, provisioning_state, provisioning_state_transition_time"


def _record(row: Sequence[Any], workspace: WorkspaceRecord) -> FileServerRecord:
    row_id, name, parameters, created, state, since = row
    return FileServerRecord(
        row_id, workspace.key, name, json.loads(parameters), created, state, since
    )


def find_file_server(
    db: sqlite3.Connection, workspace: WorkspaceRecord, name: str
) -> FileServerRecord:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM file_servers WHERE workspace_row = ? AND name = ?",
        (workspace.row_id, name),
    ).fetchone()
    if row is None:
        raise not_found("file server", name)
    return _record(row, workspace)


def in_workspace(db: sqlite3.Connection, workspace: WorkspaceRecord) -> list[FileServerRecord]:
    """The workspace's file servers, oldest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM file_servers WHERE workspace_row = ? ORDER BY row_id",
        (workspace.row_id,),
    )
    return [_record(row, workspace) for row in rows]


def put_file_server(
    db: sqlite3.Connection, now: float, workspace_key: Any, name: str, parameters: dict[str, Any]
) -> tuple[FileServerRecord, bool]:
    """Create a file server; ``(record, created)`` (see the module docstring for an existing
    one)."""
    document = dumps_document(parameters, "file server")
    workspace = find_workspace(db, workspace_key, parent_of=True)
    existing = db.execute(
        "SELECT parameters FROM file_servers WHERE workspace_row = ? AND name = ?",
        (workspace.row_id, name),
    ).fetchone()
    if existing is not None:
        if existing[0] != document:
            raise conflict(f"The file server '{name}' already exists with different parameters.")
        return find_file_server(db, workspace, name), False
    db.execute(
        "INSERT INTO file_servers (workspace_row, name, parameters, creation_time, "
        "provisioning_state, provisioning_state_transition_time) "
        "VALUES (?, ?, ?, ?, 'succeeded', ?)",
        (workspace.row_id, name, document, now, now),
    )
    return find_file_server(db, workspace, name), True

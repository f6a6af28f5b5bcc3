"""Clusters and their nodes in the state file; the cluster life cycle applied to stored rows.

A cluster row keeps its ClusterCreateParameters REST body (no secrets), its scale settings as
columns, and Batch AI's read-only state (allocation state, errors); each node is a row of
``nodes``.  :func:`settle` loads a cluster, runs the pure life cycle (:mod:`.lifecycle`) on it
and writes back what changed; the caller applies the preemptions it returns to the jobs.
Functions take a connection inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ....domain import ids
from ....exceptions import cloud_error
from .. import vm_sizes
from . import lifecycle
from .documents import dumps, dumps_document
from .errors import conflict, not_found
from .lifecycle import ACTIVE_STATES, Rules, ScaleRequest, Settlement
from .records import (
    NODE_COLUMNS,
    ClusterKey,
    ClusterRecord,
    NodeRecord,
    WorkspaceKey,
    WorkspaceRecord,
    node_from_row,
)
from .workspaces import find_workspace

__all__ = [
    "all_rows",
    "assign_nodes",
    "find_row",
    "insert",
    "load",
    "release_nodes",
    "row_for_id",
    "save",
    "settle",
    "usage",
]

_COLUMNS = (
    "c.row_id, w.subscription_id, w.resource_group, w.name, w.location, c.name, c.parameters, "
    "c.vm_size, c.vm_priority, c.cores_per_node, c.gpus_per_node, c.scale_mode, "
    "c.target_node_count, c.minimum_node_count, c.maximum_node_count, c.deallocation_option, "
    "c.allocation_state, c.allocation_state_transition_time, c.errors, c.creation_time, "
    "c.provisioning_state, c.provisioning_state_transition_time, c.resize_due, c.next_node_index, "
    "c.unreported_resize_since"
)
_FROM = "FROM clusters c JOIN workspaces w ON c.workspace_row = w.row_id"

#: Columns the life cycle and ``clusters.update`` change (JSON ones are stored as text).
_MUTABLE = (
    "parameters",
    "scale_mode",
    "target_node_count",
    "minimum_node_count",
    "maximum_node_count",
    "deallocation_option",
    "allocation_state",
    "allocation_state_transition_time",
    "errors",
    "resize_due",
    "next_node_index",
    "unreported_resize_since",
)
_JSON = frozenset({"parameters", "errors"})


def _record(row: Sequence[Any], nodes: tuple[NodeRecord, ...]) -> ClusterRecord:
    return ClusterRecord(
        row_id=row[0],
        workspace=WorkspaceKey(row[1], row[2], row[3]),
        location=row[4],
        name=row[5],
        parameters=json.loads(row[6]),
        vm_size=row[7],
        vm_priority=row[8],
        cores_per_node=row[9],
        gpus_per_node=row[10],
        scale_mode=row[11],
        target_node_count=row[12],
        minimum_node_count=row[13],
        maximum_node_count=row[14],
        deallocation_option=row[15],
        allocation_state=row[16],
        allocation_state_transition_time=row[17],
        errors=json.loads(row[18]),
        creation_time=row[19],
        provisioning_state=row[20],
        provisioning_state_transition_time=row[21],
        resize_due=row[22],
        next_node_index=row[23],
        unreported_resize_since=row[24],
        nodes=nodes,
    )


def load(db: sqlite3.Connection, row_id: int) -> ClusterRecord | None:
    """Cluster ``row_id`` with its nodes, as stored (None if it is gone)."""
    row = db.execute(f"SELECT {_COLUMNS} {_FROM} WHERE c.row_id = ?", (row_id,)).fetchone()
    if row is None:
        return None
    nodes = db.execute(
        f"SELECT {NODE_COLUMNS} FROM nodes WHERE cluster_row = ? ORDER BY node_index", (row_id,)
    )
    return _record(row, tuple(node_from_row(node) for node in nodes))


def find_row(db: sqlite3.Connection, key: ClusterKey) -> int:
    """Row id of cluster ``key``; 404 for a missing workspace or cluster."""
    row = db.execute(
        "SELECT c.row_id FROM workspaces w JOIN clusters c ON c.workspace_row = w.row_id "
        "WHERE w.subscription_id = ? AND w.resource_group = ? AND w.name = ? AND c.name = ?",
        key,
    ).fetchone()
    if row is None:
        find_workspace(db, WorkspaceKey(*key[:3]))  # a missing workspace is its own 404
        raise not_found("cluster", key.cluster)
    return int(row[0])


def in_workspace(db: sqlite3.Connection, workspace: WorkspaceRecord) -> list[int]:
    """Row ids of the workspace's clusters, oldest first."""
    rows = db.execute(
        "SELECT row_id FROM clusters WHERE workspace_row = ? ORDER BY row_id", (workspace.row_id,)
    )
    return [row_id for (row_id,) in rows]


def all_rows(db: sqlite3.Connection) -> list[int]:
    """Row ids of every cluster of the file, oldest first."""
    return [row_id for (row_id,) in db.execute("SELECT row_id FROM clusters ORDER BY row_id")]


def in_subscription(db: sqlite3.Connection, subscription_id: str) -> list[int]:
    rows = db.execute(
        f"SELECT c.row_id {_FROM} WHERE w.subscription_id = ? ORDER BY c.row_id",
        (subscription_id,),
    )
    return [row_id for (row_id,) in rows]


def row_for_id(db: sqlite3.Connection, subscription_id: str, cluster_id: str) -> tuple[int, str]:
    """The row and scale mode of the cluster a job names by ARM id; 400 ``InvalidClusterId``
    unless it is an existing cluster of ``subscription_id``."""
    parsed = ids.parse(cluster_id)
    row = None
    if (
        parsed is not None
        and parsed.kind == "clusters"
        and parsed.subscription_id.lower() == subscription_id.lower()
    ):
        row = db.execute(
            f"SELECT c.row_id, c.scale_mode {_FROM} WHERE w.subscription_id = ? "
            "AND w.resource_group = ? AND w.name = ? AND c.name = ?",
            (subscription_id, parsed.resource_group, parsed.workspace, parsed.name),
        ).fetchone()
    if row is None:
        raise cloud_error(
            400,
            "InvalidClusterId",
            f"The job's cluster '{cluster_id}' does not name an existing cluster of "
            f"subscription '{subscription_id}'.",
        )
    return int(row[0]), str(row[1])


def insert(
    db: sqlite3.Connection,
    now: float,
    key: ClusterKey,
    parameters: dict[str, Any],
    *,
    vm_size: str,
    vm_priority: str,
    scale: ScaleRequest,
) -> tuple[ClusterRecord, bool]:
    """Store a new cluster, ``steady`` with no node yet; ``(record, created)``.

    An existing cluster with identical parameters is returned with ``created=False`` (a
    re-run notebook cell); different parameters are a 409 ``Conflict``: Batch AI changed
    clusters only through ``clusters.update``.
    """
    document = dumps_document(parameters, "cluster")
    size = vm_sizes.lookup(vm_size)
    workspace = find_workspace(db, WorkspaceKey(*key[:3]), parent_of=True)
    existing = db.execute(
        "SELECT row_id, parameters FROM clusters WHERE workspace_row = ? AND name = ?",
        (workspace.row_id, key.cluster),
    ).fetchone()
    if existing is not None:
        if existing[1] != document:
            raise conflict(
                f"The cluster '{key.cluster}' already exists with different parameters; use "
                "clusters.update to change its scale settings, or delete it first."
            )
        record = load(db, existing[0])
        assert record is not None
        return record, False
    cursor = db.execute(
        "INSERT INTO clusters (workspace_row, name, parameters, vm_size, vm_priority, "
        "cores_per_node, gpus_per_node, scale_mode, target_node_count, minimum_node_count, "
        "maximum_node_count, deallocation_option, allocation_state, "
        "allocation_state_transition_time, errors, creation_time, provisioning_state, "
        "provisioning_state_transition_time) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'steady', ?, '[]', ?, 'succeeded', ?)",
        (
            workspace.row_id,
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
    record = load(db, int(cursor.lastrowid or 0))
    assert record is not None
    return record, True


def save(db: sqlite3.Connection, before: ClusterRecord, after: ClusterRecord) -> None:
    """Write what changed from ``before`` to ``after`` (the cluster's columns and nodes)."""
    changed = {
        name: getattr(after, name)
        for name in _MUTABLE
        if getattr(after, name) != getattr(before, name)
    }
    if changed:
        db.execute(
            f"UPDATE clusters SET {', '.join(f'{name} = ?' for name in changed)} WHERE row_id = ?",
            (
                *(dumps(v) if name in _JSON else v for name, v in changed.items()),
                after.row_id,
            ),
        )
    old = {node.node_id: node for node in before.nodes}
    new = {node.node_id: node for node in after.nodes}
    gone = [node_id for node_id in old if node_id not in new]
    if gone:
        db.execute(f"DELETE FROM nodes WHERE node_id IN ({','.join('?' * len(gone))})", gone)
    for node_id, node in new.items():
        if node_id not in old:
            db.execute(
                f"INSERT INTO nodes ({NODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    node.cluster_row,
                    node.node_id,
                    node.node_index,
                    node.state,
                    node.job_row,
                    node.state_since,
                    node.ready_at,
                ),
            )
        elif node != old[node_id]:
            db.execute(
                "UPDATE nodes SET state = ?, job_row = ?, state_since = ?, ready_at = ? "
                "WHERE node_id = ?",
                (node.state, node.job_row, node.state_since, node.ready_at, node_id),
            )


def _cores_elsewhere(db: sqlite3.Connection, cluster: ClusterRecord) -> int:
    """Cores the subscription's other clusters hold in the cluster's location and priority."""
    return _cores(
        db, cluster.workspace.subscription_id, cluster.location, cluster.vm_priority, cluster.row_id
    )


def _cores(
    db: sqlite3.Connection,
    subscription_id: str,
    location: str,
    vm_priority: str,
    except_cluster: int | None = None,
) -> int:
    (cores,) = db.execute(
        "SELECT COALESCE(SUM(c.cores_per_node), 0) FROM nodes n "
        "JOIN clusters c ON n.cluster_row = c.row_id "
        "JOIN workspaces w ON c.workspace_row = w.row_id "
        "WHERE w.subscription_id = ? AND lower(replace(w.location, ' ', '')) = ? "
        "AND c.vm_priority = ? AND c.row_id IS NOT ?",
        (subscription_id, location.replace(" ", "").lower(), vm_priority, except_cluster),
    ).fetchone()
    return int(cores)


def usage(
    db: sqlite3.Connection, subscription_id: str, location: str
) -> tuple[int, dict[tuple[str, str], int]]:
    """What the subscription uses in ``location``: its number of clusters, and the cores its
    nodes hold by (VM priority, VM size)."""
    where = "w.subscription_id = ? AND lower(replace(w.location, ' ', '')) = ?"
    params = (subscription_id, location.replace(" ", "").lower())
    (count,) = db.execute(f"SELECT COUNT(*) {_FROM} WHERE {where}", params).fetchone()
    rows = db.execute(
        f"SELECT c.vm_priority, c.vm_size, SUM(c.cores_per_node) FROM nodes n "
        f"JOIN clusters c ON n.cluster_row = c.row_id JOIN workspaces w "
        f"ON c.workspace_row = w.row_id WHERE {where} GROUP BY c.vm_priority, c.vm_size",
        params,
    )
    return int(count), {(priority, size): int(cores) for priority, size, cores in rows}


def begin_resize(
    db: sqlite3.Connection, now: float, rules: Rules, cluster: ClusterRecord
) -> ClusterRecord:
    """Start the resize of a new cluster at ``now`` (see :func:`lifecycle.begin_resize`)."""
    after = lifecycle.begin_resize(
        cluster, now, rules, cores_elsewhere=_cores_elsewhere(db, cluster)
    )
    save(db, cluster, after)
    return after


def settle(
    db: sqlite3.Connection,
    now: float,
    rules: Rules,
    cluster: ClusterRecord | int,
) -> Settlement | None:
    """Apply every transition of ``cluster`` (a record as stored, or its row id) due by ``now``
    and store the result; None if the cluster is gone.  The caller applies the preemptions."""
    before = load(db, cluster) if isinstance(cluster, int) else cluster
    if before is None:
        return None
    demand = 0
    if before.scale_mode == "auto":
        (demand,) = db.execute(
            "SELECT COALESCE(SUM(node_count), 0) FROM jobs WHERE cluster_row = ? "
            f"AND execution_state IN {ACTIVE_STATES!r}",
            (before.row_id,),
        ).fetchone()
    settlement = lifecycle.settle(
        before, now, rules, demand=demand, cores_elsewhere=_cores_elsewhere(db, before)
    )
    save(db, before, settlement.cluster)
    return settlement


def release_nodes(db: sqlite3.Connection, now: float, job_rows: Sequence[int]) -> None:
    """The nodes of these jobs go back to their cluster, ``idle`` from ``now``."""
    if job_rows:
        db.execute(
            "UPDATE nodes SET state = 'idle', job_row = NULL, state_since = ?, ready_at = NULL "
            f"WHERE job_row IN ({','.join('?' * len(job_rows))})",
            (now, *job_rows),
        )


def assign_nodes(
    db: sqlite3.Connection, now: float, nodes: Sequence[NodeRecord], job_row: int
) -> list[NodeRecord]:
    """Give ``nodes`` to job ``job_row`` (``running`` from ``now``); the nodes as they are now."""
    db.execute(
        f"UPDATE nodes SET state = 'running', job_row = ?, state_since = ? "
        f"WHERE node_id IN ({','.join('?' * len(nodes))})",
        (job_row, now, *(node.node_id for node in nodes)),
    )
    return job_nodes(db, job_row)


def job_nodes(db: sqlite3.Connection, job_row: int) -> list[NodeRecord]:
    """The nodes job ``job_row`` holds, by index (empty unless it is running)."""
    rows = db.execute(
        f"SELECT {NODE_COLUMNS} FROM nodes WHERE job_row = ? ORDER BY node_index", (job_row,)
    )
    return [node_from_row(row) for row in rows]

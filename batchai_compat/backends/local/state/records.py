"""Plain records of the local control plane (one per Batch AI resource, plus nodes).

The state package knows nothing about :mod:`batchai_compat.models`: it keeps each resource's
create parameters as the REST body the service would have stored (secrets already stripped)
plus the read-only columns Batch AI computed.  The backend turns these records into models.
Times are epoch seconds (UTC).

Records are frozen: a life-cycle change (:mod:`.lifecycle`) returns a new record.  The ones
read in bulk (jobs, nodes) are built straight from their row tuples by :func:`job_from_row` and
:func:`node_from_row`, without the per-field cost of ``__init__``.  They are
:class:`~..values.Value` classes (frozen dataclasses cost start-up).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any, NamedTuple

from ..values import Value

__all__ = [
    "JOB_COLUMNS",
    "NODE_COLUMNS",
    "ClusterKey",
    "ClusterRecord",
    "ExperimentRecord",
    "FileServerRecord",
    "JobKey",
    "JobRecord",
    "NodeRecord",
    "WorkspaceKey",
    "WorkspaceRecord",
    "job_from_row",
    "node_from_row",
]

LOCAL_NODE_IP = "127.0.0.1"
FIRST_NODE_PORT = 50000
"""Batch AI exposed node *i* of a cluster on a load-balancer port from 50000 on."""


class WorkspaceKey(NamedTuple):
    subscription_id: str
    resource_group: str
    workspace: str


class ClusterKey(NamedTuple):
    subscription_id: str
    resource_group: str
    workspace: str
    cluster: str


class JobKey(NamedTuple):
    subscription_id: str
    resource_group: str
    workspace: str
    experiment: str
    job: str


class WorkspaceRecord(Value):
    row_id: int
    subscription_id: str
    resource_group: str
    name: str
    location: str
    tags: dict[str, str]
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float

    @property
    def key(self) -> WorkspaceKey:
        return WorkspaceKey(self.subscription_id, self.resource_group, self.name)


class ExperimentRecord(Value):
    row_id: int
    workspace: WorkspaceKey
    name: str
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float


class NodeRecord(Value):
    """One local compute node: Batch AI's node states are ``preparing``, ``idle``,
    ``running``, ``leaving`` and ``unusable``.  ``node_index`` is unique in its cluster (never
    reused); ``ready_at`` is when a ``preparing`` node becomes ``idle`` or a ``leaving`` one is
    gone."""

    cluster_row: int
    node_id: str
    node_index: int
    state: str
    job_row: int | None
    state_since: float
    ready_at: float | None = None
    ip_address: str = LOCAL_NODE_IP

    @property
    def port(self) -> int:
        return FIRST_NODE_PORT + self.node_index


NODE_COLUMNS = "cluster_row, node_id, node_index, state, job_row, state_since, ready_at"
"""The ``nodes`` columns :func:`node_from_row` reads, in order."""
_NODE_FIELDS = tuple(name.strip() for name in NODE_COLUMNS.split(","))


def node_from_row(row: Sequence[Any]) -> NodeRecord:
    """A node from a row of :data:`NODE_COLUMNS`."""
    record = object.__new__(NodeRecord)
    record.__dict__.update(zip(_NODE_FIELDS, row, strict=True))
    return record


class ClusterRecord(Value):
    """A cluster and its nodes (ordered by index).  ``target_node_count`` is what the cluster
    is resizing to; ``resize_due`` when the resize in flight happens; ``next_node_index`` the
    index the next new node gets; ``unreported_resize_since`` when a resize that finished as
    soon as it was asked for started (it still owes a reader one ``resizing``)."""

    row_id: int
    workspace: WorkspaceKey
    location: str
    name: str
    parameters: dict[str, Any]
    vm_size: str
    vm_priority: str
    cores_per_node: int
    gpus_per_node: int
    scale_mode: str
    target_node_count: int
    minimum_node_count: int | None
    maximum_node_count: int | None
    deallocation_option: str | None
    allocation_state: str
    allocation_state_transition_time: float
    errors: list[dict[str, Any]]
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float
    resize_due: float | None = None
    next_node_index: int = 0
    unreported_resize_since: float | None = None
    nodes: tuple[NodeRecord, ...] = ()

    @property
    def key(self) -> ClusterKey:
        return ClusterKey(*self.workspace, self.name)

    @property
    def current_node_count(self) -> int:
        return len(self.nodes)

    def node_state_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("idle", "running", "preparing", "unusable", "leaving"), 0)
        for node in self.nodes:
            counts[node.state] = counts.get(node.state, 0) + 1
        return counts


class FileServerRecord(Value):
    row_id: int
    workspace: WorkspaceKey
    name: str
    parameters: dict[str, Any]
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float


class JobRecord(Value):
    """A job row.  ``parameters`` is the job's JobCreateParameters REST body without secrets
    (parsed from ``parameters_json`` on first use); ``job_uuid`` names its run folder and ends
    its output path segment."""

    row_id: int
    workspace: WorkspaceKey
    experiment: str
    name: str
    job_uuid: str
    parameters_json: str
    cluster_id: str
    cluster_row: int | None
    node_count: int
    scheduling_priority: str
    tool_type: str
    output_path_segment: str
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float
    execution_state: str
    execution_state_transition_time: float
    start_time: float | None
    end_time: float | None
    exit_code: int | None
    errors: list[dict[str, Any]]

    @property
    def key(self) -> JobKey:
        return JobKey(*self.workspace, self.experiment, self.name)

    @cached_property
    def parameters(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.parameters_json)
        return parsed


JOB_COLUMNS = (
    "j.row_id, w.subscription_id, w.resource_group, w.name, e.name, j.name, j.job_uuid, "
    "j.parameters, j.cluster_id, j.cluster_row, j.node_count, j.scheduling_priority, "
    "j.tool_type, j.output_path_segment, j.creation_time, j.provisioning_state, "
    "j.provisioning_state_transition_time, j.execution_state, "
    "j.execution_state_transition_time, j.start_time, j.end_time, j.exit_code, j.errors"
)
"""The columns :func:`job_from_row` reads, in order, over ``jobs j`` joined with its
``experiments e`` and ``workspaces w``."""

_JOB_FIELDS = (
    "cluster_id",
    "cluster_row",
    "node_count",
    "scheduling_priority",
    "tool_type",
    "output_path_segment",
    "creation_time",
    "provisioning_state",
    "provisioning_state_transition_time",
    "execution_state",
    "execution_state_transition_time",
    "start_time",
    "end_time",
    "exit_code",
)


def job_from_row(row: Sequence[Any]) -> JobRecord:
    """A job from a row of :data:`JOB_COLUMNS` (a list page reads up to a thousand of them)."""
    record = object.__new__(JobRecord)
    values = record.__dict__
    values["row_id"] = row[0]
    values["workspace"] = WorkspaceKey(row[1], row[2], row[3])
    values["experiment"] = row[4]
    values["name"] = row[5]
    values["job_uuid"] = row[6]
    values["parameters_json"] = row[7]
    values.update(zip(_JOB_FIELDS, row[8:22], strict=True))
    values["errors"] = [] if row[22] == "[]" else json.loads(row[22])
    return record

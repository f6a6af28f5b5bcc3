"""Plain records the local state store returns (one per Batch AI resource, plus nodes).

The store (:mod:`.store`) knows nothing about :mod:`batchai_compat.models`: it keeps each
resource's create parameters as the REST body the service would have stored (secrets already
stripped) plus the read-only columns Batch AI computed.  :mod:`.backend` turns these records into
models.  Times are epoch seconds (UTC).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

__all__ = [
    "ClusterKey",
    "ClusterRecord",
    "ExperimentRecord",
    "FileServerRecord",
    "JobKey",
    "JobRecord",
    "NodeRecord",
    "WorkspaceKey",
    "WorkspaceRecord",
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


@dataclass(frozen=True)
class WorkspaceRecord:
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


@dataclass(frozen=True)
class ExperimentRecord:
    row_id: int
    workspace: WorkspaceKey
    name: str
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float


@dataclass(frozen=True)
class NodeRecord:
    """One local compute node: Batch AI's node states are ``preparing``, ``idle``,
    ``running``, ``leaving`` and ``unusable``."""

    row_id: int
    cluster_row: int
    node_id: str
    node_index: int
    state: str
    job_row: int | None
    state_since: float
    ip_address: str = LOCAL_NODE_IP

    @property
    def port(self) -> int:
        return FIRST_NODE_PORT + self.node_index


@dataclass(frozen=True)
class ClusterRecord:
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
    nodes: tuple[NodeRecord, ...] = field(default=())

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


@dataclass(frozen=True)
class FileServerRecord:
    row_id: int
    workspace: WorkspaceKey
    name: str
    parameters: dict[str, Any]
    creation_time: float
    provisioning_state: str
    provisioning_state_transition_time: float


@dataclass(frozen=True)
class JobRecord:
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

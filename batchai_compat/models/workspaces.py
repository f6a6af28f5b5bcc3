"""Workspaces (the Batch AI top-level resource, Azure ML ``Workspace``) and their experiments."""

from datetime import datetime

from ._base import Model, field, readonly
from .common import ProxyResource, Resource
from .enums import ProvisioningState

__all__ = [
    "Workspace",
    "WorkspaceCreateParameters",
    "WorkspaceUpdateParameters",
    "Experiment",
    "WorkspacesListOptions",
    "WorkspacesListByResourceGroupOptions",
    "ExperimentsListByWorkspaceOptions",
]


class Workspace(Resource):
    """A workspace as the service returns it."""

    creation_time: datetime | None = readonly("properties.creationTime")
    provisioning_state: ProvisioningState | None = readonly(
        "properties.provisioningState", wire="str"
    )
    provisioning_state_transition_time: datetime | None = readonly(
        "properties.provisioningStateTransitionTime"
    )


class WorkspaceCreateParameters(Model):
    """The body of ``workspaces.create``: a location and tags."""

    location: str = field("location")
    tags: dict[str, str] | None = field("tags", default=None)


class WorkspaceUpdateParameters(Model):
    """The body of ``workspaces.update``: new tags."""

    tags: dict[str, str] | None = field("tags", default=None)


class Experiment(ProxyResource):
    """An experiment (a folder of jobs in a workspace) as the service returns it."""

    creation_time: datetime | None = readonly("properties.creationTime")
    provisioning_state: ProvisioningState | None = readonly(
        "properties.provisioningState", wire="str"
    )
    provisioning_state_transition_time: datetime | None = readonly(
        "properties.provisioningStateTransitionTime"
    )


class WorkspacesListOptions(Model):
    """Query options of ``workspaces.list``."""

    max_results: int | None = field("", default=1000)


class WorkspacesListByResourceGroupOptions(Model):
    """Query options of ``workspaces.list_by_resource_group``."""

    max_results: int | None = field("", default=1000)


class ExperimentsListByWorkspaceOptions(Model):
    """Query options of ``experiments.list_by_workspace``."""

    max_results: int | None = field("", default=1000)

"""``client.workspaces``: Batch AI workspaces (2.0.0's ``WorkspacesOperations``).

A workspace groups clusters, file servers and experiments of a resource group.  On the ``local``
backend it is a row of the control plane; on ``azureml`` an Azure ML ``Workspace``.
"""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ._group import OperationGroup
from ._validation import (
    check_required_str,
    check_resource_group,
    check_resource_name,
    check_tags,
    max_results_of,
)

__all__ = ["WorkspacesOperations"]


class WorkspacesOperations(OperationGroup):
    """Create, get, update (tags), delete and list Batch AI workspaces."""

    def list(
        self,
        workspaces_list_options: Any = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """All workspaces of the subscription, as a :class:`~batchai_compat.models.WorkspacePaged`."""
        page_size = max_results_of(workspaces_list_options, "workspaces_list_options")
        url = self._url(
            f"{self._subscription_path()}/providers/Microsoft.BatchAI/workspaces",
            maxresults=page_size,
        )
        return self._pager(
            _models.WorkspacePaged,
            lambda: self._backend.list_workspaces(None),
            url=url,
            page_size=page_size,
            raw=raw,
        )

    def list_by_resource_group(
        self,
        resource_group_name: str,
        workspaces_list_by_resource_group_options: Any = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """Workspaces of one resource group, as a :class:`~batchai_compat.models.WorkspacePaged`."""
        rg = check_resource_group(resource_group_name)
        page_size = max_results_of(
            workspaces_list_by_resource_group_options, "workspaces_list_by_resource_group_options"
        )
        url = self._url(f"{self._provider_path(rg)}/workspaces", maxresults=page_size)
        return self._pager(
            _models.WorkspacePaged,
            lambda: self._backend.list_workspaces(rg),
            url=url,
            page_size=page_size,
            raw=raw,
        )

    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        location: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Create a workspace in ``location``; returns a poller whose result is the Workspace."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        location = check_required_str("location", location)
        tags = check_tags(tags)
        started = self._backend.create_workspace(rg, ws, location, tags)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="PUT",
            url=self._url(self._workspace_path(rg, ws)),
            name=f"workspaces.create {ws}",
        )

    begin_create = create

    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """Replace the workspace's tags; returns the updated Workspace."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        tags = check_tags(tags)
        value = self._backend.update_workspace(rg, ws, tags)
        return self._plain(
            value, raw=raw, method="PATCH", url=self._url(self._workspace_path(rg, ws))
        )

    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Delete a workspace; returns a poller (result None).  The deletion starts at once."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        started = self._backend.delete_workspace(rg, ws)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="DELETE",
            url=self._url(self._workspace_path(rg, ws)),
            name=f"workspaces.delete {ws}",
        )

    begin_delete = delete

    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The Workspace; 404 (``ResourceNotFoundError``) when it does not exist."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        value = self._backend.get_workspace(rg, ws)
        return self._plain(
            value, raw=raw, method="GET", url=self._url(self._workspace_path(rg, ws))
        )

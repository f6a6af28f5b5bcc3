"""``client.workspaces``: Batch AI workspaces (2.0.0's ``WorkspacesOperations``).

A workspace groups clusters, file servers and experiments of a resource group.  On the ``local``
backend it is a row of the control plane; on ``azureml`` an Azure ML ``Workspace``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from .. import models as _models
from ..core.polling import LROPoller
from ..core.raw import ClientRawResponse
from ..domain.ids import PROVIDER
from ._group import OperationGroup
from ._validation import check_required_str, check_tags, max_results_of

__all__ = ["WorkspacesOperations"]


class WorkspacesOperations(OperationGroup):
    """Create, get, update (tags), delete and list Batch AI workspaces."""

    def list(
        self,
        workspaces_list_options: _models.WorkspacesListOptions | Mapping[str, Any] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.WorkspacePaged:
        """All workspaces of the subscription, as a :class:`~batchai_compat.models.WorkspacePaged`."""
        at = self._subscription().joinpath(f"providers/{PROVIDER}/workspaces")
        page_size = max_results_of(workspaces_list_options, "workspaces_list_options")
        return self._paged(
            _models.WorkspacePaged,
            at,
            self._backend.list_workspaces,
            None,
            page_size=page_size,
            raw=raw,
        )

    def list_by_resource_group(
        self,
        resource_group_name: str,
        workspaces_list_by_resource_group_options: _models.WorkspacesListByResourceGroupOptions
        | Mapping[str, Any]
        | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.WorkspacePaged:
        """Workspaces of one resource group, as a :class:`~batchai_compat.models.WorkspacePaged`."""
        at = self._resource_group(resource_group_name).joinpath("workspaces")
        page_size = max_results_of(
            workspaces_list_by_resource_group_options, "workspaces_list_by_resource_group_options"
        )
        return self._paged(
            _models.WorkspacePaged, at, self._backend.list_workspaces, page_size=page_size, raw=raw
        )

    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        location: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Workspace]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        location: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[_models.Workspace]]: ...
    @overload
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
    ) -> LROPoller[_models.Workspace] | LROPoller[ClientRawResponse[_models.Workspace]]: ...
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
    ) -> LROPoller[_models.Workspace] | LROPoller[ClientRawResponse[_models.Workspace]]:
        """Create a workspace in ``location``; returns a poller whose result is the Workspace."""
        at = self._workspace(resource_group_name, workspace_name)
        location = check_required_str("location", location)
        tags = check_tags(tags)
        return self._long_running(
            "PUT", at, self._backend.create_workspace, location, tags, polling=polling, raw=raw
        )

    begin_create = create

    @overload
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.Workspace: ...
    @overload
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.Workspace]: ...
    @overload
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Workspace | ClientRawResponse[_models.Workspace]: ...
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        tags: dict[str, str] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Workspace | ClientRawResponse[_models.Workspace]:
        """Replace the workspace's tags; returns the updated Workspace."""
        at = self._workspace(resource_group_name, workspace_name)
        tags = check_tags(tags)
        return self._value("PATCH", at, self._backend.update_workspace, tags, raw=raw)

    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None]: ...
    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[None]]: ...
    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]: ...
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]:
        """Delete a workspace; returns a poller (result None).  The deletion starts at once."""
        at = self._workspace(resource_group_name, workspace_name)
        return self._long_running(
            "DELETE", at, self._backend.delete_workspace, polling=polling, raw=raw
        )

    begin_delete = delete

    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.Workspace: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.Workspace]: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Workspace | ClientRawResponse[_models.Workspace]: ...
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Workspace | ClientRawResponse[_models.Workspace]:
        """The Workspace; 404 (``ResourceNotFoundError``) when it does not exist."""
        at = self._workspace(resource_group_name, workspace_name)
        return self._value("GET", at, self._backend.get_workspace, raw=raw)

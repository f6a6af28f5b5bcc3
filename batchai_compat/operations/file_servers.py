"""``client.file_servers``: Batch AI NFS file servers (2.0.0's ``FileServersOperations``).

On ``local`` a file server is a folder that ``FileServerReference`` mounts resolve to; ``azureml``
has no equivalent and says so (``NoEquivalentError``).  1.0-era calls without a workspace
(``file_servers.create/get/delete(rg, name, ...)``) follow :mod:`._legacy`'s rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from .. import models as _models
from ..core.polling import LROPoller
from ..core.raw import ClientRawResponse
from ._body_rules import check_file_server
from ._group import OperationGroup, ResourcePath
from ._legacy import ensure_legacy_defaults, legacy_call_shape
from ._validation import max_results_of, prepare_model

__all__ = ["FileServersOperations"]


class FileServersOperations(OperationGroup):
    """Create, get, delete and list file servers."""

    def _file_server(
        self, resource_group_name: Any, workspace_name: Any, file_server_name: Any
    ) -> ResourcePath:
        return self._workspace(resource_group_name, workspace_name).child(
            "fileServers", "file_server_name", file_server_name
        )

    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        parameters: _models.FileServerCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.FileServer]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        parameters: _models.FileServerCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[_models.FileServer]]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        parameters: _models.FileServerCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.FileServer] | LROPoller[ClientRawResponse[_models.FileServer]]: ...
    @legacy_call_shape(
        "resource_group_name",
        "file_server_name",
        "parameters",
        create_defaults=True,
        model_params=("parameters",),
    )
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        parameters: _models.FileServerCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.FileServer] | LROPoller[ClientRawResponse[_models.FileServer]]:
        """Create a file server from ``FileServerCreateParameters``; result: the FileServer."""
        at = self._file_server(resource_group_name, workspace_name, file_server_name)
        params = prepare_model("parameters", parameters, _models.FileServerCreateParameters)
        check_file_server(params)
        ensure_legacy_defaults(self._backend, at.resource_group, operation_config)
        return self._long_running(
            "PUT", at, self._backend.create_file_server, params, polling=polling, raw=raw
        )

    begin_create = create

    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
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
        file_server_name: str,
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
        file_server_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]: ...
    @legacy_call_shape("resource_group_name", "file_server_name")
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]:
        """Delete a file server; returns a poller (result None)."""
        at = self._file_server(resource_group_name, workspace_name, file_server_name)
        return self._long_running(
            "DELETE", at, self._backend.delete_file_server, polling=polling, raw=raw
        )

    begin_delete = delete

    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.FileServer: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.FileServer]: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.FileServer | ClientRawResponse[_models.FileServer]: ...
    @legacy_call_shape("resource_group_name", "file_server_name")
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.FileServer | ClientRawResponse[_models.FileServer]:
        """The FileServer; 404 when it does not exist."""
        at = self._file_server(resource_group_name, workspace_name, file_server_name)
        return self._value("GET", at, self._backend.get_file_server, raw=raw)

    def list_by_workspace(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_servers_list_by_workspace_options: _models.FileServersListByWorkspaceOptions
        | Mapping[str, Any]
        | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.FileServerPaged:
        """The workspace's file servers, as a :class:`~batchai_compat.models.FileServerPaged`."""
        at = self._workspace(resource_group_name, workspace_name).joinpath("fileServers")
        page_size = max_results_of(
            file_servers_list_by_workspace_options, "file_servers_list_by_workspace_options"
        )
        return self._paged(
            _models.FileServerPaged,
            at,
            self._backend.list_file_servers,
            page_size=page_size,
            raw=raw,
        )

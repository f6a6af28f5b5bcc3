"""``client.file_servers``: Batch AI NFS file servers (2.0.0's ``FileServersOperations``).

On ``local`` a file server is a folder that ``FileServerReference`` mounts resolve to; ``azureml``
has no equivalent and says so (``NoEquivalentError``).
"""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ._group import OperationGroup
from ._validation import check_resource_group, check_resource_name, max_results_of, prepare_model

__all__ = ["FileServersOperations"]


class FileServersOperations(OperationGroup):
    """Create, get, delete and list file servers."""

    def _path(self, rg: str, ws: str, file_server: str | None = None) -> str:
        path = f"{self._workspace_path(rg, ws)}/fileServers"
        return f"{path}/{file_server}" if file_server else path

    def _names(
        self, resource_group_name: Any, workspace_name: Any, file_server_name: Any
    ) -> tuple[str, str, str]:
        return (
            check_resource_group(resource_group_name),
            check_resource_name("workspace_name", workspace_name),
            check_resource_name("file_server_name", file_server_name),
        )

    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        parameters: Any,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Create a file server from ``FileServerCreateParameters``; result: the FileServer."""
        rg, ws, name = self._names(resource_group_name, workspace_name, file_server_name)
        params = prepare_model("parameters", parameters, _models.FileServerCreateParameters)
        started = self._backend.create_file_server(rg, ws, name, params)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="PUT",
            url=self._url(self._path(rg, ws, name)),
            name=f"file_servers.create {name}",
        )

    begin_create = create

    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Delete a file server; returns a poller (result None)."""
        rg, ws, name = self._names(resource_group_name, workspace_name, file_server_name)
        started = self._backend.delete_file_server(rg, ws, name)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="DELETE",
            url=self._url(self._path(rg, ws, name)),
            name=f"file_servers.delete {name}",
        )

    begin_delete = delete

    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_server_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The FileServer; 404 when it does not exist."""
        rg, ws, name = self._names(resource_group_name, workspace_name, file_server_name)
        value = self._backend.get_file_server(rg, ws, name)
        return self._plain(value, raw=raw, method="GET", url=self._url(self._path(rg, ws, name)))

    def list_by_workspace(
        self,
        resource_group_name: str,
        workspace_name: str,
        file_servers_list_by_workspace_options: Any = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The workspace's file servers, as a :class:`~batchai_compat.models.FileServerPaged`."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        page_size = max_results_of(
            file_servers_list_by_workspace_options, "file_servers_list_by_workspace_options"
        )
        return self._pager(
            _models.FileServerPaged,
            lambda: self._backend.list_file_servers(rg, ws),
            url=self._url(self._path(rg, ws), maxresults=page_size),
            page_size=page_size,
            raw=raw,
        )

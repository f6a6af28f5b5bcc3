"""The Backend methods both Azure ML backends answer alike, whatever their SDK.

* file servers: Azure ML has no managed NFS server, so none can exist -- creating one is a
  :class:`~batchai_compat.exceptions.NoEquivalentError` saying what to use instead, a lookup or
  a delete is the service's ``FileServerNotFound`` (scripts probe before creating), and the
  list of a workspace that exists is empty;
* the Batch AI provider's ``operations.list`` (static metadata, the same on every backend).

A backend mixes :class:`FixedAnswers` in and says how it checks that a workspace exists
(:meth:`FixedAnswers._require_workspace`, which raises the workspace's 404).
"""

from __future__ import annotations

from typing import Any

from ...domain import answers
from ...exceptions import NoEquivalentError

__all__ = ["FixedAnswers"]


class FixedAnswers:
    """File servers and provider operations, for a backend called ``name``."""

    name: str

    def _require_workspace(self, resource_group: str, workspace: str) -> None:
        raise NotImplementedError  # each backend checks with its SDK

    def create_file_server(
        self, resource_group: str, workspace: str, file_server: str, parameters: Any
    ) -> Any:
        raise NoEquivalentError(
            "Batch AI file servers (NFS)",
            self.name,
            "Azure ML has no managed NFS server; keep the data in an Azure file share or blob "
            "container and mount it through JobCreateParameters.mount_volumes.",
        )

    def get_file_server(self, resource_group: str, workspace: str, file_server: str) -> Any:
        raise answers.not_found("file server", file_server)

    def delete_file_server(self, resource_group: str, workspace: str, file_server: str) -> None:
        raise answers.not_found("file server", file_server)

    def list_file_servers(self, resource_group: str, workspace: str) -> list[Any]:
        self._require_workspace(resource_group, workspace)  # a missing workspace is a 404
        return []

    def list_operations(self) -> list[Any]:
        """The Batch AI provider's operations (static metadata, the same on every backend)."""
        from ..provider_operations import operation_models

        return operation_models()

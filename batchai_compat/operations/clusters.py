"""``client.clusters``: Batch AI clusters (2.0.0's ``ClustersOperations``).

A cluster is a pool of VMs that runs jobs.  On ``local`` it is a pool of local "nodes"; on
``azureml`` an ``AmlCompute`` target.  1.0-era calls without a workspace
(``clusters.create(rg, name, params)``, ``clusters.get/delete(rg, name)``) use the resource
group's default workspace (see :mod:`._legacy`).
"""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ._group import OperationGroup
from ._legacy import ensure_legacy_defaults, legacy_call_shape
from ._validation import check_resource_group, check_resource_name, max_results_of, prepare_model

__all__ = ["ClustersOperations"]


class ClustersOperations(OperationGroup):
    """Create, resize, get, delete and list clusters, and list their nodes' login information."""

    def _path(self, rg: str, ws: str, cluster: str | None = None) -> str:
        path = f"{self._workspace_path(rg, ws)}/clusters"
        return f"{path}/{cluster}" if cluster else path

    def _names(
        self, resource_group_name: Any, workspace_name: Any, cluster_name: Any
    ) -> tuple[str, str, str]:
        return (
            check_resource_group(resource_group_name),
            check_resource_name("workspace_name", workspace_name),
            check_resource_name("cluster_name", cluster_name),
        )

    @legacy_call_shape(
        "resource_group_name",
        "cluster_name",
        "parameters",
        create_defaults=True,
        model_params=("parameters",),
    )
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        parameters: Any,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Create a cluster from ``ClusterCreateParameters``; the poller's result is the Cluster."""
        rg, ws, name = self._names(resource_group_name, workspace_name, cluster_name)
        params = prepare_model("parameters", parameters, _models.ClusterCreateParameters)
        ensure_legacy_defaults(self._backend, rg, operation_config)
        started = self._backend.create_cluster(rg, ws, name, params)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="PUT",
            url=self._url(self._path(rg, ws, name)),
            name=f"clusters.create {name}",
        )

    begin_create = create

    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        scale_settings: Any = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """Change the cluster's ``ScaleSettings`` (manual target or auto-scale range)."""
        rg, ws, name = self._names(resource_group_name, workspace_name, cluster_name)
        settings = prepare_model(
            "scale_settings", scale_settings, _models.ScaleSettings, required=False
        )
        value = self._backend.update_cluster(rg, ws, name, settings)
        return self._plain(value, raw=raw, method="PATCH", url=self._url(self._path(rg, ws, name)))

    @legacy_call_shape("resource_group_name", "cluster_name")
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Delete a cluster; returns a poller (result None).  The deletion starts at once."""
        rg, ws, name = self._names(resource_group_name, workspace_name, cluster_name)
        started = self._backend.delete_cluster(rg, ws, name)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="DELETE",
            url=self._url(self._path(rg, ws, name)),
            name=f"clusters.delete {name}",
        )

    begin_delete = delete

    @legacy_call_shape("resource_group_name", "cluster_name")
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The Cluster with its allocation state and node counts; 404 when it does not exist."""
        rg, ws, name = self._names(resource_group_name, workspace_name, cluster_name)
        value = self._backend.get_cluster(rg, ws, name)
        return self._plain(value, raw=raw, method="GET", url=self._url(self._path(rg, ws, name)))

    def list_remote_login_information(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """How to reach each node (ip, port), as a ``RemoteLoginInformationPaged``."""
        rg, ws, name = self._names(resource_group_name, workspace_name, cluster_name)
        return self._pager(
            _models.RemoteLoginInformationPaged,
            lambda: self._backend.list_cluster_remote_login_information(rg, ws, name),
            url=self._url(f"{self._path(rg, ws, name)}/listRemoteLoginInformation"),
            page_size=None,
            raw=raw,
        )

    def list_by_workspace(
        self,
        resource_group_name: str,
        workspace_name: str,
        clusters_list_by_workspace_options: Any = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The workspace's clusters, as a :class:`~batchai_compat.models.ClusterPaged`."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        page_size = max_results_of(
            clusters_list_by_workspace_options, "clusters_list_by_workspace_options"
        )
        return self._pager(
            _models.ClusterPaged,
            lambda: self._backend.list_clusters(rg, ws),
            url=self._url(self._path(rg, ws), maxresults=page_size),
            page_size=page_size,
            raw=raw,
        )

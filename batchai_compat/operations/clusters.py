"""``client.clusters``: Batch AI clusters (2.0.0's ``ClustersOperations``).

A cluster is a pool of VMs that runs jobs.  On ``local`` it is a pool of local "nodes"; on
``azureml`` an ``AmlCompute`` target.  1.0-era calls without a workspace
(``clusters.create(rg, name, params)``, ``clusters.get/delete/update(rg, name, ...)``,
``clusters.list_remote_login_information(rg, name)``) create in the resource group's default
workspace and find existing clusters by :mod:`._legacy`'s rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from .. import models as _models
from ..core.polling import LROPoller
from ..core.raw import ClientRawResponse
from ._body_rules import check_cluster, check_scale_settings
from ._group import OperationGroup, ResourcePath
from ._legacy import ensure_legacy_defaults, legacy_call_shape
from ._validation import max_results_of, prepare_model

__all__ = ["ClustersOperations"]


class ClustersOperations(OperationGroup):
    """Create, resize, get, delete and list clusters, and list their nodes' login information."""

    def _cluster(
        self, resource_group_name: Any, workspace_name: Any, cluster_name: Any
    ) -> ResourcePath:
        return self._workspace(resource_group_name, workspace_name).child(
            "clusters", "cluster_name", cluster_name
        )

    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        parameters: _models.ClusterCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Cluster]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        parameters: _models.ClusterCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[_models.Cluster]]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        parameters: _models.ClusterCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Cluster] | LROPoller[ClientRawResponse[_models.Cluster]]: ...
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
        parameters: _models.ClusterCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Cluster] | LROPoller[ClientRawResponse[_models.Cluster]]:
        """Create a cluster from ``ClusterCreateParameters``; the poller's result is the Cluster."""
        at = self._cluster(resource_group_name, workspace_name, cluster_name)
        params = prepare_model("parameters", parameters, _models.ClusterCreateParameters)
        check_cluster(params)
        ensure_legacy_defaults(self._backend, at.resource_group, operation_config)
        return self._long_running(
            "PUT", at, self._backend.create_cluster, params, polling=polling, raw=raw
        )

    begin_create = create

    @overload
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        scale_settings: _models.ScaleSettings | Mapping[str, Any] | None = None,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.Cluster: ...
    @overload
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        scale_settings: _models.ScaleSettings | Mapping[str, Any] | None = None,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.Cluster]: ...
    @overload
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        scale_settings: _models.ScaleSettings | Mapping[str, Any] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Cluster | ClientRawResponse[_models.Cluster]: ...
    @legacy_call_shape("resource_group_name", "cluster_name", "scale_settings")
    def update(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        scale_settings: _models.ScaleSettings | Mapping[str, Any] | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Cluster | ClientRawResponse[_models.Cluster]:
        """Change the cluster's ``ScaleSettings`` (manual target or auto-scale range)."""
        at = self._cluster(resource_group_name, workspace_name, cluster_name)
        settings = prepare_model(
            "scale_settings", scale_settings, _models.ScaleSettings, required=False
        )
        check_scale_settings(settings, "scale_settings")
        return self._value("PATCH", at, self._backend.update_cluster, settings, raw=raw)

    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
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
        cluster_name: str,
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
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]: ...
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
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]:
        """Delete a cluster; returns a poller (result None).  The deletion starts at once."""
        at = self._cluster(resource_group_name, workspace_name, cluster_name)
        return self._long_running(
            "DELETE", at, self._backend.delete_cluster, polling=polling, raw=raw
        )

    begin_delete = delete

    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.Cluster: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.Cluster]: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Cluster | ClientRawResponse[_models.Cluster]: ...
    @legacy_call_shape("resource_group_name", "cluster_name")
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Cluster | ClientRawResponse[_models.Cluster]:
        """The Cluster with its allocation state and node counts; 404 when it does not exist."""
        at = self._cluster(resource_group_name, workspace_name, cluster_name)
        return self._value("GET", at, self._backend.get_cluster, raw=raw)

    @legacy_call_shape("resource_group_name", "cluster_name")
    def list_remote_login_information(
        self,
        resource_group_name: str,
        workspace_name: str,
        cluster_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.RemoteLoginInformationPaged:
        """How to reach each node (ip, port), as a ``RemoteLoginInformationPaged``."""
        at = self._cluster(resource_group_name, workspace_name, cluster_name)
        return self._paged(
            _models.RemoteLoginInformationPaged,
            at.joinpath("listRemoteLoginInformation"),
            self._backend.list_cluster_remote_login_information,
            raw=raw,
            method="POST",
        )

    def list_by_workspace(
        self,
        resource_group_name: str,
        workspace_name: str,
        clusters_list_by_workspace_options: _models.ClustersListByWorkspaceOptions
        | Mapping[str, Any]
        | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.ClusterPaged:
        """The workspace's clusters, as a :class:`~batchai_compat.models.ClusterPaged`."""
        at = self._workspace(resource_group_name, workspace_name).joinpath("clusters")
        page_size = max_results_of(
            clusters_list_by_workspace_options, "clusters_list_by_workspace_options"
        )
        return self._paged(
            _models.ClusterPaged, at, self._backend.list_clusters, page_size=page_size, raw=raw
        )

"""``client.experiments``: Batch AI experiments (2.0.0's ``ExperimentsOperations``).

An experiment is a named group of jobs inside a workspace; on ``azureml`` it is an Azure ML
``Experiment``.
"""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ._group import OperationGroup
from ._validation import check_resource_group, check_resource_name, max_results_of

__all__ = ["ExperimentsOperations"]


class ExperimentsOperations(OperationGroup):
    """Create, get, delete and list the experiments of a workspace."""

    def _path(self, rg: str, ws: str, experiment: str | None = None) -> str:
        path = f"{self._workspace_path(rg, ws)}/experiments"
        return f"{path}/{experiment}" if experiment else path

    def list_by_workspace(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiments_list_by_workspace_options: Any = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The workspace's experiments, as an :class:`~batchai_compat.models.ExperimentPaged`."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        page_size = max_results_of(
            experiments_list_by_workspace_options, "experiments_list_by_workspace_options"
        )
        return self._pager(
            _models.ExperimentPaged,
            lambda: self._backend.list_experiments(rg, ws),
            url=self._url(self._path(rg, ws), maxresults=page_size),
            page_size=page_size,
            raw=raw,
        )

    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Create an experiment; returns a poller whose result is the Experiment."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        name = check_resource_name("experiment_name", experiment_name)
        started = self._backend.create_experiment(rg, ws, name)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="PUT",
            url=self._url(self._path(rg, ws, name)),
            name=f"experiments.create {name}",
        )

    begin_create = create

    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> Any:
        """Delete an experiment and its jobs; returns a poller (result None)."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        name = check_resource_name("experiment_name", experiment_name)
        started = self._backend.delete_experiment(rg, ws, name)
        return self._poller(
            started,
            polling=polling,
            raw=raw,
            method="DELETE",
            url=self._url(self._path(rg, ws, name)),
            name=f"experiments.delete {name}",
        )

    begin_delete = delete

    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """The Experiment; 404 when it does not exist."""
        rg = check_resource_group(resource_group_name)
        ws = check_resource_name("workspace_name", workspace_name)
        name = check_resource_name("experiment_name", experiment_name)
        value = self._backend.get_experiment(rg, ws, name)
        return self._plain(value, raw=raw, method="GET", url=self._url(self._path(rg, ws, name)))

"""``client.experiments``: Batch AI experiments (2.0.0's ``ExperimentsOperations``).

An experiment is a named group of jobs inside a workspace; on ``azureml`` it is an Azure ML
``Experiment``.
"""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ._group import OperationGroup
from ._validation import max_results_of

__all__ = ["ExperimentsOperations"]


class ExperimentsOperations(OperationGroup):
    """Create, get, delete and list the experiments of a workspace."""

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
        at = self._workspace(resource_group_name, workspace_name).joinpath("experiments")
        page_size = max_results_of(
            experiments_list_by_workspace_options, "experiments_list_by_workspace_options"
        )
        return self._paged(
            _models.ExperimentPaged,
            at,
            self._backend.list_experiments,
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
        at = self._experiment(resource_group_name, workspace_name, experiment_name)
        return self._long_running(
            "PUT", at, self._backend.create_experiment, polling=polling, raw=raw
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
        at = self._experiment(resource_group_name, workspace_name, experiment_name)
        return self._long_running(
            "DELETE", at, self._backend.delete_experiment, polling=polling, raw=raw
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
        at = self._experiment(resource_group_name, workspace_name, experiment_name)
        return self._value("GET", at, self._backend.get_experiment, raw=raw)

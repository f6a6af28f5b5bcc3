"""``client.experiments``: Batch AI experiments (2.0.0's ``ExperimentsOperations``).

An experiment is a named group of jobs inside a workspace; on ``azureml`` it is an Azure ML
``Experiment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from .. import models as _models
from ..core.polling import LROPoller
from ..core.raw import ClientRawResponse
from ._group import OperationGroup
from ._validation import max_results_of

__all__ = ["ExperimentsOperations"]


class ExperimentsOperations(OperationGroup):
    """Create, get, delete and list the experiments of a workspace."""

    def list_by_workspace(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiments_list_by_workspace_options: _models.ExperimentsListByWorkspaceOptions
        | Mapping[str, Any]
        | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.ExperimentPaged:
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

    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Experiment]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[_models.Experiment]]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Experiment] | LROPoller[ClientRawResponse[_models.Experiment]]: ...
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Experiment] | LROPoller[ClientRawResponse[_models.Experiment]]:
        """Create an experiment; returns a poller whose result is the Experiment."""
        at = self._experiment(resource_group_name, workspace_name, experiment_name)
        return self._long_running(
            "PUT", at, self._backend.create_experiment, polling=polling, raw=raw
        )

    begin_create = create

    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
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
        experiment_name: str,
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
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]: ...
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]:
        """Delete an experiment and its jobs; returns a poller (result None)."""
        at = self._experiment(resource_group_name, workspace_name, experiment_name)
        return self._long_running(
            "DELETE", at, self._backend.delete_experiment, polling=polling, raw=raw
        )

    begin_delete = delete

    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.Experiment: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.Experiment]: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Experiment | ClientRawResponse[_models.Experiment]: ...
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Experiment | ClientRawResponse[_models.Experiment]:
        """The Experiment; 404 when it does not exist."""
        at = self._experiment(resource_group_name, workspace_name, experiment_name)
        return self._value("GET", at, self._backend.get_experiment, raw=raw)

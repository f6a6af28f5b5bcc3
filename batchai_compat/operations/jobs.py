"""``client.jobs``: Batch AI jobs (2.0.0's ``JobsOperations``).

A job runs a toolkit (TensorFlow, Horovod, PyTorch, CNTK, ..., custom) on a cluster.  On
``local`` it runs as real processes; on ``azureml`` it is a ``ScriptRunConfig`` run.  1.0-era
calls without a workspace and experiment (``jobs.create(rg, job, params)``,
``jobs.get/delete/terminate/list_remote_login_information(rg, job)``,
``jobs.list_output_files(rg, job, options)``) create in the resource group's default workspace
and experiment and find existing jobs by :mod:`._legacy`'s rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from .. import models as _models
from ..core.polling import LROPoller
from ..core.raw import ClientRawResponse
from ..exceptions import request_error
from ._group import OperationGroup, ResourcePath
from ._legacy import ensure_legacy_defaults, legacy_call_shape
from ._validation import (
    LINK_EXPIRY_MINUTES_RANGE,
    MAX_RESULTS_RANGE,
    check_int_range,
    max_results_of,
    prepare_model,
)

__all__ = ["JobsOperations"]


class JobsOperations(OperationGroup):
    """Create, get, terminate, delete and list jobs; list their output files and nodes."""

    def _job(
        self, resource_group_name: Any, workspace_name: Any, experiment_name: Any, job_name: Any
    ) -> ResourcePath:
        return self._experiment(resource_group_name, workspace_name, experiment_name).child(
            "jobs", "job_name", job_name
        )

    def list_by_experiment(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        jobs_list_by_experiment_options: _models.JobsListByExperimentOptions
        | Mapping[str, Any]
        | None = None,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.JobPaged:
        """The experiment's jobs, as a :class:`~batchai_compat.models.JobPaged`."""
        at = self._experiment(resource_group_name, workspace_name, experiment_name).joinpath("jobs")
        page_size = max_results_of(
            jobs_list_by_experiment_options, "jobs_list_by_experiment_options"
        )
        return self._paged(
            _models.JobPaged, at, self._backend.list_jobs, page_size=page_size, raw=raw
        )

    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        parameters: _models.JobCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Job]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        parameters: _models.JobCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[_models.Job]]: ...
    @overload
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        parameters: _models.JobCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Job] | LROPoller[ClientRawResponse[_models.Job]]: ...
    @legacy_call_shape(
        "resource_group_name",
        "job_name",
        "parameters",
        experiment=True,
        create_defaults=True,
        model_params=("parameters",),
    )
    def create(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        parameters: _models.JobCreateParameters | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[_models.Job] | LROPoller[ClientRawResponse[_models.Job]]:
        """Submit a job from ``JobCreateParameters``; the poller's result is the Job."""
        at = self._job(resource_group_name, workspace_name, experiment_name, job_name)
        params = prepare_model("parameters", parameters, _models.JobCreateParameters)
        from ._body_rules import check_job  # on submission only: a read skips its rules' import

        check_job(params)
        ensure_legacy_defaults(self._backend, at.resource_group, operation_config)
        return self._long_running(
            "PUT", at, self._backend.create_job, params, polling=polling, raw=raw
        )

    begin_create = create

    @overload
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
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
        job_name: str,
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
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]: ...
    @legacy_call_shape("resource_group_name", "job_name", experiment=True)
    def delete(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]:
        """Delete a job (terminating it if running); returns a poller (result None)."""
        at = self._job(resource_group_name, workspace_name, experiment_name, job_name)
        return self._long_running("DELETE", at, self._backend.delete_job, polling=polling, raw=raw)

    begin_delete = delete

    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        **operation_config: Any,
    ) -> _models.Job: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        **operation_config: Any,
    ) -> ClientRawResponse[_models.Job]: ...
    @overload
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Job | ClientRawResponse[_models.Job]: ...
    @legacy_call_shape("resource_group_name", "job_name", experiment=True)
    def get(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.Job | ClientRawResponse[_models.Job]:
        """The Job with its ``execution_state``; 404 when it does not exist."""
        at = self._job(resource_group_name, workspace_name, experiment_name, job_name)
        return self._value("GET", at, self._backend.get_job, raw=raw)

    @legacy_call_shape(
        "resource_group_name",
        "job_name",
        "jobs_list_output_files_options",
        experiment=True,
        model_params=("jobs_list_output_files_options",),
    )
    def list_output_files(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        jobs_list_output_files_options: _models.JobsListOutputFilesOptions | Mapping[str, Any],
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.FilePaged:
        """Files of one output directory (``'stdouterr'`` or an ``OutputDirectory`` id).

        ``JobsListOutputFilesOptions``: ``outputdirectoryid`` (required), ``directory`` ('.'),
        ``linkexpiryinminutes`` (5-600, how long each ``download_url`` works), ``max_results``
        (1-1000, the page size).  Returns a :class:`~batchai_compat.models.FilePaged`.
        """
        at = self._job(resource_group_name, workspace_name, experiment_name, job_name)
        options = prepare_model(
            "jobs_list_output_files_options",
            jobs_list_output_files_options,
            _models.JobsListOutputFilesOptions,
        )
        parameter = "jobs_list_output_files_options"
        if not isinstance(options.outputdirectoryid, str) or not options.outputdirectoryid:
            raise request_error(f"{parameter}.outputdirectoryid", "is required (a non-empty str)")
        if options.directory is not None and not isinstance(options.directory, str):
            raise request_error(f"{parameter}.directory", "must be a str")
        check_int_range(
            f"{parameter}.linkexpiryinminutes",
            options.linkexpiryinminutes,
            LINK_EXPIRY_MINUTES_RANGE,
        )
        page_size = check_int_range(
            f"{parameter}.max_results", options.max_results, MAX_RESULTS_RANGE
        )
        return self._paged(
            _models.FilePaged,
            at.joinpath("listOutputFiles"),
            self._backend.list_output_files,
            options,
            page_size=page_size,
            raw=raw,
            method="POST",
            outputdirectoryid=options.outputdirectoryid,
            directory=options.directory,
            linkexpiryinminutes=options.linkexpiryinminutes,
        )

    @legacy_call_shape("resource_group_name", "job_name", experiment=True)
    def list_remote_login_information(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.RemoteLoginInformationPaged:
        """How to reach the nodes the job runs on, as a ``RemoteLoginInformationPaged``."""
        at = self._job(resource_group_name, workspace_name, experiment_name, job_name)
        return self._paged(
            _models.RemoteLoginInformationPaged,
            at.joinpath("listRemoteLoginInformation"),
            self._backend.list_job_remote_login_information,
            raw=raw,
            method="POST",
        )

    @overload
    def terminate(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: Literal[False] = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None]: ...
    @overload
    def terminate(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        *,
        raw: Literal[True],
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[ClientRawResponse[None]]: ...
    @overload
    def terminate(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]: ...
    @legacy_call_shape("resource_group_name", "job_name", experiment=True)
    def terminate(
        self,
        resource_group_name: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        custom_headers: Any = None,
        raw: bool = False,
        polling: Any = True,
        **operation_config: Any,
    ) -> LROPoller[None] | LROPoller[ClientRawResponse[None]]:
        """Stop a running job (it ends ``failed``, as in Batch AI); returns a poller (result None)."""
        at = self._job(resource_group_name, workspace_name, experiment_name, job_name)
        return self._long_running(
            "POST", at.joinpath("terminate"), self._backend.terminate_job, polling=polling, raw=raw
        )

    begin_terminate = terminate

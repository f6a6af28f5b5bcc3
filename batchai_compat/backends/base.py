"""The Backend protocol: the only thing the operations layer talks to.

Batch AI's REST API (2018-05-01) had seven operation groups; the operations layer
(:mod:`batchai_compat.operations`) owns their Python signatures, validation, pollers and pagers.
A backend owns the semantics: it receives already-validated arguments and *deep copies* of the
caller's parameter models (never the user's objects), and returns models from
:mod:`batchai_compat.models` with their read-only fields filled (``id``, ``name``, ``type``,
``provisioning_state``, timestamps, ...).

Failures the service reported over HTTP are raised as
:func:`batchai_compat.exceptions.cloud_error` (404 for a missing resource, 409 for a conflict,
400 for a request the service rejects).  A feature with no equivalent on a backend raises
:class:`batchai_compat.exceptions.NoEquivalentError`.

Long-running operations (11 methods in 2.0.0) are started eagerly by the operations layer, so an
operation whose poller is dropped still happens.  A backend method for one returns either the
final value, or an :class:`~batchai_compat.core.polling.Operation` whose ``result()`` blocks
until it is done.

Resource ids follow ARM (built and parsed by :mod:`batchai_compat.domain.ids`)::

    /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.BatchAI/workspaces/{ws}
        /clusters/{name} | /fileservers/{name} | /experiments/{exp}[/jobs/{job}]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..core.polling import Operation
from ..domain.ids import PROVIDER

if TYPE_CHECKING:
    from ..models import (
        Cluster,
        ClusterCreateParameters,
        Experiment,
        File,
        FileServer,
        FileServerCreateParameters,
        Job,
        JobCreateParameters,
        JobsListOutputFilesOptions,
        RemoteLoginInformation,
        ScaleSettings,
        Usage,
        Workspace,
    )
    from ..models import (
        Operation as ApiOperation,
    )

__all__ = ["PROVIDER", "Backend", "BackendConfig", "Operation"]


@runtime_checkable
class Backend(Protocol):
    """What every backend implements.  ``name`` is its registry name."""

    name: str

    # workspaces -----------------------------------------------------------------------------
    def create_workspace(
        self, resource_group: str, workspace: str, location: str, tags: dict[str, str] | None
    ) -> Workspace | Operation[Workspace]: ...
    def get_workspace(self, resource_group: str, workspace: str) -> Workspace: ...
    def update_workspace(
        self, resource_group: str, workspace: str, tags: dict[str, str] | None
    ) -> Workspace: ...
    def delete_workspace(self, resource_group: str, workspace: str) -> None | Operation[None]: ...
    def list_workspaces(self, resource_group: str | None) -> Iterable[Workspace]: ...

    # experiments ----------------------------------------------------------------------------
    def create_experiment(
        self, resource_group: str, workspace: str, experiment: str
    ) -> Experiment | Operation[Experiment]: ...
    def get_experiment(
        self, resource_group: str, workspace: str, experiment: str
    ) -> Experiment: ...
    def delete_experiment(
        self, resource_group: str, workspace: str, experiment: str
    ) -> None | Operation[None]: ...
    def list_experiments(self, resource_group: str, workspace: str) -> Iterable[Experiment]: ...

    # clusters -------------------------------------------------------------------------------
    def create_cluster(
        self, resource_group: str, workspace: str, cluster: str, parameters: ClusterCreateParameters
    ) -> Cluster | Operation[Cluster]: ...
    def update_cluster(
        self,
        resource_group: str,
        workspace: str,
        cluster: str,
        scale_settings: ScaleSettings | None,
    ) -> Cluster: ...
    def get_cluster(self, resource_group: str, workspace: str, cluster: str) -> Cluster: ...
    def delete_cluster(
        self, resource_group: str, workspace: str, cluster: str
    ) -> None | Operation[None]: ...
    def list_clusters(self, resource_group: str, workspace: str) -> Iterable[Cluster]: ...
    def list_cluster_remote_login_information(
        self, resource_group: str, workspace: str, cluster: str
    ) -> Iterable[RemoteLoginInformation]: ...

    # file servers ---------------------------------------------------------------------------
    def create_file_server(
        self,
        resource_group: str,
        workspace: str,
        file_server: str,
        parameters: FileServerCreateParameters,
    ) -> FileServer | Operation[FileServer]: ...
    def get_file_server(
        self, resource_group: str, workspace: str, file_server: str
    ) -> FileServer: ...
    def delete_file_server(
        self, resource_group: str, workspace: str, file_server: str
    ) -> None | Operation[None]: ...
    def list_file_servers(self, resource_group: str, workspace: str) -> Iterable[FileServer]: ...

    # jobs -----------------------------------------------------------------------------------
    def create_job(
        self,
        resource_group: str,
        workspace: str,
        experiment: str,
        job: str,
        parameters: JobCreateParameters,
    ) -> Job | Operation[Job]: ...
    def get_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> Job: ...
    def delete_job(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> None | Operation[None]: ...
    def terminate_job(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> None | Operation[None]: ...
    def list_jobs(self, resource_group: str, workspace: str, experiment: str) -> Iterable[Job]: ...
    def list_output_files(
        self,
        resource_group: str,
        workspace: str,
        experiment: str,
        job: str,
        options: JobsListOutputFilesOptions,
    ) -> Iterable[File]: ...
    def list_job_remote_login_information(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> Iterable[RemoteLoginInformation]: ...

    # subscription-level ---------------------------------------------------------------------
    def list_usages(self, location: str) -> Iterable[Usage]: ...
    def list_operations(self) -> Iterable[ApiOperation]: ...

    def close(self) -> None: ...


class BackendConfig(Protocol):
    """What a backend may read from the client: ``client.config``."""

    credentials: Any
    subscription_id: str
    base_url: str
    long_running_operation_timeout: int
    #: azure-core's HTTP logging switch (:mod:`batchai_compat.core.http_logging`); read with
    #: ``getattr(config, "logging_enable", False)``: embedders' configs may lack it.
    logging_enable: bool

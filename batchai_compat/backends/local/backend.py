"""``LocalBackend``: Batch AI's service, embedded — no Azure account, state on this machine.

The control plane (workspaces, experiments, clusters and their nodes, file servers, jobs,
usages, provider operations) lives in :class:`~.state.StateStore`, one SQLite file under
``BATCHAI_COMPAT_HOME`` shared by every process.  This module translates between the Backend
protocol (models in, models out) and the store (REST bodies and records), and hands jobs to the
execution layer.  One module (over 600 lines) because it is the one class answering the
protocol's 29 operations plus its seam with the executor; the state, the views and the
execution live elsewhere.

Models in, models out
---------------------
* What is persisted is the parameters' REST body without its secret values (what
  ``models.strip_secrets(parameters).serialize()`` gives) — the body the service stored.  Secrets stay
  in this process's memory only, for the executor.
* What GET returns is that body deserialized into the response model plus the read-only fields
  Batch AI computed (:mod:`.views`).

The execution seam
------------------
Jobs are committed ``queued``; then :class:`JobExecutor` ``submit`` is called with the job record
and the caller's parameters (secrets included).  ``terminate`` and ``delete`` call the executor
after the store has recorded the change.  The executor (the execution layer:
``backends/local/execution.py`` provides ``create_executor(backend)``) runs jobs through the
store's node allocation API (see :mod:`.state.store`).  Without it, jobs stay ``queued``.

Clusters
--------
Manual clusters resize to their target; auto-scale clusters follow the demand of their queued
and running jobs between minimum and maximum; transitions take the durations of the
:class:`~.scaling.ScalingPolicy` measured by a :class:`~.scaling.Clock` (tests pass a
``ManualClock``).  Node counts are limited by the core quota (``usages.list``): a cluster that
hits it stays smaller with an ``InsufficientCoreQuota`` error, as Batch AI did.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ... import models
from ...core.logs import LazyLogger
from ...domain import answers, ids
from ...domain.scale import scale_bounds
from ...domain.secrets import without_secrets
from ...domain.toolkits import chosen_toolkit
from ...exceptions import ValidationError, cloud_error
from ...home import layout
from ...models._base import rest_body
from .._transitions import TransitionLog, resource_path
from . import vm_sizes
from .platform import require_local_platform
from .scaling import Clock, ScalingPolicy
from .state import (
    DEFAULT_CORE_QUOTA,
    ClusterKey,
    ClusterRecord,
    FileServerRecord,
    JobKey,
    JobRecord,
    ScaleRequest,
    StateStore,
    WorkspaceKey,
)
from .views import (
    JobViews,
    LazyModels,
    cluster_model,
    experiment_model,
    file_server_model,
    workspace_model,
)

if TYPE_CHECKING:
    from ..base import BackendConfig

__all__ = [
    "ENV_CORE_QUOTA",
    "JobExecutor",
    "LazyModels",
    "LocalBackend",
    "QueuedJobsExecutor",
    "WorkspaceDeletion",
]

ENV_CORE_QUOTA = "BATCHAI_COMPAT_CORE_QUOTA"
"""Cores per location and VM priority the local subscription may allocate (default 1000)."""

_log = LazyLogger(__name__)  # a read imports no logging (start-up: benchmark 6)


@runtime_checkable
class JobExecutor(Protocol):
    """What runs local jobs.  Called by :class:`LocalBackend` *after* each change is committed.

    * ``submit(job, parameters)`` — a new queued job; ``parameters`` still hold the secrets the
      job needs (secret environment values, storage keys), which are in no database;
    * ``terminate(job)`` — stop the job's processes.  If its row says ``terminating`` (user
      termination, cluster deleted, ``terminate`` scale-down), finish it ``failed``; if it says
      ``queued`` (a ``requeue`` scale-down took its nodes), leave it queued to run again;
    * ``delete(job)`` — the job row is gone: stop its processes, drop what it left;
    * ``list_output_files(job, options)`` — ``jobs.list_output_files``.

    Optionally ``refresh(job) -> JobRecord``: called before an unfinished job is returned, so
    the executor can fail a job whose processes died (liveness on read); and ``changed()``:
    a cluster was created, updated or deleted (whatever runs jobs may act on it now).
    """

    def submit(self, job: JobRecord, parameters: models.JobCreateParameters) -> None: ...
    def terminate(self, job: JobRecord) -> None: ...
    def delete(self, job: JobRecord) -> None: ...
    def list_output_files(
        self, job: JobRecord, options: models.JobsListOutputFilesOptions
    ) -> Iterable[models.File]: ...
    def close(self) -> None: ...


class QueuedJobsExecutor:
    """The executor used when the execution layer is not installed: jobs stay ``queued``.

    Termination has no process to stop, so a ``terminating`` job is finished right away.
    """

    def __init__(self, backend: LocalBackend) -> None:
        self._store = backend.store

    def submit(self, job: JobRecord, parameters: models.JobCreateParameters) -> None:
        return None

    def terminate(self, job: JobRecord) -> None:
        current = self._store.get_job_by_row(job.row_id)
        if current is not None and current.execution_state == "terminating":
            self._store.finish_job(job.row_id, succeeded=False, exit_code=None)

    def delete(self, job: JobRecord) -> None:
        return None

    def list_output_files(
        self, job: JobRecord, options: models.JobsListOutputFilesOptions
    ) -> list[models.File]:
        return []  # a job that never ran wrote nothing

    def close(self) -> None:
        return None


class WorkspaceDeletion:
    """The operation ``workspaces.delete`` returns: done once the workspace is gone; waiting
    for it finishes the deletion (a poller waits in the caller's thread: ``completes_on_wait``),
    so ``delete(...).result()`` leaves nothing behind while a read in between sees
    ``deleting``, as the service showed."""

    completes_on_wait = True

    def __init__(self, store: StateStore, row_id: int) -> None:
        self._store = store
        self._row_id = row_id

    def done(self) -> bool:
        return not self._store.workspace_deleting(self._row_id)

    def result(self, timeout: float | None = None) -> None:
        self._store.purge_workspace(self._row_id)


def _stored_body(parameters: Any) -> dict[str, Any]:
    """The REST body the service stored for validated create ``parameters``: secret values
    left out (``credentials: {}``, secret variables by name), as ``strip_secrets`` then
    ``serialize`` would give, without copying the model tree first."""
    document: dict[str, Any] = without_secrets(rest_body(parameters))
    return document


def _default_executor(backend: LocalBackend) -> JobExecutor:
    module_name = f"{__package__}.execution"
    if importlib.util.find_spec(module_name) is None:
        return QueuedJobsExecutor(backend)
    module = importlib.import_module(module_name)
    executor: JobExecutor = module.create_executor(backend)
    return executor


def _core_quota_from_env() -> int:
    raw = os.environ.get(ENV_CORE_QUOTA)
    if raw is None or raw.strip() == "":
        return DEFAULT_CORE_QUOTA
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(ENV_CORE_QUOTA, "must be a non-negative integer", raw) from None
    if value < 0:
        raise ValidationError(ENV_CORE_QUOTA, "must be a non-negative integer", raw)
    return value


def _describe_scale(scale: ScaleRequest) -> str:
    """How a log record says a cluster's scale settings."""
    if scale.mode == "manual":
        return f"manual scale to {scale.initial_target} node(s)"
    return f"auto scale {scale.minimum}-{scale.maximum} node(s), starting at {scale.initial_target}"


class LocalBackend:
    """The ``local`` backend: Batch AI's control plane in SQLite, jobs as local processes.

    ``LocalBackend(config)`` is what the client builds (``config`` is ``client.config``; only
    ``subscription_id`` is read).  Keyword arguments are for tests and embedding:
    ``home`` (default ``$BATCHAI_COMPAT_HOME``), ``clock`` and ``policy`` (cluster transitions,
    see :mod:`.scaling`), ``core_quota`` (default ``$BATCHAI_COMPAT_CORE_QUOTA`` or 1000) and
    ``executor`` (a :class:`JobExecutor`, or a callable building one from the backend, such as
    ``QueuedJobsExecutor``; default: the execution layer's, else :class:`QueuedJobsExecutor`).
    """

    name = "local"

    def __init__(
        self,
        config: BackendConfig,
        *,
        home: Path | str | None = None,
        clock: Clock | None = None,
        policy: ScalingPolicy | None = None,
        core_quota: int | None = None,
        executor: JobExecutor | Callable[[LocalBackend], JobExecutor] | None = None,
    ) -> None:
        require_local_platform()  # before anything is written: see .platform
        self.config = config
        self.subscription_id = str(config.subscription_id)
        self.root = Path(home).resolve() if home is not None else layout.home()
        self.store = StateStore(
            layout.state_db_path(self.root),
            clock=clock,
            policy=policy,
            core_quota=_core_quota_from_env() if core_quota is None else core_quota,
        )
        # Parameters with their secrets, for the executor; memory only, this process only.
        self._cluster_parameters: dict[int, models.ClusterCreateParameters] = {}
        self._secrets_lock = threading.Lock()
        self._job_views = JobViews()
        self.store.on_preempted = self._stop_preempted
        self._job_states = TransitionLog(_log, "job")
        self._cluster_states = TransitionLog(_log, "cluster")
        # The executor is built on first need: reading finished jobs or any other resource
        # never imports the execution layer (its supervisor and the node runtime).
        self._executor_factory: Callable[[LocalBackend], JobExecutor]
        self._executor_instance: JobExecutor | None = None
        self._executor_lock = threading.Lock()
        if executor is None:
            self._executor_factory = _default_executor
        elif isinstance(executor, type) or not isinstance(executor, JobExecutor):
            self._executor_factory = executor  # a factory, e.g. the QueuedJobsExecutor class
        else:
            self._executor_instance = executor

    @property
    def _executor(self) -> JobExecutor:
        if self._executor_instance is None:
            with self._executor_lock:
                if self._executor_instance is None:
                    self._executor_instance = self._executor_factory(self)
        return self._executor_instance

    # helpers ---------------------------------------------------------------------------------
    def _ws(self, resource_group: str, workspace: str) -> WorkspaceKey:
        return WorkspaceKey(self.subscription_id, resource_group, workspace)

    def cluster_parameters(self, cluster_row: int) -> models.ClusterCreateParameters | None:
        """The ClusterCreateParameters cluster ``cluster_row`` was created with in *this*
        process, secrets included (node setup needs them); None otherwise."""
        with self._secrets_lock:
            return self._cluster_parameters.get(cluster_row)

    def file_server_path(self, file_server_id: str) -> Path:
        """The folder a ``FileServerReference`` to ``file_server_id`` mounts."""
        parsed = ids.parse(file_server_id)
        if parsed is None or parsed.kind != "fileservers":
            raise ValidationError("file_server.id", "must be the id of a Batch AI file server")
        record = self.store.get_file_server(
            WorkspaceKey(parsed.subscription_id, parsed.resource_group, parsed.workspace),
            parsed.name,
        )
        return self._file_server_dir(record)

    def _file_server_dir(self, record: FileServerRecord) -> Path:
        return layout.file_server_dir(
            record.workspace.resource_group, record.workspace.workspace, record.name, self.root
        )

    # workspaces ------------------------------------------------------------------------------
    def create_workspace(
        self, resource_group: str, workspace: str, location: str, tags: dict[str, str] | None
    ) -> models.Workspace:
        record = self.store.put_workspace(self._ws(resource_group, workspace), location, tags)
        _log.debug("workspace %s ready in %s", resource_path(resource_group, workspace), location)
        return workspace_model(record)

    def get_workspace(self, resource_group: str, workspace: str) -> models.Workspace:
        return workspace_model(self.store.get_workspace(self._ws(resource_group, workspace)))

    def update_workspace(
        self, resource_group: str, workspace: str, tags: dict[str, str] | None
    ) -> models.Workspace:
        return workspace_model(
            self.store.update_workspace_tags(self._ws(resource_group, workspace), tags)
        )

    def delete_workspace(self, resource_group: str, workspace: str) -> WorkspaceDeletion:
        """Its children go now; the workspace shows ``deleting`` until a read has seen it or the
        returned operation is waited for (see :mod:`.state.workspaces`)."""
        record, jobs, file_servers = self.store.delete_workspace(
            self._ws(resource_group, workspace)
        )
        self._after_jobs_deleted(jobs)
        for server in file_servers:
            _remove_tree(self._file_server_dir(server))
        return WorkspaceDeletion(self.store, record.row_id)

    def list_workspaces(self, resource_group: str | None) -> list[models.Workspace]:
        return [
            workspace_model(record)
            for record in self.store.list_workspaces(self.subscription_id, resource_group)
        ]

    # experiments -----------------------------------------------------------------------------
    def create_experiment(
        self, resource_group: str, workspace: str, experiment: str
    ) -> models.Experiment:
        return experiment_model(
            self.store.put_experiment(self._ws(resource_group, workspace), experiment)
        )

    def get_experiment(
        self, resource_group: str, workspace: str, experiment: str
    ) -> models.Experiment:
        return experiment_model(
            self.store.get_experiment(self._ws(resource_group, workspace), experiment)
        )

    def delete_experiment(self, resource_group: str, workspace: str, experiment: str) -> None:
        jobs = self.store.delete_experiment(self._ws(resource_group, workspace), experiment)
        self._after_jobs_deleted(jobs)

    def list_experiments(self, resource_group: str, workspace: str) -> list[models.Experiment]:
        return [
            experiment_model(record)
            for record in self.store.list_experiments(self._ws(resource_group, workspace))
        ]

    # clusters --------------------------------------------------------------------------------
    @staticmethod
    def _scale_request(settings: models.ScaleSettings | None, *, creating: bool) -> ScaleRequest:
        if settings is None or (settings.manual is None and settings.auto_scale is None):
            # No scale settings: a manual cluster of zero nodes.
            manual = models.ManualScaleSettings(target_node_count=0)
            settings = models.ScaleSettings(manual=manual)
        bounds = scale_bounds(settings, "scale_settings")
        assert bounds is not None
        body = settings.serialize()
        if bounds.mode == "manual":
            return ScaleRequest(
                "manual",
                bounds.initial,
                deallocation_option=bounds.deallocation_option or "requeue",
                rest_body=body,
            )
        initial = bounds.initial if creating else bounds.minimum
        return ScaleRequest(
            "auto",
            max(bounds.minimum, min(bounds.maximum, initial)),
            minimum=bounds.minimum,
            maximum=bounds.maximum,
            rest_body=body,
        )

    def _cluster(self, record: ClusterRecord) -> models.Cluster:
        cluster = cluster_model(record)
        self._cluster_states.seen(
            record.row_id,
            resource_path(record.workspace.resource_group, record.workspace.workspace, record.name),
            f"{record.allocation_state} ({record.current_node_count} nodes)",
        )
        return cluster

    def create_cluster(
        self,
        resource_group: str,
        workspace: str,
        cluster: str,
        parameters: models.ClusterCreateParameters,
    ) -> models.Cluster:
        scale = self._scale_request(parameters.scale_settings, creating=True)
        priority = parameters.vm_priority
        vm_priority = str(getattr(priority, "value", priority) or "dedicated")
        record, created = self.store.put_cluster(
            ClusterKey(self.subscription_id, resource_group, workspace, cluster),
            _stored_body(parameters),
            vm_size=parameters.vm_size,
            vm_priority=vm_priority,
            scale=scale,
        )
        if created:
            with self._secrets_lock:
                self._cluster_parameters[record.row_id] = parameters
            _log.info(
                "cluster %s created: %s, %s, %s",
                resource_path(resource_group, workspace, cluster), parameters.vm_size,
                vm_priority, _describe_scale(scale),
            )  # fmt: skip
            self._cluster_changed()
        else:
            _log.debug(
                "cluster %s exists with these parameters",
                resource_path(resource_group, workspace, cluster),
            )
        return self._cluster(record)

    def update_cluster(
        self,
        resource_group: str,
        workspace: str,
        cluster: str,
        scale_settings: models.ScaleSettings | None,
    ) -> models.Cluster:
        key = ClusterKey(self.subscription_id, resource_group, workspace, cluster)
        if scale_settings is None:
            return self._cluster(self.store.get_cluster(key))
        scale = self._scale_request(scale_settings, creating=False)
        record = self.store.rescale_cluster(key, scale)
        _log.info(
            "cluster %s rescaled: %s",
            resource_path(resource_group, workspace, cluster), _describe_scale(scale),
        )  # fmt: skip
        self._cluster_changed()
        return self._cluster(record)

    def get_cluster(self, resource_group: str, workspace: str, cluster: str) -> models.Cluster:
        key = ClusterKey(self.subscription_id, resource_group, workspace, cluster)
        return self._cluster(self.store.get_cluster(key))

    def delete_cluster(self, resource_group: str, workspace: str, cluster: str) -> None:
        key = ClusterKey(self.subscription_id, resource_group, workspace, cluster)
        row_id = self.store.get_cluster(key, report=False).row_id
        stopped = self.store.delete_cluster(key)
        with self._secrets_lock:
            self._cluster_parameters.pop(row_id, None)
        self._cluster_states.forget(row_id)
        _log.info(
            "cluster %s deleted%s",
            resource_path(resource_group, workspace, cluster),
            f"; stopping its {len(stopped)} running job(s)" if stopped else "",
        )
        for job in stopped:
            self._executor.terminate(job)
        self._cluster_changed()

    def list_clusters(self, resource_group: str, workspace: str) -> list[models.Cluster]:
        return [
            self._cluster(record)
            for record in self.store.list_clusters(self._ws(resource_group, workspace))
        ]

    def list_cluster_remote_login_information(
        self, resource_group: str, workspace: str, cluster: str
    ) -> list[models.RemoteLoginInformation]:
        key = ClusterKey(self.subscription_id, resource_group, workspace, cluster)
        record = self.store.get_cluster(key, report=False)
        return [
            models.RemoteLoginInformation.from_service(
                node_id=node.node_id, ip_address=node.ip_address, port=float(node.port)
            )
            for node in record.nodes
            if node.state != "leaving"
        ]

    # file servers ----------------------------------------------------------------------------
    def create_file_server(
        self,
        resource_group: str,
        workspace: str,
        file_server: str,
        parameters: models.FileServerCreateParameters,
    ) -> models.FileServer:
        # Checks the names make single path segments before anything is stored.
        layout.file_server_dir(resource_group, workspace, file_server, self.root)
        record, _ = self.store.put_file_server(
            self._ws(resource_group, workspace), file_server, _stored_body(parameters)
        )
        self._file_server_dir(record).mkdir(parents=True, exist_ok=True)
        return file_server_model(record)

    def get_file_server(
        self, resource_group: str, workspace: str, file_server: str
    ) -> models.FileServer:
        record = self.store.get_file_server(self._ws(resource_group, workspace), file_server)
        return file_server_model(record)

    def delete_file_server(self, resource_group: str, workspace: str, file_server: str) -> None:
        record = self.store.delete_file_server(self._ws(resource_group, workspace), file_server)
        _remove_tree(self._file_server_dir(record))

    def list_file_servers(self, resource_group: str, workspace: str) -> list[models.FileServer]:
        return [
            file_server_model(record)
            for record in self.store.list_file_servers(self._ws(resource_group, workspace))
        ]

    # jobs ------------------------------------------------------------------------------------
    def _job(self, record: JobRecord) -> models.Job:
        # Liveness on read: an unfinished job whose supervisor died is failed now (execution
        # layer), so no job stays ``running`` forever.
        if record.execution_state in ("queued", "running", "terminating"):
            refresh = getattr(self._executor, "refresh", None)
            if refresh is not None:
                record = refresh(record)
        self._job_states.seen(
            record.row_id,
            resource_path(
                record.workspace.resource_group, record.workspace.workspace, record.experiment,
                record.name,
            ),
            record.execution_state,
        )  # fmt: skip
        return self._job_views.job(record)

    def create_job(
        self,
        resource_group: str,
        workspace: str,
        experiment: str,
        job: str,
        parameters: models.JobCreateParameters,
    ) -> models.Job:
        priority = parameters.scheduling_priority
        record, created = self.store.put_job(
            JobKey(self.subscription_id, resource_group, workspace, experiment, job),
            _stored_body(parameters),
            cluster_id=parameters.cluster.id,
            node_count=int(parameters.node_count),
            scheduling_priority=str(getattr(priority, "value", priority) or "normal"),
            tool_type=chosen_toolkit(parameters)[0].tool_type,
        )
        name = resource_path(resource_group, workspace, experiment, job)
        if created:
            self._executor.submit(record, parameters)
            _log.info(
                "job %s submitted: %s toolkit, %d node(s) of cluster %s",
                name, record.tool_type, record.node_count, parameters.cluster.id.rsplit("/", 1)[-1],
            )  # fmt: skip
        else:
            _log.debug("job %s exists with these parameters", name)
        return self._job(record)

    def get_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> models.Job:
        key = JobKey(self.subscription_id, resource_group, workspace, experiment, job)
        return self._job(self.store.get_job(key))

    def delete_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        key = JobKey(self.subscription_id, resource_group, workspace, experiment, job)
        record = self.store.delete_job(key)
        self._executor.delete(record)
        self._job_states.forget(record.row_id)
        _log.info("job %s deleted", resource_path(resource_group, workspace, experiment, job))

    def terminate_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        key = JobKey(self.subscription_id, resource_group, workspace, experiment, job)
        before = self.store.request_termination(key)
        if before.execution_state == "running":
            self._executor.terminate(self.store.get_job(key))
        name = resource_path(resource_group, workspace, experiment, job)
        if before.execution_state in ("succeeded", "failed"):
            _log.debug("job %s already %s: nothing to terminate", name, before.execution_state)
        else:
            _log.info("job %s: termination requested (was %s)", name, before.execution_state)

    def list_jobs(
        self, resource_group: str, workspace: str, experiment: str
    ) -> Sequence[models.Job]:
        """The experiment's jobs: a snapshot of their ids, each page read when accessed (a pager
        that slices out one page reads only that page)."""
        rows = self.store.list_job_rows(self._ws(resource_group, workspace), experiment)
        return LazyModels(rows, self._load_jobs)

    def _load_jobs(self, rows: list[int]) -> dict[int, models.Job]:
        return {record.row_id: self._job(record) for record in self.store.get_jobs_by_rows(rows)}

    def list_output_files(
        self,
        resource_group: str,
        workspace: str,
        experiment: str,
        job: str,
        options: models.JobsListOutputFilesOptions,
    ) -> Iterable[models.File]:
        key = JobKey(self.subscription_id, resource_group, workspace, experiment, job)
        record = self.store.get_job(key)
        known = {"stdouterr"} | {
            str(directory.get("id", "")).lower()
            for directory in record.parameters.get("properties", {}).get("outputDirectories", [])
        }
        if str(options.outputdirectoryid).lower() not in known:
            raise cloud_error(
                400,
                "InvalidOutputDirectoryId",
                f"The job '{job}' has no output directory '{options.outputdirectoryid}'; "
                f"it has: {', '.join(sorted(known))}.",
            )
        return self._executor.list_output_files(record, options)

    def list_job_remote_login_information(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> list[models.RemoteLoginInformation]:
        key = JobKey(self.subscription_id, resource_group, workspace, experiment, job)
        record = self.store.get_job(key)
        return [
            models.RemoteLoginInformation.from_service(
                node_id=node.node_id, ip_address=node.ip_address, port=float(node.port)
            )
            for node in self.store.job_nodes(record.row_id)
        ]

    def _cluster_changed(self) -> None:
        """Tell the execution layer (optional ``changed()``): a cluster's nodes may move now,
        whether or not anyone reads it again."""
        changed = getattr(self._executor, "changed", None)
        if changed is not None:
            changed()

    def _stop_preempted(self, jobs: list[JobRecord]) -> None:
        """A scale-down took these running jobs' nodes (requeued or terminating)."""
        for job in jobs:
            self._executor.terminate(job)

    def _after_jobs_deleted(self, jobs: list[JobRecord]) -> None:
        for job in jobs:
            self._executor.delete(job)

    # subscription-level ----------------------------------------------------------------------
    def list_usages(self, location: str) -> list[models.Usage]:
        """The service's usage list for ``location`` (:func:`.domain.answers.usage_entries`):
        the core quota is the regional limit of each VM priority and of every family in it."""
        clusters, by_size = self.store.usage(self.subscription_id, location)
        cores: dict[str, dict[str, int]] = {"dedicated": {}, "lowpriority": {}}
        for (priority, size), used in by_size.items():
            family = vm_sizes.lookup(size).family
            cores[priority][family] = cores[priority].get(family, 0) + used
        quota = self.store.core_quota
        entries = answers.usage_entries(
            clusters, answers.CLUSTERS_QUOTA, cores, {"dedicated": quota, "lowpriority": quota}
        )
        return [models.Usage.from_dict(entry) for entry in entries]

    def list_operations(self) -> list[models.Operation]:
        from ..provider_operations import operation_models  # operations.list only

        return operation_models()

    def close(self) -> None:
        if self._executor_instance is not None:
            self._executor_instance.close()
        self.store.close()

    def __repr__(self) -> str:
        return f"LocalBackend(home={str(self.root)!r}, subscription_id={self.subscription_id!r})"


def _remove_tree(path: Path) -> None:
    import shutil  # on deletes only: shutil costs every reader's start-up (benchmark 6)

    shutil.rmtree(path, ignore_errors=True)

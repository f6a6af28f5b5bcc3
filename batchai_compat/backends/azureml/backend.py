"""The Azure ML v1 backend: the thin adapter that sends Batch AI requests through azureml-core.

What to send is decided elsewhere and is pure: the decisions both Azure ML backends share in
:mod:`batchai_compat.backends._azureml_common`, the azureml-core objects in :mod:`.translate`.
This module makes the SDK calls and caches what it fetched; the other pieces of the adapter are
:mod:`.auth` (credentials), :mod:`.errors` (what the service said), :mod:`.submit` and
:mod:`.compute` (jobs and clusters created once), :mod:`.run_files` (output listings) and
:mod:`._private` (every private azureml-core API, with the version it was checked on).

Mapping (Batch AI -> Azure ML v1):

* workspace (resource group, name) -> ``Workspace`` in the client's subscription;
* experiment -> ``Experiment``; job -> a run of that experiment whose id is derived from the job
  name (so ``jobs.get`` is one GET) and whose tags record the Batch AI job;
* cluster -> ``AmlCompute``; mounted volumes -> registered ``Datastore``\\ s (registered once per
  workspace and process, then reused);
* job secrets -> the workspace Key Vault, read on the node by the runtime.

Creating a cluster or a job that exists already with the same parameters returns it; with other
parameters it is ``409 Conflict`` (as on Batch AI and the local backend).  What has no
equivalent (job deletion, file servers, node setup, custom VM images...) raises
:class:`~batchai_compat.exceptions.NoEquivalentError`; ``docs/azureml.md`` lists each case.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

# This module is imported only when the azureml backend is selected (see __init__.py).
from ...domain import answers, ids
from ...exceptions import NoEquivalentError, ValidationError
from .. import _http_trace as http_trace
from .._azureml_common import clusters, jobs, naming, resources, runs, usages
from .._azureml_common.fixed_answers import FixedAnswers
from .._azureml_common.operations import PolledOperation, until_not_found
from .._azureml_common.retry import RetryPolicy
from .._transitions import TransitionLog, resource_path
from . import _private, quota, run_files, translate
from . import compute as compute_target
from .auth import azureml_auth
from .errors import describe, status_of, translate_errors
from .submit import submit_job

__all__ = ["AzureMLBackend"]

T = TypeVar("T")
_log = logging.getLogger(__name__)


class AzureMLBackend(FixedAnswers):
    """Batch AI on Azure Machine Learning (azureml-core 1.x): clusters are AmlCompute, jobs
    are ScriptRunConfig runs, mounts are Datastore mounts."""

    name = "azureml"

    def __init__(self, config: Any) -> None:
        self._config = config
        self._subscription_id: str = config.subscription_id
        self._http_logging = bool(getattr(config, "logging_enable", False))
        if self._http_logging:
            http_trace.install()
        self._job_states = TransitionLog(_log, "job")
        self._auth = azureml_auth(config.credentials, self._subscription_id)
        # seconds between polls of a long-running operation, as the Batch AI client's config said
        self._poll_interval = float(getattr(config, "long_running_operation_timeout", 30) or 30)
        self._workspaces: dict[tuple[str, str], Any] = {}
        self._experiments: dict[tuple[str, str, str], Any] = {}
        self._datastores: set[tuple[str, str, str]] = set()
        #: (resource group, workspace) -> its default datastore when that holds the storage key
        #: (lists run-history blobs), or None: file sizes are then read file by file
        self._artifact_stores: dict[tuple[str, str], Any] = {}
        #: how the requests this backend makes itself are retried (tests inject ``sleep``)
        self.retry_policy = RetryPolicy()

    def __repr__(self) -> str:  # never the credentials
        return f"AzureMLBackend(subscription_id={self._subscription_id!r})"

    # ------------------------------------------------------------------ helpers

    def _call(self, function: Callable[[], T]) -> T:
        """``function()`` (one SDK call, safe to repeat), retried while it fails transiently."""
        return self.retry_policy.call(function, describe)

    def _adopt_workspace(self, resource_group: str, ws: Any) -> Any:
        _private.own_the_retries(ws)
        self._workspaces[(resource_group, ws.name)] = ws
        return ws

    def _workspace(self, resource_group: str, workspace: str) -> Any:
        key = (resource_group, workspace)
        cached = self._workspaces.get(key)
        if cached is not None:
            return cached
        from azureml.core import Workspace

        try:
            found = self._call(
                lambda: Workspace.get(
                    workspace,
                    auth=self._auth,
                    subscription_id=self._subscription_id,
                    resource_group=resource_group,
                )
            )
        except Exception as error:
            if status_of(error) == 404:
                raise answers.not_found("workspace", workspace) from None
            raise
        return self._adopt_workspace(resource_group, found)

    def _experiment(
        self, resource_group: str, workspace: str, experiment: str, create: bool = False
    ) -> Any:
        key = (resource_group, workspace, experiment)
        cached = self._experiments.get(key)
        if cached is not None:
            return cached
        from azureml.core import Experiment

        ws = self._workspace(resource_group, workspace)
        if create:
            found = self._call(lambda: Experiment(ws, experiment))
        else:
            matches = self._call(lambda: Experiment.list(ws, experiment_name=experiment))
            if not matches:
                raise answers.not_found("experiment", experiment)
            found = matches[0]
        self._experiments[key] = found
        return found

    # ------------------------------------------------------------------ workspaces

    def _workspace_model(self, resource_group: str, ws: Any) -> Any:
        return resources.model(
            "Workspace",
            resources.workspace_fields(
                subscription_id=self._subscription_id,
                resource_group=resource_group,
                name=ws.name,
                location=ws.location,
                tags=_private.workspace_tags(ws),
                created=_private.workspace_created(ws),
                provisioning_state=_private.workspace_provisioning_state(ws),
            ),
        )

    @translate_errors("workspace")
    def create_workspace(
        self, resource_group: str, workspace: str, location: str, tags: dict[str, str] | None
    ) -> Any:
        from azureml.core import Workspace

        # Azure ML's name rule (3-33 characters) is narrower than Batch AI's (1-64)
        refused = _private.check_workspace_name(workspace)
        if refused is not None:
            raise ValidationError("workspace_name", refused)
        try:
            ws = self._workspace(resource_group, workspace)
        except Exception as error:
            if status_of(error) != 404:
                raise
            ws = Workspace.create(
                workspace,
                auth=self._auth,
                subscription_id=self._subscription_id,
                resource_group=resource_group,
                location=location,
                tags=tags,
                exist_ok=True,
                show_output=False,
            )
            self._adopt_workspace(resource_group, ws)
        return self._workspace_model(resource_group, ws)

    @translate_errors("workspace")
    def get_workspace(self, resource_group: str, workspace: str) -> Any:
        self._workspaces.pop((resource_group, workspace), None)
        return self._workspace_model(resource_group, self._workspace(resource_group, workspace))

    @translate_errors("workspace")
    def update_workspace(
        self, resource_group: str, workspace: str, tags: dict[str, str] | None
    ) -> Any:
        """Batch AI replaced the workspace's tags; the SDK's own tags are kept."""
        ws = self._workspace(resource_group, workspace)
        kept = {k: v for k, v in (ws.tags or {}).items() if k in resources.SDK_TAGS}
        self._call(lambda: ws.update(tags={**kept, **(tags or {})}))
        self._workspaces.pop((resource_group, workspace), None)
        return self._workspace_model(resource_group, self._workspace(resource_group, workspace))

    @translate_errors("workspace")
    def delete_workspace(self, resource_group: str, workspace: str) -> Any:
        """ARM deletes the Azure ML workspace (listed ``deleting`` meanwhile); the operation is
        done when the workspace is gone.  It is polled when asked or waited for: Batch AI's
        deletion, too, ran on the service whether or not the caller waited."""
        ws = self._workspace(resource_group, workspace)
        self._call(lambda: _private.start_workspace_deletion(ws))
        self._workspaces.pop((resource_group, workspace), None)

        def read() -> None:
            try:
                self._workspace(resource_group, workspace)
            finally:
                self._workspaces.pop((resource_group, workspace), None)

        return PolledOperation(
            translate_errors("workspace")(until_not_found(read, status_of)),
            self._poll_interval,
            completes_on_wait=True,
        )

    @translate_errors("workspace")
    def list_workspaces(self, resource_group: str | None) -> list[Any]:
        from azureml.core import Workspace

        found = self._call(
            lambda: Workspace.list(
                self._subscription_id, auth=self._auth, resource_group=resource_group
            )
        )
        result = []
        for _, items in sorted(found.items()):
            for ws in items:
                result.append(self._workspace_model(ws.resource_group, ws))
        return result

    # ------------------------------------------------------------------ experiments

    def _experiment_model(self, resource_group: str, workspace: str, experiment: Any) -> Any:
        return resources.model(
            "Experiment",
            resources.experiment_fields(
                subscription_id=self._subscription_id,
                resource_group=resource_group,
                workspace=workspace,
                name=experiment.name,
                created=_private.experiment_created(experiment),
            ),
        )

    @translate_errors("experiment")
    def create_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        found = self._experiment(resource_group, workspace, experiment, create=True)
        return self._experiment_model(resource_group, workspace, found)

    @translate_errors("experiment")
    def get_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        self._experiments.pop((resource_group, workspace, experiment), None)
        found = self._experiment(resource_group, workspace, experiment)
        return self._experiment_model(resource_group, workspace, found)

    @translate_errors("experiment")
    def delete_experiment(self, resource_group: str, workspace: str, experiment: str) -> None:
        found = self._experiment(resource_group, workspace, experiment)
        self._call(found.archive)  # Azure ML v1 deletes only empty experiments; archiving hides any
        self._experiments.pop((resource_group, workspace, experiment), None)
        return None

    @translate_errors("experiment")
    def list_experiments(self, resource_group: str, workspace: str) -> list[Any]:
        from azureml.core import Experiment

        ws = self._workspace(resource_group, workspace)
        found = self._call(lambda: Experiment.list(ws))
        return [self._experiment_model(resource_group, workspace, e) for e in found]

    # ------------------------------------------------------------------ clusters

    def _cluster_id(self, resource_group: str, workspace: str, cluster: str) -> str:
        return ids.child_id(self._subscription_id, resource_group, workspace, "clusters", cluster)

    def _compute(self, resource_group: str, workspace: str, cluster: str) -> Any:
        compute = self._find_compute(resource_group, workspace, cluster)
        if compute is None:
            raise answers.not_found("cluster", cluster)
        return compute

    def _find_compute(self, resource_group: str, workspace: str, cluster: str) -> Any | None:
        """The AmlCompute named ``cluster`` (None: there is none), read with retries."""
        ws = self._workspace(resource_group, workspace)
        return self._call(lambda: compute_target.find(ws, cluster))

    def _cluster_model(self, resource_group: str, workspace: str, compute: Any) -> Any:
        fields = translate.cluster_fields(
            compute, self._cluster_id(resource_group, workspace, compute.name)
        )
        return resources.model("Cluster", fields)

    @translate_errors("cluster")
    def create_cluster(
        self, resource_group: str, workspace: str, cluster: str, parameters: Any
    ) -> Any:
        """Create the AmlCompute, or return the existing one when it was created with the same
        parameters (a repeated create, or a create whose reply was lost): :mod:`.compute`."""
        request = clusters.cluster_request(parameters, self._subscription_id, self.name)
        config = translate.compute_configuration(request)
        ws = self._workspace(resource_group, workspace)
        cluster_id = self._cluster_id(resource_group, workspace, cluster)
        existing = self._find_compute(resource_group, workspace, cluster)
        if existing is not None:
            compute = compute_target.same_or_conflict(existing, request, cluster_id, workspace)
        else:
            compute = self._call(
                lambda: compute_target.create(ws, cluster, request, config, cluster_id)
            )
            _log.info(
                "cluster %s: AmlCompute %r requested (%s)",
                resource_path(resource_group, workspace, cluster), cluster, request.vm_size,
            )  # fmt: skip

        def poll() -> tuple[bool, Any]:
            self._call(compute.refresh_state)
            state = (compute.provisioning_state or "").lower()
            if state in ("succeeded", "failed", "canceled"):
                return True, self._cluster_model(resource_group, workspace, compute)
            return False, None

        return PolledOperation(translate_errors("cluster")(poll), self._poll_interval)

    @translate_errors("cluster")
    def update_cluster(
        self, resource_group: str, workspace: str, cluster: str, scale_settings: Any
    ) -> Any:
        compute = self._compute(resource_group, workspace, cluster)
        if scale_settings is not None:
            current = getattr(getattr(compute, "scale_settings", None), "maximum_node_count", None)
            min_nodes, max_nodes = clusters.update_scale(scale_settings, current)
            self._call(lambda: compute.update(min_nodes=min_nodes, max_nodes=max_nodes))
            self._call(compute.refresh_state)
        return self._cluster_model(resource_group, workspace, compute)

    @translate_errors("cluster")
    def get_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        return self._cluster_model(
            resource_group, workspace, self._compute(resource_group, workspace, cluster)
        )

    @translate_errors("cluster")
    def delete_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        compute = self._compute(resource_group, workspace, cluster)
        self._call(compute.delete)
        gone = until_not_found(lambda: self._compute(resource_group, workspace, cluster), status_of)
        return PolledOperation(gone, self._poll_interval)

    @translate_errors("cluster")
    def list_clusters(self, resource_group: str, workspace: str) -> list[Any]:
        from azureml.core.compute import AmlCompute, ComputeTarget

        ws = self._workspace(resource_group, workspace)
        return [
            self._cluster_model(resource_group, workspace, c)
            for c in self._call(lambda: ComputeTarget.list(ws))
            if isinstance(c, AmlCompute)
        ]

    @translate_errors("cluster")
    def list_cluster_remote_login_information(
        self, resource_group: str, workspace: str, cluster: str
    ) -> list[Any]:
        compute = self._compute(resource_group, workspace, cluster)
        return [
            resources.model("RemoteLoginInformation", resources.remote_login_fields(node))
            for node in self._call(compute.list_nodes) or ()
        ]

    # ------------------------------------------------------------------ file servers

    @translate_errors("workspace")
    def _require_workspace(self, resource_group: str, workspace: str) -> None:
        """For the file servers of :class:`FixedAnswers`: a missing workspace is a 404."""
        self._workspace(resource_group, workspace)

    # ------------------------------------------------------------------ jobs

    def _ensure_datastores(
        self, resource_group: str, workspace: str, specs: Iterable[jobs.DatastoreSpec]
    ) -> None:
        """Register each mounted container/share as a Datastore once per workspace and process.

        One request per datastore (retried while it fails transiently): a create, or on
        "already exists" an update that refreshes the account key (Batch AI jobs carried the key
        each time, so a rotated key keeps working).
        """
        for spec in specs:
            key = (resource_group, workspace, spec.name)
            if key in self._datastores:
                continue
            self._call(
                functools.partial(
                    _private.register_datastore, self._workspace(resource_group, workspace), spec
                )
            )
            self._datastores.add(key)
            _log.debug("datastore %r registered in workspace %s", spec.name, workspace)

    @translate_errors("job")
    def create_job(
        self, resource_group: str, workspace: str, experiment: str, job: str, parameters: Any
    ) -> Any:
        cluster = jobs.compute_name(
            parameters, self._subscription_id, resource_group, workspace, self.name
        )
        submission = translate.job_submission(
            parameters,
            job_name=job,
            experiment=experiment,
            cluster_name=cluster,
            job_uuid=str(uuid.uuid4()),
            identity={
                "subscription": self._subscription_id,
                "resource_group": resource_group,
                "workspace": workspace,
            },
        )
        exp = self._experiment(resource_group, workspace, experiment)  # 404 if missing, as Batch AI
        self._ensure_datastores(resource_group, workspace, submission.datastores)
        run, tags = submit_job(
            self._workspace(resource_group, workspace),
            exp,
            submission,
            naming.run_id(experiment, job),
            self.retry_policy,
        )
        _log.info(
            "job %s submitted as Azure ML run %r on compute %r",
            resource_path(resource_group, workspace, experiment, job), run.id, cluster,
        )  # fmt: skip
        return self._job_model(resource_group, workspace, experiment, run, tags)

    def _job_model(
        self,
        resource_group: str,
        workspace: str,
        experiment: str,
        run: Any,
        tags: dict[str, str] | None = None,
    ) -> Any:
        """A Batch AI ``Job`` from the run as last fetched (no extra request)."""
        details = _private.run_details(run)
        fields = translate.job_fields(
            details,
            subscription_id=self._subscription_id,
            resource_group=resource_group,
            workspace=workspace,
            experiment=experiment,
            run_id=run.id,
            tags=tags,
        )
        self._job_states.seen(
            (resource_group, workspace, experiment, fields["name"]),
            resource_path(resource_group, workspace, experiment, fields["name"]),
            f"{fields['execution_state']} (Azure ML: {details.get('status')})",
        )
        return resources.model("Job", fields)

    def _run(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        from azureml.core import Run

        exp = self._experiment(resource_group, workspace, experiment)
        try:
            return self._call(lambda: Run(exp, naming.run_id(experiment, job)))
        except Exception as error:
            if status_of(error) == 404:
                raise answers.not_found("job", job) from None
            raise

    @translate_errors("job")
    def get_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        return self._job_model(
            resource_group,
            workspace,
            experiment,
            self._run(resource_group, workspace, experiment, job),
        )

    def delete_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        raise NoEquivalentError(
            "jobs.delete",
            self.name,
            "Azure ML keeps every run in the experiment's history and cannot delete it; use "
            "jobs.terminate to stop the job and submit under a new job name.",
        )

    @translate_errors("job")
    def terminate_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        run = self._run(resource_group, workspace, experiment, job)
        if runs.execution_state(self._call(run.get_status)) not in ("succeeded", "failed"):
            self._call(lambda: _private.cancel_run(run))
        return None

    @translate_errors("job")
    def list_jobs(self, resource_group: str, workspace: str, experiment: str) -> list[Any]:
        exp = self._experiment(resource_group, workspace, experiment)
        return [
            self._job_model(resource_group, workspace, experiment, run)
            for run in self._call(lambda: list(exp.get_runs()))
            if naming.TAG_JOB_NAME in (run.tags or {})
        ]

    def _artifact_store(self, resource_group: str, workspace: str) -> Any:
        key = (resource_group, workspace)
        if key not in self._artifact_stores:
            try:
                store = run_files.keyed_default_datastore(
                    self._workspace(resource_group, workspace)
                )
            except Exception:  # no default datastore, or no right to read its credential
                store = None
            self._artifact_stores[key] = store
        return self._artifact_stores[key]

    @translate_errors("job")
    def list_output_files(
        self, resource_group: str, workspace: str, experiment: str, job: str, options: Any
    ) -> list[Any]:
        """Run-history files of the job with SAS download URLs, under Batch AI's names.

        ``stdouterr`` maps run-history log names to Batch AI's; an output directory id lists
        ``outputs/<ID>/``.  One request lists every file with its SAS URL; sizes and times come
        from one List Blobs of the workspace storage (see :mod:`.run_files`).  A directory's
        ``last_modified`` is its newest file's, as the files are all Blob storage keeps (None
        when sizes are read file by file).
        """
        run = self._run(resource_group, workspace, experiment, job)
        listed = self._call(lambda: _private.run_artifact_urls(run))
        store = self._artifact_store(resource_group, workspace)
        fields, store_served = run_files.listing(listed, options, store, self.retry_policy)
        if store is not None and not store_served:
            self._artifact_stores[(resource_group, workspace)] = None  # the key is refused
        return [resources.model("File", item) for item in fields]

    @translate_errors("job")
    def list_job_remote_login_information(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> list[Any]:
        run = self._run(resource_group, workspace, experiment, job)
        target = self._call(run.get_details).get("target")
        if not target:
            return []
        compute = self._compute(resource_group, workspace, target)
        nodes = self._call(compute.list_nodes) or ()
        return [
            resources.model("RemoteLoginInformation", resources.remote_login_fields(node))
            for node in nodes
            if node.get("runId") == run.id
        ]

    # ------------------------------------------------------------------ subscription level

    @translate_errors("usage")
    def list_usages(self, location: str) -> list[Any]:
        """The subscription's Azure ML quota in ``location`` (the REST list
        ``AmlCompute.list_usages`` reads, which needs no workspace), as Batch AI's usages."""
        entries = self._call(
            lambda: quota.usage_entries(self._auth, self._subscription_id, location)
        )
        from ... import models

        return [models.Usage.from_dict(entry) for entry in usages.batchai_usages(entries)]

    def close(self) -> None:
        self._workspaces.clear()
        self._experiments.clear()

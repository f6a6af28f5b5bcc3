"""The Azure ML v2 backend: Batch AI's calls on azure-ai-ml, decided here, sent by adapters.

Each Backend method decides what Batch AI's call means on Azure ML v2 and in which order things
happen (what must exist first, what makes a repeated call find its earlier effect, when a job's
secrets may go); what to send is built by :mod:`.translate` (pure documents) and
:mod:`.entities`, sent by :mod:`.service` (the one adapter over azure-ai-ml), and the answers
become Batch AI models in :mod:`.responses`.  Failures are ``CloudError``\\ s with the service's
status, code and message (:mod:`.errors`).

Mapping (Batch AI -> Azure ML v2):

* workspace -> ``ml_client.workspaces`` (subscription from the client); a deletion sends the
  ARM DELETE alone and reads the workspace (``deleting``) until it is gone;
* cluster -> ``AmlCompute`` (``ml_client.compute``); allocation state and node counts come from
  the REST object (the entity drops them); an identical ``clusters.create`` returns the cluster;
* experiment -> ``experiment_name`` of the jobs, remembered as a marker blob
  ``batchai/experiments/<name>`` in the workspace's default datastore (Azure ML v2 has no
  experiment resource to create);
* job -> a command job named from the Batch AI names (``jobs.get`` is one GET; a resubmission
  after a lost reply finds its job); ``jobs.delete`` archives it;
* mounted volumes -> registered datastores (once per workspace and process); outputs and logs
  -> folders of the workspace's default datastore, listed with SAS download URLs;
* job secrets -> the workspace Key Vault, read on the node with the job's token, deleted with
  the job (and only when no job of the call holds them).

What has no equivalent raises :class:`~batchai_compat.exceptions.NoEquivalentError`;
``docs/azureml-v2.md`` lists each case.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from ...domain import answers
from ...domain.paths import output_path_segment
from ...exceptions import ValidationError, cloud_error
from .. import _http_trace as http_trace
from .._azureml_common import jobs, submission, usages
from .._azureml_common.credentials import token_credential
from .._azureml_common.fixed_answers import FixedAnswers
from .._azureml_common.naming import TAG_EXPERIMENT, TAG_JOB_UUID
from .._azureml_common.operations import PolledOperation, until_not_found
from .._azureml_common.retry import RetryPolicy
from .._transitions import TransitionLog, resource_path
from . import responses, translate
from .errors import describe, status_of, translate_errors
from .pollers import Finished, SdkOperation
from .service import AzureMLService

__all__ = ["AzureMLV2Backend"]

_log = logging.getLogger(__name__)

#: Azure ML's workspace name rule (narrower than Batch AI's 1-64 characters).
_WORKSPACE_NAME = re.compile(r"^[a-zA-Z0-9][\w-]{2,32}$")
#: Execution states after which a job holds nothing on the cluster.
_ENDED = ("succeeded", "failed")


class AzureMLV2Backend(FixedAnswers):
    """Batch AI calls on Azure Machine Learning through azure-ai-ml (``backend="azureml-v2"``)."""

    name = "azureml-v2"

    def __init__(self, config: Any) -> None:
        self._subscription_id: str = config.subscription_id
        credential = token_credential(config.credentials, self.name, switch_resource=True)
        self._service = AzureMLService(credential, self._subscription_id)
        self._http_logging = bool(getattr(config, "logging_enable", False))
        if self._http_logging:
            http_trace.install()  # azure-core's RequestsTransport sends through requests
        self._job_states = TransitionLog(_log, "job")
        #: seconds between the GETs of a workspace being deleted, when waited for
        self._poll_interval = float(getattr(config, "long_running_operation_timeout", 30) or 30)

    def __repr__(self) -> str:  # never the credentials
        return f"AzureMLV2Backend(subscription_id={self._subscription_id!r})"

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retries of the requests the SDKs do not retry themselves (see :mod:`.service`)."""
        return self._service.retry_policy

    def close(self) -> None:
        self._service.close()

    # ------------------------------------------------------------------ workspaces

    def _workspace_model(self, resource_group: str, rest: dict[str, Any]) -> Any:
        return responses.workspace(self._subscription_id, resource_group, rest)

    @translate_errors("workspace")
    def create_workspace(
        self, resource_group: str, workspace: str, location: str, tags: dict[str, str] | None
    ) -> Any:
        if not _WORKSPACE_NAME.match(workspace):
            raise ValidationError(
                "workspace_name",
                "Azure ML workspace names have 3-33 characters: a letter or digit, then letters, "
                "digits, '-' or '_'",
                workspace,
            )
        try:
            return self._workspace_model(
                resource_group, self._service.workspace_rest(resource_group, workspace)
            )
        except Exception as error:
            if status_of(error) != 404:
                raise
        poller = self._service.begin_create_workspace(
            resource_group, workspace, location, dict(tags or {})
        )
        return SdkOperation(
            poller,
            lambda _: self.get_workspace(resource_group, workspace),
            "workspace",
        )

    @translate_errors("workspace")
    def get_workspace(self, resource_group: str, workspace: str) -> Any:
        return self._workspace_model(
            resource_group, self._service.workspace_rest(resource_group, workspace)
        )

    @translate_errors("workspace")
    def update_workspace(
        self, resource_group: str, workspace: str, tags: dict[str, str] | None
    ) -> Any:
        """Batch AI replaced the workspace's tags."""
        self._service.set_workspace_tags(resource_group, workspace, dict(tags or {}))
        return self.get_workspace(resource_group, workspace)

    @translate_errors("workspace")
    def delete_workspace(self, resource_group: str, workspace: str) -> Any:
        """ARM deletes the Azure ML workspace (listed ``deleting`` meanwhile); the operation is
        done when its GET answers 404.  Only the DELETE is sent, and the operation is polled
        when asked or waited for, never on a thread of azure-core's: Batch AI's deletion, too,
        ran on the service whether or not the caller waited."""
        self._service.workspace_rest(resource_group, workspace)  # 404 when missing
        self._service.start_workspace_deletion(resource_group, workspace)
        poll = until_not_found(
            lambda: self._service.workspace_rest(resource_group, workspace), status_of
        )
        return PolledOperation(
            translate_errors("workspace")(poll), self._poll_interval, completes_on_wait=True
        )

    @translate_errors("workspace")
    def list_workspaces(self, resource_group: str | None) -> list[Any]:
        return [
            self._workspace_model(resource_group or responses.group_of(rest), rest)
            for rest in self._service.workspaces_rest(resource_group)
        ]

    @translate_errors("workspace")
    def _require_workspace(self, resource_group: str, workspace: str) -> None:
        self._service.workspace_rest(resource_group, workspace)

    # ------------------------------------------------------------------ experiments

    def _experiment_model(
        self, resource_group: str, workspace: str, name: str, created: Any
    ) -> Any:
        return responses.experiment(self._subscription_id, resource_group, workspace, name, created)

    @translate_errors("experiment")
    def create_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        created = self._service.create_experiment(resource_group, workspace, experiment)
        return self._experiment_model(resource_group, workspace, experiment, created)

    @translate_errors("experiment")
    def get_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        created = self._service.experiment_created(resource_group, workspace, experiment)
        return self._experiment_model(resource_group, workspace, experiment, created)

    @translate_errors("experiment")
    def delete_experiment(self, resource_group: str, workspace: str, experiment: str) -> None:
        """Batch AI deleted an experiment with its jobs: the jobs are deleted as
        :meth:`delete_job` deletes one, then the experiment's marker (last: a delete that
        failed half-way finds the experiment and its remaining jobs when made again)."""
        self._service.experiment_created(resource_group, workspace, experiment)
        for rest in self._experiment_jobs(resource_group, workspace, experiment):
            self._archive(resource_group, workspace, rest)
        self._service.delete_experiment(resource_group, workspace, experiment)
        return None

    @translate_errors("experiment")
    def list_experiments(self, resource_group: str, workspace: str) -> list[Any]:
        self._service.workspace_rest(resource_group, workspace)
        return [
            self._experiment_model(resource_group, workspace, name, created)
            for name, created in self._service.experiments(resource_group, workspace)
        ]

    # ------------------------------------------------------------------ clusters

    def _cluster_model(self, resource_group: str, workspace: str, rest: dict[str, Any]) -> Any:
        return responses.cluster(self._subscription_id, resource_group, workspace, rest)

    def _existing_cluster(
        self, resource_group: str, workspace: str, cluster: str, document: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The compute ``cluster`` when it is the one ``document`` asks for, None when there is
        none; 409 when it is another."""
        try:
            rest = self._service.compute_rest(resource_group, workspace, cluster)
        except Exception as error:
            if status_of(error) == 404:
                return None
            raise
        if not responses.same_cluster(document, rest):
            raise cloud_error(
                409,
                "Conflict",
                f"Cluster {cluster} already exists with other parameters; delete it first or "
                "use another name.",
            )
        return rest

    @translate_errors("cluster")
    def create_cluster(
        self, resource_group: str, workspace: str, cluster: str, parameters: Any
    ) -> Any:
        """Idempotent like Batch AI: the same parameters again return the existing cluster,
        others are 409; a create whose reply was lost (or that the service failed after acting)
        finds the cluster it made."""
        document = translate.compute_document(
            parameters, cluster, self._subscription_id, with_secrets=True
        )
        found = self._existing_cluster(resource_group, workspace, cluster, document)
        if found is None:
            try:
                poller = self._service.begin_create_compute(resource_group, workspace, document)
            except Exception as error:
                failure = describe(error)
                if failure is None or not (failure.transient or failure.status == 409):
                    raise
                # the service may have acted before the failure
                found = self._existing_cluster(resource_group, workspace, cluster, document)
                if found is None:
                    raise
            else:
                _log.info(
                    "cluster %s: AmlCompute %r requested",
                    resource_path(resource_group, workspace, cluster), cluster,
                )  # fmt: skip
                return SdkOperation(
                    poller,
                    lambda _: self.get_cluster(resource_group, workspace, cluster),
                    "cluster",
                )
        return Finished(self._cluster_model(resource_group, workspace, found))

    @translate_errors("cluster")
    def update_cluster(
        self, resource_group: str, workspace: str, cluster: str, scale_settings: Any
    ) -> Any:
        rest = self._service.compute_rest(resource_group, workspace, cluster)
        if scale_settings is not None:
            current = responses.at(
                rest, "properties", "properties", "scaleSettings", "maxNodeCount"
            )
            low, high = translate.scale_update(scale_settings, current)
            self._service.resize_compute(resource_group, workspace, cluster, low, high)
            rest = self._service.compute_rest(resource_group, workspace, cluster)
        return self._cluster_model(resource_group, workspace, rest)

    @translate_errors("cluster")
    def get_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        return self._cluster_model(
            resource_group,
            workspace,
            self._service.compute_rest(resource_group, workspace, cluster),
        )

    @translate_errors("cluster")
    def delete_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        self._service.compute_rest(resource_group, workspace, cluster)  # 404 when missing
        poller = self._service.begin_delete_compute(resource_group, workspace, cluster)
        return SdkOperation(poller, lambda _: None, "cluster")

    @translate_errors("cluster")
    def list_clusters(self, resource_group: str, workspace: str) -> list[Any]:
        self._service.workspace_rest(resource_group, workspace)
        return [
            self._cluster_model(resource_group, workspace, rest)
            for rest in self._service.computes_rest(resource_group, workspace)
            if responses.at(rest, "properties", "computeType") == "AmlCompute"
        ]

    @translate_errors("cluster")
    def list_cluster_remote_login_information(
        self, resource_group: str, workspace: str, cluster: str
    ) -> list[Any]:
        self._service.compute_rest(resource_group, workspace, cluster)
        return responses.remote_logins(self._service.nodes_rest(resource_group, workspace, cluster))

    # ------------------------------------------------------------------ jobs

    def _job_model(self, resource_group: str, workspace: str, rest: dict[str, Any]) -> Any:
        found = responses.job(self._subscription_id, resource_group, workspace, rest)
        if found is None:
            raise answers.not_found("job", str(rest.get("name")))
        experiment = str(found.id).split("/experiments/")[-1].split("/jobs/")[0]
        name = resource_path(resource_group, workspace, experiment, found.name)
        status = responses.at(rest, "properties", "status")
        self._job_states.seen(name, name, f"{found.execution_state} (Azure ML: {status})")
        return found

    def _job_rest(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> dict[str, Any]:
        name = translate.azureml_job_name(experiment, job)
        rest = self._service.job_rest(resource_group, workspace, name)
        if rest is None or responses.at(rest, "properties", "isArchived"):
            # the experiment's own 404 first
            self._service.experiment_created(resource_group, workspace, experiment)
            raise answers.not_found("job", job)
        return rest

    @translate_errors("job")
    def create_job(
        self, resource_group: str, workspace: str, experiment: str, job: str, parameters: Any
    ) -> Any:
        cluster = jobs.compute_name(
            parameters, self._subscription_id, resource_group, workspace, self.name
        )
        plan = translate.job_document(
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
        document = plan.document
        document["tags"][translate.TAG_PARAMETERS] = json.dumps(
            plan.manifest["parameters"], sort_keys=True
        )
        self._service.experiment_created(resource_group, workspace, experiment, cached=True)
        self._service.ensure_datastores(resource_group, workspace, plan.datastores)
        if plan.secrets:
            self._service.store_secrets(resource_group, workspace, plan.secrets)
        try:
            rest = self._service.submit(resource_group, workspace, document)
        except Exception as error:
            rest = self._settle_submission(resource_group, workspace, plan, error)
        _log.info(
            "job %s submitted as Azure ML job %r on compute %r",
            resource_path(resource_group, workspace, experiment, job), rest.get("name"), cluster,
        )  # fmt: skip
        return self._job_model(resource_group, workspace, rest)

    def _settle_submission(
        self, resource_group: str, workspace: str, plan: translate.JobDocument, error: Exception
    ) -> dict[str, Any]:
        """After a failed job PUT: the job to return, or the error to raise.

        A refusal that made nothing (a 4xx but for a name that is taken) and a job that is not
        there: this call's secrets go and ``error`` stands.  The job under our derived name,
        when it can be read, says the rest (:func:`.._azureml_common.submission.verdict`): ours
        (the reply was lost) is adopted with its secrets; an identical earlier one is returned;
        another, or an archived one, is a 409.  When it cannot be read nothing is known: the
        secrets stay and ``error`` stands (a repeated ``jobs.create`` settles it).
        """
        document = plan.document
        failure = describe(error)
        taken = failure is not None and (
            failure.status == 409 or (failure.status == 400 and "exist" in failure.message.lower())
        )
        if failure is None or not (failure.transient or taken):
            self._drop_secrets(resource_group, workspace, plan.secrets)
            raise error
        try:
            found = self._service.job_rest(resource_group, workspace, document["name"])
        except Exception:
            raise error from None
        if found is None:
            self._drop_secrets(resource_group, workspace, plan.secrets)
            raise error
        props = found.get("properties") or {}
        verdict = submission.verdict(
            plan.manifest,
            props.get("tags"),
            submission.manifest_of_definition(props.get("environmentVariables")),
        )
        if verdict == submission.OURS:
            return found
        self._drop_secrets(resource_group, workspace, plan.secrets)
        if props.get("isArchived"):
            raise cloud_error(
                409,
                "Conflict",
                f"Job {document['display_name']} was deleted; Azure ML keeps the name of an "
                "archived job: submit under a new job name.",
            )
        if verdict == submission.IDENTICAL:
            return found
        raise cloud_error(
            409, "Conflict", f"Job {document['display_name']} already exists with other parameters."
        )

    def _drop_secrets(self, resource_group: str, workspace: str, secrets: Any) -> None:
        """Remove secrets no job holds (best effort: a leftover holds nothing of a job)."""
        if secrets:
            try:
                self._service.delete_secrets(resource_group, workspace, secrets)
            except Exception as failure:  # the call's own error is the one to report
                _log.warning("could not delete the secrets of a job that was not created: %s",
                             type(failure).__name__)  # fmt: skip

    @translate_errors("job")
    def get_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        return self._job_model(
            resource_group, workspace, self._job_rest(resource_group, workspace, experiment, job)
        )

    def _archive(self, resource_group: str, workspace: str, rest: dict[str, Any]) -> None:
        """Delete a job as far as Azure ML can: cancel it if it runs, delete its Key Vault
        secrets once it holds nothing, archive it last (a delete that failed half-way still
        finds the job when made again)."""
        props = rest.get("properties") or {}
        if translate.execution_state(props.get("status")) not in _ENDED:
            self._service.begin_cancel(resource_group, workspace, rest["name"]).result()
        manifest = submission.manifest_of_definition(props.get("environmentVariables"))
        secrets = (manifest.get("secrets") or {}).values()
        self._service.delete_secrets(resource_group, workspace, secrets)
        self._service.archive(resource_group, workspace, rest["name"])

    @translate_errors("job")
    def delete_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        """Azure ML v2 cannot delete a job: it is cancelled if running, its secrets deleted and
        it is archived (hidden from lists and ``jobs.get``).  Its name stays taken."""
        self._archive(
            resource_group, workspace, self._job_rest(resource_group, workspace, experiment, job)
        )
        return None

    @translate_errors("job")
    def terminate_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        rest = self._job_rest(resource_group, workspace, experiment, job)
        if translate.execution_state(responses.at(rest, "properties", "status")) in _ENDED:
            return None
        poller = self._service.begin_cancel(resource_group, workspace, rest["name"])
        return SdkOperation(poller, lambda _: None, "job")

    def _experiment_jobs(
        self, resource_group: str, workspace: str, experiment: str
    ) -> list[dict[str, Any]]:
        return [
            rest
            for rest in self._service.jobs_rest(resource_group, workspace, TAG_EXPERIMENT)
            if (responses.at(rest, "properties", "tags") or {}).get(TAG_EXPERIMENT) == experiment
        ]

    @translate_errors("job")
    def list_jobs(self, resource_group: str, workspace: str, experiment: str) -> list[Any]:
        self._service.experiment_created(resource_group, workspace, experiment)
        return [
            self._job_model(resource_group, workspace, rest)
            for rest in self._experiment_jobs(resource_group, workspace, experiment)
        ]

    @translate_errors("job")
    def list_output_files(
        self, resource_group: str, workspace: str, experiment: str, job: str, options: Any
    ) -> list[Any]:
        """The files of ``stdouterr`` or an output directory, from the folder of the workspace's
        default datastore the job's output was mounted from: one List Blobs (sizes and times),
        download URLs signed locally (read-only SAS, ``linkexpiryinminutes``)."""
        rest = self._job_rest(resource_group, workspace, experiment, job)
        output_id = options.outputdirectoryid
        job_uuid = (responses.at(rest, "properties", "tags") or {}).get(TAG_JOB_UUID)
        segment = output_path_segment(
            self._subscription_id, resource_group, workspace, experiment, job, str(job_uuid)
        )
        place = translate.output_place(segment, output_id)
        if place.name not in (responses.at(rest, "properties", "outputs") or {}):
            raise cloud_error(
                404, "ResourceNotFound", f"Job {job} has no output directory {output_id!r}."
            )
        expiry = datetime.now(timezone.utc) + timedelta(
            minutes=getattr(options, "linkexpiryinminutes", None) or 60
        )
        prefix = place.path + "/"
        return responses.output_files(
            self._service.blobs(resource_group, workspace, prefix),
            prefix,
            options,
            lambda blob: self._service.download_url(resource_group, workspace, blob, expiry),
        )

    @translate_errors("job")
    def list_job_remote_login_information(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> list[Any]:
        rest = self._job_rest(resource_group, workspace, experiment, job)
        compute = (
            str(responses.at(rest, "properties", "computeId") or "").rstrip("/").rsplit("/", 1)[-1]
        )
        if not compute:
            return []
        nodes = self._service.nodes_rest(resource_group, workspace, compute)
        return responses.remote_logins(nodes, rest["name"])

    # ------------------------------------------------------------------ subscription level

    @translate_errors("usage")
    def list_usages(self, location: str) -> list[Any]:
        """The subscription's Azure ML quota in ``location`` (``compute.list_usage``, a
        subscription-level list that needs no workspace), as Batch AI's usages."""
        from ... import models

        entries = [responses.usage_entry(usage) for usage in self._service.usages(location)]
        return [models.Usage.from_dict(entry) for entry in usages.batchai_usages(entries)]

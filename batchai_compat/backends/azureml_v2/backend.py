"""The Azure ML v2 backend: the thin side-effect adapter over azure-ai-ml's ``MLClient``.

What to send is decided in :mod:`.translate` (pure documents) and built by :mod:`.entities`;
this module sends it and maps the answers and errors back to Batch AI models and
:func:`~batchai_compat.exceptions.cloud_error` exceptions (status, code and the service's whole
message).

Mapping (Batch AI -> Azure ML v2):

* workspace -> ``ml_client.workspaces`` (subscription from the client);
* cluster -> ``AmlCompute`` (``ml_client.compute``); allocation state and node counts come from
  the REST object (the entity drops them);
* experiment -> ``experiment_name`` of the jobs, remembered as a marker blob
  ``batchai/experiments/<name>`` in the workspace's default datastore (Azure ML v2 has no
  experiment resource to create);
* job -> a command job named from the Batch AI names (``jobs.get`` is one GET; a resubmission
  after a lost reply finds its job); ``jobs.delete`` archives it;
* mounted volumes -> registered datastores (once per workspace and process); outputs and logs
  -> folders of the workspace's default datastore, listed with SAS download URLs;
* job secrets -> the workspace Key Vault, read on the node with the job's token, deleted with
  the job.

What has no equivalent raises :class:`~batchai_compat.exceptions.NoEquivalentError`;
``docs/azureml-v2.md`` lists each case.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

# This module is imported only when the azureml-v2 backend is selected (see __init__.py).
from azure.ai.ml import MLClient
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from ...domain import answers
from ...domain.documents import get
from ...domain.ids import workspace_id
from ...exceptions import NoEquivalentError, ValidationError, cloud_error
from .. import _http_trace as http_trace
from .._azureml_common import usages
from .._azureml_common.credentials import token_credential
from .._azureml_common.errors import translating
from .._azureml_common.naming import (
    MANIFEST_VARIABLE,
    NODE_APP_NAME,
    TAG_EXPERIMENT,
    TAG_JOB_UUID,
)
from .._transitions import TransitionLog, resource_path
from ..azureml import run_files
from . import entities, shims, translate

__all__ = ["AzureMLV2Backend"]

T = TypeVar("T")
_log = logging.getLogger(__name__)

_ARM_SCOPE = "https://management.azure.com/.default"
#: Azure ML's workspace name rule (narrower than Batch AI's 1-64 characters).
_WORKSPACE_NAME = re.compile(r"^[a-zA-Z0-9][\w-]{2,32}$")
#: Tags azure-ai-ml adds to what it creates (not the user's, not returned as Batch AI tags).
_SDK_TAGS = frozenset({"createdByToolkit"})


def _models() -> Any:
    from ... import models

    return models


def _build(model: str, data: dict[str, Any]) -> Any:
    cls = getattr(_models(), model)
    return cls.from_dict({k: v for k, v in data.items() if v is not None})


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------


def _service_error(error: BaseException, kind: str) -> Exception:
    """A CloudError with what the service said: status, error code, the whole message."""
    status = getattr(error, "status_code", None)
    if not isinstance(status, int):
        status = getattr(getattr(error, "response", None), "status_code", None)
    code = getattr(getattr(error, "error", None), "code", None)
    message = getattr(getattr(error, "error", None), "message", None) or getattr(
        error, "message", None
    )
    if not isinstance(message, str) or not message.strip():
        message = f"{type(error).__name__}: {error.args[0] if error.args else ''}"
    if not isinstance(status, int):
        # no answer from the service (connection failed, reply lost): a 503 says "try again"
        return cloud_error(
            503, "ServiceUnavailable", f"Azure ML did not answer the {kind} request: {message}"
        )
    if status == 404:
        return cloud_error(404, "ResourceNotFound", f"The {kind} was not found. {message}".strip())
    if status == 409:
        return cloud_error(409, code or "Conflict", message)
    return cloud_error(status, str(code or "AzureMLError"), message)


def _convert(error: Exception, kind: str) -> Exception:
    if type(error).__name__ in ("ValidationException", "UserErrorException"):
        # azure-ai-ml's own checks: the service would refuse it too
        return cloud_error(400, "BadRequest", str(getattr(error, "message", error)))
    return _service_error(error, kind)


def _translate_errors(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """azure-ai-ml / azure-core failures -> Batch AI CloudErrors (a 404 about the resource the
    call names is its ``<Kind>NotFound``); ours pass unchanged."""
    return translating(kind, _convert)


def _usage_rest(usage: Any) -> dict[str, Any]:
    """An azure-ai-ml ``Usage`` as its REST entry (1.35 keeps the REST model's fields under
    their REST names, ``currentValue``, and ``name`` as a dict)."""
    fields = vars(usage)

    def pick(snake: str, camel: str) -> Any:
        value = fields.get(snake)
        return fields.get(camel) if value is None else value

    return {
        "type": fields.get("type"),
        "currentValue": pick("current_value", "currentValue"),
        "limit": fields.get("limit"),
        "name": {"value": get(fields.get("name"), "value")},
    }


def _status(error: BaseException) -> int | None:
    status = getattr(error, "status_code", None)
    return status if isinstance(status, int) else None


class _Operation:
    """A started azure-core long-running operation whose result is mapped to a Batch AI model."""

    def __init__(self, poller: Any, finish: Callable[[Any], Any], kind: str) -> None:
        self._poller = poller
        self._finish = _translate_errors(kind)(finish)
        self._result = _translate_errors(kind)(poller.result)
        self._lock = threading.Lock()
        self._value: list[Any] = []
        # Waited for on the poller's thread: with the context of the call that started it
        # (logging_enable's HTTP logging).
        self._context = contextvars.copy_context()

    def done(self) -> bool:
        return bool(self._poller.done())

    def result(self, timeout: float | None = None) -> Any:
        with self._lock:
            if not self._value:
                value = self._context.copy().run(self._result, timeout)
                if not self._poller.done():
                    raise TimeoutError("the Azure ML operation did not finish in time")
                self._value.append(self._context.copy().run(self._finish, value))
            return self._value[0]


class _Done:
    """An operation that already finished (an identical resource that exists)."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def done(self) -> bool:
        return True

    def result(self, timeout: float | None = None) -> Any:
        return self._value


# --------------------------------------------------------------------------------------------
# the backend
# --------------------------------------------------------------------------------------------


class AzureMLV2Backend:
    """Batch AI calls on Azure Machine Learning through azure-ai-ml (``backend="azureml-v2"``)."""

    name = "azureml-v2"

    def __init__(self, config: Any) -> None:
        self._subscription_id: str = config.subscription_id
        self._credential = token_credential(config.credentials, self.name, switch_resource=True)
        self._http_logging = bool(getattr(config, "logging_enable", False))
        if self._http_logging:
            http_trace.install()  # azure-core's RequestsTransport sends through requests
        self._job_states = TransitionLog(_log, "job")
        self._clients: dict[tuple[str, str | None], MLClient] = {}
        self._datastores: set[tuple[str, str, str]] = set()
        #: (rg, ws) -> registered id of the node app code asset, reused by every later job
        self._code: dict[tuple[str, str], str] = {}
        #: (rg, ws, image) -> registered id of the anonymous environment of that image
        self._environments: dict[tuple[str, str, str], str] = {}
        #: (rg, ws) -> (account url, container, key) of the default datastore
        self._storage: dict[tuple[str, str], tuple[str, str, str | None]] = {}
        self._vaults: dict[tuple[str, str], str] = {}
        #: (rg, ws, experiment) -> creation time, for experiments seen in this process
        self._experiments: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the credentials
        return f"AzureMLV2Backend(subscription_id={self._subscription_id!r})"

    # ------------------------------------------------------------------ helpers

    def _ml(self, resource_group: str, workspace: str | None = None) -> MLClient:
        key = (resource_group, workspace)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = MLClient(
                    self._credential,
                    self._subscription_id,
                    resource_group,
                    workspace,
                    show_progress=False,
                )
                self._clients[key] = client
            return client

    def _ids(self, resource_group: str, workspace: str) -> str:
        return workspace_id(self._subscription_id, resource_group, workspace)

    def _workspace_rest(self, resource_group: str, workspace: str) -> dict[str, Any]:
        try:
            return shims.workspace_rest(self._ml(resource_group), resource_group, workspace)
        except ResourceNotFoundError:
            raise answers.not_found("workspace", workspace) from None

    # ------------------------------------------------------------------ workspaces

    def _workspace_model(self, resource_group: str, rest: dict[str, Any]) -> Any:
        created = (rest.get("systemData") or {}).get("createdAt")
        return _build(
            "Workspace",
            {
                "id": self._ids(resource_group, rest["name"]),
                "name": rest["name"],
                "type": "Microsoft.BatchAI/workspaces",
                "location": rest.get("location"),
                "tags": {k: v for k, v in (rest.get("tags") or {}).items() if k not in _SDK_TAGS}
                or None,
                "creation_time": created,
                "provisioning_state": "succeeded",
                "provisioning_state_transition_time": created,
            },
        )

    @_translate_errors("workspace")
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
                resource_group, self._workspace_rest(resource_group, workspace)
            )
        except Exception as error:
            if _status(error) != 404:
                raise
        from azure.ai.ml.entities import Workspace

        poller = self._ml(resource_group).workspaces.begin_create(
            Workspace(name=workspace, location=location, tags=dict(tags or {}))
        )
        return _Operation(
            poller,
            lambda _: self._workspace_model(
                resource_group, self._workspace_rest(resource_group, workspace)
            ),
            "workspace",
        )

    @_translate_errors("workspace")
    def get_workspace(self, resource_group: str, workspace: str) -> Any:
        return self._workspace_model(
            resource_group, self._workspace_rest(resource_group, workspace)
        )

    @_translate_errors("workspace")
    def update_workspace(
        self, resource_group: str, workspace: str, tags: dict[str, str] | None
    ) -> Any:
        """Batch AI replaced the workspace's tags."""
        ml = self._ml(resource_group)
        entity = ml.workspaces.get(workspace)
        entity.tags = dict(tags or {})
        ml.workspaces.begin_update(entity).result()
        return self.get_workspace(resource_group, workspace)

    @_translate_errors("workspace")
    def delete_workspace(self, resource_group: str, workspace: str) -> Any:
        self._workspace_rest(resource_group, workspace)  # 404 when missing
        poller = self._ml(resource_group).workspaces.begin_delete(
            workspace, delete_dependent_resources=False
        )
        for key in [k for k in self._clients if k == (resource_group, workspace)]:
            self._clients.pop(key, None)
        return _Operation(poller, lambda _: None, "workspace")

    @_translate_errors("workspace")
    def list_workspaces(self, resource_group: str | None) -> list[Any]:
        ml = MLClient(self._credential, self._subscription_id, resource_group, show_progress=False)
        scope = "resource_group" if resource_group else "subscription"
        result = []
        for entity in ml.workspaces.list(scope=scope):
            group = resource_group or str(entity.resource_group)
            result.append(
                self._workspace_model(
                    group, {"name": entity.name, "location": entity.location, "tags": entity.tags}
                )
            )
        return result

    # ------------------------------------------------------------------ experiments

    def _experiment_model(
        self, resource_group: str, workspace: str, name: str, created: Any
    ) -> Any:
        return _build(
            "Experiment",
            {
                "id": f"{self._ids(resource_group, workspace)}/experiments/{name}",
                "name": name,
                "type": "Microsoft.BatchAI/workspaces/experiments",
                "creation_time": created,
                "provisioning_state": "succeeded",
                "provisioning_state_transition_time": created,
            },
        )

    def _container(self, resource_group: str, workspace: str) -> Any:
        """The default datastore's container (experiment markers, job outputs and logs)."""
        from azure.storage.blob import ContainerClient

        account_url, container, key = self._default_storage(resource_group, workspace)
        return ContainerClient(account_url, container, credential=key or self._credential)

    def _default_storage(self, resource_group: str, workspace: str) -> tuple[str, str, str | None]:
        key = (resource_group, workspace)
        if key not in self._storage:
            ml = self._ml(resource_group, workspace)
            store = ml.datastores.get(translate.DEFAULT_DATASTORE, include_secrets=True)
            account_key = getattr(getattr(store, "credentials", None), "account_key", None)
            endpoint = getattr(store, "endpoint", None) or "core.windows.net"
            protocol = getattr(store, "protocol", None) or "https"
            self._storage[key] = (
                f"{protocol}://{store.account_name}.blob.{endpoint}",
                str(store.container_name),
                account_key,
            )
        return self._storage[key]

    @_translate_errors("experiment")
    def create_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        container = self._container(resource_group, workspace)
        blob = container.get_blob_client(f"{translate.EXPERIMENT_MARKERS}/{experiment}")
        try:
            properties = blob.get_blob_properties()
            created = properties.last_modified
        except ResourceNotFoundError:
            created = blob.upload_blob(b"", overwrite=True)["last_modified"]
        self._experiments[(resource_group, workspace, experiment)] = created
        return self._experiment_model(resource_group, workspace, experiment, created)

    def _experiment_created(
        self, resource_group: str, workspace: str, experiment: str, cached: bool = False
    ) -> Any:
        """The experiment's creation time (404 when it does not exist); ``cached``: an
        experiment seen in this process is taken as existing (job submissions)."""
        known = self._experiments.get((resource_group, workspace, experiment))
        if cached and known is not None:
            return known
        container = self._container(resource_group, workspace)
        try:
            blob = container.get_blob_client(f"{translate.EXPERIMENT_MARKERS}/{experiment}")
            created = blob.get_blob_properties().last_modified
        except ResourceNotFoundError:
            self._experiments.pop((resource_group, workspace, experiment), None)
            raise answers.not_found("experiment", experiment) from None
        self._experiments[(resource_group, workspace, experiment)] = created
        return created

    @_translate_errors("experiment")
    def get_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        created = self._experiment_created(resource_group, workspace, experiment)
        return self._experiment_model(resource_group, workspace, experiment, created)

    @_translate_errors("experiment")
    def delete_experiment(self, resource_group: str, workspace: str, experiment: str) -> None:
        """Batch AI deleted an experiment with its jobs: the jobs are archived (and their
        secrets deleted), then the experiment's marker."""
        self._experiment_created(resource_group, workspace, experiment)
        for rest in self._experiment_jobs(resource_group, workspace, experiment):
            self._archive(resource_group, workspace, rest)
        self._container(resource_group, workspace).delete_blob(
            f"{translate.EXPERIMENT_MARKERS}/{experiment}"
        )
        self._experiments.pop((resource_group, workspace, experiment), None)
        return None

    @_translate_errors("experiment")
    def list_experiments(self, resource_group: str, workspace: str) -> list[Any]:
        self._workspace_rest(resource_group, workspace)
        container = self._container(resource_group, workspace)
        return [
            self._experiment_model(
                resource_group, workspace, blob.name.rsplit("/", 1)[1], blob.last_modified
            )
            for blob in container.list_blobs(name_starts_with=f"{translate.EXPERIMENT_MARKERS}/")
        ]

    # ------------------------------------------------------------------ clusters

    def _cluster_id(self, resource_group: str, workspace: str, cluster: str) -> str:
        return f"{self._ids(resource_group, workspace)}/clusters/{cluster}"

    def _cluster_model(self, resource_group: str, workspace: str, rest: dict[str, Any]) -> Any:
        fields = translate.cluster_fields(
            rest, self._cluster_id(resource_group, workspace, rest["name"])
        )
        return _build("Cluster", fields)

    def _compute_rest(self, resource_group: str, workspace: str, cluster: str) -> dict[str, Any]:
        try:
            return shims.compute_rest(self._ml(resource_group, workspace), cluster)
        except ResourceNotFoundError:
            self._workspace_rest(resource_group, workspace)  # a missing workspace is its own 404
            raise answers.not_found("cluster", cluster) from None

    @staticmethod
    def _same_cluster(document: dict[str, Any], rest: dict[str, Any]) -> bool:
        props = rest.get("properties") or {}
        inner = props.get("properties") or {}
        scale = inner.get("scaleSettings") or {}
        tier = (
            "low_priority"
            if str(inner.get("vmPriority", "")).lower() == "lowpriority"
            else "dedicated"
        )
        return (
            str(inner.get("vmSize", "")).lower() == str(document["size"]).lower()
            and tier == document["tier"]
            and scale.get("minNodeCount") == document["min_instances"]
            and scale.get("maxNodeCount") == document["max_instances"]
            and (rest.get("tags") or {}).get(translate.TAG_SCALE)
            == document["tags"].get(translate.TAG_SCALE)
        )

    @_translate_errors("cluster")
    def create_cluster(
        self, resource_group: str, workspace: str, cluster: str, parameters: Any
    ) -> Any:
        """Idempotent like Batch AI: the same parameters again return the existing cluster,
        others are 409; a create whose reply was lost finds the cluster it made."""
        document = translate.compute_document(
            parameters, cluster, self._subscription_id, with_secrets=True
        )
        ml = self._ml(resource_group, workspace)

        def existing() -> Any:
            try:
                rest = self._compute_rest(resource_group, workspace, cluster)
            except Exception as error:
                if _status(error) == 404:
                    return None
                raise
            if not self._same_cluster(document, rest):
                raise cloud_error(
                    409,
                    "Conflict",
                    f"Cluster {cluster} already exists with other parameters; delete it first or "
                    "use another name.",
                )
            return rest

        found = existing()
        if found is None:
            try:
                poller = ml.compute.begin_create_or_update(entities.compute(document))
                _log.info(
                    "cluster %s: AmlCompute %r requested",
                    resource_path(resource_group, workspace, cluster), cluster,
                )  # fmt: skip
            except (HttpResponseError, ConnectionError, OSError) as error:
                if isinstance(error, HttpResponseError) and _status(error) not in (
                    None,
                    409,
                    500,
                    502,
                    503,
                    504,
                ):
                    raise
                found = existing()  # the service may have acted before the failure
                if found is None:
                    raise
            else:
                return _Operation(
                    poller,
                    lambda _: self._cluster_model(
                        resource_group,
                        workspace,
                        self._compute_rest(resource_group, workspace, cluster),
                    ),
                    "cluster",
                )
        return _Done(self._cluster_model(resource_group, workspace, found))

    @_translate_errors("cluster")
    def update_cluster(
        self, resource_group: str, workspace: str, cluster: str, scale_settings: Any
    ) -> Any:
        rest = self._compute_rest(resource_group, workspace, cluster)
        if scale_settings is not None:
            ml = self._ml(resource_group, workspace)
            current = (
                ((rest.get("properties") or {}).get("properties") or {})
                .get("scaleSettings", {})
                .get("maxNodeCount")
            )
            low, high = translate.scale_update(scale_settings, current)
            compute = ml.compute.get(cluster)
            compute.min_instances, compute.max_instances = low, high
            ml.compute.begin_update(compute).result()
            rest = self._compute_rest(resource_group, workspace, cluster)
        return self._cluster_model(resource_group, workspace, rest)

    @_translate_errors("cluster")
    def get_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        return self._cluster_model(
            resource_group, workspace, self._compute_rest(resource_group, workspace, cluster)
        )

    @_translate_errors("cluster")
    def delete_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        self._compute_rest(resource_group, workspace, cluster)  # 404 when missing
        poller = self._ml(resource_group, workspace).compute.begin_delete(cluster)
        return _Operation(poller, lambda _: None, "cluster")

    @_translate_errors("cluster")
    def list_clusters(self, resource_group: str, workspace: str) -> list[Any]:
        self._workspace_rest(resource_group, workspace)
        return [
            self._cluster_model(resource_group, workspace, rest)
            for rest in shims.computes_rest(self._ml(resource_group, workspace))
            if (rest.get("properties") or {}).get("computeType") == "AmlCompute"
        ]

    def _login(
        self, resource_group: str, workspace: str, cluster: str, job: str | None = None
    ) -> list[Any]:
        nodes = shims.compute_nodes_rest(self._ml(resource_group, workspace), cluster)
        return [
            _build(
                "RemoteLoginInformation",
                {
                    "node_id": node.get("nodeId"),
                    "ip_address": node.get("publicIpAddress") or node.get("privateIpAddress"),
                    "port": node.get("port"),
                },
            )
            for node in nodes
            if job is None or node.get("runId") == job
        ]

    @_translate_errors("cluster")
    def list_cluster_remote_login_information(
        self, resource_group: str, workspace: str, cluster: str
    ) -> list[Any]:
        self._compute_rest(resource_group, workspace, cluster)
        return self._login(resource_group, workspace, cluster)

    # ------------------------------------------------------------------ file servers

    def create_file_server(
        self, resource_group: str, workspace: str, file_server: str, parameters: Any
    ) -> Any:
        raise NoEquivalentError(
            "Batch AI file servers (NFS)",
            self.name,
            "Azure ML has no managed NFS server; keep the data in an Azure file share or blob "
            "container and mount it through JobCreateParameters.mount_volumes.",
        )

    def get_file_server(self, resource_group: str, workspace: str, file_server: str) -> Any:
        raise answers.not_found("file server", file_server)

    def delete_file_server(self, resource_group: str, workspace: str, file_server: str) -> None:
        raise answers.not_found("file server", file_server)

    @_translate_errors("workspace")
    def list_file_servers(self, resource_group: str, workspace: str) -> list[Any]:
        self._workspace_rest(resource_group, workspace)
        return []

    # ------------------------------------------------------------------ jobs

    def _ensure_datastores(
        self, resource_group: str, workspace: str, specs: Iterable[translate.DatastoreSpec]
    ) -> None:
        """Register each mounted container/share as a datastore once per workspace and process
        (a PUT: a rotated account key is refreshed, as Batch AI jobs carried the key each time)."""
        pending = [s for s in specs if (resource_group, workspace, s.name) not in self._datastores]
        for spec in pending:
            if spec.account_key is None:
                raise ValidationError(
                    "mount_volumes.credentials.account_key",
                    f"is required to register datastore {spec.name!r}",
                )
        ml = self._ml(resource_group, workspace)
        for document in translate.datastore_documents(tuple(pending), with_secrets=True):
            ml.datastores.create_or_update(entities.datastore(document))
            self._datastores.add((resource_group, workspace, document["name"]))

    def _vault(self, resource_group: str, workspace: str) -> Any:
        from azure.keyvault.secrets import SecretClient

        key = (resource_group, workspace)
        if key not in self._vaults:
            rest = self._workspace_rest(resource_group, workspace)
            vault_id = (rest.get("properties") or {}).get("keyVault") or ""
            self._vaults[key] = f"https://{vault_id.rstrip('/').rsplit('/', 1)[-1]}.vault.azure.net"
        return SecretClient(self._vaults[key], self._credential)

    def _delete_secrets(self, resource_group: str, workspace: str, names: Iterable[str]) -> None:
        names = list(names)
        if not names:
            return
        vault = self._vault(resource_group, workspace)
        for name in names:
            with contextlib.suppress(ResourceNotFoundError):
                vault.begin_delete_secret(name)

    def _job_model(self, resource_group: str, workspace: str, rest: dict[str, Any]) -> Any:
        fields = translate.job_fields(rest, self._subscription_id, resource_group, workspace)
        if fields is None:
            raise answers.not_found("job", str(rest.get("name")))
        experiment, job = str(fields.get("id", "")).split("/experiments/")[-1].split("/jobs/")
        name = resource_path(resource_group, workspace, experiment, job)
        status = (rest.get("properties") or {}).get("status")
        self._job_states.seen(name, name, f"{fields.get('execution_state')} (Azure ML: {status})")
        return _build("Job", fields)

    def _job_rest(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> dict[str, Any]:
        name = translate.azureml_job_name(experiment, job)
        try:
            rest = shims.job_rest(self._ml(resource_group, workspace), name)
        except ResourceNotFoundError:
            rest = None
        if rest is None or (rest.get("properties") or {}).get("isArchived"):
            self._experiment_created(resource_group, workspace, experiment)  # 404 for it first
            raise answers.not_found("job", job)
        return rest

    @_translate_errors("job")
    def create_job(
        self, resource_group: str, workspace: str, experiment: str, job: str, parameters: Any
    ) -> Any:
        cluster_ref = getattr(getattr(parameters, "cluster", None), "id", None)
        if not cluster_ref:
            raise ValidationError("parameters.cluster.id", "is required")
        owner, found, cluster = cluster_ref.rstrip("/").rpartition("/clusters/")
        if not found:
            cluster = cluster_ref.rstrip("/").rsplit("/", 1)[-1]
        if (
            "/workspaces/" in owner
            and owner.rsplit("/workspaces/", 1)[1].lower() != workspace.lower()
        ):
            raise NoEquivalentError(
                "a job on a cluster of another workspace",
                self.name,
                "Azure ML jobs use compute of their own workspace; create the cluster in "
                f"workspace {workspace!r}.",
            )
        job_uuid = str(uuid.uuid4())
        plan = translate.job_document(
            parameters,
            job_name=job,
            experiment=experiment,
            cluster_name=cluster,
            job_uuid=job_uuid,
            identity={
                "subscription": self._subscription_id,
                "resource_group": resource_group,
                "workspace": workspace,
            },
        )
        self._experiment_created(resource_group, workspace, experiment, cached=True)
        self._ensure_datastores(resource_group, workspace, plan.datastores)
        document = plan.document
        parameters_tag = json.dumps(plan.manifest["parameters"], sort_keys=True)
        document["tags"][translate.TAG_PARAMETERS] = parameters_tag
        if plan.secrets:
            vault = self._vault(resource_group, workspace)
            for name, value in plan.secrets.items():
                vault.set_secret(name, value)
        try:
            rest = self._submit(resource_group, workspace, document)
        except BaseException as error:
            # adopt our own job when the service made it; remove the secrets only when we know
            # no job of this call holds them
            try:
                adopted, ours = self._adopt(resource_group, workspace, document, job_uuid, error)
            except Exception:  # another job holds the name: this call's secrets go
                adopted, ours = None, False
                if plan.secrets:
                    with contextlib.suppress(Exception):
                        self._delete_secrets(resource_group, workspace, plan.secrets)
                raise
            if not ours and plan.secrets:
                with contextlib.suppress(Exception):  # best effort: no job ran with them
                    self._delete_secrets(resource_group, workspace, plan.secrets)
            if adopted is None:
                raise
            rest = adopted
        _log.info(
            "job %s submitted as Azure ML job %r on compute %r",
            resource_path(resource_group, workspace, experiment, job), rest.get("name"), cluster,
        )  # fmt: skip
        return self._job_model(resource_group, workspace, rest)

    def _adopt(
        self,
        resource_group: str,
        workspace: str,
        document: dict[str, Any],
        job_uuid: str,
        error: BaseException,
    ) -> tuple[dict[str, Any] | None, bool]:
        """After a failed submission: (the job to return, whether it holds this call's secrets).

        A job of our derived name whose tags carry this call's uuid is ours (the reply was lost);
        one with the same Batch AI parameters is the same job submitted before (returned, as
        Batch AI returned an identical job); any other is a 409.  When the job cannot be read,
        nothing is known: the secrets stay (``ours`` True) and the error stands.
        """
        if (
            isinstance(error, HttpResponseError)
            and _status(error) in (400, 401, 403, 404)
            and "exist" not in str(getattr(error, "message", "")).lower()
        ):
            return None, False
        if type(error).__module__.startswith("batchai_compat") or type(error).__name__ in (
            "ValidationException",
            "UserErrorException",
        ):
            return None, False
        try:
            rest = shims.job_rest(self._ml(resource_group, workspace), document["name"])
        except ResourceNotFoundError:
            return None, False
        except Exception:
            return None, True
        tags = (rest.get("properties") or {}).get("tags") or {}
        if tags.get(TAG_JOB_UUID) == job_uuid:
            return rest, True
        if (rest.get("properties") or {}).get("isArchived"):
            raise cloud_error(
                409,
                "Conflict",
                f"Job {document['display_name']} was deleted; Azure ML keeps the name of an "
                "archived job: submit under a new job name.",
            )
        if tags.get(translate.TAG_PARAMETERS) == document["tags"][translate.TAG_PARAMETERS]:
            return rest, False
        raise cloud_error(
            409, "Conflict", f"Job {document['display_name']} already exists with other parameters."
        )

    def _submit(
        self, resource_group: str, workspace: str, document: dict[str, Any]
    ) -> dict[str, Any]:
        """``jobs.create_or_update(command(...))``; the node app code and the image's environment
        are registered by the first job of a workspace and reused by id afterwards."""
        ml = self._ml(resource_group, workspace)
        image = document["environment"]["image"]
        code = self._code.get((resource_group, workspace))
        environment = self._environments.get((resource_group, workspace, image))
        folder = None
        if code is None:
            from ..azureml.node_app import node_app

            folder = tempfile.mkdtemp(prefix="batchai_azureml_v2_")
            (Path(folder) / NODE_APP_NAME).write_bytes(node_app())
        try:
            entity = entities.job(
                document,
                code=code or str(folder),
                environment=environment or entities.environment(document),
            )
            created = ml.jobs.create_or_update(entity)
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        if isinstance(created.code, str) and created.code:
            self._code[(resource_group, workspace)] = created.code
        if isinstance(created.environment, str) and created.environment:
            self._environments[(resource_group, workspace, image)] = created.environment
        created_at = getattr(getattr(created, "creation_context", None), "created_at", None)
        return {
            "name": created.name,
            "properties": {
                "tags": dict(created.tags or {}),
                "status": created.status,
                "experimentName": created.experiment_name,
                "properties": dict(created.properties or {}),
            },
            "systemData": {"createdAt": created_at},
        }

    @_translate_errors("job")
    def get_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        return self._job_model(
            resource_group, workspace, self._job_rest(resource_group, workspace, experiment, job)
        )

    def _archive(self, resource_group: str, workspace: str, rest: dict[str, Any]) -> None:
        """Archive a job (Azure ML cannot delete jobs) and delete its Key Vault secrets."""
        ml = self._ml(resource_group, workspace)
        props = rest.get("properties") or {}
        if translate.execution_state(props.get("status")) not in ("succeeded", "failed"):
            ml.jobs.begin_cancel(rest["name"]).result()
        ml.jobs.archive(rest["name"])
        try:
            manifest = json.loads(
                (props.get("environmentVariables") or {}).get(MANIFEST_VARIABLE) or "{}"
            )
        except ValueError:
            manifest = {}
        self._delete_secrets(resource_group, workspace, (manifest.get("secrets") or {}).values())

    @_translate_errors("job")
    def delete_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        """Azure ML v2 cannot delete a job: it is cancelled if running, archived (hidden from
        lists and ``jobs.get``) and its secrets are deleted.  Its name stays taken."""
        self._archive(
            resource_group, workspace, self._job_rest(resource_group, workspace, experiment, job)
        )
        return None

    @_translate_errors("job")
    def terminate_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        rest = self._job_rest(resource_group, workspace, experiment, job)
        if translate.execution_state((rest.get("properties") or {}).get("status")) in (
            "succeeded",
            "failed",
        ):
            return None
        poller = self._ml(resource_group, workspace).jobs.begin_cancel(rest["name"])
        return _Operation(poller, lambda _: None, "job")

    def _experiment_jobs(
        self, resource_group: str, workspace: str, experiment: str
    ) -> list[dict[str, Any]]:
        return [
            rest
            for rest in shims.jobs_rest(self._ml(resource_group, workspace), tag=TAG_EXPERIMENT)
            if ((rest.get("properties") or {}).get("tags") or {}).get(TAG_EXPERIMENT) == experiment
        ]

    @_translate_errors("job")
    def list_jobs(self, resource_group: str, workspace: str, experiment: str) -> list[Any]:
        self._experiment_created(resource_group, workspace, experiment)
        return [
            self._job_model(resource_group, workspace, rest)
            for rest in self._experiment_jobs(resource_group, workspace, experiment)
        ]

    @_translate_errors("job")
    def list_output_files(
        self, resource_group: str, workspace: str, experiment: str, job: str, options: Any
    ) -> list[Any]:
        """The files of ``stdouterr`` or an output directory, from the folder of the workspace's
        default datastore the job's output was mounted from: one List Blobs (sizes and times),
        download URLs signed locally (read-only SAS, ``linkexpiryinminutes``)."""
        rest = self._job_rest(resource_group, workspace, experiment, job)
        output_id = options.outputdirectoryid
        tags = (rest.get("properties") or {}).get("tags") or {}
        segment = (
            f"{self._subscription_id}/{resource_group}/workspaces/{workspace}/experiments/"
            f"{experiment}/jobs/{job}/{tags.get(TAG_JOB_UUID)}"
        )
        place = translate.output_place(segment, output_id)
        outputs = (rest.get("properties") or {}).get("outputs") or {}
        if place.name not in outputs:
            raise cloud_error(
                404, "ResourceNotFound", f"Job {job} has no output directory {output_id!r}."
            )
        account_url, container_name, key = self._default_storage(resource_group, workspace)
        container = self._container(resource_group, workspace)
        prefix = place.path + "/"
        blobs = {
            blob.name[len(prefix) :]: blob
            for blob in container.list_blobs(name_starts_with=prefix)
            if blob.name != prefix
        }
        files = {name: run_files.RunFile(blob.name, "") for name, blob in blobs.items()}
        entries = run_files.directory_entries(
            files,
            getattr(options, "directory", None),
            getattr(options, "max_results", None) or 1000,
        )
        expiry = datetime.now(timezone.utc) + timedelta(
            minutes=getattr(options, "linkexpiryinminutes", None) or 60
        )
        by_path = {blob.name: blob for blob in blobs.values()}
        result = []
        for entry in entries:
            found = [by_path[f.path] for f in entry.files]
            times = [b.last_modified for b in found if b.last_modified is not None]
            url = None
            if not entry.is_directory:
                url = self._download_url(
                    account_url, container_name, key, entry.files[0].path, expiry
                )
            result.append(
                _build(
                    "File",
                    {
                        "name": entry.name,
                        "file_type": "directory" if entry.is_directory else "file",
                        "download_url": url,
                        "last_modified": max(times) if times else None,
                        "content_length": None if entry.is_directory else found[0].size,
                    },
                )
            )
        return result

    def _download_url(
        self, account_url: str, container: str, key: str | None, blob: str, expiry: datetime
    ) -> str:
        from azure.storage.blob import generate_blob_sas

        if key is None:
            raise NoEquivalentError(
                "download URLs for outputs on identity-based workspace storage",
                self.name,
                "give the workspace's default datastore an account key, or download the files "
                "with ml_client.jobs.download(...).",
            )
        account = account_url.split("//", 1)[1].split(".", 1)[0]
        sas = generate_blob_sas(
            account, container, blob, account_key=key, permission="r", expiry=expiry
        )
        return f"{account_url}/{container}/{quote(blob)}?{sas}"

    @_translate_errors("job")
    def list_job_remote_login_information(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> list[Any]:
        rest = self._job_rest(resource_group, workspace, experiment, job)
        compute = (
            str((rest.get("properties") or {}).get("computeId") or "")
            .rstrip("/")
            .rsplit("/", 1)[-1]
        )
        if not compute:
            return []
        return self._login(resource_group, workspace, compute, rest["name"])

    # ------------------------------------------------------------------ subscription level

    @_translate_errors("usage")
    def list_usages(self, location: str) -> list[Any]:
        """The subscription's Azure ML quota in ``location`` (``compute.list_usage``, a
        subscription-level list that needs no workspace), as Batch AI's usages."""
        with self._lock:
            client = self._clients.get(("", None))
            if client is None:
                client = MLClient(self._credential, self._subscription_id, show_progress=False)
                self._clients[("", None)] = client
        entries = [_usage_rest(usage) for usage in client.compute.list_usage(location=location)]
        return [_models().Usage.from_dict(entry) for entry in usages.batchai_usages(entries)]

    def list_operations(self) -> list[Any]:
        """The Batch AI provider's operations (static metadata, the same on every backend)."""
        from ..provider_operations import operation_models

        return operation_models()

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            close = getattr(client, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()

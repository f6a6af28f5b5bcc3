"""The Azure ML v1 backend: the thin side-effect adapter over azureml-core.

Every decision about *what* to send lives in :mod:`.translate` (pure); this module only calls
azureml-core and turns its answers and errors into Batch AI models and
:func:`~batchai_compat.exceptions.cloud_error` exceptions.

Mapping (Batch AI → Azure ML v1):

* workspace (resource group, name) → ``Workspace`` in the client's subscription;
* experiment → ``Experiment``; job → a run of that experiment whose id is derived from the job
  name (so ``jobs.get`` is one GET) and whose tags record the Batch AI job;
* cluster → ``AmlCompute``; mounted volumes → registered ``Datastore``\\ s (registered once per
  workspace and process, then reused);
* job secrets → the workspace Key Vault, read on the node by the runtime.

What has no equivalent (job deletion, file servers, node setup, custom VM images...) raises
:class:`~batchai_compat.exceptions.NoEquivalentError`; ``docs/azureml.md`` lists each case.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import functools
import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

# This module is imported only when the azureml backend is selected (see __init__.py).
from azureml.core.authentication import AbstractAuthentication

from ...core import http_logging
from ...domain import answers, ids
from ...exceptions import NoEquivalentError, ValidationError, cloud_error
from .. import _http_trace as http_trace
from .._azureml_common import clusters, errors, jobs, naming, runs, usages
from .._transitions import TransitionLog, resource_path
from . import run_files, translate
from .node_app import node_app

__all__ = ["AzureMLBackend"]

T = TypeVar("T")
_log = logging.getLogger(__name__)

_ARM = "https://management.azure.com"
_ARM_SCOPE = f"{_ARM}/.default"
#: Azure ML's usages REST API version (the list has kept its shape since Batch AI's days).
_USAGES_API_VERSION = "2022-10-01"
#: Tags azureml-core adds to what it creates (not the user's, not returned as Batch AI tags).
_SDK_TAGS = frozenset({"createdByToolkit"})


def _models() -> Any:
    from ... import models

    return models


def _build(model: str, data: dict[str, Any]) -> Any:
    """A Batch AI read model from its snake_case fields (read-only ones included)."""
    cls = getattr(_models(), model)
    return cls.from_dict({k: v for k, v in data.items() if v is not None})


# --------------------------------------------------------------------------------------------
# credentials
# --------------------------------------------------------------------------------------------


def _azureml_auth(credentials: Any, subscription_id: str) -> Any:
    """Whatever the Batch AI client was given → an azureml ``AbstractAuthentication``.

    Accepted: an azureml auth object (used as is); an azure-identity style credential
    (``get_token(scope)``); a msrestazure/msrest credential (``signed_session()`` or ``token``).
    """
    if isinstance(credentials, AbstractAuthentication):
        return credentials
    if callable(getattr(credentials, "get_token", None)) or callable(
        getattr(credentials, "signed_session", None)
    ):
        return _CredentialAuthentication(credentials, subscription_id)
    raise ValidationError(
        "credentials",
        "must be an azure-identity credential, a msrestazure credential or an azureml "
        "authentication object for the 'azureml' backend",
    )


_SubscriptionInfo = collections.namedtuple("_SubscriptionInfo", "subscription_name subscription_id")


class _CredentialAuthentication(AbstractAuthentication):
    """An azureml authentication object over a Batch AI client's credentials: an azure-identity
    credential (track 2, ``get_token``) or a msrest/msrestazure one (track 1, refreshed by
    ``signed_session()``)."""

    def __init__(self, credential: Any, subscription_id: str) -> None:
        super().__init__(cloud="AzureCloud")
        self._credential = credential
        self._subscription_id = subscription_id

    def _token(self, scope: str) -> str:
        credential = self._credential
        if callable(getattr(credential, "get_token", None)):
            return str(credential.get_token(scope).token)
        session = credential.signed_session()  # track 1 credentials hold one ARM token
        token = getattr(credential, "token", None)
        if isinstance(token, dict) and token.get("access_token"):
            return str(token["access_token"])
        header = str(session.headers.get("Authorization", ""))
        return header.split(" ", 1)[1] if " " in header else header

    def _get_arm_token(self) -> str:
        return self._token(_ARM_SCOPE)

    def _get_graph_token(self) -> str:
        return self._token("https://graph.microsoft.com/.default")

    def _get_azureml_client_token(self) -> str:
        return self._token("https://ml.azure.com/.default")

    def _get_all_subscription_ids(self) -> tuple[list[Any], str | None]:
        # The Batch AI client names its subscription; no need to list the tenant's.
        from azureml._base_sdk_common.common import fetch_tenantid_from_aad_token

        try:
            tenant = fetch_tenantid_from_aad_token(self._get_arm_token())
        except Exception:
            tenant = None
        return [_SubscriptionInfo(self._subscription_id, self._subscription_id)], tenant

    def _get_workspace(self, subscription_id: str, resource_group: str, name: str) -> None:
        return None  # use ARM


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------


def _status_of(error: BaseException) -> int | None:
    for candidate in (
        getattr(error, "status_code", None),
        getattr(getattr(error, "response", None), "status_code", None),
        getattr(getattr(error, "response", None), "status", None),
    ):
        if isinstance(candidate, int):
            return candidate
    text = str(error)
    for code in (404, 409, 400, 403):
        if f"Response Code: {code}" in text or f"status code {code}" in text.lower():
            return code
    if "NotFound" in text or "not found" in text.lower():
        return 404
    return None


def _message(error: BaseException) -> str:
    """The service's own words: azureml exceptions keep them in ``message``, not ``str()``."""
    text = getattr(error, "message", None)
    if not isinstance(text, str) or not text.strip():
        text = str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    useful = [line for line in lines if not line.endswith("Exception:")]
    return (useful or lines or [type(error).__name__])[0][:500]


def _translate_errors(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Turn azureml-core / ARM failures into Batch AI CloudErrors (404, 409, 400, others).

    A 404 of a call naming its ``kind`` (a ``cluster`` argument for ``"cluster"``...) is the
    service's ``<Kind>NotFound`` for that name.  Our own errors (validation, no-equivalent,
    already-built CloudErrors) pass unchanged.
    """

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        not_found = errors.not_found_for(function, kind)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            # A backend method logs its HTTP as its client asked; a poll keeps its caller's say.
            flag = getattr(args[0], "_http_logging", None) if args else None
            try:
                with (
                    http_logging.enabled_for(flag) if flag is not None else contextlib.nullcontext()
                ):
                    return function(*args, **kwargs)
            except Exception as error:
                if type(error).__module__.startswith("batchai_compat"):
                    raise
                status = _status_of(error)
                if status is None and type(error).__name__ == "UserErrorException":
                    status = 400  # the SDK's own validation: the service would reject it too
                if status == 404:
                    named = not_found(args, kwargs)
                    if named is not None:
                        raise named from None
                    raise cloud_error(
                        404, "ResourceNotFound", f"The {kind} was not found."
                    ) from None
                if status == 409:
                    raise cloud_error(
                        409, "Conflict", f"The {kind} conflicts with its current state."
                    ) from None
                raise cloud_error(
                    status or 500,
                    "AzureMLError",
                    f"Azure ML refused the {kind} request: {_message(error)}",
                ) from error

        return wrapper

    return decorate


# --------------------------------------------------------------------------------------------
# operations
# --------------------------------------------------------------------------------------------


class _Operation:
    """A started long-running operation; ``result()`` polls ``poll`` until it returns a value."""

    def __init__(self, poll: Callable[[], tuple[bool, Any]], interval: float) -> None:
        self._poll = poll
        # Polls run on the poller's thread: with the context of the call that started them
        # (logging_enable's HTTP logging).
        self._context = contextvars.copy_context()
        self._interval = interval
        self._done = False
        self._value: Any = None
        self._lock = threading.Lock()

    def done(self) -> bool:
        with self._lock:
            if not self._done:
                self._done, self._value = self._context.copy().run(self._poll)
            return self._done

    def result(self, timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done():
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError("the Azure ML operation did not finish in time")
            time.sleep(self._interval)
        return self._value


# --------------------------------------------------------------------------------------------
# the backend
# --------------------------------------------------------------------------------------------


_SUBMIT_LOCK = threading.Lock()


def _register_datastore(workspace: Any, spec: jobs.DatastoreSpec) -> None:
    """Register (or refresh the key of) one datastore with a single request.

    ``Datastore.register_azure_*`` would add a GET to build a Datastore object nobody uses.
    """
    from msrest.exceptions import HttpOperationError

    import azureml.data.constants as constants
    from azureml._restclient.models import AzureStorage, DataStore
    from azureml.data.datastore_client import _DatastoreClient

    storage = AzureStorage(
        account_name=spec.account_name,
        container_name=spec.container,
        endpoint=None,  # the service's defaults (core.windows.net, https), as register_* sends
        protocol=None,
        credential_type=constants.ACCOUNT_KEY,
        credential=spec.account_key,
        are_workspace_managed_identities_allowed=False,
        service_data_access_auth_identity=constants.NONE,
    )
    kind = constants.AZURE_BLOB if spec.kind == "blob" else constants.AZURE_FILE
    dto = DataStore(name=spec.name, data_store_type=kind, azure_storage_section=storage)
    client = _DatastoreClient._get_client(workspace, None, None)
    scope = (workspace.subscription_id, workspace.resource_group, workspace.name)
    try:
        client.data_stores.create(
            *scope, dto, False, False, custom_headers=_DatastoreClient._custom_headers
        )
    except HttpOperationError as error:
        if (
            error.response is None
            or error.response.status_code != 400
            or (constants.CONFLICT_MESSAGE not in str(error.message))
        ):
            raise
        client.data_stores.update(
            subscription_id=scope[0],
            resource_group_name=scope[1],
            workspace_name=scope[2],
            name=spec.name,
            dto=dto,
            create_if_not_exists=False,
            skip_validation=False,
            custom_headers=_DatastoreClient._custom_headers,
        )


class AzureMLBackend:
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
        self._auth = _azureml_auth(config.credentials, self._subscription_id)
        # seconds between polls of a long-running operation, as the Batch AI client's config said
        self._poll_interval = float(getattr(config, "long_running_operation_timeout", 30) or 30)
        self._workspaces: dict[tuple[str, str], Any] = {}
        self._experiments: dict[tuple[str, str, str], Any] = {}
        self._datastores: set[tuple[str, str, str]] = set()
        #: (resource group, workspace) -> its default datastore when that holds the storage key
        #: (lists run-history blobs), or None: file sizes are then read file by file
        self._artifact_stores: dict[tuple[str, str], Any] = {}

    def __repr__(self) -> str:  # never the credentials
        return f"AzureMLBackend(subscription_id={self._subscription_id!r})"

    # ------------------------------------------------------------------ helpers

    def _ids(self, resource_group: str, workspace: str) -> str:
        return ids.workspace_id(self._subscription_id, resource_group, workspace)

    def _workspace(self, resource_group: str, workspace: str) -> Any:
        key = (resource_group, workspace)
        cached = self._workspaces.get(key)
        if cached is not None:
            return cached
        from azureml.core import Workspace

        try:
            found = Workspace.get(
                workspace,
                auth=self._auth,
                subscription_id=self._subscription_id,
                resource_group=resource_group,
            )
        except Exception as error:
            if _status_of(error) == 404:
                raise answers.not_found("workspace", workspace) from None
            raise
        self._workspaces[key] = found
        return found

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
            found = Experiment(ws, experiment)
        else:
            matches = Experiment.list(ws, experiment_name=experiment)
            if not matches:
                raise answers.not_found("experiment", experiment)
            found = matches[0]
        self._experiments[key] = found
        return found

    # ------------------------------------------------------------------ workspaces

    def _workspace_model(self, resource_group: str, ws: Any) -> Any:
        details: dict[str, Any] = {}
        try:
            details = (
                dict(ws._workspace_autorest_object.as_dict())
                if getattr(ws, "_workspace_autorest_object", None)
                else {}
            )
        except Exception:
            details = {}
        created = details.get("creation_time")
        return _build(
            "Workspace",
            {
                "id": self._ids(resource_group, ws.name),
                "name": ws.name,
                "type": "Microsoft.BatchAI/workspaces",
                "location": ws.location,
                "tags": {k: v for k, v in ws.tags.items() if k not in _SDK_TAGS} or None
                if getattr(ws, "tags", None)
                else None,
                "creation_time": created,
                "provisioning_state": "succeeded",
                "provisioning_state_transition_time": created,
            },
        )

    @_translate_errors("workspace")
    def create_workspace(
        self, resource_group: str, workspace: str, location: str, tags: dict[str, str] | None
    ) -> Any:
        from azureml._base_sdk_common.common import check_valid_resource_name
        from azureml.core import Workspace
        from azureml.exceptions import UserErrorException

        try:  # Azure ML's name rule (3-33 characters) is narrower than Batch AI's (1-64)
            check_valid_resource_name(workspace, "Workspace")
        except UserErrorException as error:
            raise ValidationError("workspace_name", str(error.message)) from None
        try:
            ws = self._workspace(resource_group, workspace)
        except Exception as error:
            if _status_of(error) != 404:
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
            self._workspaces[(resource_group, workspace)] = ws
        return self._workspace_model(resource_group, ws)

    @_translate_errors("workspace")
    def get_workspace(self, resource_group: str, workspace: str) -> Any:
        self._workspaces.pop((resource_group, workspace), None)
        return self._workspace_model(resource_group, self._workspace(resource_group, workspace))

    @_translate_errors("workspace")
    def update_workspace(
        self, resource_group: str, workspace: str, tags: dict[str, str] | None
    ) -> Any:
        """Batch AI replaced the workspace's tags; the SDK's own tags are kept."""
        ws = self._workspace(resource_group, workspace)
        kept = {k: v for k, v in (ws.tags or {}).items() if k in _SDK_TAGS}
        ws.update(tags={**kept, **(tags or {})})
        self._workspaces.pop((resource_group, workspace), None)
        return self._workspace_model(resource_group, self._workspace(resource_group, workspace))

    @_translate_errors("workspace")
    def delete_workspace(self, resource_group: str, workspace: str) -> None:
        ws = self._workspace(resource_group, workspace)
        ws.delete(delete_dependent_resources=False, no_wait=True)
        self._workspaces.pop((resource_group, workspace), None)
        return None

    @_translate_errors("workspace")
    def list_workspaces(self, resource_group: str | None) -> list[Any]:
        from azureml.core import Workspace

        found = Workspace.list(
            self._subscription_id, auth=self._auth, resource_group=resource_group
        )
        result = []
        for _, items in sorted(found.items()):
            for ws in items:
                result.append(self._workspace_model(ws.resource_group, ws))
        return result

    # ------------------------------------------------------------------ experiments

    def _experiment_model(self, resource_group: str, workspace: str, experiment: Any) -> Any:
        created = getattr(getattr(experiment, "_experiment_dto", None), "created_utc", None)
        return _build(
            "Experiment",
            {
                "id": f"{self._ids(resource_group, workspace)}/experiments/{experiment.name}",
                "name": experiment.name,
                "type": "Microsoft.BatchAI/workspaces/experiments",
                "creation_time": created,
                "provisioning_state": "succeeded",
                "provisioning_state_transition_time": created,
            },
        )

    @_translate_errors("experiment")
    def create_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        found = self._experiment(resource_group, workspace, experiment, create=True)
        return self._experiment_model(resource_group, workspace, found)

    @_translate_errors("experiment")
    def get_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        self._experiments.pop((resource_group, workspace, experiment), None)
        found = self._experiment(resource_group, workspace, experiment)
        return self._experiment_model(resource_group, workspace, found)

    @_translate_errors("experiment")
    def delete_experiment(self, resource_group: str, workspace: str, experiment: str) -> None:
        found = self._experiment(resource_group, workspace, experiment)
        found.archive()  # Azure ML v1 deletes only empty experiments; archiving hides any
        self._experiments.pop((resource_group, workspace, experiment), None)
        return None

    @_translate_errors("experiment")
    def list_experiments(self, resource_group: str, workspace: str) -> list[Any]:
        from azureml.core import Experiment

        ws = self._workspace(resource_group, workspace)
        return [self._experiment_model(resource_group, workspace, e) for e in Experiment.list(ws)]

    # ------------------------------------------------------------------ clusters

    def _cluster_id(self, resource_group: str, workspace: str, cluster: str) -> str:
        return ids.child_id(self._subscription_id, resource_group, workspace, "clusters", cluster)

    def _compute(self, resource_group: str, workspace: str, cluster: str) -> Any:
        from azureml.core.compute import AmlCompute
        from azureml.exceptions import ComputeTargetException

        ws = self._workspace(resource_group, workspace)
        try:
            return AmlCompute(ws, cluster)
        except ComputeTargetException as error:
            if "NotFound" in str(error) or "not found" in str(error):
                raise answers.not_found("cluster", cluster) from None
            raise

    def _cluster_model(self, resource_group: str, workspace: str, compute: Any) -> Any:
        fields = translate.cluster_fields(
            compute, self._cluster_id(resource_group, workspace, compute.name)
        )
        return _build("Cluster", fields)

    @_translate_errors("cluster")
    def create_cluster(
        self, resource_group: str, workspace: str, cluster: str, parameters: Any
    ) -> Any:
        from azureml.core.compute import ComputeTarget

        config = translate.provisioning_configuration(parameters, self._subscription_id)
        ws = self._workspace(resource_group, workspace)
        compute = ComputeTarget.create(ws, cluster, config)
        _log.info(
            "cluster %s: AmlCompute %r requested (%s)",
            resource_path(resource_group, workspace, cluster), cluster, parameters.vm_size,
        )  # fmt: skip

        def poll() -> tuple[bool, Any]:
            compute.refresh_state()
            state = (compute.provisioning_state or "").lower()
            if state in ("succeeded", "failed", "canceled"):
                return True, self._cluster_model(resource_group, workspace, compute)
            return False, None

        return _Operation(_translate_errors("cluster")(poll), self._poll_interval)

    @_translate_errors("cluster")
    def update_cluster(
        self, resource_group: str, workspace: str, cluster: str, scale_settings: Any
    ) -> Any:
        compute = self._compute(resource_group, workspace, cluster)
        if scale_settings is not None:
            current = getattr(getattr(compute, "scale_settings", None), "maximum_node_count", None)
            min_nodes, max_nodes = clusters.update_scale(scale_settings, current)
            compute.update(min_nodes=min_nodes, max_nodes=max_nodes)
            compute.refresh_state()
        return self._cluster_model(resource_group, workspace, compute)

    @_translate_errors("cluster")
    def get_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        return self._cluster_model(
            resource_group, workspace, self._compute(resource_group, workspace, cluster)
        )

    @_translate_errors("cluster")
    def delete_cluster(self, resource_group: str, workspace: str, cluster: str) -> Any:
        compute = self._compute(resource_group, workspace, cluster)
        compute.delete()

        def poll() -> tuple[bool, Any]:
            try:
                self._compute(resource_group, workspace, cluster)
            except Exception as error:
                if _status_of(error) == 404:
                    return True, None
                raise
            return False, None

        return _Operation(poll, self._poll_interval)

    @_translate_errors("cluster")
    def list_clusters(self, resource_group: str, workspace: str) -> list[Any]:
        from azureml.core.compute import AmlCompute, ComputeTarget

        ws = self._workspace(resource_group, workspace)
        return [
            self._cluster_model(resource_group, workspace, c)
            for c in ComputeTarget.list(ws)
            if isinstance(c, AmlCompute)
        ]

    @_translate_errors("cluster")
    def list_cluster_remote_login_information(
        self, resource_group: str, workspace: str, cluster: str
    ) -> list[Any]:
        compute = self._compute(resource_group, workspace, cluster)
        return [
            _build(
                "RemoteLoginInformation",
                {
                    "node_id": node.get("nodeId"),
                    "ip_address": node.get("publicIpAddress") or node.get("privateIpAddress"),
                    "port": node.get("port"),
                },
            )
            for node in compute.list_nodes() or ()
        ]

    # ------------------------------------------------------------------ file servers

    def _no_file_servers(self) -> NoEquivalentError:
        return NoEquivalentError(
            "Batch AI file servers (NFS)",
            self.name,
            "Azure ML has no managed NFS server; keep the data in an Azure file share or blob "
            "container and mount it through JobCreateParameters.mount_volumes.",
        )

    def create_file_server(
        self, resource_group: str, workspace: str, file_server: str, parameters: Any
    ) -> Any:
        raise self._no_file_servers()

    def get_file_server(self, resource_group: str, workspace: str, file_server: str) -> Any:
        # none can exist on Azure ML: a lookup is an honest 404 (scripts probe before creating)
        raise answers.not_found("file server", file_server)

    def delete_file_server(self, resource_group: str, workspace: str, file_server: str) -> None:
        raise answers.not_found("file server", file_server)

    @_translate_errors("workspace")
    def list_file_servers(self, resource_group: str, workspace: str) -> list[Any]:
        self._workspace(resource_group, workspace)  # a missing workspace is still a 404
        return []

    # ------------------------------------------------------------------ jobs

    def _ensure_datastores(
        self, resource_group: str, workspace: str, specs: Iterable[jobs.DatastoreSpec]
    ) -> None:
        """Register each mounted container/share as a Datastore once per workspace and process.

        One request per datastore: a create, or on "already exists" an update that refreshes the
        account key (Batch AI jobs carried the key each time, so a rotated key keeps working).
        """
        for spec in specs:
            key = (resource_group, workspace, spec.name)
            if key in self._datastores:
                continue
            if spec.account_key is None:
                raise ValidationError(
                    "mount_volumes.credentials.account_key",
                    f"is required to register datastore {spec.name!r}",
                )
            _register_datastore(self._workspace(resource_group, workspace), spec)
            self._datastores.add(key)
            _log.debug("datastore %r registered in workspace %s", spec.name, workspace)

    @staticmethod
    def _snapshot_folder() -> str:
        """The run snapshot: only the node adapter (:data:`~.._azureml_common.naming.NODE_APP_NAME`).

        The zip is byte-identical from job to job (the job itself travels in the run
        configuration), so Azure ML's snapshot cache uploads it once per workspace and reuses
        that snapshot for every later job.
        """
        folder = tempfile.mkdtemp(prefix="batchai_azureml_")
        (Path(folder) / naming.NODE_APP_NAME).write_bytes(node_app())
        return folder

    @_translate_errors("job")
    def create_job(
        self, resource_group: str, workspace: str, experiment: str, job: str, parameters: Any
    ) -> Any:
        cluster = ids.job_cluster(getattr(getattr(parameters, "cluster", None), "id", None))
        owner = (cluster.subscription_id, cluster.resource_group, cluster.workspace)
        if tuple(part.lower() for part in owner) != (
            self._subscription_id.lower(),
            resource_group.lower(),
            workspace.lower(),
        ):
            raise NoEquivalentError(
                "a job on a cluster of another workspace",
                self.name,
                "Azure ML runs use compute targets of their own workspace; create the cluster in "
                f"workspace {workspace!r}.",
            )
        submission = translate.job_submission(
            parameters,
            job_name=job,
            experiment=experiment,
            cluster_name=cluster.name,
            job_uuid=str(uuid.uuid4()),
            identity={
                "subscription": self._subscription_id,
                "resource_group": resource_group,
                "workspace": workspace,
            },
        )
        exp = self._experiment(resource_group, workspace, experiment)  # 404 if missing, as Batch AI
        self._ensure_datastores(resource_group, workspace, submission.datastores)
        vault = (
            self._workspace(resource_group, workspace).get_default_keyvault()
            if submission.secrets
            else None
        )
        if vault is not None:
            vault.set_secrets(submission.secrets)
        tags = dict(submission.tags)
        tags[naming.TAG_PARAMETERS] = json.dumps(submission.manifest["parameters"], sort_keys=True)
        # azureml-core changes the process's working directory while it snapshots a folder
        # (git metadata lookup): submissions from several threads must take turns.
        with _SUBMIT_LOCK:
            folder = self._snapshot_folder()
            try:
                submission.run_config.source_directory = folder
                run = self._submit(exp, submission.run_config, naming.run_id(experiment, job), tags)
            except BaseException:
                if vault is not None:  # no job, so no secrets of it left in the Key Vault
                    with contextlib.suppress(Exception):
                        vault.delete_secrets(list(submission.secrets))
                raise
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        _log.info(
            "job %s submitted as Azure ML run %r on compute %r",
            resource_path(resource_group, workspace, experiment, job), run.id, cluster.name,
        )  # fmt: skip
        return self._job_model(resource_group, workspace, experiment, run, tags)

    @staticmethod
    def _submit(experiment: Any, config: Any, run_id: str, tags: dict[str, str]) -> Any:
        """``Experiment.submit(ScriptRunConfig)``, with the run id Batch AI's job name implies
        and one tag update (the SDK's own submit adds a second update with git metadata)."""
        from azureml._execution import _commands
        from azureml._project.project import Project
        from azureml.core.script_run_config import (
            _update_args_and_io,
            get_run_config_from_script_run,
        )

        project = Project(directory=config.source_directory, experiment=experiment)
        run_config = get_run_config_from_script_run(config)
        _update_args_and_io(experiment.workspace, run_config)
        try:
            run = _commands.start_run(project, run_config, run_id=run_id)
        except Exception as error:
            if _status_of(error) in (409,) or "already exists" in str(error).lower():
                raise cloud_error(
                    409, "Conflict", f"Job {tags.get(naming.TAG_JOB_NAME)} already exists."
                ) from None
            raise
        run.set_tags(tags)
        return run

    def _job_model(
        self,
        resource_group: str,
        workspace: str,
        experiment: str,
        run: Any,
        tags: dict[str, str] | None = None,
    ) -> Any:
        """A Batch AI ``Job`` from the run as last fetched (no extra request)."""
        fields = translate.job_fields(
            dict(run._run_dto or {}),
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
            f"{fields['execution_state']} (Azure ML: {(run._run_dto or {}).get('status')})",
        )
        return _build("Job", fields)

    def _run(self, resource_group: str, workspace: str, experiment: str, job: str) -> Any:
        from azureml.core import Run

        exp = self._experiment(resource_group, workspace, experiment)
        try:
            return Run(exp, naming.run_id(experiment, job))
        except Exception as error:
            if _status_of(error) == 404 or "not found" in str(error).lower():
                raise answers.not_found("job", job) from None
            raise

    @_translate_errors("job")
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

    @_translate_errors("job")
    def terminate_job(self, resource_group: str, workspace: str, experiment: str, job: str) -> None:
        run = self._run(resource_group, workspace, experiment, job)
        if runs.execution_state(run.get_status()) not in ("succeeded", "failed"):
            run.cancel()
        return None

    @_translate_errors("job")
    def list_jobs(self, resource_group: str, workspace: str, experiment: str) -> list[Any]:
        exp = self._experiment(resource_group, workspace, experiment)
        return [
            self._job_model(resource_group, workspace, experiment, run)
            for run in exp.get_runs()
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

    @_translate_errors("job")
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
        from azureml._restclient.constants import RUN_ORIGIN

        run = self._run(resource_group, workspace, experiment, job)
        output_id = options.outputdirectoryid
        container = getattr(run, "_container", None) or f"dcid.{run.id}"
        listed = run._client.artifacts.get_files_by_artifact_prefix_id(f"{RUN_ORIGIN}/{container}/")
        files: dict[str, run_files.RunFile] = {}
        for path, url in listed:
            name = (
                runs.batchai_log_name(path)
                if output_id == "stdouterr"
                else runs.output_file_name(path, output_id)
            )
            if name:
                files[name] = run_files.RunFile(path, url)
        entries = run_files.directory_entries(
            files,
            getattr(options, "directory", None),
            getattr(options, "max_results", None) or 1000,
        )
        store = self._artifact_store(resource_group, workspace)
        properties, store_served = run_files.blob_properties(
            (e.files[0] for e in entries if not e.is_directory),
            store,
            directory_files=(f for e in entries if e.is_directory for f in e.files),
        )
        if store is not None and not store_served:
            self._artifact_stores[(resource_group, workspace)] = None  # the key is refused
        result = []
        for entry in entries:
            found = [properties[f.path] for f in entry.files if f.path in properties]
            times = [p.last_modified for p in found if p.last_modified is not None]
            result.append(
                _build(
                    "File",
                    {
                        "name": entry.name,
                        "file_type": "directory" if entry.is_directory else "file",
                        "download_url": None if entry.is_directory else entry.files[0].url,
                        "last_modified": max(times) if times else None,
                        "content_length": None
                        if entry.is_directory or not found
                        else found[0].content_length,
                    },
                )
            )
        return result

    @_translate_errors("job")
    def list_job_remote_login_information(
        self, resource_group: str, workspace: str, experiment: str, job: str
    ) -> list[Any]:
        run = self._run(resource_group, workspace, experiment, job)
        target = run.get_details().get("target")
        if not target:
            return []
        nodes = self._compute(resource_group, workspace, target).list_nodes() or ()
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
            if node.get("runId") == run.id
        ]

    # ------------------------------------------------------------------ subscription level

    @_translate_errors("usage")
    def list_usages(self, location: str) -> list[Any]:
        """The subscription's Azure ML quota in ``location`` (the REST list
        ``AmlCompute.list_usages`` reads, which needs no workspace), as Batch AI's usages."""
        import requests

        url: str | None = (
            f"{_ARM}/subscriptions/{self._subscription_id}/providers/"
            f"Microsoft.MachineLearningServices/locations/{location}/usages"
        )
        params: dict[str, str] | None = {"api-version": _USAGES_API_VERSION}
        entries: list[Any] = []
        while url:
            response = requests.get(
                url, params=params, headers=self._auth.get_authentication_header(), timeout=60
            )
            response.raise_for_status()
            page = response.json()
            entries += page.get("value") or []
            url, params = page.get("nextLink"), None
        models = _models()
        return [models.Usage.from_dict(entry) for entry in usages.batchai_usages(entries)]

    def list_operations(self) -> list[Any]:
        """The Batch AI provider's operations (static metadata, the same on every backend)."""
        from ..provider_operations import operation_models

        return operation_models()

    def close(self) -> None:
        self._workspaces.clear()
        self._experiments.clear()

"""Every use of azureml-core's private API, in one place, with the version it was checked on.

The Azure ML v1 backend needs a few things azureml-core does not expose publicly: an
authentication class over another credential, one-request datastore registration, a run
submitted under an id we choose, and some fields of objects it already fetched.  Each is one
function here; its docstring names what it touches.  All were checked against
**azureml-core 1.61.0** (:data:`CHECKED_AGAINST`); azureml-core is in maintenance (SDK v1
support ended 2026-06-30), so these are not expected to move.  A test runs the whole life cycle
through them against the fake service (``tests/azureml``).
"""

from __future__ import annotations

import collections
from typing import Any

from azureml.core.authentication import AbstractAuthentication

from .._azureml_common.jobs import DatastoreSpec

__all__ = [
    "CHECKED_AGAINST",
    "CredentialAuthentication",
    "cancel_run",
    "check_workspace_name",
    "delete_secret",
    "own_the_retries",
    "experiment_created",
    "put_secrets",
    "register_datastore",
    "start_workspace_deletion",
    "run_artifact_urls",
    "run_details",
    "start_run",
    "submitted_environment",
    "workspace_created",
    "workspace_provisioning_state",
    "workspace_tags",
]

CHECKED_AGAINST = "azureml-core 1.61.0"

_ARM_SCOPE = "https://management.azure.com/.default"
_GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_AZUREML_SCOPE = "https://ml.azure.com/.default"

_SubscriptionInfo = collections.namedtuple("_SubscriptionInfo", "subscription_name subscription_id")


class CredentialAuthentication(AbstractAuthentication):
    """An azureml authentication object over a ``TokenCredential``.

    Private: ``AbstractAuthentication``'s abstract hooks ``_get_arm_token``,
    ``_get_graph_token``, ``_get_azureml_client_token``, ``_get_all_subscription_ids`` and
    ``_get_workspace``, and ``azureml._base_sdk_common.common.fetch_tenantid_from_aad_token``.
    """

    def __init__(self, credential: Any, subscription_id: str) -> None:
        super().__init__(cloud="AzureCloud")
        self._credential = credential
        self._subscription_id = subscription_id

    def __repr__(self) -> str:
        return f"CredentialAuthentication(subscription_id={self._subscription_id!r})"

    def _token(self, scope: str) -> str:
        return str(self._credential.get_token(scope).token)

    def _get_arm_token(self) -> str:
        return self._token(_ARM_SCOPE)

    def _get_graph_token(self) -> str:
        return self._token(_GRAPH_SCOPE)

    def _get_azureml_client_token(self) -> str:
        return self._token(_AZUREML_SCOPE)

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


def check_workspace_name(name: str) -> str | None:
    """Azure ML's workspace name rule (3-33 characters, ...): the SDK's message when ``name``
    breaks it, else None.  Private: ``azureml._base_sdk_common.common.check_valid_resource_name``.
    """
    from azureml._base_sdk_common.common import check_valid_resource_name
    from azureml.exceptions import UserErrorException

    try:
        check_valid_resource_name(name, "Workspace")
    except UserErrorException as error:
        message = getattr(error, "message", None)
        return message if isinstance(message, str) else "is not a valid Azure ML workspace name"
    return None


def workspace_created(workspace: Any) -> Any:
    """The workspace's creation time as fetched.  Private: ``Workspace._workspace_autorest_object``."""
    found = getattr(workspace, "_workspace_autorest_object", None)
    if found is None:
        return None
    try:
        return dict(found.as_dict()).get("creation_time")
    except Exception:
        return None


def workspace_tags(workspace: Any) -> dict[str, str]:
    """The workspace's tags as fetched: ``Workspace.tags`` fetches the workspace again when it
    has none (one more GET per workspace listed).  Private: ``Workspace._workspace_autorest_object``."""
    found = getattr(workspace, "_workspace_autorest_object", None)
    if found is None:
        return dict(getattr(workspace, "tags", None) or {})
    return dict(getattr(found, "tags", None) or {})


def workspace_provisioning_state(workspace: Any) -> str | None:
    """The workspace's ARM provisioning state as fetched (``Succeeded``, ``Deleting``...).
    Private: ``Workspace._workspace_autorest_object``."""
    found = getattr(workspace, "_workspace_autorest_object", None)
    state = getattr(found, "provisioning_state", None)
    return str(state) if state is not None else None


def start_workspace_deletion(workspace: Any) -> None:
    """Send the ARM DELETE of ``workspace`` and return: ``Workspace.delete(no_wait=True)`` would
    leave the SDK's poller polling the operation on a thread of its own.

    Private: ``auth._get_service_client`` and
    ``azureml._base_sdk_common.workspace.operations.WorkspacesOperations.delete(raw=True)``
    (the initial request only).
    """
    from azureml._base_sdk_common.workspace import AzureMachineLearningWorkspaces
    from azureml._base_sdk_common.workspace.operations import WorkspacesOperations

    client = workspace._auth._get_service_client(
        AzureMachineLearningWorkspaces, workspace.subscription_id
    )
    WorkspacesOperations.delete(
        client.workspaces, workspace.resource_group, workspace.name, raw=True
    )


def experiment_created(experiment: Any) -> Any:
    """The experiment's creation time as fetched.  Private: ``Experiment._experiment_dto``."""
    return getattr(getattr(experiment, "_experiment_dto", None), "created_utc", None)


def run_details(run: Any) -> dict[str, Any]:
    """The run as last fetched (status, times, tags, error), no request.  Private: ``Run._run_dto``."""
    return dict(getattr(run, "_run_dto", None) or {})


def register_datastore(workspace: Any, spec: DatastoreSpec) -> None:
    """Register (or refresh the key of) one datastore in one request (``Datastore.register_*``
    adds a GET building a Datastore object nobody uses), with no retry of the SDK's own.

    Private: ``azureml.data.datastore_client._DatastoreClient._get_client`` and
    ``_custom_headers``, ``azureml._restclient.models.AzureStorage`` / ``DataStore``,
    ``azureml.data.constants``.
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
    client.config.retry_policy.retries = 0  # ours retries (honouring Retry-After)
    scope = (workspace.subscription_id, workspace.resource_group, workspace.name)
    try:
        client.data_stores.create(
            *scope, dto, False, False, custom_headers=_DatastoreClient._custom_headers
        )
    except HttpOperationError as error:
        message = getattr(error, "message", None)
        if (
            error.response is None
            or error.response.status_code != 400
            or not isinstance(message, str)
            or constants.CONFLICT_MESSAGE not in message
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


def cancel_run(run: Any) -> None:
    """``run.cancel()``, leaving no thread behind.

    ``Run.cancel`` flushes the run's metrics client, whose two batching queues
    (``MetricsClient._task_queue_internal`` / ``_task_queue_v2_internal``, ``BatchTaskQueue``)
    are created by that flush and each start a 1 s ``threading.Timer`` that restarts itself
    until its ``_daemon`` is stopped, which nothing does: every terminated job would leave two
    threads waking every second in the caller's process.  Private: ``Run._client.metrics``,
    those two attributes and ``Daemon.stop``."""
    try:
        run.cancel()
    finally:
        metrics = getattr(getattr(run, "_client", None), "metrics", None)
        for name in ("_task_queue_internal", "_task_queue_v2_internal"):
            daemon = getattr(getattr(metrics, name, None), "_daemon", None)
            if daemon is not None and daemon.current_timer is not None:
                daemon.stop()


#: The workspace's cached REST clients (``ServiceContext._get_<name>_restclient``) whose calls
#: the backend retries itself.
_RETRIED_CLIENTS = ("run_history", "artifacts", "credential", "execution", "project_content")


def own_the_retries(workspace: Any) -> None:
    """Make the backend's :class:`~.._azureml_common.retry.RetryPolicy` the only retry layer of
    the workspace's run-history, artifact, Key Vault, execution and snapshot clients: theirs
    ignores ``Retry-After`` (32 s after a 429, up to 3 times).  Private: the
    ``ServiceContext._get_*_restclient`` caches and msrest's ``config.retry_policy``."""
    context = workspace.service_context
    for name in _RETRIED_CLIENTS:
        getter = getattr(context, f"_get_{name}_restclient", None)
        if callable(getter):
            getter().config.retry_policy.retries = 0


def _secrets_client(workspace: Any) -> Any:
    from azureml._restclient.secrets_client import SecretsClient

    client = SecretsClient(workspace.service_context)
    client.retries = 0  # ours retries (honouring Retry-After); the SDK's waits 32 s on a 429
    return client


def put_secrets(workspace: Any, secrets: dict[str, str]) -> None:
    """``Keyvault.set_secrets`` (one request) with no retry of the SDK's own.  Private:
    ``azureml._restclient.secrets_client.SecretsClient`` and its ``retries`` and
    ``_add_secrets``."""
    _secrets_client(workspace)._add_secrets(secrets)


def delete_secret(workspace: Any, name: str) -> None:
    """``Keyvault.delete_secret`` with no retry of the SDK's own.  Private: ``SecretsClient``
    and its ``_delete_secret``."""
    _secrets_client(workspace)._delete_secret(name)


def start_run(experiment: Any, config: Any, run_id: str) -> Any:
    """``Experiment.submit(ScriptRunConfig)`` under the run id we choose, without the SDK's
    second tag update (git metadata).  Private: ``azureml._project.project.Project``,
    ``azureml._execution._commands.start_run``,
    ``azureml.core.script_run_config._update_args_and_io``."""
    from azureml._execution import _commands
    from azureml._project.project import Project
    from azureml.core.script_run_config import _update_args_and_io, get_run_config_from_script_run

    project = Project(directory=config.source_directory, experiment=experiment)
    run_config = get_run_config_from_script_run(config)
    _update_args_and_io(experiment.workspace, run_config)
    return _commands.start_run(project, run_config, run_id=run_id)


def run_artifact_urls(run: Any) -> list[tuple[str, str]]:
    """(path, SAS URL) of every run-history file of ``run``, in one request.  Private:
    ``Run._container``, ``Run._client.artifacts.get_files_by_artifact_prefix_id``,
    ``azureml._restclient.constants.RUN_ORIGIN``."""
    from azureml._restclient.constants import RUN_ORIGIN

    container = getattr(run, "_container", None) or f"dcid.{run.id}"
    return list(run._client.artifacts.get_files_by_artifact_prefix_id(f"{RUN_ORIGIN}/{container}/"))


def _environment_of(definition: Any) -> dict[str, Any]:
    if not isinstance(definition, dict):
        return {}
    for key in ("environmentVariables", "environment_variables"):
        if isinstance(definition.get(key), dict):
            return dict(definition[key])
    for key in ("Configuration", "configuration"):
        found = _environment_of(definition.get(key))
        if found:
            return found
    return {}


def submitted_environment(run: Any) -> dict[str, Any]:
    """The environment variables ``run`` was submitted with (its run definition): from the run
    as fetched, else from ``Run.get_details()``.  Private: ``Run._run_dto``'s
    ``run_definition``."""
    details = run_details(run)
    found = _environment_of(details.get("run_definition") or details.get("runDefinition"))
    if found:
        return found
    return _environment_of(run.get_details().get("runDefinition"))

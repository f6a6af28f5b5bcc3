"""The azure-ai-ml calls of the azureml-v2 backend: one thin adapter over ``MLClient``, the
workspace's default Blob container and its Key Vault.

:class:`AzureMLService` sends what the backend decided and hands back the service's answers as
REST documents (camelCase dicts, read through :mod:`.shims` where azure-ai-ml's entities drop
fields) or plain values; it keeps what a process learns once per workspace -- its ``MLClient``,
the datastores it registered, the node app's code asset and each image's environment, the
default datastore's account, the Key Vault's URL, the experiments it saw -- so that a second job
is one request.  It decides nothing about Batch AI: :mod:`.backend` does, with :mod:`.translate`
(requests) and :mod:`.responses` (answers).

Where azure-ai-ml has no call for what Batch AI needs, the REST objects are read through the
operation groups' own generated clients (:mod:`.shims`); experiments, which Azure ML v2 does not
have, are marker blobs ``batchai/experiments/<name>`` of the default datastore
(:data:`.translate.EXPERIMENT_MARKERS`).

Retries: the SDKs' pipelines retry most failures themselves (azure-core: 408, 429 and 5xx with
``Retry-After``, and lost connections of idempotent methods; azure-storage: 5xx and lost
connections).  What they do not retry -- a lost reply or a 429 of a ``POST`` / ``PATCH`` that
is safe to repeat (node lists, datastore secrets, tags, cancel, archive), and Blob storage's
429 -- goes again through :attr:`AzureMLService.retry_policy` (bounded, ``Retry-After``
honoured, its ``sleep`` injectable), as the v1 backend's own calls do.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote

# This module is imported only when the azureml-v2 backend is selected (see __init__.py).
from azure.ai.ml import MLClient
from azure.core.exceptions import ResourceNotFoundError

from ...domain import answers
from ...exceptions import NoEquivalentError, ValidationError
from .._azureml_common.errors import ServiceFailure
from .._azureml_common.naming import NODE_APP_NAME
from .._azureml_common.retry import RetryPolicy
from . import entities, shims, translate
from .errors import describe

__all__ = ["NODE_CODE_ASSET", "AzureMLService", "Storage"]

T = TypeVar("T")
_BACKEND = "azureml-v2"
#: The code asset holding the node app (``batchai_node.pyz``), one version per node app digest.
NODE_CODE_ASSET = "batchai-node"


def _left_by_sdk(failure: ServiceFailure) -> bool:
    """Failures azure-core does not retry for ``POST`` / ``PATCH`` and azure-storage not for
    any method: no reply, and throttling."""
    return failure.status is None or failure.status == 429


class Storage(NamedTuple):
    """The default datastore's Blob container: account URL, container, account key (None when
    the workspace's storage is identity-based)."""

    account_url: str
    container: str
    key: str | None


class AzureMLService:
    """azure-ai-ml, azure-storage-blob and azure-keyvault-secrets calls for one subscription."""

    def __init__(self, credential: Any, subscription_id: str) -> None:
        self._credential = credential
        self._subscription_id = subscription_id
        self._clients: dict[tuple[str, str | None], MLClient] = {}
        self._datastores: set[tuple[str, str, str]] = set()
        #: (rg, ws) -> id of the node app's code asset (:meth:`_node_code`)
        self._code: dict[tuple[str, str], str] = {}
        #: (rg, ws, image) -> registered id of the anonymous environment of that image
        self._environments: dict[tuple[str, str, str], str] = {}
        self._storage: dict[tuple[str, str], Storage] = {}
        self._vaults: dict[tuple[str, str], str] = {}
        #: (rg, ws, experiment) -> creation time, for experiments seen in this process
        self._experiments: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self.retry_policy = RetryPolicy()

    def _again(self, function: Callable[[], T]) -> T:
        """``function()`` (requests safe to repeat), tried again on what the SDK left."""
        return self.retry_policy.call(function, describe, retry_if=_left_by_sdk)

    # ------------------------------------------------------------------ clients

    def ml(self, resource_group: str = "", workspace: str | None = None) -> MLClient:
        """The ``MLClient`` of a workspace (of a resource group, or of the subscription with
        ``resource_group=""``), made once: construction sends no request."""
        key = (resource_group, workspace)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = MLClient(
                    self._credential,
                    self._subscription_id,
                    resource_group or None,
                    workspace,
                    show_progress=False,
                )
                self._clients[key] = client
            return client

    def forget_workspace(self, resource_group: str, workspace: str) -> None:
        """Drop what this process learnt of a workspace (a new one of that name starts afresh)."""
        key = (resource_group, workspace)
        with self._lock:
            self._clients.pop(key, None)
            self._storage.pop(key, None)
            self._vaults.pop(key, None)
            self._code.pop(key, None)
            self._datastores = {k for k in self._datastores if k[:2] != key}
            for cache in (self._environments, self._experiments):
                for known in [k for k in cache if k[:2] == key]:
                    del cache[known]

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            close = getattr(client, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()

    # ------------------------------------------------------------------ workspaces

    def workspace_rest(self, resource_group: str, workspace: str) -> dict[str, Any]:
        try:
            return shims.workspace_rest(self.ml(resource_group), resource_group, workspace)
        except ResourceNotFoundError:
            raise answers.not_found("workspace", workspace) from None

    def begin_create_workspace(
        self, resource_group: str, workspace: str, location: str, tags: dict[str, str]
    ) -> Any:
        from azure.ai.ml.entities import Workspace

        return self.ml(resource_group).workspaces.begin_create(
            Workspace(name=workspace, location=location, tags=tags)
        )

    def set_workspace_tags(self, resource_group: str, workspace: str, tags: dict[str, str]) -> None:
        ml = self.ml(resource_group)
        entity = ml.workspaces.get(workspace)
        entity.tags = tags
        self._again(lambda: ml.workspaces.begin_update(entity).result())

    def start_workspace_deletion(self, resource_group: str, workspace: str) -> None:
        """The ARM DELETE of the workspace, not waited for (ARM goes on deleting it)."""
        shims.start_workspace_deletion(self.ml(resource_group), resource_group, workspace)
        self.forget_workspace(resource_group, workspace)

    def workspaces_rest(self, resource_group: str | None) -> Iterator[dict[str, Any]]:
        """The REST objects of the workspaces of a resource group or, with None, of the
        subscription."""
        return shims.workspaces_rest(self.ml(resource_group or ""), resource_group)

    # ------------------------------------------------------------------ default datastore

    def storage(self, resource_group: str, workspace: str) -> Storage:
        """The default datastore (experiment markers, job outputs and logs), read once."""
        key = (resource_group, workspace)
        if key not in self._storage:
            ml = self.ml(resource_group, workspace)
            store = self._again(
                lambda: ml.datastores.get(translate.DEFAULT_DATASTORE, include_secrets=True)
            )
            account_key = getattr(getattr(store, "credentials", None), "account_key", None)
            endpoint = getattr(store, "endpoint", None) or "core.windows.net"
            protocol = getattr(store, "protocol", None) or "https"
            self._storage[key] = Storage(
                f"{protocol}://{store.account_name}.blob.{endpoint}",
                str(store.container_name),
                account_key,
            )
        return self._storage[key]

    def _container(self, resource_group: str, workspace: str) -> Any:
        from azure.storage.blob import ContainerClient

        storage = self.storage(resource_group, workspace)
        return ContainerClient(
            storage.account_url, storage.container, credential=storage.key or self._credential
        )

    def blobs(self, resource_group: str, workspace: str, prefix: str) -> list[Any]:
        """The default datastore's blobs under ``prefix`` (name, size, last modified)."""
        container = self._container(resource_group, workspace)
        return self._again(lambda: list(container.list_blobs(name_starts_with=prefix)))

    def download_url(self, resource_group: str, workspace: str, blob: str, expiry: datetime) -> str:
        """A read-only SAS URL of a blob of the default datastore, signed locally."""
        from azure.storage.blob import generate_blob_sas

        storage = self.storage(resource_group, workspace)
        if storage.key is None:
            raise NoEquivalentError(
                "download URLs for outputs on identity-based workspace storage",
                _BACKEND,
                "give the workspace's default datastore an account key, or download the files "
                "with ml_client.jobs.download(...).",
            )
        account = storage.account_url.split("//", 1)[1].split(".", 1)[0]
        sas = generate_blob_sas(
            account, storage.container, blob, account_key=storage.key, permission="r", expiry=expiry
        )
        return f"{storage.account_url}/{storage.container}/{quote(blob)}?{sas}"

    # ------------------------------------------------------------------ experiments

    def _marker(self, resource_group: str, workspace: str, experiment: str) -> Any:
        container = self._container(resource_group, workspace)
        return container.get_blob_client(f"{translate.EXPERIMENT_MARKERS}/{experiment}")

    def create_experiment(self, resource_group: str, workspace: str, experiment: str) -> Any:
        """The experiment's creation time: its marker's, written when missing."""
        blob = self._marker(resource_group, workspace, experiment)
        try:
            created = self._again(blob.get_blob_properties).last_modified
        except ResourceNotFoundError:
            created = self._again(lambda: blob.upload_blob(b"", overwrite=True))["last_modified"]
        self._experiments[(resource_group, workspace, experiment)] = created
        return created

    def experiment_created(
        self, resource_group: str, workspace: str, experiment: str, cached: bool = False
    ) -> Any:
        """The experiment's creation time (its ``ExperimentNotFound`` when there is none);
        ``cached``: an experiment seen in this process is taken as existing (job submissions)."""
        key = (resource_group, workspace, experiment)
        known = self._experiments.get(key)
        if cached and known is not None:
            return known
        blob = self._marker(resource_group, workspace, experiment)
        try:
            created = self._again(blob.get_blob_properties)
        except ResourceNotFoundError:
            self._experiments.pop(key, None)
            raise answers.not_found("experiment", experiment) from None
        self._experiments[key] = created.last_modified
        return created.last_modified

    def delete_experiment(self, resource_group: str, workspace: str, experiment: str) -> None:
        blob = self._marker(resource_group, workspace, experiment)
        with contextlib.suppress(ResourceNotFoundError):  # a repeated delete finishes
            self._again(blob.delete_blob)
        self._experiments.pop((resource_group, workspace, experiment), None)

    def experiments(self, resource_group: str, workspace: str) -> list[tuple[str, Any]]:
        """(name, creation time) of each experiment of a workspace."""
        prefix = f"{translate.EXPERIMENT_MARKERS}/"
        return [
            (blob.name[len(prefix) :], blob.last_modified)
            for blob in self.blobs(resource_group, workspace, prefix)
        ]

    # ------------------------------------------------------------------ computes

    def compute_rest(self, resource_group: str, workspace: str, cluster: str) -> dict[str, Any]:
        """The compute's REST object (``ClusterNotFound`` / ``WorkspaceNotFound`` when none)."""
        try:
            return shims.compute_rest(self.ml(resource_group, workspace), cluster)
        except ResourceNotFoundError:
            self.workspace_rest(resource_group, workspace)  # a missing workspace is its own 404
            raise answers.not_found("cluster", cluster) from None

    def computes_rest(self, resource_group: str, workspace: str) -> Iterator[dict[str, Any]]:
        return shims.computes_rest(self.ml(resource_group, workspace))

    def nodes_rest(self, resource_group: str, workspace: str, cluster: str) -> list[dict[str, Any]]:
        ml = self.ml(resource_group, workspace)
        return self._again(lambda: list(shims.compute_nodes_rest(ml, cluster)))

    def begin_create_compute(
        self, resource_group: str, workspace: str, document: dict[str, Any]
    ) -> Any:
        ml = self.ml(resource_group, workspace)
        return ml.compute.begin_create_or_update(entities.compute(document))

    def resize_compute(
        self, resource_group: str, workspace: str, cluster: str, low: int, high: int
    ) -> None:
        ml = self.ml(resource_group, workspace)
        compute = ml.compute.get(cluster)
        compute.min_instances, compute.max_instances = low, high
        ml.compute.begin_update(compute).result()

    def begin_delete_compute(self, resource_group: str, workspace: str, cluster: str) -> Any:
        return self.ml(resource_group, workspace).compute.begin_delete(cluster)

    def usages(self, location: str) -> list[Any]:
        """The subscription's Azure ML quota in ``location`` (azure-ai-ml ``Usage`` objects)."""
        return list(self.ml().compute.list_usage(location=location))

    # ------------------------------------------------------------------ datastores, Key Vault

    def ensure_datastores(
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
        ml = self.ml(resource_group, workspace)
        for document in translate.datastore_documents(tuple(pending), with_secrets=True):
            ml.datastores.create_or_update(entities.datastore(document))
            self._datastores.add((resource_group, workspace, document["name"]))

    def _vault(self, resource_group: str, workspace: str) -> Any:
        from azure.keyvault.secrets import SecretClient

        key = (resource_group, workspace)
        if key not in self._vaults:
            rest = self.workspace_rest(resource_group, workspace)
            vault_id = (rest.get("properties") or {}).get("keyVault") or ""
            self._vaults[key] = f"https://{vault_id.rstrip('/').rsplit('/', 1)[-1]}.vault.azure.net"
        return SecretClient(self._vaults[key], self._credential)

    def store_secrets(self, resource_group: str, workspace: str, secrets: dict[str, str]) -> None:
        """Store a job's secrets in the workspace Key Vault; when one fails, those this call
        may have stored (the failed one too: its reply may be what was lost) are deleted again
        (no job holds them) and the failure is raised."""
        vault = self._vault(resource_group, workspace)
        tried: list[str] = []
        try:
            for name, value in secrets.items():
                tried.append(name)
                vault.set_secret(name, value)
        except BaseException:
            with contextlib.suppress(Exception):
                self.delete_secrets(resource_group, workspace, tried)
            raise

    def delete_secrets(self, resource_group: str, workspace: str, names: Iterable[str]) -> None:
        """Delete secrets of the workspace Key Vault (those already gone are skipped).  The
        deletions are not waited for: Key Vault finishes them on its own."""
        names = list(names)
        if not names:
            return
        vault = self._vault(resource_group, workspace)
        for name in names:
            with contextlib.suppress(ResourceNotFoundError):
                vault.begin_delete_secret(name)

    # ------------------------------------------------------------------ jobs

    def job_rest(self, resource_group: str, workspace: str, name: str) -> dict[str, Any] | None:
        """The REST object of Azure ML job ``name``; None when there is none."""
        try:
            return shims.job_rest(self.ml(resource_group, workspace), name)
        except ResourceNotFoundError:
            return None

    def jobs_rest(self, resource_group: str, workspace: str, tag: str) -> list[dict[str, Any]]:
        """The REST objects of the workspace's jobs (not archived) carrying tag ``tag``."""
        return list(shims.jobs_rest(self.ml(resource_group, workspace), tag=tag))

    def submit(
        self, resource_group: str, workspace: str, document: dict[str, Any]
    ) -> dict[str, Any]:
        """``jobs.create_or_update(command(...))`` of a job document; the node app code and the
        image's environment are registered by the first job of a workspace and reused by id
        afterwards.  Returns the job as a REST document (what Batch AI shows of it)."""
        ml = self.ml(resource_group, workspace)
        image = document["environment"]["image"]
        code = self._node_code(resource_group, workspace)
        environment = self._environments.get((resource_group, workspace, image))
        folder = None
        if code is None:  # identity-based storage: azure-ai-ml uploads the folder
            from .._azureml_common.node_app import node_app

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

    def _node_code(self, resource_group: str, workspace: str) -> str | None:
        """The id of the node app's code asset, registered once per workspace and version.

        The asset is named ``batchai-node``, versioned by the node app's digest (byte-identical
        from job to job): a workspace that has it is one GET.  Otherwise the node app is written
        to the default datastore (``batchai/node/<version>/``) with its account key, one PUT,
        and registered there, one more: azure-ai-ml's own folder upload would cost a hash
        lookup, a pending-upload SAS, a HEAD and a metadata write, and in azure-ai-ml 1.35 it
        waits forever when a blob upload fails without a progress bar.  None when the
        workspace's storage has no account key (azure-ai-ml uploads the folder then).
        """
        key = (resource_group, workspace)
        if key in self._code:
            return self._code[key]
        from .._azureml_common.node_app import node_app

        data = node_app()
        version = hashlib.sha256(data).hexdigest()[:16]
        ml = self.ml(resource_group, workspace)
        code_id = shims.code_id(ml, NODE_CODE_ASSET, version)
        if code_id is None:
            storage = self.storage(resource_group, workspace)
            if storage.key is None:
                return None
            folder = f"{translate.OUTPUT_ROOT}/node/{version}"
            container = self._container(resource_group, workspace)
            self._again(
                lambda: container.upload_blob(f"{folder}/{NODE_APP_NAME}", data, overwrite=True)
            )
            uri = f"{storage.account_url}/{storage.container}/{folder}"
            code_id = shims.register_code(ml, NODE_CODE_ASSET, version, uri)
        self._code[key] = code_id
        return code_id

    def begin_cancel(self, resource_group: str, workspace: str, name: str) -> Any:
        jobs = self.ml(resource_group, workspace).jobs
        return self._again(lambda: jobs.begin_cancel(name))

    def archive(self, resource_group: str, workspace: str, name: str) -> None:
        jobs = self.ml(resource_group, workspace).jobs
        self._again(lambda: jobs.archive(name))

"""An in-memory Azure Machine Learning (v2 REST, as azure-ai-ml 1.35 calls it) behind ``responses``.

azure-ai-ml sends every request through azure-core's ``requests`` transport, so the real
``MLClient`` runs against :class:`FakeAzureMLV2` offline.  Surfaces (paths as the SDK builds them;
``api-version`` is accepted whatever it is):

* ARM ``Microsoft.MachineLearningServices``: workspaces (get / list / patch / delete, and create
  through an ARM template deployment, as ``workspaces.begin_create`` does), computes (PUT and
  DELETE as long-running operations with ``Azure-AsyncOperation``, GET, list, PATCH scale,
  ``listNodes``), datastores (PUT, GET, list, ``listSecrets``), code and environment versions
  (GET, PUT, list by content hash, ``startPendingUpload`` handing out a SAS), command jobs
  (PUT, GET, list, ``cancel`` as a long-running operation; archive is a PUT with
  ``isArchived``);
* Blob storage of every storage account (one folder per container under ``storage_root``, the
  same folders ``fake_v2_compute`` mounts): Put Blob, Get Blob with ``Range``, Get Blob
  Properties, Set Blob Metadata, List Blobs; requests are authorised by Shared Key or by a
  service SAS checked against the account key (signature and expiry);
* Key Vault secrets of each workspace's vault (``https://<vault>.vault.azure.net``): set / get /
  delete with the bearer challenge azure-keyvault-secrets expects.

``calls`` lists every request (method, URL) for counting; ``requests`` keeps (method, path, parsed
body); ``unhandled`` lists what no route answered (tests assert it stays empty).  Test helpers
move jobs through states (:meth:`set_job_status`); ``job_executor`` (see
``fake_v2_compute.execute_job``) runs accepted command jobs for real.  ``faults`` injects
failures per route (see :meth:`inject`).

AmlCompute's scheduling, as the v1 fake has it (no clock: driven by requests): a job whose
compute cannot hold it (``maxNodeCount`` below its ``instanceCount``) stays ``NotStarted`` until
a scale update makes room, and a cancel of it ends it ``Canceled`` at once; after a scale update
that changes the node count the compute reads ``Resizing`` (with its old count) for
:attr:`FakeAzureMLV2.resize_reads` GETs or lists, then ``Steady`` with the new count.  ARM's
workspace deletion, the same way: a DELETE is accepted (202 with ``Azure-AsyncOperation`` and
``Location``) and the workspace reads and lists ``Deleting`` for
:attr:`FakeAzureMLV2.deletion_reads` GETs; the next GET (or its operation's status, once done)
finds it gone with its computes, jobs and assets: 404, absent from lists.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

import requests
import responses
from urllib3.exceptions import ProtocolError

sys.path.insert(0, str(Path(__file__).parent.parent / "azureml"))

from fake_blob_auth import shared_key_signed, storage_error  # noqa: E402

SUBSCRIPTION = "00000000-0000-0000-0000-0000000000a2"
TENANT = "00000000-0000-0000-0000-0000000000b2"
LOCATION = "eastus"
#: The storage account of every fake workspace (its ``workspaceblobstore`` container is there).
WORKSPACE_STORAGE = "wsstorev2fake"
_PROVIDER = "Microsoft.MachineLearningServices"
_WS = (
    r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    rf"/providers/{_PROVIDER}/workspaces/(?P<ws>[^/]+)"
)
#: Job states a command job goes through on the service, in order.
JOB_FINAL = ("Completed", "Failed", "Canceled", "NotResponding")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    body = {"error": {"code": code, "message": message, "details": []}}
    return status, dict(headers or {}), json.dumps(body)


def _ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body)


class FakeTokenCredential:
    """An azure-core ``TokenCredential`` (what ``DefaultAzureCredential`` is to the SDK)."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        claims = {"exp": int(time.time()) + 3600, "tid": TENANT, "oid": "fake-user"}

        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        return AccessToken(f"{part({'alg': 'none'})}.{part(claims)}.c2ln", claims["exp"])


@dataclass
class Fault:
    """A failure injected on requests matching ``method`` and ``pattern`` (a path regex), or on
    one ``endpoint`` (a label of :attr:`FakeAzureMLV2.endpoints`, e.g. ``"ARM PUT
    {workspace}/jobs/{name}"``).

    ``lose_reply`` lets the service act and then drops the reply (a connection error to the
    client); ``refuse_connection`` fails the connection before the request arrives; otherwise
    the request is refused with ``status`` (``retry_after`` seconds in ``Retry-After``;
    ``body`` overrides the error body, shaped as the service shapes its errors otherwise)
    before the service acts.  ``times`` requests are affected, then the fault is spent.
    """

    method: str
    pattern: str
    status: int | None = 503
    times: int = 1
    retry_after: float | None = None
    lose_reply: bool = False
    refuse_connection: bool = False
    body: str | None = None
    endpoint: str | None = None
    hits: int = 0

    def matches(self, method: str, path: str, endpoint: str | None) -> bool:
        if self.hits >= self.times:
            return False
        if self.endpoint is not None:
            return self.endpoint == endpoint
        return self.method == method and re.search(self.pattern, path) is not None


#: The error code each service sends with a refusal status.
STATUS_CODES = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}


def endpoint_label(service: str, method: str, pattern: str) -> str:
    """A readable name of one route: ``ARM PUT {workspace}/jobs/{name}``."""
    label = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern).replace("\\", "")
    label = re.sub(
        r"/subscriptions/\{sub\}/resourceGroups/\{rg\}/providers/[^/]+/workspaces/\{ws\}",
        "{workspace}",
        label,
    )
    return f"{service} {method} {label}"


@dataclass
class Workspace:
    resource_group: str
    name: str
    location: str
    tags: dict[str, str]
    workspace_id: str
    created: str = field(default_factory=now)
    #: while ARM deletes it: the GETs left answering ``Deleting`` before one answers 404
    deletion_reads_left: int | None = None

    @property
    def container(self) -> str:
        return f"azureml-blobstore-{self.workspace_id}"

    @property
    def vault(self) -> str:
        return f"kv{self.workspace_id.replace('-', '')[:20]}"


class FakeAzureMLV2:
    """The fake service; :meth:`running` intercepts all HTTP and serves it from a new fake."""

    def __init__(
        self,
        subscription: str = SUBSCRIPTION,
        location: str = LOCATION,
        job_executor: Callable[[FakeAzureMLV2, str, str, str], Any] | None = None,
        storage_root: Path | None = None,
    ) -> None:
        self.subscription = subscription
        self.location = location
        self.job_executor = job_executor
        self.storage_root = storage_root or Path(tempfile.mkdtemp(prefix="fake_v2_storage_"))
        self.workspaces: dict[tuple[str, str], Workspace] = {}
        #: (rg, ws, collection, name) -> REST body; versioned assets: name is "name:version"
        self.resources: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        #: (vault, secret name) -> value
        self.secrets: dict[tuple[str, str], str] = {}
        #: (account, container, blob) -> metadata
        self.metadata: dict[tuple[str, str, str], dict[str, str]] = {}
        #: storage account -> key (the workspace account's is made up per fake)
        self.account_keys: dict[str, str] = {
            WORKSPACE_STORAGE: base64.b64encode(os.urandom(64)).decode()
        }
        self.operations: dict[str, dict[str, Any]] = {}
        self.cancel_hooks: dict[tuple[str, str, str], Callable[[], None]] = {}
        self.executions: list[threading.Thread] = []
        self.calls: list[tuple[str, str]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.unhandled: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        #: the endpoint label of every answered request, in order (see :func:`endpoint_label`)
        self.endpoints: list[str] = []
        #: seconds a compute create / delete stays "in progress" before its operation succeeds
        self.provisioning_polls = 1
        #: reads of a compute that show ``Resizing`` after a scale update (then ``Steady``);
        #: (the v2 backend's update itself reads the compute after its PUT)
        self.resize_reads = 3
        #: GETs of a workspace being deleted that answer ``Deleting`` before one answers 404
        #: (lists show it ``Deleting`` until then)
        self.deletion_reads = 0
        #: jobs accepted but not started: their compute has too few nodes
        self.waiting: list[tuple[str, str, str]] = []
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ setup and test helpers

    @classmethod
    @contextlib.contextmanager
    def running(cls, **kwargs: Any) -> Iterator[FakeAzureMLV2]:
        fake = cls(**kwargs)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            fake.install(mock)
            yield fake

    def install(self, mock: responses.RequestsMock) -> None:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            mock.add_callback(method, re.compile(r"https?://.*"), callback=self.dispatch)

    def add_workspace(
        self, resource_group: str, name: str, tags: dict[str, str] | None = None
    ) -> None:
        with self._lock:
            self._create_workspace(resource_group, name, self.location, tags or {})

    def storage_folder(self, account: str, container: str, kind: str = "blob") -> Path:
        """The folder holding a blob container (``kind="blob"``) or a file share."""
        folder = self.storage_root / kind / account / container
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def workspace_container(self, resource_group: str, workspace: str) -> Path:
        return self.storage_folder(
            WORKSPACE_STORAGE, self.workspaces[(resource_group, workspace)].container
        )

    def job(self, resource_group: str, workspace: str, name: str) -> dict[str, Any]:
        return self.resources[(resource_group, workspace, "jobs", name)]

    def set_job_status(
        self, resource_group: str, workspace: str, name: str, status: str, error: str | None = None
    ) -> None:
        """Move a job to ``status`` with the times the service records."""
        with self._lock:
            job = self.job(resource_group, workspace, name)
            props = job["properties"]
            props["status"] = status
            times = props.setdefault("_times", {})
            if status == "Running":
                times.setdefault("start", now())
            if status in JOB_FINAL:
                times.setdefault("start", now())
                times["end"] = now()
            if error:
                props["_error"] = {"code": "UserError", "message": error}

    #: what :meth:`snapshot` saves: the service's state (not the request logs and faults)
    _STATE = ("workspaces", "resources", "secrets", "metadata", "account_keys", "operations")

    def snapshot(self, folder: Path) -> dict[str, Any]:
        """The service's state now, its storage copied to ``folder``: :meth:`restore` brings it
        back (a test sets up once and tries many faults from the same state)."""
        with self._lock:
            shutil.copytree(self.storage_root, folder)
            return {"storage": folder, **{n: copy.deepcopy(getattr(self, n)) for n in self._STATE}}

    def restore(self, saved: dict[str, Any]) -> None:
        """Back to a :meth:`snapshot`, with empty request logs and no faults."""
        with self._lock:
            shutil.rmtree(self.storage_root, ignore_errors=True)
            shutil.copytree(saved["storage"], self.storage_root)
            for name in self._STATE:
                setattr(self, name, copy.deepcopy(saved[name]))
            for log in (self.calls, self.requests, self.unhandled, self.faults, self.endpoints):
                log.clear()

    def inject(self, method: str = "", pattern: str = "", **kwargs: Any) -> Fault:
        fault = Fault(method, pattern, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests_to(self, method: str, pattern: str) -> list[Any]:
        return [b for m, p, b in self.requests if m == method and re.search(pattern, p)]

    def count(self, method: str, pattern: str) -> int:
        return len(self.requests_to(method, pattern))

    # ------------------------------------------------------------------ dispatch

    def dispatch(self, request: Any) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(request.url)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        raw = request.body
        if hasattr(raw, "read"):
            raw = raw.read()
        if isinstance(raw, str):
            raw = raw.encode()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        with self._lock:
            self.calls.append((request.method, request.url))
            self.requests.append((request.method, path, body))
        host = parts.netloc.lower()
        if host.endswith(".blob.core.windows.net"):
            service, routes = "Blob", self._blob_routes
            key = (host.split(".", 1)[0], raw or b"")
        elif host.startswith("login."):
            service, routes = "AAD", self._aad_routes
            key = (host, body)
        elif host.endswith(".vault.azure.net"):
            service, routes = "KeyVault", self._vault_routes
            key = (host.split(".", 1)[0], body)
        else:
            service, routes = "ARM", self._arm_routes
            key = (host, body)
        route = None
        for method, pattern, handler in routes():
            match = re.fullmatch(pattern, path, flags=re.IGNORECASE)
            if method == request.method and match is not None:
                label = endpoint_label(service, method, pattern)
                if "kind" in match.groupdict():  # codes and environments are two endpoints
                    label = label.replace("{kind}", match["kind"])
                route = (label, match, handler)
                break
        if route is not None and service == "Blob" and query.get("comp"):
            # one path, several operations: Set Blob Metadata, List Blobs...
            route = (f"{route[0]}?comp={query['comp']}", *route[1:])
        endpoint = route[0] if route is not None else None
        with self._lock:
            if endpoint is not None:
                self.endpoints.append(endpoint)
        fault = self._fault(request.method, path, endpoint)
        if fault is not None and fault.refuse_connection:
            raise requests.ConnectionError(
                f"injected: connection for {request.method} {path} refused"
            )
        if fault is not None and not fault.lose_reply:
            status, headers, text = self._refusal(fault, service)
            return status, headers, "" if request.method == "HEAD" else text  # HEAD: no body
        if route is None:
            self.unhandled.append((request.method, request.url))
            return _error(501, "NotFaked", f"{request.method} {path}")
        _, match, handler = route
        with self._lock:
            answer = handler(request, match, query, key[1], key[0])
        if fault is not None:  # the service acted; the connection drops before the reply
            raise requests.ConnectionError(
                ProtocolError("Connection aborted.", f"reply to {request.method} {path} lost")
            )
        return answer

    def _fault(self, method: str, path: str, endpoint: str | None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, endpoint):
                    fault.hits += 1
                    return fault
        return None

    def _refusal(self, fault: Fault, service: str) -> tuple[int, dict[str, str], Any]:
        """The answer of a service refusing a request, shaped as that service shapes errors."""
        status = fault.status or 500
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        if fault.body is not None:
            return status, {"Content-Type": "application/json", **headers}, fault.body
        code = STATUS_CODES.get(status, "ServiceError")
        message = f"injected fault: {status} {code}"
        if service == "Blob":
            answer = storage_error(status, code, message)
            return answer[0], {**answer[1], **headers}, answer[2]
        return _error(status, code, message, headers)

    def _arm_routes(self) -> list[tuple[str, str, Any]]:
        sub = r"/subscriptions/(?P<sub>[^/]+)"
        versions = r"/(?P<kind>codes|environments)/(?P<name>[^/]+)/versions"
        return [
            ("GET", r"/discovery", self._discovery),
            (
                "PATCH",
                r"/history/v1\.0" + _WS + r"/experiments/[^/]+/runs/(?P<name>[^/]+)",
                self._patch_run,
            ),
            ("GET", _WS, self._get_workspace),
            ("PATCH", _WS, self._patch_workspace),
            ("DELETE", _WS, self._delete_workspace),
            (
                "GET",
                sub + rf"/resourceGroups/(?P<rg>[^/]+)/providers/{_PROVIDER}/workspaces",
                self._list_workspaces,
            ),
            ("GET", sub + rf"/providers/{_PROVIDER}/workspaces", self._list_workspaces),
            (
                "GET",
                sub + rf"/providers/{_PROVIDER}/locations/(?P<location>[^/]+)/usages",
                self._usages,
            ),
            (
                "PUT",
                sub
                + r"/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)",
                self._put_deployment,
            ),
            (
                "GET",
                sub
                + r"/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)",
                self._get_deployment,
            ),
            (
                "GET",
                sub
                + r"/resourcegroups/(?P<rg>[^/]+)(?:/providers/Microsoft\.Resources)?/deployments/(?P<name>[^/]+)/operations",
                self._deployment_operations,
            ),
            (
                "GET",
                sub
                + r"/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)/operationStatuses/(?P<op>[^/]+)",
                self._deployment_status,
            ),
            ("GET", sub + r"/resourcegroups/(?P<rg>[^/]+)", self._get_resource_group),
            ("GET", _WS + r"/computes", self._list_computes),
            ("GET", _WS + r"/computes/(?P<name>[^/]+)", self._get_compute),
            ("PUT", _WS + r"/computes/(?P<name>[^/]+)", self._put_compute),
            ("PATCH", _WS + r"/computes/(?P<name>[^/]+)", self._patch_compute),
            ("DELETE", _WS + r"/computes/(?P<name>[^/]+)", self._delete_compute),
            ("POST", _WS + r"/computes/(?P<name>[^/]+)/listNodes", self._list_nodes),
            ("GET", r"/operations/(?P<op>[^/]+)", self._operation_status),
            ("GET", _WS + r"/datastores", self._list_datastores),
            ("GET", _WS + r"/datastores/(?P<name>[^/]+)", self._get_datastore),
            ("PUT", _WS + r"/datastores/(?P<name>[^/]+)", self._put_datastore),
            ("POST", _WS + r"/datastores/(?P<name>[^/]+)/listSecrets", self._datastore_secrets),
            ("GET", _WS + versions, self._list_versions),
            ("GET", _WS + versions + r"/(?P<version>[^/]+)", self._get_version),
            ("PUT", _WS + versions + r"/(?P<version>[^/]+)", self._put_version),
            (
                "POST",
                _WS + versions + r"/(?P<version>[^/]+)/startPendingUpload",
                self._pending_upload,
            ),
            ("GET", _WS + r"/jobs", self._list_jobs),
            ("GET", _WS + r"/jobs/(?P<name>[^/]+)", self._get_job),
            ("PUT", _WS + r"/jobs/(?P<name>[^/]+)", self._put_job),
            ("POST", _WS + r"/jobs/(?P<name>[^/]+)/cancel", self._cancel_job),
        ]

    # ------------------------------------------------------------------ workspaces

    def _workspace_body(self, ws: Workspace) -> dict[str, Any]:
        base = f"/subscriptions/{self.subscription}/resourceGroups/{ws.resource_group}/providers"
        region = f"https://{ws.location}.api.azureml.ms"
        return {
            "id": f"{base}/{_PROVIDER}/workspaces/{ws.name}",
            "name": ws.name,
            "type": f"{_PROVIDER}/workspaces",
            "location": ws.location,
            "tags": dict(ws.tags),
            "kind": "Default",
            "identity": {"type": "SystemAssigned", "principalId": "p", "tenantId": TENANT},
            "sku": {"name": "Basic", "tier": "Basic"},
            "systemData": {"createdAt": ws.created, "lastModifiedAt": ws.created},
            "properties": {
                "friendlyName": ws.name,
                "workspaceId": ws.workspace_id,
                "provisioningState": "Succeeded" if ws.deletion_reads_left is None else "Deleting",
                "discoveryUrl": f"{region}/discovery",
                "mlFlowTrackingUri": f"azureml://{ws.location}.api.azureml.ms/mlflow/v1.0"
                f"/subscriptions/{self.subscription}/resourceGroups/{ws.resource_group}"
                f"/providers/{_PROVIDER}/workspaces/{ws.name}",
                "storageAccount": f"{base}/Microsoft.Storage/storageAccounts/{WORKSPACE_STORAGE}",
                "keyVault": f"{base}/Microsoft.KeyVault/vaults/{ws.vault}",
                "applicationInsights": f"{base}/microsoft.insights/components/ai{ws.name}",
                "hbiWorkspace": False,
                "publicNetworkAccess": "Enabled",
            },
        }

    def _create_workspace(
        self, rg: str, name: str, location: str, tags: dict[str, str]
    ) -> Workspace:
        ws = Workspace(
            rg, name, location, dict(tags), str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rg}/{name}"))
        )
        self.workspaces[(rg, name)] = ws
        key = self.account_keys[WORKSPACE_STORAGE]
        self.storage_folder(WORKSPACE_STORAGE, ws.container)
        for store, kind, container in (
            ("workspaceblobstore", "AzureBlob", ws.container),
            ("workspacefilestore", "AzureFile", f"azureml-filestore-{ws.workspace_id}"),
        ):
            properties: dict[str, Any] = {
                "datastoreType": kind,
                "accountName": WORKSPACE_STORAGE,
                "endpoint": "core.windows.net",
                "protocol": "https",
                "isDefault": store == "workspaceblobstore",
                "credentials": {"credentialsType": "AccountKey"},
                "_secret": {"secretsType": "AccountKey", "key": key},
            }
            properties["containerName" if kind == "AzureBlob" else "fileShareName"] = container
            self.resources[(rg, name, "datastores", store)] = self._arm_child(
                rg, name, "datastores", store, properties
            )
        return ws

    def _discovery(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        region = f"https://{host}"
        return _ok(
            {
                "api": region,
                "catalog": region,
                "experimentation": region,
                "history": region,
                "modelmanagement": region,
                "pipelines": region,
                "studio": "https://ml.azure.com",
            }
        )

    def _patch_run(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        """Run history's view of a job (``jobs.archive`` also hides the run there)."""
        found = self.resources.get((match["rg"], match["ws"], "jobs", match["name"]))
        if found is None:
            return self._not_found("Run", match["name"])
        if body and "hidden" in body:  # azure-ai-ml 1.35 archives a job this way
            found["properties"]["isArchived"] = bool(body["hidden"])
        return _ok({"runId": match["name"], "hidden": found["properties"].get("isArchived", False)})

    def _ws_or_404(self, match: Any) -> Workspace | None:
        return self.workspaces.get((match["rg"], match["ws"]))

    def _get_workspace(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        ws = self._ws_or_404(match)
        if ws is not None and ws.deletion_reads_left is not None:
            ws.deletion_reads_left -= 1
            if ws.deletion_reads_left < 0:
                self._finish_deletion(match["rg"], match["ws"])
                ws = None
        if ws is None:
            return _error(404, "ResourceNotFound", f"Workspace {match['ws']} not found")
        return _ok(self._workspace_body(ws))

    def _patch_workspace(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        ws = self._ws_or_404(match)
        if ws is None:
            return _error(404, "ResourceNotFound", f"Workspace {match['ws']} not found")
        if body and body.get("tags") is not None:
            ws.tags = dict(body["tags"])
        return _ok(self._workspace_body(ws))

    def _delete_workspace(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        """ARM accepts the deletion and carries it on (see the module docstring); a repeated
        DELETE is accepted again, one of a workspace that is gone is 204."""
        rg, name = match["rg"], match["ws"]
        ws = self.workspaces.get((rg, name))
        if ws is None:
            return 204, {}, ""
        if ws.deletion_reads_left is None:
            ws.deletion_reads_left = self.deletion_reads
        return self._operation(
            host,
            "Succeeded",
            status_code=202,
            polls=ws.deletion_reads_left,
            then=lambda: self._finish_deletion(rg, name),
        )

    def _finish_deletion(self, rg: str, name: str) -> None:
        """The deletion ARM carried on is done: the workspace and all it held are gone."""
        self.workspaces.pop((rg, name), None)
        for key in [k for k in self.resources if k[:2] == (rg, name)]:
            del self.resources[key]

    def _list_workspaces(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        rg = match.groupdict().get("rg")
        items = [
            self._workspace_body(ws)
            for (r, _), ws in sorted(self.workspaces.items())
            if rg is None or r.lower() == rg.lower()
        ]
        return _ok({"value": items})

    def _get_resource_group(
        self, request: Any, match: Any, query: Any, body: Any, host: str
    ) -> Any:
        rg = match["rg"]
        return _ok(
            {
                "id": f"/subscriptions/{match['sub']}/resourceGroups/{rg}",
                "name": rg,
                "location": self.location,
                "properties": {"provisioningState": "Succeeded"},
            }
        )

    def _put_deployment(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        """``workspaces.begin_create``: an ARM template whose parameters name the workspace."""
        parameters = (body or {}).get("properties", {}).get("parameters", {})

        def value(name: str, default: Any = None) -> Any:
            return (parameters.get(name) or {}).get("value", default)

        name = value("workspaceName")
        if not name:
            return _error(400, "InvalidTemplate", "workspaceName is required")
        rg = match["rg"]
        if (rg, name) not in self.workspaces:
            self._create_workspace(
                rg, name, value("location", self.location), value("tagValues", {}) or {}
            )
        deployment = {
            "id": f"/subscriptions/{match['sub']}/resourceGroups/{rg}/providers/Microsoft.Resources/deployments/{match['name']}",
            "name": match["name"],
            "properties": {"provisioningState": "Succeeded", "timestamp": now(), "outputs": {}},
        }
        self.resources[(rg, "", "deployments", match["name"])] = deployment
        op = self._new_operation("Succeeded")
        return _ok(
            deployment,
            201,
            {
                "Azure-AsyncOperation": f"https://{host}{match.group(0)}/operationStatuses/{op}?api-version=2020-06-01"
            },
        )

    def _get_deployment(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], "", "deployments", match["name"]))
        return _ok(found) if found else _error(404, "DeploymentNotFound", match["name"])

    def _deployment_operations(
        self, request: Any, match: Any, query: Any, body: Any, host: str
    ) -> Any:
        return _ok({"value": []})

    def _deployment_status(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        return _ok({"status": "Succeeded"})

    # ------------------------------------------------------------------ long-running operations

    def _new_operation(
        self, status: str, polls: int = 0, then: Callable[[], None] | None = None
    ) -> str:
        op = uuid.uuid4().hex
        self.operations[op] = {"status": status, "polls": polls, "then": then}
        return op

    def _operation(
        self,
        host: str,
        status: str,
        *,
        status_code: int = 202,
        polls: int = 0,
        then: Any = None,
        body: Any = None,
        status_only: bool = False,
    ) -> Any:
        op = self._new_operation(status, polls, then)
        url = f"https://{host}/operations/{op}?api-version=2023-08-01-preview"
        headers = {"Azure-AsyncOperation": url, "Location": url, "Retry-After": "0"}
        if body is None:
            return status_code, headers, ""
        return _ok(body, status_code, headers)

    def _operation_status(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        op = self.operations.get(match["op"])
        if op is None:
            return _error(404, "NotFound", "operation")
        if op["polls"] > 0:
            op["polls"] -= 1
            return _ok({"status": "InProgress"}, headers={"Retry-After": "0"})
        if op["then"] is not None:
            op["then"]()
            op["then"] = None
        return _ok({"status": op["status"]})

    # ------------------------------------------------------------------ generic workspace children

    def _arm_child(
        self, rg: str, ws: str, collection: str, name: str, properties: dict[str, Any]
    ) -> dict[str, Any]:
        base = f"/subscriptions/{self.subscription}/resourceGroups/{rg}/providers/{_PROVIDER}/workspaces/{ws}"
        if ":" in name and collection in ("codes", "environments"):
            asset, version = name.split(":", 1)
            rid, rtype = (
                f"{base}/{collection}/{asset}/versions/{version}",
                f"{_PROVIDER}/workspaces/{collection}/versions",
            )
            short = version
        else:
            rid, rtype, short = (
                f"{base}/{collection}/{name}",
                f"{_PROVIDER}/workspaces/{collection}",
                name,
            )
        stamp = now()
        return {
            "id": rid,
            "name": short,
            "type": rtype,
            "properties": properties,
            "systemData": {
                "createdAt": stamp,
                "createdBy": "fake-user",
                "createdByType": "User",
                "lastModifiedAt": stamp,
            },
        }

    @staticmethod
    def _public(resource: dict[str, Any]) -> dict[str, Any]:
        """A stored resource without the fields only the fake keeps (``_``-prefixed)."""
        copied = copy.deepcopy(resource)
        copied["properties"] = {
            k: v for k, v in copied["properties"].items() if not k.startswith("_")
        }
        return copied

    def _not_found(self, what: str, name: str) -> Any:
        return _error(404, "UserError", f"{what} {name} not found", {"x-ms-error-code": "NotFound"})

    # ------------------------------------------------------------------ computes

    def _compute_body(self, resource: dict[str, Any]) -> dict[str, Any]:
        body = self._public(resource)
        props = body["properties"]
        inner = props.setdefault("properties", {})
        target = (inner.get("scaleSettings") or {}).get("minNodeCount", 0)
        current = resource["properties"].get("_current", target)
        busy = resource["properties"].get("_busy", 0)
        inner.update(
            {
                "allocationState": resource["properties"].get("_allocation", "Steady"),
                "allocationStateTransitionTime": props.get("modifiedOn"),
                "currentNodeCount": current,
                "targetNodeCount": target,
                "nodeStateCounts": {
                    "idleNodeCount": max(current - busy, 0),
                    "runningNodeCount": min(busy, current),
                    "preparingNodeCount": 0,
                    "unusableNodeCount": 0,
                    "leavingNodeCount": 0,
                    "preemptedNodeCount": 0,
                },
                "errors": None,
            }
        )
        return body

    def _usages(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        """Azure ML's usage list, as the v1 fake answers it (the same REST API)."""
        from fake_service import usage_list

        computes = [
            self._compute_body(r) for key, r in self.resources.items() if key[2] == "computes"
        ]
        return _ok(usage_list(match["sub"], match["location"], computes))

    def _resize(self, props: dict[str, Any], current: int, nodes: int) -> None:
        """A scale update from ``current`` nodes to ``nodes``: ``Resizing`` for the next
        :attr:`resize_reads` reads; waiting jobs that now fit start."""
        props["_current"] = current
        if nodes != current:
            props.update(
                {"_allocation": "Resizing", "_resize_to": nodes, "_resize_reads": self.resize_reads}
            )
        props["modifiedOn"] = now()
        self._start_waiting_jobs()

    @staticmethod
    def _read_compute(resource: dict[str, Any]) -> dict[str, Any]:
        """A compute as one read sees it: a resize shows ``Resizing`` for its reads left."""
        props = resource["properties"]
        if "_resize_to" in props:
            if props["_resize_reads"] > 0:
                props["_resize_reads"] -= 1
            else:
                props["_current"] = props.pop("_resize_to")
                props["_allocation"] = "Steady"
                props["modifiedOn"] = now()
        return resource

    def _list_computes(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        if self._ws_or_404(match) is None:
            return _error(404, "ResourceNotFound", "workspace")
        items = [
            self._compute_body(self._read_compute(r))
            for (rg, ws, c, _), r in sorted(self.resources.items())
            if (rg, ws, c) == (match["rg"], match["ws"], "computes")
        ]
        return _ok({"value": items})

    def _get_compute(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "computes", match["name"]))
        if found is None:
            return self._not_found("Compute", match["name"])
        return _ok(self._compute_body(self._read_compute(found)))

    def _put_compute(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        if self._ws_or_404(match) is None:
            return _error(404, "ResourceNotFound", "workspace")
        key = (match["rg"], match["ws"], "computes", match["name"])
        props = copy.deepcopy((body or {}).get("properties") or {})
        if props.get("computeType") != "AmlCompute":
            return _error(400, "BadArgument", "computeType must be AmlCompute")
        existing = self.resources.get(key)
        if existing is not None and existing["properties"].get("provisioningState") != "Succeeded":
            return _error(
                409,
                "Conflict",
                f"Compute {match['name']} is being {existing['properties'].get('provisioningState', '').lower()}",
            )
        inner = props.setdefault("properties", {})
        ssh = inner.get("userAccountCredentials") or {}
        props["_admin_password"] = ssh.pop("adminUserPassword", None)
        props["_admin_key"] = ssh.pop("adminUserSshPublicKey", None)
        current = None
        if existing is not None:  # an update keeps what the request does not restate
            for secret in ("_admin_password", "_admin_key"):
                props[secret] = props[secret] or existing["properties"].get(secret)
            current = self._compute_body(existing)["properties"]["properties"]["currentNodeCount"]
        stamp = now()
        props.update(
            {
                "provisioningState": "Creating",
                "createdOn": stamp,
                "modifiedOn": stamp,
                "isAttachedCompute": False,
                "computeLocation": self.location,
            }
        )
        resource = self._arm_child(match["rg"], match["ws"], "computes", match["name"], props)
        resource["location"] = (body or {}).get("location", self.location)
        resource["tags"] = (body or {}).get("tags") or {}
        resource["identity"] = (body or {}).get("identity")
        self.resources[key] = resource
        if current is not None:  # azure-ai-ml resizes with a PUT of the whole compute
            nodes = (inner.get("scaleSettings") or {}).get("minNodeCount", 0)
            self._resize(resource["properties"], current, nodes)

        def provisioned() -> None:
            resource["properties"]["provisioningState"] = "Succeeded"

        if self.provisioning_polls == 0:  # done at once (a dropped poller still gets a cluster)
            provisioned()

        return self._operation(
            host,
            "Succeeded",
            status_code=201,
            polls=self.provisioning_polls,
            then=provisioned,
            body=self._compute_body(resource),
        )

    def _patch_compute(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "computes", match["name"]))
        if found is None:
            return self._not_found("Compute", match["name"])
        scale = (((body or {}).get("properties") or {}).get("properties") or {}).get(
            "scaleSettings"
        )
        if scale:
            inner = found["properties"].setdefault("properties", {})
            inner["scaleSettings"] = {**(inner.get("scaleSettings") or {}), **scale}
            current = self._compute_body(found)["properties"]["properties"]["currentNodeCount"]
            self._resize(found["properties"], current, scale.get("minNodeCount", 0))
        return self._operation(host, "Succeeded", status_code=202, body=self._compute_body(found))

    def _delete_compute(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        key = (match["rg"], match["ws"], "computes", match["name"])
        found = self.resources.get(key)
        if found is None:
            return 204, {}, ""
        found["properties"]["provisioningState"] = "Deleting"
        if self.provisioning_polls == 0:  # gone at once (a dropped poller still deletes)
            self.resources.pop(key, None)
        return self._operation(
            host,
            "Succeeded",
            polls=self.provisioning_polls,
            then=lambda: self.resources.pop(key, None),
        )

    def _list_nodes(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "computes", match["name"]))
        if found is None:
            return self._not_found("Compute", match["name"])
        current = self._compute_body(found)["properties"]["properties"]["currentNodeCount"]
        running = found["properties"].get("_running_jobs", {})
        nodes = []
        for index in range(current):
            job = next((j for j, held in running.items() if index in held), None)
            nodes.append(
                {
                    "nodeId": f"tvmps_{index:04d}_d",
                    "privateIpAddress": f"10.0.0.{4 + index}",
                    "publicIpAddress": f"20.1.2.{4 + index}",
                    "port": 50000 + index,
                    "nodeState": "running" if job else "idle",
                    "runId": job,
                }
            )
        return _ok({"nodes": nodes, "nextLink": None})

    # ------------------------------------------------------------------ datastores

    def _list_datastores(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        items = [
            self._public(r)
            for (rg, ws, c, _), r in sorted(self.resources.items())
            if (rg, ws, c) == (match["rg"], match["ws"], "datastores")
        ]
        if query.get("isDefault") == "true":
            items = [i for i in items if i["properties"].get("isDefault")]
        return _ok({"value": items})

    def _get_datastore(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "datastores", match["name"]))
        return _ok(self._public(found)) if found else self._not_found("Datastore", match["name"])

    def _put_datastore(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        if self._ws_or_404(match) is None:
            return _error(404, "ResourceNotFound", "workspace")
        props = copy.deepcopy((body or {}).get("properties") or {})
        credentials = props.get("credentials") or {}
        secrets = credentials.pop("secrets", None)
        props["_secret"] = secrets
        if secrets and secrets.get("key"):
            self.account_keys.setdefault(props.get("accountName", ""), secrets["key"])
        key = (match["rg"], match["ws"], "datastores", match["name"])
        existing = key in self.resources
        self.resources[key] = self._arm_child(
            match["rg"], match["ws"], "datastores", match["name"], props
        )
        return _ok(self._public(self.resources[key]), 200 if existing else 201)

    def _datastore_secrets(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "datastores", match["name"]))
        if found is None:
            return self._not_found("Datastore", match["name"])
        return _ok(found["properties"].get("_secret") or {"secretsType": "None"})

    # ------------------------------------------------------------------ code and environments

    def _versions(self, match: Any) -> list[tuple[str, dict[str, Any]]]:
        prefix = f"{match['name']}:"
        return [
            (name, r)
            for (rg, ws, c, name), r in sorted(self.resources.items())
            if (rg, ws, c) == (match["rg"], match["ws"], match["kind"]) and name.startswith(prefix)
        ]

    def _list_versions(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        items = [self._public(r) for _, r in self._versions(match)]
        if query.get("hash"):
            items = [
                i
                for i in items
                if i["properties"].get("properties", {}).get("hash") == query["hash"]
                or i["properties"].get("_hash") == query["hash"]
            ]
        return _ok({"value": items})

    def _get_version(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get(
            (match["rg"], match["ws"], match["kind"], f"{match['name']}:{match['version']}")
        )
        return (
            _ok(self._public(found))
            if found
            else self._not_found(match["kind"][:-1], f"{match['name']}:{match['version']}")
        )

    def _put_version(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        if self._ws_or_404(match) is None:
            return _error(404, "ResourceNotFound", "workspace")
        name = f"{match['name']}:{match['version']}"
        key = (match["rg"], match["ws"], match["kind"], name)
        props = copy.deepcopy((body or {}).get("properties") or {})
        existing = self.resources.get(key)
        if existing is not None:
            if match["kind"] == "codes" and existing["properties"].get("codeUri") != props.get(
                "codeUri"
            ):
                return _error(409, "UserError", "Cannot update an asset's path")
            return _ok(self._public(existing))
        if match["kind"] == "codes":
            uri = props.get("codeUri") or ""
            props["_hash"] = (props.get("properties") or {}).get("hash")
            if not uri:
                return _error(400, "UserError", "codeUri is required")
        self.resources[key] = self._arm_child(match["rg"], match["ws"], match["kind"], name, props)
        return _ok(self._public(self.resources[key]), 201)

    def _pending_upload(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        ws = self._ws_or_404(match)
        if ws is None:
            return _error(404, "ResourceNotFound", "workspace")
        # a temporary container of the workspace storage account, as the service hands out
        container = uuid.uuid4().hex
        blob_uri = f"https://{WORKSPACE_STORAGE}.blob.core.windows.net/{container}"
        sas = self.container_sas(WORKSPACE_STORAGE, container, "racwl")
        return _ok(
            {
                "blobReferenceForConsumption": {
                    "blobUri": blob_uri,
                    "storageAccountArmId": None,
                    "credential": {"credentialType": "SAS", "sasUri": f"{blob_uri}?{sas}"},
                },
                "pendingUploadId": body.get("pendingUploadId") if body else None,
                "pendingUploadType": "TemporaryBlobReference",
            }
        )

    # ------------------------------------------------------------------ jobs

    def _job_body(self, resource: dict[str, Any]) -> dict[str, Any]:
        body = self._public(resource)
        props = body["properties"]
        stored = resource["properties"]
        times = stored.get("_times", {})
        services = {
            "Studio": {
                "endpoint": f"https://ml.azure.com/runs/{body['name']}",
                "jobServiceType": "Studio",
            }
        }
        props["services"] = services
        if times or stored.get("_error"):
            props.setdefault("properties", {})
        body["properties"]["properties"] = {
            **(props.get("properties") or {}),
            **({"StartTimeUtc": times["start"]} if times.get("start") else {}),
            **({"EndTimeUtc": times["end"]} if times.get("end") else {}),
        }
        if stored.get("_error"):
            body["properties"]["properties"]["azureml.runError"] = json.dumps(
                {"error": stored["_error"]}
            )
        return body

    def _list_jobs(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        if self._ws_or_404(match) is None:
            return _error(404, "ResourceNotFound", "workspace")
        items = [
            self._job_body(r)
            for (rg, ws, c, _), r in sorted(self.resources.items())
            if (rg, ws, c) == (match["rg"], match["ws"], "jobs")
            and (query.get("listViewType") == "All" or not r["properties"].get("isArchived"))
            and (not query.get("tag") or query["tag"] in (r["properties"].get("tags") or {}))
        ]
        return _ok({"value": items, "nextLink": None})

    def _get_job(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "jobs", match["name"]))
        return _ok(self._job_body(found)) if found else self._not_found("Job", match["name"])

    def _put_job(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        if self._ws_or_404(match) is None:
            return _error(404, "ResourceNotFound", "workspace")
        key = (match["rg"], match["ws"], "jobs", match["name"])
        props = copy.deepcopy((body or {}).get("properties") or {})
        existing = self.resources.get(key)
        if existing is not None:
            # the only changes the service accepts on a submitted job: archive / tags /
            # description / display name; a new definition under a taken name is refused
            mutable = {
                "isArchived",
                "tags",
                "description",
                "displayName",
                "status",
                "services",
                "properties",
            }
            changed = {
                k
                for k in set(props) | set(existing["properties"])
                if not k.startswith("_")
                and k not in mutable
                and props.get(k) != existing["properties"].get(k)
                and props.get(k) is not None
            }
            if changed:
                return _error(
                    400,
                    "UserError",
                    f"A job named {match['name']} already exists; {sorted(changed)} cannot be changed",
                )
            stored = existing["properties"]
            for name in ("isArchived", "tags", "description", "displayName"):
                if name in props:
                    stored[name] = props[name]
            return _ok(self._job_body(existing))
        if props.get("jobType") != "Command":
            return _error(400, "UserError", "only command jobs are faked")
        compute = props.get("computeId") or ""
        compute_name = compute.rstrip("/").rsplit("/", 1)[-1]
        if (match["rg"], match["ws"], "computes", compute_name) not in self.resources:
            return _error(400, "UserError", f"Compute {compute_name} not found in the workspace")
        for kind, ref in (
            ("codes", props.get("codeId")),
            ("environments", props.get("environmentId")),
        ):
            found = re.search(r"/(codes|environments)/([^/]+)/versions/([^/]+)$", ref or "")
            if ref and (
                found is None
                or (match["rg"], match["ws"], kind, f"{found[2]}:{found[3]}") not in self.resources
            ):
                return _error(400, "UserError", f"{kind[:-1]} {ref} not found")
        props.update(
            {"status": "NotStarted", "experimentName": props.get("experimentName") or "Default"}
        )
        for name, output in (props.get("outputs") or {}).items():
            if output and not output.get("uri"):
                ws = self.workspaces[(match["rg"], match["ws"])]
                output["uri"] = (
                    f"azureml://datastores/workspaceblobstore/paths/azureml/{match['name']}/{name}/"
                )
                del ws
        resource = self._arm_child(match["rg"], match["ws"], "jobs", match["name"], props)
        self.resources[key] = resource
        if self.job_executor is not None:
            self.waiting.append((match["rg"], match["ws"], match["name"]))
            self._start_waiting_jobs()
        return _ok(self._job_body(resource), 201)

    def _fits(self, key: tuple[str, str, str]) -> bool:
        """Whether the job's compute can give it its instances."""
        props = self.resources[(key[0], key[1], "jobs", key[2])]["properties"]
        compute = str(props.get("computeId") or "").rstrip("/").rsplit("/", 1)[-1]
        found = self.resources.get((key[0], key[1], "computes", compute))
        if found is None:
            return True
        scale = (found["properties"].get("properties") or {}).get("scaleSettings") or {}
        nodes = int((props.get("resources") or {}).get("instanceCount") or 1)
        return int(scale.get("maxNodeCount", nodes)) >= nodes

    def _start_waiting_jobs(self) -> None:
        """Execute the waiting jobs whose compute can now hold them (in submission order)."""
        for key in [k for k in self.waiting if self._fits(k)]:
            self.waiting.remove(key)
            thread = threading.Thread(target=self._execute, args=key, daemon=True)
            self.executions.append(thread)
            thread.start()

    def _execute(self, rg: str, ws: str, name: str) -> None:
        assert self.job_executor is not None
        try:
            self.job_executor(self, rg, ws, name)
        except BaseException as error:
            self.set_job_status(rg, ws, name, "Failed", f"node failure: {error}")
            raise

    def _cancel_job(self, request: Any, match: Any, query: Any, body: Any, host: str) -> Any:
        found = self.resources.get((match["rg"], match["ws"], "jobs", match["name"]))
        if found is None:
            return self._not_found("Job", match["name"])
        key = (match["rg"], match["ws"], match["name"])
        if key in self.waiting:  # never started: nothing to stop
            self.waiting.remove(key)
            self.set_job_status(*key, "Canceled")
        elif found["properties"]["status"] not in JOB_FINAL:
            found["properties"]["status"] = "CancelRequested"
            stop = self.cancel_hooks.get((match["rg"], match["ws"], match["name"]))
            if stop is not None:
                threading.Thread(target=stop, daemon=True).start()
            else:
                self.set_job_status(match["rg"], match["ws"], match["name"], "Canceled")
        return self._operation(host, "Succeeded")

    # ------------------------------------------------------------------ Blob storage

    def _blob_routes(self) -> list[tuple[str, str, Any]]:
        blob = r"/(?P<container>[^/]+)/(?P<blob>.+)"
        return [
            ("PUT", blob, self._put_blob),
            ("GET", blob, self._get_blob),
            ("HEAD", blob, self._blob_properties),
            ("DELETE", blob, self._delete_blob),
            ("GET", r"/(?P<container>[^/]+)/?", self._list_blobs),
        ]

    def container_sas(
        self, account: str, container: str, permission: str, hours: float = 1.0
    ) -> str:
        """A service SAS for a container, as the service hands out (signed with the account key)."""
        from datetime import timedelta

        from azure.storage.blob import generate_container_sas

        return generate_container_sas(
            account,
            container,
            account_key=self.account_keys[account],
            permission=permission,
            expiry=datetime.now(timezone.utc) + timedelta(hours=hours),
        )

    def _authorised(
        self, request: Any, account: str, container: str, blob: str | None, write: bool
    ) -> Any:
        """None when the request carries a valid SAS or Shared Key signature of ``account``."""
        key = self.account_keys.get(account)
        if key is None:
            return storage_error(403, "AuthenticationFailed", "unknown account")
        query = {
            k: v[-1]
            for k, v in parse_qs(urlsplit(request.url).query, keep_blank_values=True).items()
        }
        if "sig" in query:
            return self._check_sas(query, account, container, blob, key, write)
        auth = request.headers.get("Authorization") or ""
        if auth.startswith("SharedKey "):
            return (
                None
                if shared_key_signed(request, account, key)
                else storage_error(403, "AuthenticationFailed", "Shared Key signature mismatch")
            )
        return storage_error(
            403, "NoAuthenticationInformation", "Server failed to authenticate the request."
        )

    def _check_sas(
        self,
        query: dict[str, str],
        account: str,
        container: str,
        blob: str | None,
        key: str,
        write: bool,
    ) -> Any:
        from azure.storage.blob import generate_blob_sas, generate_container_sas

        expiry = query.get("se", "")
        try:
            expires = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return storage_error(403, "AuthenticationFailed", "malformed se")
        if expires < datetime.now(timezone.utc):
            return storage_error(403, "AuthenticationFailed", "Signed expiry time has passed")
        common = {
            "account_key": key,
            "permission": query.get("sp", ""),
            "expiry": expiry,
            "start": query.get("st"),
            "protocol": query.get("spr"),
        }
        if query.get("sr") == "b":
            if blob is None:
                return storage_error(
                    403, "AuthorizationResourceTypeMismatch", "blob SAS on a container"
                )
            expected = generate_blob_sas(account, container, blob, **common)
        else:
            expected = generate_container_sas(account, container, **common)
        sig = parse_qs(expected)["sig"][-1]
        if not hmac.compare_digest(sig, query["sig"]):
            return storage_error(403, "AuthenticationFailed", "Signature did not match")
        needed = "w" if write else "r"
        if blob is None and not write:
            needed = "l"
        if needed not in query.get("sp", ""):
            return storage_error(403, "AuthorizationPermissionMismatch", f"SAS lacks '{needed}'")
        return None

    def _blob_path(self, account: str, container: str, blob: str) -> Path | None:
        root = self.storage_folder(account, container)
        target = (root / blob).resolve()
        return target if target.is_relative_to(root.resolve()) else None

    def _put_blob(self, request: Any, match: Any, query: Any, raw: bytes, account: str) -> Any:
        container, blob = match["container"], match["blob"]
        refused = self._authorised(request, account, container, blob, write=True)
        if refused is not None:
            return refused
        target = self._blob_path(account, container, blob)
        if target is None:
            return storage_error(400, "InvalidResourceName", blob)
        meta = {
            k[len("x-ms-meta-") :]: v
            for k, v in request.headers.items()
            if k.lower().startswith("x-ms-meta-")
        }
        if query.get("comp") == "metadata":
            if not target.is_file():
                return storage_error(404, "BlobNotFound", blob)
            self.metadata[(account, container, blob)] = meta
            return (
                200,
                {"ETag": '"0x1"', "Last-Modified": self._http_date(datetime.now(timezone.utc))},
                "",
            )
        if query.get("comp") in ("block", "blocklist"):
            return storage_error(400, "UnsupportedOperation", "block uploads are not faked")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        self.metadata[(account, container, blob)] = meta
        return (
            201,
            {
                "ETag": '"0x1"',
                "Content-MD5": base64.b64encode(hashlib.md5(raw).digest()).decode(),
                "Last-Modified": self._http_date(datetime.now(timezone.utc)),
            },
            "",
        )

    @staticmethod
    def _http_date(moment: datetime) -> str:
        return format_datetime(moment.astimezone(timezone.utc), usegmt=True)

    def _properties(self, account: str, container: str, blob: str, target: Path) -> dict[str, str]:
        stat = target.stat()
        headers = {
            "Content-Length": str(stat.st_size),
            "Last-Modified": self._http_date(datetime.fromtimestamp(stat.st_mtime, timezone.utc)),
            "Content-Type": "application/octet-stream",
            "ETag": f'"0x{int(stat.st_mtime_ns):X}"',
            "x-ms-blob-type": "BlockBlob",
            "Accept-Ranges": "bytes",
        }
        for name, value in self.metadata.get((account, container, blob), {}).items():
            headers[f"x-ms-meta-{name}"] = value
        return headers

    def _delete_blob(self, request: Any, match: Any, query: Any, raw: bytes, account: str) -> Any:
        container, blob = match["container"], match["blob"]
        refused = self._authorised(request, account, container, blob, write=True)
        if refused is not None:
            return refused
        target = self._blob_path(account, container, blob)
        if target is None or not target.is_file():
            return storage_error(404, "BlobNotFound", "The specified blob does not exist.")
        target.unlink()
        self.metadata.pop((account, container, blob), None)
        return 202, {}, ""

    def _blob_properties(
        self, request: Any, match: Any, query: Any, raw: bytes, account: str
    ) -> Any:
        container, blob = match["container"], match["blob"]
        refused = self._authorised(request, account, container, blob, write=False)
        if refused is not None:
            return refused[0], refused[1], ""
        target = self._blob_path(account, container, blob)
        if target is None or not target.is_file():
            return 404, {"x-ms-error-code": "BlobNotFound"}, ""
        return 200, self._properties(account, container, blob, target), ""

    def _get_blob(self, request: Any, match: Any, query: Any, raw: bytes, account: str) -> Any:
        container, blob = match["container"], match["blob"]
        if query.get("restype") == "container":
            return self._list_blobs(request, {"container": container}, query, raw, account)
        refused = self._authorised(request, account, container, blob, write=False)
        if refused is not None:
            return refused
        target = self._blob_path(account, container, blob)
        if target is None or not target.is_file():
            return storage_error(404, "BlobNotFound", "The specified blob does not exist.")
        data = target.read_bytes()
        headers = self._properties(account, container, blob, target)
        wanted = re.fullmatch(
            r"bytes=(\d+)-(\d*)",
            request.headers.get("Range") or request.headers.get("x-ms-range") or "",
        )
        if not wanted:
            return 200, headers, data
        start = int(wanted[1])
        end = min(int(wanted[2]) if wanted[2] else len(data) - 1, len(data) - 1)
        if start >= len(data):
            return (
                416,
                {"Content-Range": f"bytes */{len(data)}", "x-ms-error-code": "InvalidRange"},
                b"",
            )
        headers.update(
            {
                "Content-Range": f"bytes {start}-{end}/{len(data)}",
                "Content-Length": str(end - start + 1),
            }
        )
        return 206, headers, data[start : end + 1]

    def _list_blobs(self, request: Any, match: Any, query: Any, raw: bytes, account: str) -> Any:
        container = match["container"]
        if (query.get("restype"), query.get("comp")) != ("container", "list"):
            return storage_error(
                400, "InvalidQueryParameterValue", "unsupported container operation"
            )
        refused = self._authorised(request, account, container, None, write=False)
        if refused is not None:
            return refused
        root = self.storage_folder(account, container)
        prefix = query.get("prefix", "")
        names = sorted(
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and str(p.relative_to(root)).startswith(prefix)
        )
        marker = query.get("marker", "")
        if marker:
            names = [n for n in names if n >= marker]
        limit = min(int(query.get("maxresults", 5000)), 5000)
        page, rest = names[:limit], names[limit:]
        blobs = []
        for name in page:
            stat = (root / name).stat()
            blobs.append(
                f"<Blob><Name>{escape(name)}</Name><Properties>"
                f"<Last-Modified>{self._http_date(datetime.fromtimestamp(stat.st_mtime, timezone.utc))}</Last-Modified>"
                f"<Etag>0x{int(stat.st_mtime_ns):X}</Etag><Content-Length>{stat.st_size}</Content-Length>"
                "<Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType>"
                "</Properties></Blob>"
            )
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://{account}.blob.core.windows.net/" ContainerName="{escape(container)}">'
            f"<Prefix>{escape(prefix)}</Prefix><MaxResults>{limit}</MaxResults><Blobs>{''.join(blobs)}</Blobs>"
            + (f"<NextMarker>{escape(rest[0])}</NextMarker>" if rest else "<NextMarker />")
            + "</EnumerationResults>"
        )
        return 200, {"Content-Type": "application/xml"}, xml

    def blob_url(self, account: str, container: str, blob: str) -> str:
        return f"https://{account}.blob.core.windows.net/{container}/{quote(blob)}"

    # ------------------------------------------------------------------ AAD

    def _aad_routes(self) -> list[tuple[str, str, Any]]:
        """Sign-in of msrestazure / azure-identity service principals, answered as the v1 fake
        answers it (an unsigned token the SDKs decode, never verify)."""
        from fake_service import FakeAzureML

        def call(handler: Any) -> Any:
            return lambda request, match, query, body, host: handler(
                None, request, match, query, body
            )

        return [
            ("POST", r"/[^/]+/oauth2(/v2\.0)?/token", call(FakeAzureML._aad_token)),
            (
                "GET",
                r"/(?P<tenant>[^/]+)(?:/v2\.0)?/\.well-known/openid-configuration",
                call(FakeAzureML._openid_configuration),
            ),
            ("GET", r"/common/discovery/instance", call(FakeAzureML._instance_discovery)),
        ]

    # ------------------------------------------------------------------ Key Vault

    def _vault_routes(self) -> list[tuple[str, str, Any]]:
        secret = r"/secrets/(?P<name>[^/]+)(?:/(?P<version>[^/]*))?"
        return [
            ("PUT", secret, self._put_secret),
            ("GET", secret, self._get_secret),
            ("DELETE", secret, self._delete_secret),
        ]

    def _vault_refusal(self, request: Any, vault: str) -> Any:
        if not any(ws.vault == vault for ws in self.workspaces.values()):
            return _error(404, "VaultNotFound", vault)
        if not (request.headers.get("Authorization") or "").startswith("Bearer "):
            challenge = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", resource="https://vault.azure.net"'
            return (
                401,
                {"WWW-Authenticate": challenge},
                json.dumps(
                    {
                        "error": {
                            "code": "Unauthorized",
                            "message": "AKV10000: Request is missing a Bearer or PoP token.",
                        }
                    }
                ),
            )
        return None

    def _put_secret(self, request: Any, match: Any, query: Any, body: Any, vault: str) -> Any:
        refused = self._vault_refusal(request, vault)
        if refused is not None:
            return refused
        self.secrets[(vault, match["name"])] = str((body or {}).get("value"))
        return _ok(
            {
                "id": f"https://{vault}.vault.azure.net/secrets/{match['name']}/1",
                "attributes": {"enabled": True},
            }
        )

    def _get_secret(self, request: Any, match: Any, query: Any, body: Any, vault: str) -> Any:
        refused = self._vault_refusal(request, vault)
        if refused is not None:
            return refused
        value = self.secrets.get((vault, match["name"]))
        if value is None:
            return _error(
                404,
                "SecretNotFound",
                f"A secret with (name/id) {match['name']} was not found in this key vault.",
            )
        return _ok(
            {
                "value": value,
                "id": f"https://{vault}.vault.azure.net/secrets/{match['name']}/1",
                "attributes": {"enabled": True},
            }
        )

    def _delete_secret(self, request: Any, match: Any, query: Any, body: Any, vault: str) -> Any:
        refused = self._vault_refusal(request, vault)
        if refused is not None:
            return refused
        if self.secrets.pop((vault, match["name"]), None) is None:
            return _error(
                404,
                "SecretNotFound",
                f"A secret with (name/id) {match['name']} was not found in this key vault.",
            )
        return _ok(
            {
                "recoveryId": None,
                "id": f"https://{vault}.vault.azure.net/secrets/{match['name']}/1",
                "attributes": {"enabled": False},
            }
        )

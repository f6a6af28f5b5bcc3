"""An in-memory Azure Machine Learning (v1) service behind ``responses``.

azureml-core sends every HTTP request through ``requests``; :class:`FakeAzureML` answers the
endpoint shapes a Batch AI walk-through needs, with state kept in plain dicts, so the real SDK
code runs end to end offline:

* AAD (token, OpenID configuration, instance discovery) for service-principal credentials;
* ARM: subscriptions, resource groups, template deployments (``Workspace.create``), workspaces
  (get/list/update/delete), AmlCompute computes (create/get/update/delete/list nodes) and their
  async operations;
* the regional services: discovery, datastores, credentials (the workspace Key Vault), run
  history (experiments, runs, tags, queries, events), snapshots with blob uploads, execution
  (start, cancel) and artifacts with SAS download URLs that honour ``Range``.

Reusable by benchmarks: ``with FakeAzureML.running() as fake:`` intercepts all HTTP, and
``fake.calls`` lists every request (method, URL) for counting; ``fake.requests`` keeps the
parsed bodies.  ``run_executor`` (see ``fake_compute.execute_run``) runs accepted runs.

Conventions kept from the real service, because the SDK depends on them:

* computes report ``currentNodeCount >= minNodeCount`` (else ``wait_for_completion`` polls every
  5 s);
* error bodies are ``{"error": {"code", "message", "details"}}`` with the right status;
* datastore registration of an existing name answers 400 "Another datastore with the same name
  already exists", which the SDK recognises.

AmlCompute's scheduling, as far as Batch AI facts depend on it (no clock: driven by requests):

* a run whose target cannot hold it (``maxNodeCount`` below the run's ``nodeCount``, e.g. a
  cluster scaled to 0) stays ``Queued``, not executed, until a scale update makes room; a cancel
  of such a run ends it ``Canceled`` at once (it never started);
* after a scale update the compute reports ``allocationState`` ``Resizing`` (and its old node
  count) on the next :attr:`FakeAzureML.resize_reads` reads, then ``Steady`` with the new count;
* a workspace deletion is accepted (202) and the workspace is listed ``Deleting`` until a GET
  of it finds the deletion done (404), after :attr:`FakeAzureML.deletion_reads` GETs answering
  ``Deleting``.

Faults: :meth:`FakeAzureML.inject` makes the next matching requests fail the way a real service
or network does (an error status with or without ``Retry-After`` and ``details``, a refused
connection, or a reply lost after the service acted); :attr:`FakeAzureML.faults_served` records
each one served.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

import requests
import responses

sys.path.insert(0, str(Path(__file__).parent))  # also when loaded by file (benchmarks)

from fake_blob_auth import shared_key_signed, storage_error  # noqa: E402

SUBSCRIPTION = "00000000-0000-0000-0000-0000000000a1"
TENANT = "00000000-0000-0000-0000-0000000000b2"
LOCATION = "eastus"
ARM = "https://management.azure.com"
REGION = f"https://{LOCATION}.api.azureml.ms"
#: The storage account every fake workspace is created with (its default datastores and the
#: ``azureml`` container holding run history live there, as on Azure ML).
WORKSPACE_STORAGE = "wsstorefake"
ARTIFACT_BLOBS = f"https://{WORKSPACE_STORAGE}.blob.core.windows.net"
#: Blob container of the workspace storage account that holds run-history files (artifacts).
ARTIFACT_CONTAINER = "azureml"
#: Regions offering workspaces, as ARM's provider metadata names them.
REGIONS = ("East US", "East US 2", "West Europe", "North Europe", "West US 2", "Southeast Asia")

_WS = (
    r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.MachineLearningServices/workspaces/(?P<ws>[^/?]+)"
)


def fake_jwt(lifetime: int = 3600) -> str:
    """An unsigned JWT with ``exp`` and ``tid``: what the SDK decodes, never verifies."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"exp": int(time.time()) + lifetime, "tid": TENANT, "oid": "fake-user", "upn": "u@x"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2ln"


class FakeCredential:
    """An azure-identity style credential (``get_token(*scopes)``)."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(fake_jwt(), int(time.time()) + 3600)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: vCPUs and quota family of the VM sizes tests create (others: 1 vCPU, no family)
VM_SIZES = {"STANDARD_NC6": (6, "NC"), "STANDARD_D1": (1, "D"), "STANDARD_D2_V2": (2, "Dv2")}
QUOTA = {"Dedicated": 24, "LowPriority": 50}
CLUSTER_QUOTA = 100


def usage_list(subscription: str, location: str, computes: Any) -> dict[str, Any]:
    """Azure ML's usage list for ``location`` (REST ``computes`` as the client sees them):
    subscription totals by priority and VM family (low-priority families unlimited, -1), then
    each compute's share, as the real service adds it."""
    where = location.replace(" ", "").lower()
    here = [
        c
        for c in computes
        if str(c.get("location") or c["properties"].get("computeLocation") or "")
        .replace(" ", "")
        .lower()
        == where
    ]
    used: dict[tuple[str, str], int] = {}
    children = []
    for compute in here:
        inner = compute["properties"].get("properties") or {}
        cores, family = VM_SIZES.get(str(inner.get("vmSize", "")).upper(), (1, ""))
        low = str(inner.get("vmPriority", "")).lower() == "lowpriority"
        priority = "LowPriority" if low else "Dedicated"
        total = cores * int(inner.get("currentNodeCount") or 0)
        used[(priority, family)] = used.get((priority, family), 0) + total
        label = f"Standard {family} Family Cluster {priority} vCPUs"
        children.append(
            {
                "id": f"{compute['id']}/usages/{label.replace(' ', '_')}",
                "type": "Microsoft.MachineLearningServices/workspaces/computes/usages",
                "unit": "Count",
                "currentValue": total,
                "limit": QUOTA[priority],
                "name": {"value": label, "localizedValue": label},
            }
        )
    sub = f"/subscriptions/{subscription}/usages"
    values = [
        {
            "id": sub,
            "type": "Microsoft.MachineLearningServices/totalCores/usages",
            "unit": "Count",
            "currentValue": len(here),
            "limit": CLUSTER_QUOTA,
            "name": {"value": "Clusters", "localizedValue": "Clusters"},
        }
    ]
    for priority, kind in (("Dedicated", "dedicatedCores"), ("LowPriority", "lowPriorityCores")):
        label = f"Total Cluster {priority} Regional vCPUs"
        values.append(
            {
                "id": sub,
                "type": f"Microsoft.MachineLearningServices/{kind}/usages",
                "unit": "Count",
                "currentValue": sum(n for (p, _), n in used.items() if p == priority),
                "limit": QUOTA[priority],
                "name": {"value": label, "localizedValue": label},
            }
        )
        for family in ("D", "Dv2", "NC", "NCv3"):
            label = f"Standard {family} Family Cluster {priority} vCPUs"
            values.append(
                {
                    "id": f"{sub}/{label.replace(' ', '_')}",
                    "type": "Microsoft.MachineLearningServices/vmFamily/usages",
                    "unit": "Count",
                    "currentValue": used.get((priority, family), 0),
                    "limit": QUOTA[priority] if priority == "Dedicated" else -1,
                    "name": {"value": label, "localizedValue": label},
                }
            )
    return {"value": values + children}


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], str]:
    body = {"error": {"code": code, "message": message, "details": [], "innerError": None}}
    return status, {}, json.dumps(body)


def _ok(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    return status, dict(headers or {}), json.dumps(body)


@dataclass
class Fault:
    """How the next ``times`` requests matching ``method`` and ``path`` (a regex searched in the
    URL path) fail.

    * ``status`` set: the service answers it with ``body`` (default: an error body with a code
      and a message but no ``details``, as azureml-core's ``ServiceException`` chokes on) and
      ``headers`` (e.g. ``Retry-After``); nothing is done;
    * ``status`` None and ``lost_reply`` False: the connection is refused; nothing is done;
    * ``lost_reply``: the service does the work, then the reply is lost (connection error).

    The first ``after`` matching requests pass untouched.
    """

    method: str
    path: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    lost_reply: bool = False
    times: int = 1
    after: int = 0
    code: str = "ServiceError"
    message: str = "The service failed to process the request."

    def answer(self) -> tuple[int, dict[str, str], str]:
        assert self.status is not None
        if self.body is not None:
            return self.status, dict(self.headers), self.body
        body = {"error": {"code": self.code, "message": self.message}}
        return self.status, dict(self.headers), json.dumps(body)


@dataclass
class Run:
    experiment: str
    run_id: str
    definition: dict[str, Any]
    status: str = "Queued"
    tags: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    created: str = field(default_factory=_now)
    started: str | None = None
    ended: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    #: artifact path -> when its blob was last written (Blob storage's ``Last-Modified``)
    modified: dict[str, datetime] = field(default_factory=dict)
    number: int = 1
    scope: str = ""
    #: the run's error, as the service reports a failed run (``{"error": {"code", "message"}}``)
    error: dict[str, Any] | None = None

    def put_file(self, path: str, data: bytes) -> None:
        """Write (or overwrite) a run-history file, as an upload to its artifact blob does."""
        self.files[path] = data
        self.modified[path] = datetime.now(timezone.utc).replace(microsecond=0)

    def dto(self, experiment_id: str) -> dict[str, Any]:
        configuration = self.definition.get("Configuration") or {}
        return {
            "runId": self.run_id,
            "runUuid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.run_id)),
            "runNumber": self.number,
            "rootRunId": self.run_id,
            "parentRunId": None,
            "experimentId": experiment_id,
            "status": self.status,
            "createdUtc": self.created,
            "startTimeUtc": self.started,
            "endTimeUtc": self.ended,
            "target": configuration.get("target"),
            "runType": "azureml.scriptrun",
            "tags": dict(self.tags),
            "properties": dict(self.properties),
            "dataContainerId": f"dcid.{self.run_id}",
            "name": None,
            "hidden": False,
            "runDefinition": configuration,
            "cancelUri": f"{REGION}/execution/v1.0{self.scope}/experiments/{self.experiment}"
            f"/runId/{self.run_id}/cancel",
            "error": self.error,
        }


class FakeAzureML:
    """The fake service.  Register it on a ``responses.RequestsMock`` with :meth:`install`."""

    def __init__(
        self,
        subscription: str = SUBSCRIPTION,
        location: str = LOCATION,
        run_executor: Any = None,
        storage_root: Path | None = None,
    ) -> None:
        """``run_executor(fake, resource_group, workspace, run_id)``, when given, is started in a
        thread for every accepted run (``fake_compute.execute_run`` runs it like AmlCompute).

        The storage accounts behind registered datastores are folders
        ``<storage_root>/<blob|file>/<account>/<container or share>/`` (a temporary folder when
        not given): :meth:`storage_folder` names them, and ``fake_compute`` mounts them.
        """
        self.storage_root = storage_root or Path(tempfile.mkdtemp(prefix="fake_storage_"))
        self.subscription = subscription
        self.location = location
        self.run_executor = run_executor
        self.executions: list[threading.Thread] = []
        #: run key -> callable stopping the run's processes (set by fake_compute while it runs)
        self.cancel_hooks: dict[tuple[str, str, str], Any] = {}
        self.workspaces: dict[tuple[str, str], dict[str, Any]] = {}
        self.resource_groups: dict[str, dict[str, Any]] = {}
        self.deployments: dict[str, dict[str, Any]] = {}
        self.computes: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.datastores: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.secrets: dict[tuple[str, str, str], str] = {}
        self.experiments: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.runs: dict[tuple[str, str, str], Run] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []
        #: (method, path, parsed JSON body or None) of every request, in order
        self.requests: list[tuple[str, str, Any]] = []
        self.unhandled: list[tuple[str, str]] = []
        #: pending faults (see :meth:`inject`) and the (method, path, fault) of each one served
        self.faults: list[Fault] = []
        self.faults_served: list[tuple[str, str, Fault]] = []
        #: the workspace storage account's key: made up per fake, handed out only through the
        #: default datastore, checked on every Shared Key request to that account
        self.storage_key = base64.b64encode(os.urandom(64)).decode()
        #: False: the account refuses Shared Key (``allowSharedKeyAccess: false``) and the
        #: default datastores are identity-based (no key to hand out)
        self.shared_key_access = True
        #: reads of a compute that show ``Resizing`` after a scale update (then ``Steady``)
        self.resize_reads = 2
        #: GETs of a workspace being deleted that answer ``Deleting`` before one answers 404
        #: (lists show it ``Deleting`` until then)
        self.deletion_reads = 0
        #: runs accepted but not started: their target has too few nodes (see module docstring)
        self.waiting: list[tuple[str, str, str]] = []
        #: compute key -> (reads left showing Resizing, node count once Steady)
        self._resizing: dict[tuple[str, str, str], tuple[int, int]] = {}
        #: workspace key -> GETs left answering Deleting
        self._deleting: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ setup helpers

    def add_workspace(self, resource_group: str, name: str, location: str | None = None) -> None:
        self._put_resource_group(
            None, {"rg": resource_group}, {}, {"location": location or self.location}
        )
        self._create_workspace(resource_group, name, location)

    def _create_workspace(self, rg: str, name: str, location: str | None, tags: Any = None) -> None:
        """A workspace, with the two datastores Azure ML registers in every new workspace:
        ``workspaceblobstore`` (the default) and ``workspacefilestore``, on its storage account."""
        body = self._workspace_body(rg, name, location, tags)
        self.workspaces[(rg, name)] = body
        suffix = body["properties"]["workspaceId"]
        for store, kind, container in (
            ("workspaceblobstore", "AzureBlob", f"azureml-blobstore-{suffix}"),
            ("workspacefilestore", "AzureFile", f"azureml-filestore-{suffix}"),
        ):
            keyed = self.shared_key_access
            section = {
                "accountName": WORKSPACE_STORAGE,
                "containerName": container,
                "endpoint": "core.windows.net",
                "protocol": "https",
                "credentialType": "AccountKey" if keyed else "None",
                "credential": self.storage_key if keyed else None,
                "accountKey": self.storage_key if keyed else None,
                "sasToken": None,
                "isSas": False,
                "blobCacheTimeout": 0,
                "areWorkspaceManagedIdentitiesAllowed": False,
                "serviceDataAccessAuthIdentity": "None"
                if keyed
                else "WorkspaceSystemAssignedIdentity",
            }
            self.datastores[(rg, name, store)] = {
                "name": store,
                "dataStoreType": kind,
                "isDefault": store == "workspaceblobstore",
                "hasBeenValidated": True,
                "tags": {},
                "azureStorageSection": section,
            }

    def _workspace_body(
        self, rg: str, name: str, location: str | None, tags: Any = None
    ) -> dict[str, Any]:
        sub = self.subscription
        base = f"/subscriptions/{sub}/resourceGroups/{rg}/providers"
        return {
            "id": f"{base}/Microsoft.MachineLearningServices/workspaces/{name}",
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": location or self.location,
            "tags": dict(tags or {}),
            "identity": {"type": "SystemAssigned", "principalId": "p", "tenantId": TENANT},
            "sku": {"name": "Basic", "tier": "Basic"},
            "properties": {
                "friendlyName": name,
                "description": "",
                "workspaceId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rg}/{name}")),
                "provisioningState": "Succeeded",
                "creationTime": "2020-01-01T00:00:00.0000000Z",
                "discoveryUrl": f"{REGION}/discovery",
                "storageAccount": f"{base}/Microsoft.Storage/storageAccounts/wsstorefake",
                "keyVault": f"{base}/Microsoft.KeyVault/vaults/wskvfake",
                "applicationInsights": f"{base}/microsoft.insights/components/wsaifake",
                "containerRegistry": None,
                "hbiWorkspace": False,
            },
        }

    def set_run_status(
        self,
        resource_group: str,
        workspace: str,
        run_id: str,
        status: str,
        error: dict[str, Any] | None = None,
    ) -> None:
        run = self._find_run(resource_group, workspace, run_id)
        assert run is not None, run_id
        run.status = status
        if error is not None:
            run.error = {"error": error}
        if status == "Running" and run.started is None:
            run.started = _now()
        if status in ("Completed", "Failed", "Canceled"):
            run.started = run.started or _now()
            run.ended = _now()

    def add_run_file(
        self, resource_group: str, workspace: str, run_id: str, path: str, data: bytes
    ) -> None:
        run = self._find_run(resource_group, workspace, run_id)
        assert run is not None, run_id
        run.put_file(path, data)

    def set_compute_nodes(
        self, resource_group: str, workspace: str, name: str, current: int
    ) -> None:
        compute = self.computes[(resource_group, workspace, name)]
        compute["properties"]["properties"]["currentNodeCount"] = current
        compute["properties"]["properties"]["nodeStateCounts"]["idleNodeCount"] = current

    def inject(self, *faults: Fault) -> None:
        """Make matching requests fail (first matching fault first, each ``times`` times)."""
        with self._lock:
            self.faults.extend(faults)

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method == method and re.search(fault.path, path):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    self.faults_served.append((method, path, fault))
                    return fault
        return None

    def requests_to(self, method: str, pattern: str) -> list[Any]:
        """Bodies of the requests whose method matches and whose path matches ``pattern``."""
        return [body for m, path, body in self.requests if m == method and re.search(pattern, path)]

    def _find_run(self, rg: str, ws: str, run_id: str) -> Run | None:
        for (r, w, rid), run in self.runs.items():
            if (r, w, rid) == (rg, ws, run_id):
                return run
        return None

    # ------------------------------------------------------------------ plumbing

    @classmethod
    @contextlib.contextmanager
    def running(cls, **kwargs: Any) -> Iterator[FakeAzureML]:
        """Intercept all HTTP (``responses``) and serve it from a new fake."""
        fake = cls(**kwargs)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            fake.install(mock)
            yield fake

    def install(self, mock: responses.RequestsMock) -> None:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            mock.add_callback(
                method,
                re.compile(r"https?://.*"),
                callback=self._dispatch,
                content_type="application/json",
            )

    def _dispatch(self, request: Any) -> tuple[int, dict[str, str], Any]:
        method = request.method
        url = request.url
        with self._lock:
            self.calls.append((method, url))
        parts = urlsplit(url)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body: Any = None
        raw = request.body
        if raw:
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode()
                except UnicodeDecodeError:
                    raw = None
            if isinstance(raw, str):
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
        with self._lock:
            self.requests.append((method, path, body))
        fault = self._fault_for(method, path)
        if fault is not None and not fault.lost_reply:
            if fault.status is None:
                raise requests.ConnectionError(f"fault: connection refused for {method} {path}")
            return fault.answer()
        for pattern_method, pattern, handler in self._routes():
            if pattern_method != method:
                continue
            match = re.fullmatch(pattern, path, flags=re.IGNORECASE)
            if match:
                with self._lock:
                    answer = handler(request, match, query, body)
                if fault is not None:  # the service acted; its reply never arrives
                    raise requests.ConnectionError(f"fault: reply lost for {method} {path}")
                return answer
        self.unhandled.append((method, url))
        return _error(501, "NotFakedYet", f"{method} {path}")

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("POST", r"/[^/]+/oauth2(/v2\.0)?/token", self._aad_token),
            (
                "GET",
                r"/(?P<tenant>[^/]+)(?:/v2\.0)?/\.well-known/openid-configuration",
                self._openid_configuration,
            ),
            ("GET", r"/common/discovery/instance", self._instance_discovery),
            ("GET", r"/subscriptions", self._list_subscriptions),
            (
                "GET",
                r"/subscriptions/[^/]+/providers/Microsoft\.MachineLearningServices/workspaces",
                self._list_workspaces,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.MachineLearningServices/workspaces",
                self._list_workspaces,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/providers/Microsoft\.MachineLearningServices",
                self._provider,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/providers/Microsoft\.Resources/deployments/?",
                self._list_deployments,
            ),
            ("GET", r"/subscriptions/[^/]+/resources", self._list_resources),
            (
                "GET",
                r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.MachineLearningServices"
                r"/locations/(?P<location>[^/]+)/usages",
                self._list_usages,
            ),
            (
                "PUT",
                r"/subscriptions/[^/]+/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)",
                self._put_deployment,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)",
                self._get_deployment,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)/operationStatuses/.*",
                self._deployment_status,
            ),
            ("GET", r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)", self._get_resource_group),
            (
                "HEAD",
                r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)",
                self._get_resource_group,
            ),
            ("PUT", r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)", self._put_resource_group),
            (
                "PUT",
                r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)",
                self._put_deployment,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)",
                self._get_deployment,
            ),
            (
                "GET",
                r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Resources/deployments/(?P<name>[^/]+)/operationStatuses/.*",
                self._deployment_status,
            ),
            ("GET", _WS, self._get_workspace),
            ("DELETE", _WS, self._delete_workspace),
            ("PATCH", _WS, self._patch_workspace),
            ("GET", r"/discovery", self._discovery),
            # computes: ARM for writes, the regional RP proxy for reads
            ("GET", r"(?:/rp/workspaces)?" + _WS + r"/computes", self._list_computes),
            ("GET", r"(?:/rp/workspaces)?" + _WS + r"/computes/(?P<name>[^/]+)", self._get_compute),
            ("PUT", r"/*" + _WS + r"/computes/(?P<name>[^/]+)", self._put_compute),
            ("PATCH", r"/*" + _WS + r"/computes/(?P<name>[^/]+)", self._patch_compute),
            ("DELETE", r"/*" + _WS + r"/computes/(?P<name>[^/]+)", self._delete_compute),
            ("GET", r"/*" + _WS + r"/computes/(?P<name>[^/]+)/listNodes", self._list_nodes),
            ("POST", r"/*" + _WS + r"/computes/(?P<name>[^/]+)/listNodes", self._list_nodes),
            ("GET", r"/operations/(?P<op>[^/]+)", self._operation),
            # datastores
            ("GET", r"/datastore/v1\.0" + _WS + r"/datastores", self._list_datastores),
            (
                "GET",
                r"/datastore/v1\.0" + _WS + r"/datastores/(?P<name>[^/]+)",
                self._get_datastore,
            ),
            ("GET", r"/datastore/v1\.0" + _WS + r"/default", self._get_default_datastore),
            ("POST", r"/datastore/v1\.0" + _WS + r"/datastores", self._create_datastore),
            (
                "PUT",
                r"/datastore/v1\.0" + _WS + r"/datastores/(?P<name>[^/]+)",
                self._create_datastore,
            ),
            # Key Vault secrets through the credential service
            ("PUT", r"/credential/v2\.0" + _WS + r"/secrets:putbatch", self._put_secrets),
            ("POST", r"/credential/v2\.0" + _WS + r"/secrets:putbatch", self._put_secrets),
            ("PUT", r"/credential/v2\.0" + _WS + r"/secrets", self._put_secret),
            ("POST", r"/credential/v2\.0" + _WS + r"/secrets", self._put_secret),
            ("GET", r"/credential/v2\.0" + _WS + r"/secrets/(?P<name>[^/]+)", self._get_secret),
            (
                "DELETE",
                r"/credential/v2\.0" + _WS + r"/secrets/(?P<name>[^/]+)",
                self._delete_secret,
            ),
            # experiments
            ("GET", r"/history/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)", self._get_experiment),
            (
                "POST",
                r"/history/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)",
                self._create_experiment,
            ),
            ("POST", r"/history/v1\.0" + _WS + r"/experiments:query", self._query_experiments),
            (
                "PATCH",
                r"/history/v1\.0" + _WS + r"/experimentids/(?P<eid>[^/]+)",
                self._patch_experiment,
            ),
            # snapshots
            ("GET", r"/content/v1\.0" + _WS + r"/snapshots/latest/metadata", self._latest_snapshot),
            ("POST", r"/content/v2\.0" + _WS + r"/snapshots/getblob", self._snapshot_blob_urls),
            ("PUT", r"/snapshotblobs/(?P<path>.+)", self._put_blob),
            (
                "GET",
                r"/azureml/ExperimentRun/(?P<container>[^/]+)/(?P<path>.+)",
                self._download_artifact,
            ),
            (
                "HEAD",
                r"/azureml/ExperimentRun/(?P<container>[^/]+)/(?P<path>.+)",
                self._artifact_properties,
            ),
            ("GET", r"/" + ARTIFACT_CONTAINER, self._list_artifact_blobs),
            ("HEAD", r"/snapshotblobs/(?P<path>.+)", self._head_blob),
            (
                "POST",
                r"/content/v2\.0" + _WS + r"/snapshots/(?P<sid>[0-9a-f-]{36})",
                self._create_snapshot,
            ),
            # runs
            (
                "POST",
                r"/execution/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)/snapshotrun",
                self._start_run,
            ),
            (
                "GET",
                r"/history/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)/runs/(?P<run>[^/]+)",
                self._get_run,
            ),
            (
                "GET",
                r"/history/v1\.0" + _WS + r"/experimentids/(?P<eid>[^/]+)/runs/(?P<run>[^/]+)",
                self._get_run,
            ),
            (
                "PATCH",
                r"/history/v1\.0" + _WS + r"/experimentids/(?P<eid>[^/]+)/runs/(?P<run>[^/]+)",
                self._patch_run,
            ),
            (
                "POST",
                r"/history/v1\.0" + _WS + r"/experimentids/(?P<eid>[^/]+)/runs:query",
                self._query_runs,
            ),
            (
                "GET",
                r"/history/v1\.0"
                + _WS
                + r"/experiments/(?P<exp>[^/]+)/runs/(?P<run>[^/]+)/details",
                self._get_run_details,
            ),
            (
                "PATCH",
                r"/history/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)/runs/(?P<run>[^/]+)",
                self._patch_run,
            ),
            (
                "POST",
                r"/history/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)/runs:query",
                self._query_runs,
            ),
            ("POST", r"/history/v1\.0" + _WS + r"/runs/(?P<run>[^/]+)", self._patch_run_by_id),
            ("PATCH", r"/history/v1\.0" + _WS + r"/runs/(?P<run>[^/]+)", self._patch_run_by_id),
            (
                "POST",
                r"/execution/v1\.0"
                + _WS
                + r"/experiments/(?P<exp>[^/]+)/runId/(?P<run>[^/]+)/cancel",
                self._cancel_run,
            ),
            # artifacts
            (
                "GET",
                r"/artifact/v2\.0"
                + _WS
                + r"/artifacts/prefix/contentinfo/(?P<origin>[^/]+)/(?P<container>[^/]+)(?:/(?P<prefix>.*))?",
                self._list_sas,
            ),
            (
                "POST",
                r"/history/v1\.0" + _WS + r"/experiments/(?P<exp>[^/]+)/runs/(?P<run>[^/]+)/events",
                self._run_event,
            ),
            (
                "GET",
                r"/history/v1\.0"
                + _WS
                + r"/experiments/(?P<exp>[^/]+)/runs/(?P<run>[^/]+)/metricsingest/wait",
                self._run_event,
            ),
            (
                "GET",
                r"/artifact/v2\.0" + _WS + r"/artifacts/(?P<origin>[^/]+)/(?P<container>[^/]+)",
                self._list_artifacts,
            ),
            (
                "GET",
                r"/artifact/v2\.0"
                + _WS
                + r"/artifacts/contentinfo/(?P<origin>[^/]+)/(?P<container>[^/]+)/(?P<path>.+)",
                self._content_info,
            ),
        ]

    # ------------------------------------------------------------------ Azure Storage

    def storage_folder(self, kind: str, account: str, container: str) -> Path:
        """The folder standing for blob container / file share ``container`` of ``account``."""
        return self.storage_root / kind / account / container

    # ------------------------------------------------------------------ ARM / AAD

    def _aad_token(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        token = fake_jwt()
        return _ok(
            {
                "token_type": "Bearer",
                "expires_in": 3600,
                "ext_expires_in": 3600,
                "expires_on": int(time.time()) + 3600,
                "access_token": token,
                "resource": "https://management.core.windows.net/",
            }
        )

    def _openid_configuration(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        base = f"https://login.microsoftonline.com/{match['tenant']}"
        return _ok(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{base}/v2.0",
                "tenant_region_scope": "NA",
            }
        )

    def _instance_discovery(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok(
            {
                "tenant_discovery_endpoint": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [
                    {
                        "preferred_network": "login.microsoftonline.com",
                        "preferred_cache": "login.windows.net",
                        "aliases": ["login.microsoftonline.com", "login.windows.net"],
                    }
                ],
            }
        )

    def _list_subscriptions(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok(
            {
                "value": [
                    {
                        "id": f"/subscriptions/{self.subscription}",
                        "subscriptionId": self.subscription,
                        "displayName": "fake",
                        "state": "Enabled",
                        "tenantId": TENANT,
                    }
                ]
            }
        )

    def _list_workspaces(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        rg = re.search(r"/resourceGroups/([^/]+)/", unquote(urlsplit(request.url).path))
        items = [
            w
            for (r, _), w in self.workspaces.items()
            if rg is None or r.lower() == rg.group(1).lower()
        ]
        return _ok({"value": items})

    def _provider(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok(
            {
                "id": f"/subscriptions/{self.subscription}/providers/Microsoft.MachineLearningServices",
                "namespace": "Microsoft.MachineLearningServices",
                "registrationState": "Registered",
                "resourceTypes": [
                    {
                        "resourceType": "workspaces",
                        "locations": list(REGIONS),
                        "apiVersions": ["2022-05-01"],
                    }
                ],
            }
        )

    def _get_resource_group(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        if match["rg"] not in self.resource_groups:
            return _error(404, "ResourceGroupNotFound", f"Resource group {match['rg']} not found")
        return _ok(self.resource_groups[match["rg"]])

    def _put_resource_group(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        self.resource_groups[match["rg"]] = {
            "id": f"/subscriptions/{self.subscription}/resourceGroups/{match['rg']}",
            "name": match["rg"],
            "location": (body or {}).get("location", self.location),
            "properties": {"provisioningState": "Succeeded"},
        }
        return _ok(self.resource_groups[match["rg"]], 201)

    def _put_deployment(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        """An ARM template deployment: create the workspaces the template declares."""
        template = ((body or {}).get("properties") or {}).get("template") or {}
        for resource in template.get("resources") or ():
            if resource.get("type") == "Microsoft.MachineLearningServices/workspaces":
                self._create_workspace(
                    match["rg"], resource["name"], resource.get("location"), resource.get("tags")
                )
        scope = f"/resourceGroups/{match['rg']}" if "rg" in match.groupdict() else ""
        deployment = {
            "id": f"/subscriptions/{self.subscription}{scope}/providers/"
            f"Microsoft.Resources/deployments/{match['name']}",
            "name": match["name"],
            "properties": {
                "provisioningState": "Succeeded",
                "mode": "Incremental",
                "templateHash": str(len(json.dumps(template))),
            },
        }
        self.deployments[match["name"]] = deployment
        return _ok(deployment, 201)

    def _list_resources(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        """ARM's generic resource list (``$filter=resourceType eq '...workspaces'``)."""
        items = [
            {k: w[k] for k in ("id", "name", "type", "location", "tags")}
            for w in self.workspaces.values()
            if "workspaces" in query.get("$filter", "workspaces")
        ]
        return _ok({"value": items})

    def _list_deployments(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok({"value": []})

    def _get_deployment(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        found = self.deployments.get(match["name"])
        if found is None:
            return _error(404, "DeploymentNotFound", "deployment not found")
        return _ok(found)

    def _deployment_status(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok({"status": "Succeeded"})

    def _get_workspace(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        key = (match["rg"], match["ws"])
        if key in self._deleting:
            self._deleting[key] -= 1
            if self._deleting[key] < 0:  # the deletion has finished
                del self._deleting[key]
                self.workspaces.pop(key, None)
        found = self.workspaces.get(key)
        if found is None:
            return _error(404, "ResourceNotFound", f"Workspace {match['ws']} not found")
        return _ok(found)

    def _patch_workspace(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        found = self.workspaces.get((match["rg"], match["ws"]))
        if found is None:
            return _error(404, "ResourceNotFound", f"Workspace {match['ws']} not found")
        if body and body.get("tags") is not None:
            found["tags"] = dict(body["tags"])  # ARM PATCH replaces the tag set
        return _ok(found)

    def _delete_workspace(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        key = (match["rg"], match["ws"])
        found = self.workspaces.get(key)
        if found is None:
            return 204, {}, ""
        if key not in self._deleting:
            found["properties"]["provisioningState"] = "Deleting"
            self._deleting[key] = self.deletion_reads
        operation = f"{ARM}/operations/{uuid.uuid4()}"
        return 202, {"Azure-AsyncOperation": operation, "Location": operation}, ""

    def _discovery(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        services = (
            "api",
            "catalog",
            "experimentation",
            "gallery",
            "history",
            "hyperdrive",
            "labeling",
            "modelmanagement",
            "pipelines",
            "studio",
        )
        return _ok({name: REGION for name in services})

    # ------------------------------------------------------------------ usages

    def _list_usages(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok(usage_list(match["sub"], match["location"], self.computes.values()))

    # ------------------------------------------------------------------ computes

    def _compute_key(self, match: Any) -> tuple[str, str, str]:
        return match["rg"], match["ws"], match["name"]

    def _read_compute(self, key: tuple[str, str, str]) -> dict[str, Any]:
        """The compute as one read sees it: a resize in progress shows ``Resizing`` for
        :attr:`resize_reads` reads, then ends ``Steady`` with its new node count."""
        compute = self.computes[key]
        if key in self._resizing:
            left, nodes = self._resizing[key]
            if left > 0:
                self._resizing[key] = (left - 1, nodes)
            else:
                del self._resizing[key]
                inner = compute["properties"]["properties"]
                inner.update(
                    {
                        "allocationState": "Steady",
                        "allocationStateTransitionTime": _now(),
                        "currentNodeCount": nodes,
                    }
                )
                inner["nodeStateCounts"]["idleNodeCount"] = nodes
        return compute

    def _list_computes(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        items = [
            self._read_compute(key)
            for key in self.computes
            if (key[0], key[1]) == (match["rg"], match["ws"])
        ]
        return _ok({"value": items})

    def _get_compute(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        key = self._compute_key(match)
        if key not in self.computes:
            return _error(404, "ResourceNotFound", f"Compute {match['name']} not found")
        return _ok(self._read_compute(key))

    def _put_compute(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        key = self._compute_key(match)
        if key in self.computes:
            return _error(409, "Conflict", f"Compute {key[2]} already exists")
        if (key[0], key[1]) not in self.workspaces:
            return _error(404, "ResourceNotFound", "workspace not found")
        props = body["properties"]
        inner = copy.deepcopy(props.get("properties") or {})
        credentials = inner.pop("userAccountCredentials", None) or {}
        scale = inner.get("scaleSettings") or {
            "minNodeCount": 0,
            "maxNodeCount": 4,
            "nodeIdleTimeBeforeScaleDown": "PT1800S",
        }
        nodes = scale["minNodeCount"]
        inner.update(
            {
                "scaleSettings": scale,
                # the real service never returns secrets
                "userAccountCredentials": {
                    "adminUserName": credentials.get("adminUserName"),
                    "adminUserSshPublicKey": None,
                    "adminUserPassword": None,
                }
                if credentials
                else None,
                "subnet": inner.get("subnet"),
                "allocationState": "Steady",
                "allocationStateTransitionTime": _now(),
                "currentNodeCount": nodes,
                "targetNodeCount": nodes,
                "errors": None,
                "nodeStateCounts": {
                    "idleNodeCount": nodes,
                    "runningNodeCount": 0,
                    "preparingNodeCount": 0,
                    "unusableNodeCount": 0,
                    "leavingNodeCount": 0,
                    "preemptedNodeCount": 0,
                },
            }
        )
        if inner.get("userAccountCredentials") is None:
            inner.pop("userAccountCredentials")
        ws = self.workspaces[(key[0], key[1])]
        compute = {
            "id": f"{ws['id']}/computes/{key[2]}",
            "name": key[2],
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "location": body.get("location", self.location),
            "tags": body.get("tags") or {},
            "properties": {
                "computeType": props["computeType"],
                "computeLocation": body.get("location", self.location),
                "description": props.get("description"),
                "resourceId": None,
                "createdOn": _now(),
                "modifiedOn": _now(),
                "provisioningState": "Succeeded",
                "provisioningErrors": None,
                "isAttachedCompute": False,
                "properties": inner,
            },
        }
        self.computes[key] = compute
        operation = f"{ARM}/operations/{uuid.uuid4()}"
        return _ok(compute, 201, {"Azure-AsyncOperation": operation})

    def _operation(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok({"status": "Succeeded"})

    def _patch_compute(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        compute = self.computes.get(self._compute_key(match))
        if compute is None:
            return _error(404, "ResourceNotFound", "compute not found")
        scale = ((body.get("properties") or {}).get("properties") or {}).get("scaleSettings")
        if scale:
            inner = compute["properties"]["properties"]
            inner["scaleSettings"].update({k: v for k, v in scale.items() if v is not None})
            nodes = inner["scaleSettings"]["minNodeCount"]
            inner["targetNodeCount"] = nodes
            if nodes != inner["currentNodeCount"]:
                inner["allocationState"] = "Resizing"
                inner["allocationStateTransitionTime"] = _now()
                self._resizing[self._compute_key(match)] = (self.resize_reads, nodes)
            self._start_waiting_runs()
        compute["properties"]["modifiedOn"] = _now()
        return _ok(compute, 200, {"Azure-AsyncOperation": f"{ARM}/operations/{uuid.uuid4()}"})

    def _delete_compute(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        if self.computes.pop(self._compute_key(match), None) is None:
            return _error(404, "ResourceNotFound", "compute not found")
        return 202, {"Azure-AsyncOperation": f"{ARM}/operations/{uuid.uuid4()}"}, ""

    def _list_nodes(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        compute = self.computes.get(self._compute_key(match))
        if compute is None:
            return _error(404, "ResourceNotFound", "compute not found")
        count = compute["properties"]["properties"]["currentNodeCount"]
        # nodes running a run name it, as AmlCompute's node list does (run ids in start order)
        busy = [
            run_id
            for (r, w, run_id), run in self.runs.items()
            if (r, w) == (match["rg"], match["ws"])
            and run.status == "Running"
            and (run.definition.get("Configuration") or {}).get("target") == match["name"]
            for _ in range(int((run.definition.get("Configuration") or {}).get("nodeCount") or 1))
        ]
        nodes = [
            {
                "nodeId": f"tvm-{i}",
                "privateIpAddress": f"10.0.0.{4 + i}",
                "publicIpAddress": f"20.0.0.{4 + i}",
                "port": 50000 + i,
                "nodeState": "running" if i < len(busy) else "idle",
                "runId": busy[i] if i < len(busy) else None,
            }
            for i in range(count)
        ]
        return _ok({"nodes": nodes, "computeType": "AmlCompute"})

    # ------------------------------------------------------------------ datastores & secrets

    def _list_datastores(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        items = [
            d for (r, w, _), d in self.datastores.items() if (r, w) == (match["rg"], match["ws"])
        ]
        return _ok({"value": items, "continuationToken": None})

    def _get_default_datastore(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        for (r, w, _), store in self.datastores.items():
            if (r, w) == (match["rg"], match["ws"]) and store.get("isDefault"):
                return _ok(store)
        return _error(404, "NotFound", "The workspace has no default datastore")

    def _get_datastore(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        found = self.datastores.get((match["rg"], match["ws"], match["name"]))
        if found is None:
            return _error(404, "NotFound", f"Datastore {match['name']} not found")
        return _ok(found)

    def _create_datastore(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        name = body["name"]
        if request.method == "POST" and (match["rg"], match["ws"], name) in self.datastores:
            # what the service answers; the SDK looks for this sentence
            return _error(400, "UserError", "Another datastore with the same name already exists")
        stored = copy.deepcopy(body)
        # The real service keeps the key in the workspace Key Vault and hands it back to
        # callers allowed to read the datastore (the SDK builds a storage client from it).
        for section in ("azureStorageSection",):
            if isinstance(stored.get(section), dict):
                section_body = stored[section]
                section_body.setdefault("endpoint", "core.windows.net")
                section_body.setdefault("protocol", "https")
                kind = section_body.get("credentialType")
                if kind == "AccountKey":
                    section_body["accountKey"] = section_body.get("credential")
                elif kind == "Sas":
                    section_body["sasToken"] = section_body.get("credential")
        self.datastores[(match["rg"], match["ws"], name)] = stored
        return _ok(stored)

    def _put_secrets(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        for secret in body.get("secrets", []):
            self.secrets[(match["rg"], match["ws"], secret["name"])] = secret["value"]
        return 200, {}, ""

    def _put_secret(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        self.secrets[(match["rg"], match["ws"], body["name"])] = body["value"]
        return 200, {}, ""

    def _delete_secret(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        if self.secrets.pop((match["rg"], match["ws"], match["name"]), None) is None:
            return _error(404, "NotFound", "secret not found")
        return 200, {}, ""

    def _get_secret(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        value = self.secrets.get((match["rg"], match["ws"], match["name"]))
        if value is None:
            return _error(404, "NotFound", "secret not found")
        return _ok({"name": match["name"], "value": value})

    # ------------------------------------------------------------------ experiments

    def _experiment_dto(self, rg: str, ws: str, name: str) -> dict[str, Any]:
        return self.experiments[(rg, ws, name)]

    def _get_experiment(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        key = (match["rg"], match["ws"], match["exp"])
        if key not in self.experiments:
            return _error(404, "NotFound", f"Experiment {match['exp']} not found")
        return _ok(self.experiments[key])

    def _create_experiment(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        key = (match["rg"], match["ws"], match["exp"])
        if key not in self.experiments:
            self.experiments[key] = {
                "experimentId": str(uuid.uuid4()),
                "name": match["exp"],
                "description": None,
                "createdUtc": _now(),
                "lastModifiedUtc": _now(),
                "archivedTime": None,
                "tags": {},
            }
        return _ok(self.experiments[key])

    def _query_experiments(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        text = json.dumps(body or {})
        name = re.search(r"name eq ([^\s\")]+)", text, flags=re.IGNORECASE)
        items = [
            e
            for (r, w, n), e in self.experiments.items()
            if (r, w) == (match["rg"], match["ws"])
            and (name is None or n == name.group(1))
            and e.get("archivedTime") is None
        ]
        return _ok({"value": items, "continuationToken": None, "nextLink": None})

    def _patch_experiment(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        for experiment in self.experiments.values():
            if experiment["experimentId"] == match["eid"]:
                if body and body.get("archive"):
                    experiment["archivedTime"] = _now()
                return _ok(experiment)
        return _error(404, "NotFound", "experiment not found")

    # ------------------------------------------------------------------ snapshots & runs

    def _latest_snapshot(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        # A workspace without snapshots: an empty tree, so every file counts as added.
        return _ok({"id": None, "root": {}})

    def _snapshot_blob_urls(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        names = (body or {}).get("FileNames") or []
        batch = uuid.uuid4().hex
        nodes = [
            {"fullName": name, "blobUri": f"{ARTIFACT_BLOBS}/snapshotblobs/{batch}/{name}?sig=fake"}
            for name in names
        ]
        return _ok({"fileNodes": nodes})

    def _put_blob(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        data = request.body
        if hasattr(data, "read"):
            data = data.read()
        if isinstance(data, str):
            data = data.encode()
        self.uploads[match["path"]] = bytes(data or b"")
        return 201, self._blob_headers(match["path"]), ""

    def _blob_headers(self, path: str) -> dict[str, str]:
        return {
            "ETag": f'"0x8D00000000000{len(self.uploads.get(path, b"")) % 10}"',
            "Last-Modified": datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "x-ms-blob-type": "BlockBlob",
            "x-ms-request-server-encrypted": "true",
        }

    def _head_blob(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        if match["path"] not in self.uploads:
            return 404, {"x-ms-error-code": "BlobNotFound"}, ""
        headers = self._blob_headers(match["path"])
        headers["x-ms-meta-fake"] = "1"
        return 200, headers, ""

    def _create_snapshot(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        snapshot_id = match["sid"]
        self.snapshots[snapshot_id] = body
        return _ok({"id": snapshot_id})

    def _start_run(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        rg, ws, exp = match["rg"], match["ws"], match["exp"]
        run_id = query.get("runId") or f"{exp}_{int(time.time())}"
        if (rg, ws, run_id) in self.runs:
            return _error(409, "Conflict", f"Run {run_id} already exists")
        if (rg, ws, exp) not in self.experiments:
            self._create_experiment(request, match, query, None)
        scope = f"/subscriptions/{match['sub']}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}"
        self.runs[(rg, ws, run_id)] = Run(exp, run_id, body, number=len(self.runs) + 1, scope=scope)
        if self.run_executor is not None:
            self.waiting.append((rg, ws, run_id))
            self._start_waiting_runs()
        return _ok({"runId": run_id, "status": "Queued"})

    def _fits(self, key: tuple[str, str, str]) -> bool:
        """Whether the run's target can give it its nodes (a target we do not model can)."""
        configuration = self.runs[key].definition.get("Configuration") or {}
        compute = self.computes.get((key[0], key[1], str(configuration.get("target"))))
        if compute is None:
            return True
        capacity = compute["properties"]["properties"]["scaleSettings"]["maxNodeCount"]
        return int(capacity) >= int(configuration.get("nodeCount") or 1)

    def _start_waiting_runs(self) -> None:
        """Execute the waiting runs whose target can now hold them (in submission order)."""
        for key in [k for k in self.waiting if self._fits(k)]:
            self.waiting.remove(key)
            execution = threading.Thread(target=self._execute, args=key, daemon=True)
            self.executions.append(execution)
            execution.start()

    def _execute(self, rg: str, ws: str, run_id: str) -> None:
        try:
            self.run_executor(self, rg, ws, run_id)
        except BaseException:
            self.set_run_status(rg, ws, run_id, "Failed")  # a broken node fails the run
            raise

    def _run_or_404(self, match: Any) -> Run | None:
        return self.runs.get((match["rg"], match["ws"], match["run"]))

    def _experiment_of(self, match: Any) -> dict[str, Any] | None:
        groups = match.groupdict()
        if groups.get("exp"):
            return self.experiments.get((match["rg"], match["ws"], groups["exp"]))
        for (r, w, _), experiment in self.experiments.items():
            if (r, w) == (match["rg"], match["ws"]) and experiment["experimentId"] == groups.get(
                "eid"
            ):
                return experiment
        return None

    def _get_run(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        run = self._run_or_404(match)
        experiment = self._experiment_of(match)
        if run is None or experiment is None or run.experiment != experiment["name"]:
            return _error(404, "NotFound", f"Run {match['run']} not found")
        return _ok(run.dto(experiment["experimentId"]))

    def _get_run_details(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        run = self._run_or_404(match)
        if run is None:
            return _error(404, "NotFound", "run not found")
        dto = run.dto("")
        dto["logFiles"] = {}
        return _ok(dto)

    def _patch_run(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        run = self._run_or_404(match)
        if run is None:
            return _error(404, "NotFound", "run not found")
        if body:
            run.tags.update(body.get("tags") or {})
            run.properties.update(body.get("properties") or {})
        return _ok(run.dto(self._experiment_id(match["rg"], match["ws"], run.experiment)))

    def _experiment_id(self, rg: str, ws: str, name: str) -> str:
        experiment = self.experiments.get((rg, ws, name))
        return experiment["experimentId"] if experiment else ""

    _patch_run_by_id = _patch_run

    def _query_runs(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        experiment = self._experiment_of(match)
        if experiment is None:
            return _ok({"value": [], "continuationToken": None, "nextLink": None})
        items = [
            run.dto(experiment["experimentId"])
            for (r, w, _), run in self.runs.items()
            if (r, w) == (match["rg"], match["ws"]) and run.experiment == experiment["name"]
        ]
        return _ok({"value": items, "continuationToken": None, "nextLink": None})

    def _cancel_run(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        run = self._run_or_404(match)
        if run is None:
            return _error(404, "NotFound", "run not found")
        key = (match["rg"], match["ws"], match["run"])
        if key in self.waiting:  # never started: nothing to stop
            self.waiting.remove(key)
            run.status, run.ended = "Canceled", _now()
        elif run.status not in ("Completed", "Failed", "Canceled"):
            run.status = "CancelRequested"
            stop = self.cancel_hooks.get((match["rg"], match["ws"], match["run"]))
            if stop is not None:  # a run executing on fake_compute: stop its processes
                threading.Thread(target=stop, daemon=True).start()
        return _ok(run.dto(""))

    # ------------------------------------------------------------------ artifacts

    def _run_by_container(self, match: Any) -> Run | None:
        container = match["container"]
        groups = match.groupdict()
        for (r, w, rid), run in self.runs.items():
            same_workspace = "rg" not in groups or (r, w) == (groups["rg"], groups["ws"])
            if same_workspace and f"dcid.{rid}" == container:
                return run
        return None

    def _sas(self, container: str, path: str) -> str:
        return (
            f"{ARTIFACT_BLOBS}/azureml/ExperimentRun/{container}/{path}?sv=2019-02-02&sr=b&sig=fake"
        )

    def _list_sas(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        run = self._run_by_container(match)
        prefix = match["prefix"] or query.get("path", "")
        items = [
            {
                "contentUri": self._sas(match["container"], path),
                "origin": match["origin"],
                "container": match["container"],
                "path": path,
            }
            for path in sorted(run.files if run else {})
            if path.startswith(prefix)
        ]
        return _ok({"value": items, "continuationToken": None, "nextLink": None})

    def _download_artifact(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        """A SAS download of a run file, honouring ``Range: bytes=N-[M]`` like Blob storage."""
        run = self._run_by_container(match)
        data = run.files.get(match["path"]) if run else None
        if data is None:
            return 404, {"x-ms-error-code": "BlobNotFound"}, ""
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", "") or "")
        if not wanted:
            return 200, {"Content-Type": "application/octet-stream"}, data
        start = int(wanted.group(1))
        end = int(wanted.group(2)) if wanted.group(2) else len(data) - 1
        if start >= len(data):
            return 416, {"Content-Range": f"bytes */{len(data)}"}, b""
        return 206, {"Content-Range": f"bytes {start}-{end}/{len(data)}"}, data[start : end + 1]

    def _run_event(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return 200, {}, ""

    def _list_artifacts(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        run = self._run_by_container(match)
        items = [
            {
                "artifactId": f"{match['origin']}/{match['container']}/{path}",
                "origin": match["origin"],
                "container": match["container"],
                "path": path,
                "createdTime": _now(),
            }
            for path in sorted(run.files if run else {})
        ]
        return _ok({"value": items, "continuationToken": None, "nextLink": None})

    def _content_info(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        return _ok(
            {
                "contentUri": self._sas(match["container"], match["path"]),
                "origin": match["origin"],
                "container": match["container"],
                "path": match["path"],
            }
        )

    # ------------------------------------------------------------------ Blob storage (run history)

    def _shared_key_refusal(self, request: Any) -> tuple[int, dict[str, str], str] | None:
        """None when ``Authorization: SharedKey <account>:<signature>`` signs this request with
        the account key (Blob storage's Shared Key scheme); else the service's 403."""
        if not (request.headers.get("Authorization") or "").startswith("SharedKey "):
            return storage_error(
                403, "NoAuthenticationInformation", "Server failed to authenticate the request."
            )
        if not self.shared_key_access:
            return storage_error(
                403,
                "KeyBasedAuthenticationNotPermitted",
                "Key based authentication is not permitted on this storage account.",
            )
        if not shared_key_signed(request, WORKSPACE_STORAGE, self.storage_key):
            return storage_error(
                403,
                "AuthenticationFailed",
                "Server failed to authenticate the request. Make sure the value of "
                "Authorization header is formed correctly including the signature.",
            )
        return None

    def _blob_of(self, blob_name: str) -> tuple[Run, str] | None:
        """The run and artifact path stored at ``ExperimentRun/<container>/<path>``."""
        origin, _, rest = blob_name.partition("/")
        container, _, path = rest.partition("/")
        if origin != "ExperimentRun":
            return None
        for (_, _, rid), run in self.runs.items():
            if f"dcid.{rid}" == container and path in run.files:
                return run, path
        return None

    @staticmethod
    def _http_date(moment: datetime) -> str:
        return format_datetime(moment.astimezone(timezone.utc), usegmt=True)

    def _artifact_properties(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        """Get Blob Properties (``HEAD``) with the SAS a content-information answer handed out."""
        found = self._blob_of(f"ExperimentRun/{match['container']}/{match['path']}")
        if found is None or "sig" not in query:
            return 404, {"x-ms-error-code": "BlobNotFound"}, ""
        run, path = found
        headers = {
            "Content-Length": str(len(run.files[path])),
            "Last-Modified": self._http_date(run.modified.get(path) or datetime.now(timezone.utc)),
            "Content-Type": "application/octet-stream",
            "ETag": f'"0x{hashlib.sha256(run.files[path]).hexdigest()[:15].upper()}"',
            "x-ms-blob-type": "BlockBlob",
        }
        return 200, headers, ""

    def _list_artifact_blobs(self, request: Any, match: Any, query: Any, body: Any) -> Any:
        """List Blobs of the run-history container (``?restype=container&comp=list``): the
        ``EnumerationResults`` XML with each blob's ``Content-Length`` and ``Last-Modified``,
        paged by ``maxresults``/``marker`` as Blob storage pages it."""
        if (query.get("restype"), query.get("comp")) != ("container", "list"):
            return storage_error(
                400, "InvalidQueryParameterValue", "Unsupported container operation."
            )
        refused = self._shared_key_refusal(request)
        if refused is not None:
            return refused
        prefix = query.get("prefix", "")
        names = sorted(
            f"ExperimentRun/dcid.{rid}/{path}"
            for (_, _, rid), run in self.runs.items()
            for path in run.files
            if f"ExperimentRun/dcid.{rid}/{path}".startswith(prefix)
        )
        marker = query.get("marker", "")
        names = [name for name in names if name >= marker] if marker else names
        limit = min(int(query.get("maxresults", 5000)), 5000)
        page, rest = names[:limit], names[limit:]
        blobs = []
        for name in page:
            found = self._blob_of(name)
            assert found is not None, name
            run, path = found
            data = run.files[path]
            modified = self._http_date(run.modified.get(path) or datetime.now(timezone.utc))
            created = self._http_date(datetime.fromisoformat(run.created.replace("Z", "+00:00")))
            blobs.append(
                f"<Blob><Name>{escape(name)}</Name><Properties>"
                f"<Creation-Time>{created}</Creation-Time><Last-Modified>{modified}</Last-Modified>"
                f"<Etag>0x{hashlib.sha256(data).hexdigest()[:15].upper()}</Etag>"
                f"<Content-Length>{len(data)}</Content-Length>"
                "<Content-Type>application/octet-stream</Content-Type><Content-Encoding />"
                "<Content-Language /><Content-CRC64 /><Content-MD5 /><Cache-Control />"
                "<Content-Disposition /><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier>"
                "<AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus>"
                "<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>"
                "</Properties><OrphanedObject>false</OrphanedObject></Blob>"
            )
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<EnumerationResults ServiceEndpoint="{ARTIFACT_BLOBS}/" ContainerName="{ARTIFACT_CONTAINER}">'
            f"<Prefix>{escape(prefix)}</Prefix>"
            + (f"<Marker>{escape(marker)}</Marker>" if marker else "")
            + f"<MaxResults>{limit}</MaxResults><Blobs>{''.join(blobs)}</Blobs>"
            + (f"<NextMarker>{escape(rest[0])}</NextMarker>" if rest else "<NextMarker />")
            + "</EnumerationResults>"
        )
        return 200, {"Content-Type": "application/xml", "x-ms-version": "2021-08-06"}, xml

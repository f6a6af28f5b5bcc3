"""Fault injection on every endpoint the azureml-v2 backend calls (issue 13 item 6, v2 half).

Each Batch AI call is first run once without faults to learn the endpoints it reaches (the
fake labels every request it answers); then, for each of those endpoints and each fault kind,
it runs again in a fresh fake with the fault injected there:

* refusals the service sends -- 429 with ``Retry-After``, 500, 503, and a 500 whose error body
  has no ``details`` -- and failures of the connection -- refused before the request arrives,
  or the reply lost after the service acted;
* persistent (on every attempt: azure-core's retries give up) and transient (once: the call
  must succeed, ``Retry-After`` honoured).

Asserted for every run: no duplicate cluster or job; no secret missing from a job that exists
and no secret left behind by a job that does not; a failed call raises a ``CloudError`` with the
service's status and message (500 "No reply" when the connection failed: the outcome is unknown); and the same
call made again once the fault is gone succeeds (nothing half-done blocks it).  Retries do not
really sleep: azure-core asks its transport to sleep, and the transport's ``sleep`` records.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fake_v2_service import (
    JOB_FINAL,
    STATUS_CODES,
    SUBSCRIPTION,
    FakeAzureMLV2,
    FakeTokenCredential,
)
from guide import cluster_parameters, job_parameters

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming
from batchai_compat.exceptions import CloudError

RG, WS = "rg", "ws1"
SECRET = "s3cret-value-of-the-job"
CLUSTER_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.BatchAI/workspaces/"
    f"{WS}/clusters/nc6"
)


#: what the SDKs and the clients of this module waited, recorded instead of slept
SLEEPS: list[float] = []


@pytest.fixture(autouse=True)
def recorded_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """azure-core's and azure-storage's retries and pollers sleep through their transport
    (``HttpTransport.sleep``, which no transport of theirs overrides), the backend's own
    retries through its ``retry_policy.sleep``: recorded, not slept."""
    from azure.core.pipeline.transport import HttpTransport

    SLEEPS.clear()
    monkeypatch.setattr(HttpTransport, "sleep", lambda self, seconds: SLEEPS.append(seconds))
    return SLEEPS


# --------------------------------------------------------------------------------------------
# the calls
# --------------------------------------------------------------------------------------------


def _job_parameters(cluster_id: str) -> Any:
    parameters = job_parameters(models, cluster_id)
    parameters.secrets = [models.EnvironmentVariableWithSecretValue(name="TOKEN", value=SECRET)]
    return parameters


def _cluster(client: Any) -> Any:
    return client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()


def _experiment(client: Any) -> None:
    client.experiments.create(RG, WS, "exp").result()


def _cluster_and_experiment(client: Any) -> None:
    _cluster(client)
    _experiment(client)


def _job(client: Any) -> None:
    _cluster_and_experiment(client)
    client.jobs.create(RG, WS, "exp", "job", _job_parameters(CLUSTER_ID)).result()


def _running_job(client: Any, fake: FakeAzureMLV2) -> None:
    _job(client)
    fake.set_job_status(RG, WS, _job_name(fake), "Running")


def _job_name(fake: FakeAzureMLV2) -> str:
    (name,) = [key[3] for key in fake.resources if key[2] == "jobs"]
    return name


def _nothing(client: Any) -> None:
    return None


@dataclass(frozen=True)
class Call:
    """A Batch AI call, what must exist before it, and whether it deletes (a 404 on the call
    made again means the first one got through)."""

    name: str
    setup: Callable[[Any, FakeAzureMLV2], None]
    run: Callable[[Any], Any]
    deletes: bool = False


def _setup(step: Callable[[Any], Any]) -> Callable[[Any, FakeAzureMLV2], None]:
    return lambda client, fake: step(client)


CALLS = [
    Call(
        "workspaces.create",
        _setup(_nothing),
        lambda c: c.workspaces.create(RG, "ws2", "eastus").result(),
    ),
    Call("workspaces.get", _setup(_nothing), lambda c: c.workspaces.get(RG, WS)),
    Call("workspaces.list", _setup(_nothing), lambda c: list(c.workspaces.list())),
    Call(
        "workspaces.list_by_resource_group",
        _setup(_nothing),
        lambda c: list(c.workspaces.list_by_resource_group(RG)),
    ),
    Call(
        "workspaces.update",
        _setup(_nothing),
        lambda c: c.workspaces.update(RG, WS, tags={"team": "vision"}),
    ),
    Call(
        "workspaces.delete",
        _setup(_nothing),
        lambda c: c.workspaces.delete(RG, WS).result(),
        deletes=True,
    ),
    Call("clusters.create", _setup(_nothing), _cluster),
    Call("clusters.get", _setup(_cluster), lambda c: c.clusters.get(RG, WS, "nc6")),
    Call(
        "clusters.list_by_workspace",
        _setup(_cluster),
        lambda c: list(c.clusters.list_by_workspace(RG, WS)),
    ),
    Call(
        "clusters.update",
        _setup(_cluster),
        lambda c: c.clusters.update(
            RG,
            WS,
            "nc6",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(
                    target_node_count=1, node_deallocation_option="waitforjobcompletion"
                )
            ),
        ),
    ),
    Call(
        "clusters.list_remote_login_information",
        _setup(_cluster),
        lambda c: list(c.clusters.list_remote_login_information(RG, WS, "nc6")),
    ),
    Call(
        "clusters.delete",
        _setup(_cluster),
        lambda c: c.clusters.delete(RG, WS, "nc6").result(),
        deletes=True,
    ),
    Call("experiments.create", _setup(_nothing), _experiment),
    Call("experiments.get", _setup(_experiment), lambda c: c.experiments.get(RG, WS, "exp")),
    Call(
        "experiments.list_by_workspace",
        _setup(_experiment),
        lambda c: list(c.experiments.list_by_workspace(RG, WS)),
    ),
    Call(
        "experiments.delete",
        _setup(_job),
        lambda c: c.experiments.delete(RG, WS, "exp").result(),
        deletes=True,
    ),
    Call(
        "jobs.create",
        _setup(_cluster_and_experiment),
        lambda c: c.jobs.create(RG, WS, "exp", "job", _job_parameters(CLUSTER_ID)).result(),
    ),
    Call("jobs.get", _setup(_job), lambda c: c.jobs.get(RG, WS, "exp", "job")),
    Call(
        "jobs.list_by_experiment",
        _setup(_job),
        lambda c: list(c.jobs.list_by_experiment(RG, WS, "exp")),
    ),
    Call(
        "jobs.list_output_files",
        _setup(_job),
        lambda c: list(
            c.jobs.list_output_files(
                RG, WS, "exp", "job", models.JobsListOutputFilesOptions(outputdirectoryid="MODEL")
            )
        ),
    ),
    Call(
        "jobs.list_remote_login_information",
        _setup(_job),
        lambda c: list(c.jobs.list_remote_login_information(RG, WS, "exp", "job")),
    ),
    Call(
        "jobs.terminate",
        _running_job,
        lambda c: c.jobs.terminate(RG, WS, "exp", "job").result(),
    ),
    Call(
        "jobs.delete",
        _running_job,
        lambda c: c.jobs.delete(RG, WS, "exp", "job").result(),
        deletes=True,
    ),
    Call("usages.list", _setup(_nothing), lambda c: list(c.usages.list("eastus"))),
]


# --------------------------------------------------------------------------------------------
# the faults
# --------------------------------------------------------------------------------------------

NO_DETAILS = json.dumps(
    {"error": {"code": "InternalServerError", "message": "the store is rebuilding an index"}}
)


@dataclass(frozen=True)
class Kind:
    """A fault kind: the fake's ``Fault`` settings and what the caller must be told."""

    name: str
    settings: dict[str, Any]
    status: int
    message: str


KINDS = [
    Kind("429+Retry-After", {"status": 429, "retry_after": 7}, 429, "injected fault: 429"),
    Kind("500", {"status": 500}, 500, "injected fault: 500"),
    Kind("503", {"status": 503}, 503, "injected fault: 503"),
    Kind("500 without details", {"status": 500, "body": NO_DETAILS}, 500, "rebuilding an index"),
    Kind("connection refused", {"refuse_connection": True}, 500, "No reply from Azure ML"),
    Kind("reply lost", {"lose_reply": True}, 500, "No reply from Azure ML"),
]


# --------------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _client() -> Iterator[Any]:
    """A fresh client (nothing cached from an earlier run) whose own retries do not sleep."""
    from batchai_compat import BatchAIManagementClient

    with BatchAIManagementClient(FakeTokenCredential(), SUBSCRIPTION, backend="azureml-v2") as c:
        c.backend.retry_policy.sleep = SLEEPS.append
        yield c


@contextlib.contextmanager
def _prepared(call: Call, tmp_path: Path) -> Iterator[tuple[FakeAzureMLV2, dict[str, Any]]]:
    """The fake with workspace ``ws1`` and what ``call`` needs (set up once, by the client),
    and a snapshot of that state to start every run from."""
    with FakeAzureMLV2.running(storage_root=tmp_path / "storage") as fake:
        fake.provisioning_polls = 0
        fake.add_workspace(RG, WS)
        with _client() as client:
            call.setup(client, fake)
        yield fake, fake.snapshot(tmp_path / "prepared")


def _endpoints(call: Call, fake: FakeAzureMLV2, prepared: dict[str, Any]) -> list[str]:
    """The endpoints ``call`` reaches, in order, learnt from a run without faults."""
    fake.restore(prepared)
    with _client() as client:
        call.run(client)
    assert fake.unhandled == []
    return list(dict.fromkeys(fake.endpoints))


def _job_secrets(job: dict[str, Any]) -> set[str]:
    variables = job["properties"].get("environmentVariables") or {}
    manifest = json.loads(variables.get(naming.MANIFEST_VARIABLE) or "{}")
    return set((manifest.get("secrets") or {}).values())


def _state_problems(fake: FakeAzureMLV2) -> list[str]:
    """What must hold whatever failed: no duplicates, every live job has its secrets, no secret
    outlives its job."""
    problems = []
    jobs = [r for k, r in fake.resources.items() if k[2] == "jobs"]
    computes = [k for k in fake.resources if k[2] == "computes"]
    if len(jobs) > 1 or len(computes) > 1:
        problems.append(f"duplicates: {len(jobs)} jobs, {len(computes)} computes")
    stored = {name for (_, name) in fake.secrets}
    kept = [j for j in jobs if not j["properties"].get("isArchived")]  # archived: deleted
    for job in kept:
        missing = _job_secrets(job) - stored
        if missing and job["properties"]["status"] not in JOB_FINAL:
            problems.append(f"secrets deleted from live job {job['name']}: {sorted(missing)}")
    held = set().union(*(_job_secrets(job) for job in kept))
    if stored - held:
        problems.append(f"secrets left without a job: {sorted(stored - held)}")
    return problems


def _error_problems(error: CloudError, kind: Kind, endpoint: str) -> list[str]:
    """The service's status and message must reach the caller.  A refused HEAD has no body
    (Blob storage sends its error code in a header): its status and code must."""
    said = kind.message
    if " HEAD " in endpoint and "status" in kind.settings:
        said = "" if "body" in kind.settings else STATUS_CODES[kind.status]
    if error.status_code != kind.status or said not in f"{error.error.error} {error.message}":
        return [f"unclear error: {error.status_code} {error.error.error} {error.message!r}"]
    return []


def _attempt(
    call: Call, fake: FakeAzureMLV2, prepared: dict[str, Any], endpoint: str, kind: Kind, times: int
) -> list[str]:
    """``call`` from the prepared state with ``kind`` injected ``times`` on ``endpoint``; the
    problems seen."""
    fake.restore(prepared)
    fault = fake.inject(endpoint=endpoint, times=times, **kind.settings)
    problems = []
    with _client() as client:
        try:
            call.run(client)
        except CloudError as error:
            if times == 1:
                problems.append(f"a transient fault failed the call: {error.message!r}")
            else:
                problems += _error_problems(error, kind, endpoint)
        except Exception as error:  # anything but a CloudError is a defect
            problems.append(f"unclear error {type(error).__name__}: {error}")
        if fault.hits == 0:
            problems.append("the endpoint was not reached")
        problems += _state_problems(fake)
        fault.times = fault.hits  # the fault is gone: the same call again must succeed
        try:
            call.run(client)
        except CloudError as error:
            if not (call.deletes and error.status_code == 404):
                problems.append(
                    f"the call made again failed: {error.status_code} {error.message!r}"
                )
    problems += _state_problems(fake)
    assert fake.unhandled == []
    return problems


def _matrix(call: Call, kinds: list[Kind], times: int, tmp_path: Path) -> dict[str, list[str]]:
    """``{"<kind> on <endpoint>": problems}`` for every endpoint ``call`` reaches."""
    found = {}
    with _prepared(call, tmp_path) as (fake, prepared):
        for endpoint in _endpoints(call, fake, prepared):
            for kind in kinds:
                problems = _attempt(call, fake, prepared, endpoint, kind, times)
                if problems:
                    found[f"{kind.name} on {endpoint}"] = problems
    return found


# --------------------------------------------------------------------------------------------
# the matrix
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.name)
def test_persistent_faults_on_every_endpoint(call: Call, tmp_path: Path) -> None:
    """Every fault kind on every attempt, on each endpoint in turn: a clear error (or a
    recovery), nothing duplicated or lost, and the same call succeeds once the fault is gone."""
    assert _matrix(call, KINDS, 100, tmp_path) == {}


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.name)
def test_transient_faults_on_every_endpoint(
    call: Call, tmp_path: Path, recorded_sleeps: list[float]
) -> None:
    """Throttling (with ``Retry-After``) or a lost reply, once: the call succeeds (retried, or
    recognised as done), nothing duplicated."""
    assert _matrix(call, [KINDS[0], KINDS[-1]], 1, tmp_path) == {}
    assert 7 in recorded_sleeps  # Retry-After was honoured, through the transport

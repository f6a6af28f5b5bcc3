"""Faults on every endpoint the azureml backend calls, injected into the fake service.

Each request the backend makes itself is hit by the faults a real service and network produce:
429 with ``Retry-After``, 500, 503, a refused connection, a reply lost after the service acted,
and error bodies without ``details`` (which break azureml-core's own ``ServiceException``
``__str__``).  Whatever happens: no cluster or run is created twice, no secret of a live run is
deleted, a transient fault is retried (after ``Retry-After`` when given, without really
sleeping), and a persistent one surfaces as a ``CloudError`` with the service's status, code
and message.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_service import FakeAzureML, Fault
from guide import cluster_parameters, job_parameters

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming
from batchai_compat.exceptions import CloudError

EXP = "exp"
SECRET = "token-of-the-job"
MESSAGE = "Injected: the service could not do it right now."

#: endpoint -> (method, path pattern, what the call creates); "run-patch" is the backend's own
#: tag update, after the SDK's own update of the run it started (``Fault.after``)
ENDPOINTS = {
    "compute-put": ("PUT", r"/computes/nc6$", "cluster"),
    "compute-get": ("GET", r"/rp/workspaces/.*/computes/nc6$", "cluster"),
    "datastore": ("POST", r"/datastores$", "job"),
    "key-vault": ("PUT", r"/secrets:putbatch$", "job"),
    "run-start": ("POST", r"/snapshotrun$", "job"),
    "run-patch": ("PATCH", r"/runs/batchai_[^/]+$", "job"),
    "artifacts": ("GET", r"/artifacts/prefix/contentinfo/", "files"),
    "blob-list": ("GET", r"^/azureml$", "files"),
}

#: one-shot faults: the request succeeds when made again
TRANSIENT = {
    "429-retry-after": dict(status=429, headers={"Retry-After": "7"}, code="TooManyRequests"),
    "503-retry-after": dict(status=503, headers={"Retry-After": "3"}, code="ServiceUnavailable"),
    "500": dict(status=500, code="InternalServerError"),
    "connection-refused": dict(),
    "reply-lost": dict(lost_reply=True),
}


@pytest.fixture
def sleeps(client: Any) -> list[float]:
    """Every retry wait of the backend, recorded instead of slept."""
    waited: list[float] = []
    client.backend.retry_policy.sleep = waited.append
    return waited


def _cluster(client: Any) -> Any:
    return client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()


def _job_parameters(cluster_id: str) -> models.JobCreateParameters:
    params = job_parameters(models, cluster_id)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET)]
    return params


def _cluster_id() -> str:
    from fake_service import SUBSCRIPTION

    return (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.BatchAI"
        f"/workspaces/{WS}/clusters/nc6"
    )


def _prepare(client: Any, fake: FakeAzureML, what: str) -> None:
    if what == "cluster":
        return
    _cluster(client)
    client.experiments.create(RG, WS, EXP).result()
    if what == "files":
        client.jobs.create(RG, WS, EXP, "job", _job_parameters(_cluster_id())).result()
        run = fake.runs[(RG, WS, naming.run_id(EXP, "job"))]
        run.put_file("logs/stdouterr/stdout-wk-0.txt", b"hello")


def _act(client: Any, what: str) -> Any:
    if what == "cluster":
        return _cluster(client)
    if what == "job":
        return client.jobs.create(RG, WS, EXP, "job", _job_parameters(_cluster_id())).result()
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    return list(client.jobs.list_output_files(RG, WS, EXP, "job", options))


def _live_secrets_kept(fake: FakeAzureML) -> None:
    """Every run of the fake still finds each secret its manifest names."""
    import json

    for (rg, ws, _), run in fake.runs.items():
        configuration = run.definition.get("Configuration") or {}
        manifest = json.loads(configuration["environmentVariables"][naming.MANIFEST_VARIABLE])
        for vault_name in manifest["secrets"].values():
            assert fake.secrets.get((rg, ws, vault_name)) == SECRET, vault_name


def _no_duplicates(fake: FakeAzureML) -> None:
    assert len(fake.computes) <= 1
    assert len(fake.runs) <= 1


@pytest.mark.parametrize("fault", TRANSIENT, ids=list(TRANSIENT))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=list(ENDPOINTS))
def test_a_transient_fault_is_retried_and_done_once(
    client: Any, fake: FakeAzureML, sleeps: list[float], endpoint: str, fault: str
) -> None:
    method, path, what = ENDPOINTS[endpoint]
    _prepare(client, fake, what)
    after = 1 if endpoint == "run-patch" else 0
    fake.inject(Fault(method, path, message=MESSAGE, after=after, **TRANSIENT[fault]))
    result = _act(client, what)
    assert fake.faults_served, "the fault was never hit: the endpoint pattern is stale"
    _no_duplicates(fake)
    _live_secrets_kept(fake)
    if what == "cluster":
        assert result.name == "nc6" and (RG, WS, "nc6") in fake.computes
    elif what == "job":
        assert result.name == "job" and len(fake.runs) == 1
        run = next(iter(fake.runs.values()))
        assert run.tags[naming.TAG_JOB_NAME] == "job"  # tagged, even when a reply was lost
        assert len(fake.secrets) == 1  # no orphan secret of a second attempt
        assert client.jobs.get(RG, WS, EXP, "job").tool_type == "tensorflow"
    else:
        assert [f.name for f in result] == ["stdout-wk-0.txt"]
    retry_after = TRANSIENT[fault].get("headers", {}).get("Retry-After")
    if retry_after is not None and endpoint != "run-start":
        assert float(retry_after) in sleeps
    elif retry_after is not None:  # azureml-core's run submission error drops the headers
        assert sleeps


#: faults that stay: (status, code) of the error the caller must see
PERSISTENT = {
    "429": dict(status=429, headers={"Retry-After": "1"}, code="TooManyRequests"),
    "500": dict(status=500, code="InternalServerError"),
    "503": dict(status=503, code="ServiceUnavailable"),
    "400-no-details": dict(status=400, code="BadRequest"),
    "404-no-details": dict(status=404, code="NotFound"),
}


@pytest.mark.parametrize("fault", PERSISTENT, ids=list(PERSISTENT))
@pytest.mark.parametrize(
    "endpoint", ["compute-put", "datastore", "key-vault", "run-start", "run-patch", "artifacts"]
)
def test_a_persistent_fault_surfaces_with_the_services_status_code_and_message(
    client: Any, fake: FakeAzureML, sleeps: list[float], endpoint: str, fault: str
) -> None:
    method, path, what = ENDPOINTS[endpoint]
    _prepare(client, fake, what)
    after = 1 if endpoint == "run-patch" else 0
    fake.inject(Fault(method, path, message=MESSAGE, times=50, after=after, **PERSISTENT[fault]))
    with pytest.raises(CloudError) as raised:
        _act(client, what)
    error = raised.value
    assert error.status_code == PERSISTENT[fault]["status"]
    if what == "files" and error.status_code == 404:
        # a 404 reading a job's files: Batch AI's answer for the job the call names
        assert (error.error.error, error.message) == (
            "JobNotFound",
            "The specified job job is not found",
        )
    else:
        assert error.error.error == PERSISTENT[fault]["code"]
        assert MESSAGE in error.message
    assert len(sleeps) < client.backend.retry_policy.attempts  # bounded: no nested retries
    _no_duplicates(fake)
    _live_secrets_kept(fake)
    if what == "job" and not fake.runs:
        assert fake.secrets == {}  # no run: the job's secrets are not left behind
    if endpoint == "run-patch":
        assert len(fake.runs) == 1  # started; only its tags are missing
        assert "jobs.create again" in error.message
        fake.faults.clear()
        job = _act(client, what)  # the repeated create finishes the submission
        assert job.name == "job" and len(fake.runs) == 1 and len(fake.secrets) == 1
        assert next(iter(fake.runs.values())).tags[naming.TAG_JOB_NAME] == "job"


def test_connection_refused_for_good_is_a_clear_error_and_leaves_nothing(
    client: Any, fake: FakeAzureML, sleeps: list[float]
) -> None:
    _prepare(client, fake, "job")
    fake.inject(Fault("POST", r"/snapshotrun$", times=50))
    with pytest.raises(CloudError) as raised:
        _act(client, "job")
    assert raised.value.status_code == 500
    assert raised.value.error.error == "ServiceUnreachable"
    assert "connection refused" in raised.value.message
    assert fake.runs == {} and fake.secrets == {}


def test_a_run_that_cannot_be_read_back_keeps_its_secrets(
    client: Any, fake: FakeAzureML, sleeps: list[float]
) -> None:
    """Start reply lost and the run unreadable: the outcome is unknown, so nothing is deleted,
    and a repeated create settles it."""
    _prepare(client, fake, "job")
    fake.inject(
        Fault("POST", r"/snapshotrun$", lost_reply=True),
        Fault("GET", r"/runs/batchai_[^/]+$", status=503, code="ServiceUnavailable", times=50),
    )
    with pytest.raises(CloudError) as raised:
        _act(client, "job")
    assert "could not be read back" in raised.value.message
    assert len(fake.runs) == 1 and len(fake.secrets) == 1
    _live_secrets_kept(fake)
    fake.faults.clear()
    job = _act(client, "job")
    assert job.name == "job" and len(fake.runs) == 1
    _live_secrets_kept(fake)
    assert len(fake.secrets) == 1  # the repeat's own secret was removed again


def test_a_404_without_details_during_submission_reports_the_service_error(
    client: Any, fake: FakeAzureML, sleeps: list[float]
) -> None:
    """azureml-core's ServiceException cannot even print such an error; ours says it."""
    _prepare(client, fake, "job")
    fake.inject(
        Fault("PUT", r"/secrets:putbatch$", status=404, code="WorkspaceNotFound", message=MESSAGE)
    )
    with pytest.raises(CloudError) as raised:
        _act(client, "job")
    assert (raised.value.status_code, raised.value.error.error) == (404, "WorkspaceNotFound")
    assert MESSAGE in raised.value.message and "NoneType" not in raised.value.message
    assert sleeps == [] and fake.runs == {}


def test_the_same_cluster_created_again_is_returned_another_is_a_conflict(
    client: Any, fake: FakeAzureML
) -> None:
    first = _cluster(client)
    again = _cluster(client)
    assert again.id == first.id and len(fake.requests_to("PUT", r"/computes/nc6$")) == 1
    other = cluster_parameters(models)
    other.vm_size = "STANDARD_D2_V2"
    with pytest.raises(CloudError) as raised:
        client.clusters.create(RG, WS, "nc6", other).result()
    assert raised.value.status_code == 409 and "vm_size" in raised.value.message


def test_the_same_job_created_again_is_returned_another_is_a_conflict(
    client: Any, fake: FakeAzureML
) -> None:
    _prepare(client, fake, "job")
    first = _act(client, "job")
    again = _act(client, "job")
    assert again.id == first.id
    assert again.job_output_directory_path_segment == first.job_output_directory_path_segment
    assert len(fake.runs) == 1 and len(fake.secrets) == 1
    _live_secrets_kept(fake)
    other = _job_parameters(_cluster_id())
    other.node_count = 1
    with pytest.raises(CloudError) as raised:
        client.jobs.create(RG, WS, EXP, "job", other).result()
    assert raised.value.status_code == 409
    assert len(fake.runs) == 1 and len(fake.secrets) == 1
    _live_secrets_kept(fake)


def test_a_refused_sdk_update_of_the_started_run_keeps_the_run_and_its_secrets(
    client: Any, fake: FakeAzureML, sleeps: list[float]
) -> None:
    """azureml-core updates the run it has just started; when that update is refused the run
    exists all the same: it is adopted, not orphaned without its secrets."""
    _prepare(client, fake, "job")
    fake.inject(Fault("PATCH", r"/runs/batchai_[^/]+$", status=400, code="BadRequest"))
    job = _act(client, "job")
    assert job.name == "job" and len(fake.runs) == 1 and len(fake.secrets) == 1
    _live_secrets_kept(fake)
    assert next(iter(fake.runs.values())).tags[naming.TAG_JOB_NAME] == "job"

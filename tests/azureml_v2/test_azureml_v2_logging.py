"""Logging of the azureml-v2 backend: submission and state changes at INFO, ``logging_enable``'s
redacted HTTP records (azure-core's requests transport), and no secret in any record."""

from __future__ import annotations

import base64
import json
import logging

from fake_v2_service import SUBSCRIPTION, FakeAzureMLV2, FakeTokenCredential
from guide import ADMIN_PASSWORD, STORAGE_KEY, cluster_parameters, job_parameters

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.backends._azureml_common import naming

RG, WS = "rg", "ws1"  # the workspace tests/azureml_v2/conftest.py's fake has
SECRET = "v2-job-secret-value"
TOKEN_HEADER = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()


def _text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text


def test_logging_enable_and_state_changes_without_secrets(fake: FakeAzureMLV2, caplog) -> None:
    fake.job_executor = None  # the test moves the job through its states
    caplog.set_level(logging.DEBUG)
    with BatchAIManagementClient(
        FakeTokenCredential(), SUBSCRIPTION, backend="azureml-v2", logging_enable=True
    ) as client:
        cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
        client.experiments.create(RG, WS, "exp").result()
        params = job_parameters(models, cluster.id)
        params.secrets = [models.EnvironmentVariableWithSecretValue(name="TOKEN", value=SECRET)]
        client.jobs.create(RG, WS, "exp", "tf_job", params).result()
        for status in ("Running", "Completed"):
            fake.set_job_status(RG, WS, naming.run_id("exp", "tf_job"), status)
            client.jobs.get(RG, WS, "exp", "tf_job")

    ours = [r for r in caplog.records if r.name.startswith("batchai_compat")]
    infos = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    assert "Batch AI calls run on the 'azureml-v2' backend (backend= argument)" in infos
    assert "cluster rg/ws1/nc6: AmlCompute 'nc6' requested" in infos
    job = "job rg/ws1/exp/tf_job"
    run_name = naming.run_id("exp", "tf_job")
    assert f"{job} submitted as Azure ML job {run_name!r} on compute 'nc6'" in infos
    changes = [m for m in infos if m.startswith(f"{job}: ")]
    assert [m.split(" -> ")[1] for m in changes] == [
        "running (Azure ML: Running)",
        "succeeded (Azure ML: Completed)",
    ]

    http = [r.getMessage() for r in ours if r.name == "batchai_compat.http"]
    requests_logged = [m for m in http if m.startswith("Request URL: ")]
    assert len(requests_logged) >= len([c for c in fake.calls if "/jobs/" in c[1]]) > 0
    assert all("'Authorization': 'REDACTED'" in m for m in requests_logged if "Authorization" in m)
    assert any(m.startswith("Response status: ") for m in http)

    secrets = {
        "storage key": STORAGE_KEY,
        "admin password": ADMIN_PASSWORD,
        "job secret": SECRET,
        "access token": TOKEN_HEADER,
    }
    leaks = [(r.name, n) for r in ours for n, value in secrets.items() if value in _text(r)]
    assert leaks == []


def test_a_retry_logs_what_the_service_answered(fake: FakeAzureMLV2, caplog) -> None:
    """azure-core does not send a POST again when its reply was lost: the backend does (a node
    list is safe to repeat), and its retry's line says why and how long it waits."""
    caplog.set_level(logging.INFO, logger="batchai_compat")
    with BatchAIManagementClient(FakeTokenCredential(), SUBSCRIPTION, backend="azureml-v2") as c:
        waited: list[float] = []
        c.backend.retry_policy.sleep = waited.append
        c.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
        fault = fake.inject("POST", r"/computes/nc6/listNodes$", lose_reply=True)
        list(c.clusters.list_remote_login_information(RG, WS, "nc6"))
    assert fault.hits == 1 and waited == [1.0]
    (retry,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "batchai_compat.backends._azureml_common.retry"
    ]
    assert retry.startswith("Azure ML answered no reply: ") and "Connection aborted" in retry
    assert retry.endswith("; trying again in 1 s (attempt 2 of 4)")

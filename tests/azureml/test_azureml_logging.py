"""Logging of the azureml backend: what a user follows, ``logging_enable=True``'s HTTP records,
and no secret in any record (storage keys, admin password, secret environment values, access
tokens, SAS signatures of output files)."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_service import SUBSCRIPTION, FakeAzureML, FakeCredential
from guide import ADMIN_PASSWORD, STORAGE_KEY, cluster_parameters, job_parameters

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.backends._azureml_common.naming import run_id as _run_id

EXPERIMENT = "tensorflow_experiment"
SECRET = "api-token-kept-in-key-vault"
#: The header of every token the fake credential issues (the rest varies with its expiry).
TOKEN_HEADER = (
    base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    .rstrip(b"=")
    .decode()
)


def _session(client, fake: FakeAzureML) -> list[str]:
    """Create a cluster, submit the guide's job with a secret, follow it to the end, list its
    logs; the SAS signatures of the listed download URLs."""
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, EXPERIMENT).result()
    params = job_parameters(models, cluster.id)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET)]
    client.jobs.create(RG, WS, EXPERIMENT, "tf_job", params).result()
    run_id = _run_id(EXPERIMENT, "tf_job")
    for status in ("Running", "Completed"):
        fake.set_run_status(RG, WS, run_id, status)
        client.jobs.get(RG, WS, EXPERIMENT, "tf_job")
    fake.add_run_file(RG, WS, run_id, "logs/stdouterr/stdout-wk-0.txt", b"loss 0.1")
    files = client.jobs.list_output_files(
        RG,
        WS,
        EXPERIMENT,
        "tf_job",
        models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr"),
    )
    return [f.download_url.split("sig=")[1].split("&")[0] for f in files]


def _text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text


def _leaks(records: list[logging.LogRecord], signatures: list[str]) -> list[tuple[str, str]]:
    """(logger, secret kind) of every record holding a secret.  The fake signs its SAS URLs
    with ``sig=fake``: a signature shows as any ``sig=`` value but ``REDACTED``."""
    assert set(signatures) == {"fake"}
    secrets = {
        "storage key": STORAGE_KEY,
        "admin password": ADMIN_PASSWORD,
        "secret env": SECRET,
        "access token": TOKEN_HEADER,
    }
    found = [
        (r.name, name) for r in records for name, value in secrets.items() if value in _text(r)
    ]
    found += [(r.name, "SAS") for r in records if re.search(r"sig=(?!REDACTED)", _text(r))]
    return found


def test_a_session_logs_submission_and_state_changes(fake: FakeAzureML, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with BatchAIManagementClient(FakeCredential(), SUBSCRIPTION, backend="azureml") as client:
        signatures = _session(client, fake)
    ours = [r for r in caplog.records if r.name.startswith("batchai_compat")]
    infos = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    assert "Batch AI calls run on the 'azureml' backend (backend= argument)" in infos
    assert "cluster rg/ws/nc6: AmlCompute 'nc6' requested (STANDARD_NC6)" in infos
    run_id = _run_id(EXPERIMENT, "tf_job")
    job = f"job rg/ws/{EXPERIMENT}/tf_job"
    assert f"{job} submitted as Azure ML run {run_id!r} on compute 'nc6'" in infos
    assert [m for m in infos if m.startswith(f"{job}: ")] == [
        f"{job}: queued (Azure ML: Queued) -> running (Azure ML: Running)",
        f"{job}: running (Azure ML: Running) -> succeeded (Azure ML: Completed)",
    ]
    assert not [r for r in ours if r.name == "batchai_compat.http"]  # logging_enable is off
    assert signatures and _leaks(ours, signatures) == []


def test_logging_enable_logs_every_request_redacted(fake: FakeAzureML, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with BatchAIManagementClient(
        FakeCredential(), SUBSCRIPTION, backend="azureml", logging_enable=True
    ) as client:
        assert client.config.logging_enable is True
        signatures = _session(client, fake)
    http = [r.getMessage() for r in caplog.records if r.name == "batchai_compat.http"]
    requests_logged = [m for m in http if m.startswith("Request URL: ")]
    responses_logged = [m for m in http if m.startswith("Response status: ")]
    # Every request that reached the service was logged, with its response.
    assert len(requests_logged) == len(fake.calls) == len(responses_logged)
    assert all(m.split("\n")[1].startswith("Request method: ") for m in requests_logged)
    assert any("'Authorization': 'REDACTED'" in m for m in requests_logged)
    assert any("A body of" in m and "(not logged)" in m for m in requests_logged)
    assert any("Response status: 200" in m for m in responses_logged)
    ours = [r for r in caplog.records if r.name.startswith("batchai_compat")]
    assert _leaks(ours, signatures) == []


def test_logging_enable_logs_nothing_when_the_logger_is_above_debug(fake, caplog) -> None:
    caplog.set_level(logging.INFO)
    with BatchAIManagementClient(
        FakeCredential(), SUBSCRIPTION, backend="azureml", logging_enable=True
    ) as client:
        client.workspaces.get(RG, WS)
    assert fake.calls
    assert not [r for r in caplog.records if r.name == "batchai_compat.http"]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://acct.blob.core.windows.net/c/b?sv=2021&sig=abc%2Fdef&se=2030&api-version=1",
            "https://acct.blob.core.windows.net/c/b?sv=REDACTED&sig=REDACTED&se=REDACTED&api-version=1",
        ),
        ("https://management.azure.com/x?api-version=2018-05-01", None),
        ("https://management.azure.com/x", None),
    ],
)
def test_urls_keep_only_allowed_query_values(url, shown) -> None:
    from batchai_compat.core.http_logging import redact_url

    assert redact_url(url) == (shown or url)

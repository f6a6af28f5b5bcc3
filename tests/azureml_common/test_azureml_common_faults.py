"""The shared Azure ML fault handling, without any Azure ML SDK: what a failure says, how long to
wait, how often to try, and whose run holds a job's id."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
from msrest.authentication import BasicTokenAuthentication

from batchai_compat.backends._azureml_common import naming, submission
from batchai_compat.backends._azureml_common.credentials import token_credential
from batchai_compat.backends._azureml_common.errors import (
    ServiceFailure,
    cloud_error_for,
    failure_from_reply,
    retry_after_seconds,
)
from batchai_compat.backends._azureml_common.retry import RetryPolicy
from batchai_compat.exceptions import CloudError, ValidationError

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(NOW + timedelta(seconds=30), usegmt=True), NOW) == 30
    assert retry_after_seconds(format_datetime(NOW - timedelta(seconds=30), usegmt=True), NOW) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"code": "Throttled", "message": "slow down"}},
        {"error": {"error": {"code": "Throttled", "message": "slow down"}}},
        {"error_details": {"error": {"code": "Throttled", "message": "slow down"}}},
        {"code": "Throttled", "message": "slow down"},
    ],
    ids=["azureml", "arm-nested", "azureml-core-execution", "flat"],
)
def test_a_reply_keeps_the_services_code_message_and_retry_after(body):
    failure = failure_from_reply(429, {"retry-after": "3"}, json.dumps(body))
    assert failure == ServiceFailure(429, "Throttled", "slow down", 3.0)
    assert failure.transient


def test_a_reply_without_json_keeps_its_text_and_no_reply_is_transient():
    failure = failure_from_reply(
        502, requests.structures.CaseInsensitiveDict(), "<html>bad gateway"
    )
    assert (failure.status, failure.code, failure.message) == (502, None, "<html>bad gateway")
    assert not failure_from_reply(400, {}, "").transient
    assert ServiceFailure(None, None, "connection refused").transient


def test_the_cloud_error_carries_status_code_and_the_whole_message():
    long = "first line\n" + "x" * 1000
    error = cloud_error_for(ServiceFailure(503, "ServiceUnavailable", long), "job")
    assert isinstance(error, CloudError)
    assert (error.status_code, error.error.error) == (503, "ServiceUnavailable")
    assert long in error.message
    unknown = cloud_error_for(ServiceFailure(404, None, "gone"), "cluster")
    assert (unknown.status_code, unknown.error.error) == (404, "ResourceNotFound")
    silent = cloud_error_for(ServiceFailure(None, None, "refused"), "job")
    assert (silent.status_code, silent.error.error) == (500, "ServiceUnreachable")


class Flaky:
    """Fails with the given failures, then returns 'done'."""

    def __init__(self, *failures: ServiceFailure) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise RuntimeError(self.failures.pop(0))
        return "done"


def _describe(error: BaseException) -> ServiceFailure | None:
    return error.args[0] if isinstance(error.args[0], ServiceFailure) else None


def test_retries_wait_what_retry_after_asks_else_back_off(caplog):
    caplog.set_level(logging.INFO, logger="batchai_compat")
    waited: list[float] = []
    policy = RetryPolicy(attempts=4, backoff=1.0, sleep=waited.append)
    flaky = Flaky(
        ServiceFailure(429, "TooManyRequests", "slow down", retry_after=9),
        ServiceFailure(500, None, "", retry_after=9),  # Retry-After counts for 429/503 only
        ServiceFailure(None, None, "connection reset"),
    )
    assert policy.call(flaky, _describe) == "done"
    assert waited == [9, 2, 4] and flaky.calls == 4
    assert [r.getMessage() for r in caplog.records] == [  # one line per retry
        "Azure ML answered 429 TooManyRequests: slow down; trying again in 9 s (attempt 2 of 4)",
        "Azure ML answered 500; trying again in 2 s (attempt 3 of 4)",
        "Azure ML answered no reply: connection reset; trying again in 4 s (attempt 4 of 4)",
    ]


def test_retries_are_bounded_and_capped_and_refusals_are_not_retried():
    waited: list[float] = []
    policy = RetryPolicy(attempts=3, max_retry_after=60, sleep=waited.append)
    flaky = Flaky(*[ServiceFailure(503, None, "", retry_after=3600)] * 5)
    with pytest.raises(RuntimeError):
        policy.call(flaky, _describe)
    assert flaky.calls == 3 and waited == [60, 60]
    refused = Flaky(ServiceFailure(400, "BadRequest", "no"))
    with pytest.raises(RuntimeError):
        policy.call(refused, _describe)
    assert refused.calls == 1
    bug = Flaky()
    bug.failures = ["not a service failure"]  # type: ignore[list-item]
    with pytest.raises(RuntimeError):
        policy.call(bug, _describe)
    assert bug.calls == 1


def test_a_msrest_credential_becomes_a_token_credential():
    legacy = BasicTokenAuthentication({"access_token": "arm-token", "expires_on": "1900000000"})
    credential = token_credential(legacy, "azureml")
    token = credential.get_token("https://ml.azure.com/.default")
    assert (token.token, token.expires_on) == ("arm-token", 1900000000)
    assert "arm-token" not in repr(credential)
    modern = type("Identity", (), {"get_token": lambda self, *s, **k: None})()
    assert token_credential(modern, "azureml-v2") is modern
    with pytest.raises(ValidationError, match="azureml-v2"):
        token_credential(object(), "azureml-v2")


def _manifest(uuid: str, parameters: dict) -> dict:
    return {"job": {"uuid": uuid, "job": "j", "experiment": "e"}, "parameters": parameters}


def test_whose_run_holds_the_job_id():
    ours = _manifest("u-1", {"node_count": 1})
    tags = {
        naming.TAG_JOB_UUID: "u-1",
        naming.TAG_PARAMETERS: json.dumps({"node_count": 1}),
    }
    assert submission.verdict(ours, tags) == submission.OURS
    earlier = {**tags, naming.TAG_JOB_UUID: "u-0"}
    assert submission.verdict(ours, earlier) == submission.IDENTICAL
    other = {**earlier, naming.TAG_PARAMETERS: json.dumps({"node_count": 2})}
    assert submission.verdict(ours, other) == submission.DIFFERENT
    # never tagged: the manifest it was submitted with decides
    environment = {naming.MANIFEST_VARIABLE: json.dumps(_manifest("u-1", {"node_count": 1}))}
    submitted = submission.manifest_of_definition(environment)
    assert submission.verdict(ours, {}, submitted) == submission.OURS
    assert submission.verdict(ours, {}, {}) == submission.DIFFERENT  # not a Batch AI job

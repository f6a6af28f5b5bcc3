"""Jobs through the client: create, get, list, output files, remote login, terminate, delete."""

from __future__ import annotations

import time

import pytest
import requests

import batchai_compat.models as models
from batchai_compat.exceptions import NoEquivalentError, ResourceNotFoundError

from .conftest import EXP, FINAL_STATES, RG, WS, job_parameters, wait_until

FINAL = FINAL_STATES


def _state(client, name: str) -> str:
    return str(client.jobs.get(RG, WS, EXP, name).execution_state.value)


def delete_job(client, backend, *names: str) -> bool:
    """``jobs.delete``, or its ``NoEquivalentError`` on a backend without it (nothing deleted,
    the job still listed); whether the backend deleted."""
    if not backend.has("job_delete"):
        listed = [j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)]
        with pytest.raises(NoEquivalentError, match="jobs.delete"):
            client.jobs.delete(RG, WS, EXP, names[0]).result()
        assert [j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)] == listed
        return False
    for name in names:
        client.jobs.delete(RG, WS, EXP, name).result()
    return True


@pytest.fixture
def jobs_backend(backend):
    if not backend.has("jobs"):
        pytest.skip(f"{backend.name} runs no jobs")
    return backend


def test_job_lifecycle_and_output_files(client, experiment, cluster, jobs_backend):
    params = job_parameters(cluster.id, "echo hello-from-the-job")
    params.environment_variables = [models.EnvironmentVariable(name="GREETING", value="hi")]
    job = client.jobs.create(RG, WS, EXP, "job1", params).result()
    assert isinstance(job, models.Job)
    assert job.name == "job1"
    assert job.id == f"{experiment.id}/jobs/job1"
    assert job.cluster.id == cluster.id
    assert job.node_count == 1
    assert job.custom_toolkit_settings.command_line == "echo hello-from-the-job"
    assert [(e.name, e.value) for e in job.environment_variables] == [("GREETING", "hi")]

    wait_until(lambda: _state(client, "job1") in FINAL)
    assert _state(client, "job1") == "succeeded"
    assert [j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)] == ["job1"]
    options = models.JobsListByExperimentOptions(max_results=1)
    assert [j.name for j in client.jobs.list_by_experiment(RG, WS, EXP, options)] == ["job1"]

    files = list(
        client.jobs.list_output_files(
            RG, WS, EXP, "job1", models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
        )
    )
    by_name = {f.name: f for f in files}
    assert "stdout.txt" in by_name
    stdout = by_name["stdout.txt"]
    assert str(getattr(stdout.file_type, "value", stdout.file_type)) == "file"
    assert stdout.content_length == len(b"hello-from-the-job\n")
    # written while the job ran: after its creation (storage keeps whole seconds), before now
    assert stdout.last_modified.tzinfo is not None
    written = stdout.last_modified.timestamp()
    assert job.creation_time.timestamp() - 1 <= written <= time.time() + 1
    response = requests.get(stdout.download_url, timeout=10)
    assert response.status_code == 200
    assert response.text == "hello-from-the-job\n"
    ranged = requests.get(stdout.download_url, headers={"Range": "bytes=6-"}, timeout=10)
    assert ranged.status_code == 206
    assert ranged.text == "from-the-job\n"

    if delete_job(client, jobs_backend, "job1"):
        wait_until(lambda: not list(client.jobs.list_by_experiment(RG, WS, EXP)))
        with pytest.raises(ResourceNotFoundError):
            client.jobs.get(RG, WS, EXP, "job1")


def test_terminate_ends_a_running_job_failed(client, experiment, cluster, jobs_backend):
    client.jobs.create(RG, WS, EXP, "long", job_parameters(cluster.id, "sleep 60")).result()
    wait_until(lambda: _state(client, "long") == "running")
    logins = list(client.jobs.list_remote_login_information(RG, WS, EXP, "long"))
    assert len(logins) == 1 and isinstance(logins[0], models.RemoteLoginInformation)
    poller = client.jobs.terminate(RG, WS, EXP, "long")
    assert poller.result() is None
    wait_until(lambda: _state(client, "long") in FINAL)
    assert _state(client, "long") == "failed"
    delete_job(client, jobs_backend, "long")


def test_job_returned_carries_the_creation_parameters_without_secrets(
    client, experiment, cluster, jobs_backend
):
    params = job_parameters(cluster.id)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="TOKEN", value="s3cr3t-value")]
    client.jobs.create(RG, WS, EXP, "secretive", params).result()
    job = client.jobs.get(RG, WS, EXP, "secretive")
    assert [s.name for s in job.secrets] == ["TOKEN"]
    assert job.secrets[0].value is None
    # every field of JobCreateParameters is readable on the Job (helpers rebuild one from it)
    for name in models.JobCreateParameters._attribute_map:
        assert hasattr(job, name), name
    wait_until(lambda: _state(client, "secretive") in FINAL)


def test_a_failed_job_says_why_in_its_error_message(client, experiment, cluster, jobs_backend):
    """errors[0].message ends with the exception line of the task's Python traceback."""
    import shlex
    import sys

    script = "print('loading'); raise ValueError('learning rate must be positive')"
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"
    client.jobs.create(RG, WS, EXP, "fails", job_parameters(cluster.id, command)).result()
    wait_until(lambda: _state(client, "fails") in FINAL)
    job = client.jobs.get(RG, WS, EXP, "fails")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.exit_code == 1
    message = job.execution_info.errors[0].message
    assert message.endswith("ValueError: learning rate must be positive"), message

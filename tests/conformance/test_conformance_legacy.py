"""Batch AI 1.0-era call shapes (no workspace, no experiment) against default ones."""

from __future__ import annotations

import inspect

import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import NoEquivalentError, ResourceNotFoundError
from batchai_compat.operations._legacy import DEFAULT_EXPERIMENT, DEFAULT_WORKSPACE

from .conftest import FINAL_STATES, RG, cluster_parameters, job_parameters, wait_until


def test_one_point_zero_cluster_and_job_calls(client, backend):
    with pytest.raises(ResourceNotFoundError):
        client.clusters.get(RG, "nc6")  # nothing created by a read
    assert list(client.workspaces.list_by_resource_group(RG)) == []

    cluster = client.clusters.create(RG, "nc6", cluster_parameters()).result()
    assert f"/workspaces/{DEFAULT_WORKSPACE}/clusters/nc6" in cluster.id
    assert client.clusters.get(RG, "nc6").id == cluster.id
    assert client.clusters.get(RG, DEFAULT_WORKSPACE, "nc6").id == cluster.id  # the 2.0.0 view

    if backend.has("jobs"):
        job = client.jobs.create(RG, "job1", job_parameters(cluster.id, "echo legacy")).result()
        assert (
            f"/workspaces/{DEFAULT_WORKSPACE}/experiments/{DEFAULT_EXPERIMENT}/jobs/job1" in job.id
        )
        wait_until(lambda: str(client.jobs.get(RG, "job1").execution_state.value) in FINAL_STATES)
        files = client.jobs.list_output_files(
            RG, "job1", models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
        )
        assert "stdout.txt" in {f.name for f in files}
        client.jobs.terminate(RG, "job1").result()
        if backend.has("job_delete"):
            client.jobs.delete(RG, "job1").result()
            wait_until(
                lambda: (
                    list(client.jobs.list_by_experiment(RG, DEFAULT_WORKSPACE, DEFAULT_EXPERIMENT))
                    == []
                )
            )
        else:
            with pytest.raises(NoEquivalentError, match="jobs.delete"):
                client.jobs.delete(RG, "job1").result()

    client.clusters.delete(RG, "nc6").result()
    wait_until(lambda: list(client.clusters.list_by_workspace(RG, DEFAULT_WORKSPACE)) == [])


def test_one_point_zero_shapes_keep_the_2_0_0_signatures(client):
    create = inspect.signature(client.clusters.create)
    assert list(create.parameters)[:4] == [
        "resource_group_name",
        "workspace_name",
        "cluster_name",
        "parameters",
    ]
    assert "workspace_name" in inspect.signature(client.jobs.list_output_files).parameters


def test_bad_input_in_a_one_point_zero_call_creates_nothing(client):
    params = cluster_parameters()
    params.vm_size = None
    with pytest.raises(ValueError):
        client.clusters.create(RG, "nc6", params)
    assert list(client.workspaces.list_by_resource_group(RG)) == []


def test_a_2_0_0_call_missing_an_argument_is_still_a_type_error(client):
    with pytest.raises(TypeError):
        client.clusters.create(RG, "ws", "nc6")  # forgot the parameters
    with pytest.raises(TypeError):
        client.jobs.get(RG, "ws", "exp")  # forgot the job name

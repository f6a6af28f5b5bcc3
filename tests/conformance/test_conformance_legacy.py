"""Batch AI 1.0-era call shapes (no workspace, no experiment) against default ones."""

from __future__ import annotations

import inspect

import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import NoEquivalentError, ResourceNotFoundError, ValidationError
from batchai_compat.operations._legacy import DEFAULT_EXPERIMENT, DEFAULT_WORKSPACE

from .conftest import (
    EXP,
    FINAL_STATES,
    LOCATION,
    RG,
    WS,
    cluster_parameters,
    job_parameters,
    wait_until,
)


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


# --- 1.0 call shapes find what 2.0 calls created (the rule of operations/_legacy.py) ---------


def test_one_point_zero_reads_find_a_cluster_created_in_a_named_workspace(client, workspace):
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters()).result()
    assert client.clusters.get(RG, "nc6").id == cluster.id  # not in 'default': found in WS
    # scale to 0 as notebooks did at the end (Azure ML's own semantics: running jobs finish)
    manual = models.ManualScaleSettings(
        target_node_count=0, node_deallocation_option="waitforjobcompletion"
    )
    updated = client.clusters.update(RG, "nc6", scale_settings=models.ScaleSettings(manual=manual))
    assert updated.id == cluster.id
    client.clusters.delete(RG, "nc6").result()
    wait_until(lambda: list(client.clusters.list_by_workspace(RG, WS)) == [])
    # nothing was created in the default workspace along the way
    assert [w.name for w in client.workspaces.list_by_resource_group(RG)] == [WS]


def test_one_point_zero_job_calls_find_a_job_of_a_named_experiment(
    client, backend, experiment, cluster
):
    if not backend.has("jobs"):
        pytest.skip(f"{backend.name}: no jobs")
    job = client.jobs.create(RG, WS, EXP, "job1", job_parameters(cluster.id, "echo found")).result()
    assert client.jobs.get(RG, "job1").id == job.id
    wait_until(lambda: str(client.jobs.get(RG, "job1").execution_state.value) in FINAL_STATES)
    files = client.jobs.list_output_files(
        RG, "job1", models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    )
    assert "stdout.txt" in {f.name for f in files}
    client.jobs.terminate(RG, "job1").result()


def test_the_default_workspace_comes_first(client, workspace):
    elsewhere = client.clusters.create(RG, WS, "nc6", cluster_parameters()).result()
    legacy = client.clusters.create(RG, "nc6", cluster_parameters()).result()  # to 'default'
    assert f"/workspaces/{DEFAULT_WORKSPACE}/" in legacy.id
    assert legacy.id != elsewhere.id
    assert client.clusters.get(RG, "nc6").id == legacy.id


def test_a_name_in_several_workspaces_needs_the_workspace(client):
    for workspace in ("ws1", "ws2"):
        client.workspaces.create(RG, workspace, LOCATION).result()
        client.clusters.create(RG, workspace, "nc6", cluster_parameters()).result()
    with pytest.raises(ValidationError) as info:
        client.clusters.get(RG, "nc6")
    message = str(info.value)
    assert info.value.parameter == "workspace_name"
    assert "ws1" in message and "ws2" in message and "pass the workspace" in message
    with pytest.raises(ValidationError, match="ws1.*ws2"):
        client.clusters.delete(RG, "nc6")
    for workspace in ("ws1", "ws2"):  # nothing was deleted
        assert client.clusters.get(RG, workspace, "nc6").name == "nc6"


def test_a_job_name_in_several_experiments_needs_them(client, backend, workspace, cluster):
    if not backend.has("jobs"):
        pytest.skip(f"{backend.name}: no jobs")
    for name in ("exp1", "exp2"):
        client.experiments.create(RG, WS, name).result()
        client.jobs.create(RG, WS, name, "same", job_parameters(cluster.id)).result()
    with pytest.raises(ValidationError) as info:
        client.jobs.get(RG, "same")
    message = str(info.value)
    assert f"{WS}/exp1" in message and f"{WS}/exp2" in message
    assert "pass the workspace and experiment" in message


def test_a_name_found_nowhere_is_a_404_and_creates_nothing(client, workspace):
    with pytest.raises(ResourceNotFoundError):
        client.clusters.get(RG, "missing")
    with pytest.raises(ResourceNotFoundError):
        client.jobs.get(RG, "missing")
    assert [w.name for w in client.workspaces.list_by_resource_group(RG)] == [WS]

"""What the real Batch AI service answered (API 2018-05-01), stated as facts, on every backend.

The service is gone; its answers survive in recorded traffic: the Azure SDK for Python's
``azure-mgmt-batchai/tests/recordings/*.yaml`` (with the assertions of its
``tests/test_mgmt_batchai_*.py``) and the az CLI ``batchai`` module's recordings and scenario
tests.  Each test below states one recorded behaviour in our own words -- a status, an error
code, a message, a field present or absent, a default -- and names the recording it comes from.
Scripts that branch on what the service said rely on exactly these.

Where a backend has no equivalent of the feature a fact is about (file servers on Azure ML),
the fact test asserts the backend's ``NoEquivalentError`` saying what to do instead; a fact
whose premise cannot hold on a backend is skipped with the reason (``NOT_APPLICABLE`` below).
What each backend does instead is in the README's list of differences from the real service.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests

import batchai_compat.models as models
from batchai_compat.exceptions import CloudError, NoEquivalentError

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

#: test -> backend -> why the recorded behaviour is not one that backend can show
NOT_APPLICABLE: dict[str, dict[str, str]] = {}


@pytest.fixture(autouse=True)
def _premise(request, backend):
    reason = NOT_APPLICABLE.get(request.node.originalname, {}).get(backend.name)
    if reason:
        pytest.skip(f"{backend.name}: {reason}")


def _not_found(call) -> CloudError:
    with pytest.raises(CloudError) as caught:
        call()
    assert caught.value.status_code == 404
    assert caught.value.response.status_code == 404
    return caught.value


def _state(client, job: str) -> str:
    return str(client.jobs.get(RG, WS, EXP, job).execution_state.value)


# -- missing resources -------------------------------------------------------------------------


def test_a_missing_job_is_job_not_found(client, experiment):
    # test_mgmt_batchai_jobs.test_failed_job_reporting.yaml: GET of the deleted job 'job' ->
    # 404 {"code": "JobNotFound", "message": "The specified job job is not found"}
    error = _not_found(lambda: client.jobs.get(RG, WS, EXP, "job"))
    assert error.error.error == "JobNotFound"
    assert error.error.message == "The specified job job is not found"
    assert "The specified job job is not found" in str(error)


def test_a_missing_experiment_is_experiment_not_found(client, workspace):
    # test_mgmt_batchai_experiments.test_creation_and_deletion.yaml: GET of the deleted
    # experiment 'testee' -> 404 ExperimentNotFound, "The specified experiment testee is not found"
    error = _not_found(lambda: client.experiments.get(RG, WS, "testee"))
    assert error.error.error == "ExperimentNotFound"
    assert error.error.message == "The specified experiment testee is not found"


def test_a_missing_workspace_is_workspace_not_found(client):
    # test_mgmt_batchai_workspaces.test_workspaces_isolation.yaml: GET of the deleted workspace
    # 'first' -> 404 WorkspaceNotFound, "The specified workspace first is not found"
    error = _not_found(lambda: client.workspaces.get(RG, "first"))
    assert error.error.error == "WorkspaceNotFound"
    assert error.error.message == "The specified workspace first is not found"


def test_a_missing_cluster_is_cluster_not_found(client, workspace):
    # Issue 18 item 1 (az CLI / SDK traffic): a missing cluster answered 404 ClusterNotFound,
    # "The specified cluster <name> is not found" -- the same rule as the three above
    error = _not_found(lambda: client.clusters.get(RG, WS, "cluster"))
    assert error.error.error == "ClusterNotFound"
    assert error.error.message == "The specified cluster cluster is not found"


# -- clusters ----------------------------------------------------------------------------------


def test_a_cluster_without_errors_reports_none_and_the_default_image(client, workspace):
    # test_mgmt_batchai_clusters.test_creation_and_deletion.yaml: the cluster created without a
    # VM image comes back with virtualMachineConfiguration.imageReference Canonical /
    # UbuntuServer / 16.04-LTS / latest and no "errors" key; the SDK test asserts
    # cluster.errors is None
    created = client.clusters.create(RG, WS, "cluster", cluster_parameters(nodes=0)).result()
    for cluster in (created, client.clusters.get(RG, WS, "cluster")):
        assert cluster.errors is None
        image = cluster.virtual_machine_configuration.image_reference
        assert (image.publisher, image.offer, image.sku, image.version) == (
            "Canonical",
            "UbuntuServer",
            "16.04-LTS",
            "latest",
        )
        assert cluster.user_account_settings.admin_user_password is None


def test_after_an_update_the_cluster_shows_resizing_before_steady(client, workspace):
    # test_mgmt_batchai_clusters.test_cluster_resizing.yaml: after clusters.update the cluster
    # GETs showed allocationState 'resizing', then 'steady' with the new node count (the SDK's
    # wait_for_nodes waits for steady; scripts wait for steady after seeing resizing)
    client.clusters.create(RG, WS, "cluster", cluster_parameters(nodes=0)).result()
    wait_until(lambda: client.clusters.get(RG, WS, "cluster").allocation_state == "steady")
    scale = models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1))
    updated = client.clusters.update(RG, WS, "cluster", scale_settings=scale)
    assert updated.allocation_state == "resizing"
    assert client.clusters.get(RG, WS, "cluster").allocation_state == "resizing"
    steady = wait_until(
        lambda: (c := client.clusters.get(RG, WS, "cluster")).allocation_state == "steady" and c
    )
    assert steady.current_node_count == 1


def test_remote_login_information_names_each_node(client, cluster, backend):
    # test_mgmt_batchai_clusters.test_creation_and_deletion.yaml (helpers'
    # assert_remote_login_info_reported_for_nodes): one entry per node, a node id, an IPv4
    # address and a positive port
    if not backend.has("remote_login"):
        with pytest.raises(NoEquivalentError, match="remote"):
            list(client.clusters.list_remote_login_information(RG, WS, "nc6"))
        return
    logins = wait_until(lambda: list(client.clusters.list_remote_login_information(RG, WS, "nc6")))
    assert len(logins) == 1
    assert logins[0].node_id
    assert re.fullmatch(r"\d+(?:\.\d+){3}", logins[0].ip_address)
    assert logins[0].port > 0


def test_a_setup_task_reports_its_output_suffix_and_secret_names(client, workspace, backend):
    # test_mgmt_batchai_clusters.test_setup_task_execution.yaml: the cluster's setupTask comes
    # back with the secret's name only and a stdOutErrPathSuffix the service chose,
    # {subscription}/{resource group}/workspaces/{ws}/clusters/{cluster}/{uuid}
    params = cluster_parameters(nodes=0)
    params.node_setup = models.NodeSetup(
        setup_task=models.SetupTask(
            command_line="echo $GREETING $SECRET_GREETING",
            environment_variables=[models.EnvironmentVariable(name="GREETING", value="hi")],
            secrets=[models.EnvironmentVariableWithSecretValue(name="SECRET_GREETING", value="s")],
            std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/logs",
        )
    )
    if backend.name != "local":  # Azure ML nodes have no setup task: a clear error says so
        with pytest.raises(NoEquivalentError, match="node_setup"):
            client.clusters.create(RG, WS, "setup", params).result()
        return
    cluster = client.clusters.create(RG, WS, "setup", params).result()
    task = cluster.node_setup.setup_task
    assert [(s.name, s.value) for s in task.secrets] == [("SECRET_GREETING", None)]
    sub = cluster.id.split("/")[2]
    assert re.fullmatch(
        rf"{sub}/{RG}/workspaces/{WS}/clusters/setup/[0-9a-f-]{{36}}",
        task.std_out_err_path_suffix,
    )
    assert client.clusters.get(RG, WS, "setup").node_setup.setup_task.std_out_err_path_suffix == (
        task.std_out_err_path_suffix
    )


# -- file servers ------------------------------------------------------------------------------


def test_a_file_server_reports_its_mount_point_and_subnet(client, workspace, backend):
    # test_mgmt_batchai_file_servers.test_file_server.yaml: the file server comes back with
    # mountSettings.mountPoint '/data', IPv4 public and internal addresses, and the id of the
    # subnet the service created for it; clusters mounting it report that subnet too
    params = models.FileServerCreateParameters(
        vm_size="STANDARD_D1",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(admin_user_name="demoUser")
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=2, storage_account_type="Standard_LRS"
        ),
    )
    if not backend.has("file_servers"):  # a clear error saying what to use instead
        with pytest.raises(NoEquivalentError, match="file share or blob container") as refused:
            client.file_servers.create(RG, WS, "fileserver", params)
        assert "file servers" in refused.value.feature
        assert list(client.file_servers.list_by_workspace(RG, WS)) == []  # nothing half-done
        return
    client.file_servers.create(RG, WS, "fileserver", params).result()
    server = client.file_servers.get(RG, WS, "fileserver")
    assert server.mount_settings.mount_point == "/data"
    for address in (
        server.mount_settings.file_server_public_ip,
        server.mount_settings.file_server_internal_ip,
    ):
        assert re.fullmatch(r"\d+(?:\.\d+){3}", address)
    assert re.fullmatch(
        r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network"
        r"/virtualNetworks/[^/]+/subnets/[^/]+",
        server.subnet.id,
    )
    cluster = cluster_parameters(nodes=0)
    cluster.node_setup = models.NodeSetup(
        mount_volumes=models.MountVolumes(
            file_servers=[
                models.FileServerReference(
                    file_server=models.ResourceId(id=server.id), relative_mount_path="nfs"
                )
            ]
        )
    )
    mounting = client.clusters.create(RG, WS, "cluster1", cluster).result()
    assert mounting.subnet.id == server.subnet.id
    assert client.clusters.get(RG, WS, "cluster1").subnet.id == server.subnet.id


# -- jobs --------------------------------------------------------------------------------------


def test_a_job_without_constraints_gets_seven_days(client, experiment, cluster):
    # test_mgmt_batchai_jobs.test_queued_job_termination.yaml: the job, created without
    # constraints, comes back with constraints.maxWallClockTime 'P7D'
    job = client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id)).result()
    for seen in (job, client.jobs.get(RG, WS, EXP, "job")):
        assert seen.constraints.max_wall_clock_time == timedelta(days=7)
    assert client.jobs.get(RG, WS, EXP, "job").serialize()["properties"]["constraints"] == {
        "maxWallClockTime": "P7D"
    }


def test_a_job_reports_its_variables_and_its_secrets_by_name(client, experiment, cluster):
    # test_mgmt_batchai_jobs.test_job_environment_variables_and_secrets.yaml (and its SDK test):
    # environment variables come back with their values, secrets with their names only
    params = job_parameters(cluster.id)
    params.environment_variables = [models.EnvironmentVariable(name="VARIABLE", value="VALUE")]
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="SECRET_VARIABLE", value="S")]
    job = client.jobs.create(RG, WS, EXP, "job", params).result()
    for seen in (job, client.jobs.get(RG, WS, EXP, "job")):
        assert [(e.name, e.value) for e in seen.environment_variables] == [("VARIABLE", "VALUE")]
        assert [(s.name, s.value) for s in seen.secrets] == [("SECRET_VARIABLE", None)]


def test_a_terminated_queued_job_failed_with_the_services_error(client, experiment):
    # test_mgmt_batchai_jobs.test_queued_job_termination.yaml: the queued job (a cluster of no
    # nodes) had no executionInfo; after jobs.terminate it is 'failed' with executionInfo
    # startTime <= endTime, no exitCode, and one error {"code": "JobTerminated", "message":
    # "The specified job has been terminated by the user"} without details
    cluster = client.clusters.create(RG, WS, "empty", cluster_parameters(nodes=0)).result()
    client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id)).result()
    queued = client.jobs.get(RG, WS, EXP, "job")
    assert queued.execution_state == "queued" and queued.execution_info is None
    client.jobs.terminate(RG, WS, EXP, "job").result()
    job = client.jobs.get(RG, WS, EXP, "job")
    assert job.execution_state == "failed"
    info = job.execution_info
    assert info.start_time is not None and info.start_time <= info.end_time
    assert info.exit_code is None
    assert [(e.code, e.message, e.details) for e in info.errors] == [
        ("JobTerminated", "The specified job has been terminated by the user", None)
    ]


def test_a_succeeded_job_has_exit_code_0_no_errors_and_its_log_files(
    client, experiment, cluster, backend
):
    # az CLI test_batchai_manual_scale_scenario: the job's executionInfo.exitCode is 0 and its
    # executionInfo.errors None; its stdouterr files are execution.log, stderr.txt, stdout.txt
    client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id, "echo hi")).result()
    wait_until(lambda: _state(client, "job") in FINAL_STATES, timeout=60)
    job = client.jobs.get(RG, WS, EXP, "job")
    assert job.execution_state == "succeeded"
    assert job.execution_info.exit_code == 0 and job.execution_info.errors is None
    files = client.jobs.list_output_files(
        RG, WS, EXP, "job", models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    )
    names = {f.name: f for f in files}
    assert {"stderr.txt", "stdout.txt"} <= set(names)
    if backend.name == "local":  # Azure ML's agent logs its own execution (execution-<node>.log)
        assert "execution.log" in names
    assert requests.get(names["stdout.txt"].download_url, timeout=10).text == "hi\n"


def test_a_failed_job_reports_job_failed_with_the_services_message(client, experiment, cluster):
    # test_mgmt_batchai_jobs.test_failed_job_reporting.yaml (and its SDK test): a job whose
    # command line is 'false' ends 'failed' with exitCode 1 and exactly one error, code
    # 'JobFailed', message "Job failed with non-zero exit code" (ours adds which task, after it)
    client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id, "false")).result()
    wait_until(lambda: _state(client, "job") in FINAL_STATES, timeout=60)
    info = client.jobs.get(RG, WS, EXP, "job").execution_info
    assert info.exit_code == 1
    assert [e.code for e in info.errors] == ["JobFailed"]
    assert info.errors[0].message.startswith("Job failed with non-zero exit code")


def test_a_failed_job_preparation_reports_job_preparation_failed(client, experiment, cluster):
    # test_mgmt_batchai_jobs.test_job_host_preparation_failure_reporting.yaml (and its SDK
    # test): a job whose preparation is 'false' ends 'failed' with exitCode 1 and one error,
    # 'JobPreparationFailed', "Job preparation task failed with non-zero exit code"
    params = job_parameters(cluster.id, "true")
    params.job_preparation = models.JobPreparation(command_line="false")
    client.jobs.create(RG, WS, EXP, "job", params).result()
    wait_until(lambda: _state(client, "job") in FINAL_STATES, timeout=60)
    info = client.jobs.get(RG, WS, EXP, "job").execution_info
    assert info.exit_code == 1
    assert [e.code for e in info.errors] == ["JobPreparationFailed"]
    assert info.errors[0].message.startswith("Job preparation task failed with non-zero exit code")


# -- workspaces and experiments ----------------------------------------------------------------


def test_a_workspace_without_tags_has_none(client):
    # test_mgmt_batchai_workspaces.test_creation_and_deletion.yaml: the workspace created with
    # only a location comes back without a "tags" key
    created = client.workspaces.create(RG, WS, LOCATION).result()
    assert created.tags is None
    assert client.workspaces.get(RG, WS).tags is None


def test_a_deleted_workspace_shows_deleting_until_the_deletion_is_waited_for(client):
    # test_mgmt_batchai_workspaces.test_creation_and_deletion.yaml: a workspace whose deletion
    # was still running was listed with provisioningState 'deleting'; once delete(...).result()
    # returned, listing the resource group gave no workspace
    client.workspaces.create(RG, WS, LOCATION).result()
    poller = client.workspaces.delete(RG, WS)
    listed = {w.name: w for w in client.workspaces.list_by_resource_group(RG)}
    assert listed[WS].provisioning_state == "deleting"
    poller.result()
    assert list(client.workspaces.list_by_resource_group(RG)) == []
    assert poller.done() and poller.status() == "Succeeded"

    client.workspaces.create(RG, WS, LOCATION).result()
    client.workspaces.delete(RG, WS).result()  # waited for: no 'deleting' left behind
    assert list(client.workspaces.list_by_resource_group(RG)) == []


def test_deleting_an_experiment_or_a_workspace_leaves_the_others_untouched(client, workspace):
    # test_mgmt_batchai_experiments.test_experiments_isolation.yaml: after deleting exp1 of
    # workspace 'first', its GET fails while the cluster, the other experiments and their
    # (queued) jobs are untouched
    client.workspaces.create(RG, "second", LOCATION).result()
    for ws in (WS, "second"):
        cluster = client.clusters.create(RG, ws, "cluster", cluster_parameters(nodes=0)).result()
        for experiment in ("exp1", "exp2"):
            client.experiments.create(RG, ws, experiment).result()
            client.jobs.create(RG, ws, experiment, "job", job_parameters(cluster.id)).result()
    client.experiments.delete(RG, WS, "exp1").result()
    assert _not_found(lambda: client.experiments.get(RG, WS, "exp1")).error.error == (
        "ExperimentNotFound"
    )
    for ws, experiment in ((WS, "exp2"), ("second", "exp1"), ("second", "exp2")):
        client.clusters.get(RG, ws, "cluster")
        client.experiments.get(RG, ws, experiment)
        assert client.jobs.get(RG, ws, experiment, "job").execution_state == "queued"

    # test_mgmt_batchai_workspaces.test_workspaces_isolation.yaml: after deleting workspace
    # 'first' (waited for), its GET is WorkspaceNotFound; the other workspace, its cluster,
    # experiment and queued job are untouched
    client.workspaces.delete(RG, WS).result()
    assert _not_found(lambda: client.workspaces.get(RG, WS)).error.error == "WorkspaceNotFound"
    client.workspaces.get(RG, "second")
    client.clusters.get(RG, "second", "cluster")
    assert client.jobs.get(RG, "second", "exp2", "job").execution_state == "queued"


# -- usages ------------------------------------------------------------------------------------


def test_usages_list_the_services_entries(client, workspace, backend):
    # test_mgmt_batchai_quota_and_usage.test_quota_and_usage.yaml: usages.list gave 'Clusters'
    # (limit 20) first, then 'Total Cluster Dedicated Regional vCPUs' and the dedicated vCPUs of
    # each VM family, then the same for 'LowPriority' (localized 'Low Priority'), every entry a
    # 'Count' with a name and a localized name; the SDK test asserts each has a name and unit
    if not backend.has("usages"):
        with pytest.raises(NoEquivalentError, match="usages"):
            list(client.usages.list(LOCATION))
        return
    client.clusters.create(RG, WS, "cluster", cluster_parameters(nodes=0)).result()
    usages = list(client.usages.list(LOCATION))
    names = [u.name.value for u in usages]
    assert names[0] == "Clusters"
    dedicated = names.index("Total Cluster Dedicated Regional vCPUs")
    low = names.index("Total Cluster LowPriority Regional vCPUs")
    assert 0 < dedicated < low
    family = re.compile(r"Standard \S+ Family Cluster (Dedicated|LowPriority) vCPUs")
    assert all(family.fullmatch(n) for n in names[dedicated + 1 : low] + names[low + 1 :])
    assert any(n.endswith("Dedicated vCPUs") for n in names[dedicated + 1 : low])
    assert usages[low].name.localized_value == "Total Cluster Low Priority Regional vCPUs"
    for usage in usages:
        assert usage.unit == "Count" and usage.name.localized_value
        assert 0 <= usage.current_value <= usage.limit
    assert usages[0].current_value == 1
    if backend.name == "local":  # the service's own quota; Azure ML reports the target's
        assert usages[0].limit == 20

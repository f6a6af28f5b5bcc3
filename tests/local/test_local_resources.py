"""Workspaces, experiments, file servers, jobs on the local backend: 404/409, cascades, fields.

Compared where it matters with the genuine azure-mgmt-batchai 2.0.0 models (test-only
dependency): the fields a Job must carry are read from the genuine JobCreateParameters.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from batchai_compat import models
from batchai_compat.exceptions import CloudError, ValidationError

# the names tests/local/conftest.py uses
SUBSCRIPTION = "00000000-0000-0000-0000-00000000beef"
RG, WS, EXP = "rg-local", "ws1", "exp1"


def cluster_params(target: int = 0, **extra) -> models.ClusterCreateParameters:
    return models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(
            manual=models.ManualScaleSettings(target_node_count=target)
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="demo", admin_user_password="Adm1nPassw0rd!"
        ),
        **extra,
    )


def full_job_params(cluster_id: str) -> models.JobCreateParameters:
    """A job using most of JobCreateParameters, with secrets in every secret-bearing place."""
    return models.JobCreateParameters(
        scheduling_priority="high",
        cluster=models.ResourceId(id=cluster_id),
        node_count=2,
        mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name="acct",
                    azure_file_url="https://acct.file.core.windows.net/data",
                    relative_mount_path="afs",
                    credentials=models.AzureStorageCredentialsInfo(account_key="FILE-KEY=="),
                )
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name="acct",
                    container_name="container",
                    relative_mount_path="bfs",
                    credentials=models.AzureStorageCredentialsInfo(account_key="BLOB-KEY=="),
                )
            ],
        ),
        container_settings=models.ContainerSettings(
            image_source_registry=models.ImageSourceRegistry(
                image="tensorflow/tensorflow:1.8.0-gpu",
                credentials=models.PrivateRegistryCredentials(
                    username="user", password="REGISTRY-PASSWORD"
                ),
            )
        ),
        tensor_flow_settings=models.TensorFlowSettings(
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/train.py",
            worker_count=2,
            parameter_server_count=1,
            master_command_line_args="--master",
            worker_command_line_args="--worker",
            parameter_server_command_line_args="--ps",
        ),
        job_preparation=models.JobPreparation(command_line="pip install -r requirements.txt"),
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        input_directories=[
            models.InputDirectory(id="SCRIPT", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs")
        ],
        output_directories=[
            models.OutputDirectory(id="MODEL", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs")
        ],
        environment_variables=[models.EnvironmentVariable(name="PLAIN", value="visible")],
        secrets=[models.EnvironmentVariableWithSecretValue(name="TOKEN", value="JOB-SECRET")],
        constraints=models.JobBasePropertiesConstraints(max_wall_clock_time=dt.timedelta(hours=2)),
    )


def _plain(value):
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.as_dict() if hasattr(value, "as_dict") else value


def make_cluster(client, name="c1", target=0):
    return client.clusters.create(RG, WS, name, cluster_params(target)).result()


# -- 404 / 409 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code", "kind"),
    [
        (lambda c: c.workspaces.get(RG, "missing"), "WorkspaceNotFound", "workspace"),
        (lambda c: c.experiments.get(RG, WS, "missing"), "ExperimentNotFound", "experiment"),
        (lambda c: c.clusters.get(RG, WS, "missing"), "ClusterNotFound", "cluster"),
        (lambda c: c.file_servers.get(RG, WS, "missing"), "FileServerNotFound", "file server"),
        (lambda c: c.jobs.get(RG, WS, EXP, "missing"), "JobNotFound", "job"),
        (lambda c: c.workspaces.delete(RG, "missing").result(), "WorkspaceNotFound", "workspace"),
        (
            lambda c: c.experiments.delete(RG, WS, "missing").result(),
            "ExperimentNotFound",
            "experiment",
        ),
        (lambda c: c.clusters.delete(RG, WS, "missing").result(), "ClusterNotFound", "cluster"),
        (
            lambda c: c.file_servers.delete(RG, WS, "missing").result(),
            "FileServerNotFound",
            "file server",
        ),
        (lambda c: c.jobs.delete(RG, WS, EXP, "missing").result(), "JobNotFound", "job"),
        (lambda c: c.jobs.terminate(RG, WS, EXP, "missing").result(), "JobNotFound", "job"),
        (
            lambda c: c.clusters.update(RG, WS, "missing", scale_settings=None),
            "ClusterNotFound",
            "cluster",
        ),
        (
            lambda c: c.workspaces.update(RG, "missing", tags={"a": "b"}),
            "WorkspaceNotFound",
            "workspace",
        ),
    ],
)
def test_missing_resources_are_the_services_404_of_their_kind(client, workspace, call, code, kind):
    with pytest.raises(CloudError) as caught:
        call(client)
    assert caught.value.response.status_code == 404
    assert caught.value.error.error == code
    assert caught.value.error.message == f"The specified {kind} missing is not found"


def test_missing_resource_is_also_msrestazure_and_azure_core_error(client, workspace):
    from azure.core.exceptions import ResourceNotFoundError
    from msrestazure.azure_exceptions import CloudError as MsCloudError

    with pytest.raises(MsCloudError) as caught:
        client.clusters.get(RG, WS, "missing")
    assert isinstance(caught.value, ResourceNotFoundError)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.experiments.create(RG, "no-ws", "e").result(),
        lambda c: c.clusters.create(RG, "no-ws", "c", cluster_params()).result(),
        lambda c: c.file_servers.create(
            RG,
            "no-ws",
            "fs",
            models.FileServerCreateParameters(
                vm_size="Standard_DS14",
                ssh_configuration=models.SshConfiguration(
                    user_account_settings=models.UserAccountSettings(admin_user_name="u")
                ),
                data_disks=models.DataDisks(
                    disk_size_in_gb=10, disk_count=1, storage_account_type="Standard_LRS"
                ),
            ),
        ).result(),
    ],
)
def test_creating_under_a_missing_workspace_is_404_parent_not_found(client, call):
    with pytest.raises(CloudError) as caught:
        call(client)
    assert caught.value.status_code == 404
    assert caught.value.error.error == "ParentResourceNotFound"


def test_job_under_missing_experiment_is_404_and_nothing_is_created(client, workspace, backend):
    cluster = make_cluster(client)
    with pytest.raises(CloudError) as caught:
        client.jobs.create(RG, WS, "no-exp", "j", full_job_params(cluster.id)).result()
    assert caught.value.status_code == 404
    assert backend.store.queued_jobs() == []


def test_job_on_an_unknown_cluster_is_400_before_any_row(client, workspace, backend):
    other = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.BatchAI/workspaces/{WS}/clusters/ghost"
    with pytest.raises(CloudError) as caught:
        client.jobs.create(RG, WS, EXP, "j", full_job_params(other)).result()
    assert caught.value.status_code == 400
    assert caught.value.error.error == "InvalidClusterId"
    assert list(client.jobs.list_by_experiment(RG, WS, EXP)) == []


def test_workspace_and_experiment_create_are_idempotent_puts(client):
    first = client.workspaces.create(RG, WS, "eastus", tags={"a": "1"}).result()
    again = client.workspaces.create(RG, WS, "EastUS", tags={"b": "2"}).result()
    assert again.id == first.id and again.creation_time == first.creation_time
    assert again.tags == {"b": "2"}  # ARM PUT replaces tags
    e1 = client.experiments.create(RG, WS, EXP).result()
    e2 = client.experiments.create(RG, WS, EXP).result()
    assert e1.creation_time == e2.creation_time
    assert len(list(client.experiments.list_by_workspace(RG, WS))) == 1


def test_workspace_in_another_location_is_a_conflict(client):
    client.workspaces.create(RG, WS, "eastus").result()
    with pytest.raises(CloudError) as caught:
        client.workspaces.create(RG, WS, "westeurope").result()
    assert caught.value.status_code == 409
    assert caught.value.error.error == "InvalidResourceLocation"


def test_cluster_create_same_parameters_returns_it_different_is_409(client, workspace):
    first = make_cluster(client, target=1)
    again = client.clusters.create(RG, WS, "c1", cluster_params(1)).result()
    assert again.id == first.id and again.creation_time == first.creation_time
    with pytest.raises(CloudError) as caught:
        client.clusters.create(RG, WS, "c1", cluster_params(3)).result()
    assert caught.value.status_code == 409
    assert caught.value.error.error == "Conflict"
    assert client.clusters.get(RG, WS, "c1").scale_settings.manual.target_node_count == 1


def test_job_create_same_parameters_returns_it_different_is_409(client, workspace):
    cluster = make_cluster(client)
    params = full_job_params(cluster.id)
    first = client.jobs.create(RG, WS, EXP, "job", params).result()
    again = client.jobs.create(RG, WS, EXP, "job", params).result()
    assert again.job_output_directory_path_segment == first.job_output_directory_path_segment
    params.node_count = 1
    with pytest.raises(CloudError) as caught:
        client.jobs.create(RG, WS, EXP, "job", params).result()
    assert caught.value.status_code == 409


def test_names_are_case_insensitive_like_arm(client, workspace):
    make_cluster(client, "MyCluster")
    assert client.clusters.get(RG.upper(), WS.upper(), "mycluster").name == "MyCluster"


# -- cascades ----------------------------------------------------------------------------------


def test_deleting_an_experiment_deletes_its_jobs(client, workspace, backend):
    cluster = make_cluster(client)
    for index in range(3):
        client.jobs.create(RG, WS, EXP, f"job{index}", full_job_params(cluster.id)).result()
    client.experiments.delete(RG, WS, EXP).result()
    with pytest.raises(CloudError):
        client.jobs.get(RG, WS, EXP, "job0")
    assert backend.store.queued_jobs() == []
    client.experiments.create(RG, WS, EXP).result()  # the name is free again, and empty
    assert list(client.jobs.list_by_experiment(RG, WS, EXP)) == []


def test_deleting_a_workspace_deletes_all_its_children(client, workspace, backend, batchai_home):
    cluster = make_cluster(client, target=2)
    client.jobs.create(RG, WS, EXP, "job", full_job_params(cluster.id)).result()
    server = client.file_servers.create(
        RG,
        WS,
        "nfs",
        models.FileServerCreateParameters(
            vm_size="Standard_DS14",
            ssh_configuration=models.SshConfiguration(
                user_account_settings=models.UserAccountSettings(admin_user_name="u")
            ),
            data_disks=models.DataDisks(
                disk_size_in_gb=10, disk_count=2, storage_account_type="Standard_LRS"
            ),
        ),
    ).result()
    folder = backend.file_server_path(server.id)
    assert (batchai_home / "fileservers" / RG / WS / "nfs").resolve() == folder
    assert folder.is_dir()
    client.workspaces.delete(RG, WS).result()
    assert list(client.workspaces.list_by_resource_group(RG)) == []
    assert not folder.exists()
    client.workspaces.create(RG, WS, "eastus").result()
    assert list(client.clusters.list_by_workspace(RG, WS)) == []
    assert list(client.experiments.list_by_workspace(RG, WS)) == []
    assert list(client.file_servers.list_by_workspace(RG, WS)) == []
    db = sqlite3.connect(backend.store.path)  # nothing is left behind in any table
    try:
        for table in ("clusters", "nodes", "jobs", "experiments", "file_servers"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    finally:
        db.close()


def test_deleting_a_cluster_fails_its_queued_jobs(client, workspace):
    cluster = make_cluster(client)
    client.jobs.create(RG, WS, EXP, "job", full_job_params(cluster.id)).result()
    client.clusters.delete(RG, WS, "c1").result()
    job = client.jobs.get(RG, WS, EXP, "job")
    assert job.execution_state == "failed"
    assert [e.code for e in job.execution_info.errors] == ["ClusterDeleted"]


def test_workspaces_list_by_subscription_and_resource_group(client):
    client.workspaces.create("rg-a", "w1", "eastus").result()
    client.workspaces.create("rg-a", "w2", "eastus").result()
    client.workspaces.create("rg-b", "w3", "westus").result()
    assert [w.name for w in client.workspaces.list()] == ["w1", "w2", "w3"]
    assert [w.name for w in client.workspaces.list_by_resource_group("rg-a")] == ["w1", "w2"]
    updated = client.workspaces.update("rg-b", "w3", tags={"team": "x"})
    assert (
        updated.tags == {"team": "x"} and client.workspaces.get("rg-b", "w3").tags == updated.tags
    )


def test_another_subscription_sees_nothing(make_backend, make_config, client):
    client.workspaces.create(RG, WS, "eastus").result()
    other = make_backend(config=make_config("11111111-1111-1111-1111-111111111111"))
    assert list(other.list_workspaces(None)) == []


# -- what GET returns ------------------------------------------------------------------------------


def test_job_carries_every_create_parameter_secrets_as_none(client, workspace):
    from azure.mgmt.batchai import models as genuine

    cluster = make_cluster(client)
    params = full_job_params(cluster.id)
    job = client.jobs.create(RG, WS, EXP, "job", params).result()
    fetched = client.jobs.get(RG, WS, EXP, "job")
    expected = models.strip_secrets(params)
    for attribute in genuine.JobCreateParameters._attribute_map:
        # Job.constraints is a JobPropertiesConstraints, the parameter a
        # JobBasePropertiesConstraints (as in 2.0.0): compare field values.
        assert _plain(getattr(fetched, attribute)) == _plain(getattr(expected, attribute)), (
            attribute
        )
        assert _plain(getattr(job, attribute)) == _plain(getattr(expected, attribute)), attribute
    # mount credentials are present as objects, their secret values None
    share = fetched.mount_volumes.azure_file_shares[0]
    assert share.credentials is not None and share.credentials.account_key is None
    assert fetched.container_settings.image_source_registry.credentials.password is None
    assert fetched.container_settings.image_source_registry.credentials.username == "user"
    assert [(s.name, s.value) for s in fetched.secrets] == [("TOKEN", None)]


def test_recipe_convert_job_to_jcp_round_trip_resubmits(client, workspace):
    """The recipes' helper rebuilds JobCreateParameters from a Job via _attribute_map."""
    from azure.mgmt.batchai import models as genuine

    cluster = make_cluster(client)
    job = client.jobs.create(RG, WS, EXP, "job", full_job_params(cluster.id)).result()
    jcp = models.JobCreateParameters(
        cluster=job.cluster, node_count=job.node_count, std_out_err_path_prefix="x"
    )
    for attribute in genuine.JobCreateParameters._attribute_map:
        setattr(jcp, attribute, getattr(job, attribute))
    # GET returns secret values as None, as the service did: the service refused such a secret,
    # and so does the client, naming it; the caller gives the value again
    with pytest.raises(ValidationError) as refused:
        client.jobs.create(RG, WS, EXP, "job-retry", jcp)
    assert refused.value.parameter == "parameters.secrets[0]"
    jcp.secrets[0].value = "given again"
    resubmitted = client.jobs.create(RG, WS, EXP, "job-retry", jcp).result()
    assert resubmitted.tensor_flow_settings == job.tensor_flow_settings
    assert resubmitted.execution_state == "queued"
    assert resubmitted.job_output_directory_path_segment != job.job_output_directory_path_segment


def test_job_read_only_fields(client, workspace):
    cluster = make_cluster(client)
    job = client.jobs.create(RG, WS, EXP, "job", full_job_params(cluster.id)).result()
    assert job.id == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.BatchAI"
        f"/workspaces/{WS}/experiments/{EXP}/jobs/job"
    )
    assert job.name == "job" and job.type == "Microsoft.BatchAI/workspaces/experiments/jobs"
    assert job.tool_type == "tensorflow"
    assert job.provisioning_state == "succeeded"
    assert job.execution_state == "queued"
    assert job.execution_info is None
    assert isinstance(job.creation_time, dt.datetime) and job.creation_time.tzinfo is not None
    segment = job.job_output_directory_path_segment
    prefix = f"{SUBSCRIPTION}/{RG}/workspaces/{WS}/experiments/{EXP}/jobs/job/"
    assert segment.startswith(prefix)
    import uuid

    uuid.UUID(segment[len(prefix) :])
    assert [j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)] == ["job"]


def test_terminating_a_queued_job_fails_it(client, workspace):
    cluster = make_cluster(client)
    client.jobs.create(RG, WS, EXP, "job", full_job_params(cluster.id)).result()
    client.jobs.terminate(RG, WS, EXP, "job").result()
    job = client.jobs.get(RG, WS, EXP, "job")
    assert job.execution_state == "failed"
    assert job.execution_info.end_time is not None
    assert [e.code for e in job.execution_info.errors] == ["JobTerminated"]
    client.jobs.terminate(RG, WS, EXP, "job").result()  # already finished: nothing changes
    assert client.jobs.get(RG, WS, EXP, "job").execution_state_transition_time == (
        job.execution_state_transition_time
    )


def test_cluster_fields_manual_cluster(client, workspace):
    cluster = make_cluster(client, target=1)
    assert cluster.scale_settings.auto_scale is None
    assert cluster.scale_settings.manual.target_node_count == 1
    assert cluster.errors is None  # the service sent no errors when there were none
    assert cluster.vm_priority == "dedicated"
    assert cluster.user_account_settings.admin_user_name == "demo"
    assert cluster.user_account_settings.admin_user_password is None
    assert cluster.type == "Microsoft.BatchAI/workspaces/clusters"


def test_file_server_get_list_delete(client, workspace, batchai_home):
    params = models.FileServerCreateParameters(
        vm_size="Standard_DS14",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(
                admin_user_name="u", admin_user_password="FS-PASSWORD"
            )
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=2, storage_account_type="Standard_LRS"
        ),
    )
    created = client.file_servers.create(RG, WS, "nfs", params).result()
    got = client.file_servers.get(RG, WS, "nfs")
    assert got.ssh_configuration.user_account_settings.admin_user_password is None
    assert got.data_disks == params.data_disks
    assert got.mount_settings.mount_point == created.mount_settings.mount_point
    assert got.provisioning_state == "succeeded"
    assert [s.name for s in client.file_servers.list_by_workspace(RG, WS)] == ["nfs"]
    client.file_servers.delete(RG, WS, "nfs").result()
    assert list(client.file_servers.list_by_workspace(RG, WS)) == []
    assert not (batchai_home / "fileservers" / RG / WS / "nfs").exists()


def test_file_server_reference_resolves_to_its_folder(client, backend, workspace):
    server = client.file_servers.create(
        RG,
        WS,
        "nfs",
        models.FileServerCreateParameters(
            vm_size="Standard_DS14",
            ssh_configuration=models.SshConfiguration(
                user_account_settings=models.UserAccountSettings(admin_user_name="u")
            ),
            data_disks=models.DataDisks(
                disk_size_in_gb=1, disk_count=1, storage_account_type="Standard_LRS"
            ),
        ),
    ).result()
    path = backend.file_server_path(server.id.upper())  # ARM ids compare case-insensitively
    assert path == backend.file_server_path(server.id) and path.is_dir()
    assert path.name == "nfs" and path.parent.name == WS


def test_returned_jobs_are_independent_copies(client, workspace):
    cluster = make_cluster(client)
    client.jobs.create(RG, WS, EXP, "job", full_job_params(cluster.id)).result()
    first = client.jobs.get(RG, WS, EXP, "job")
    first.tensor_flow_settings.worker_count = 99
    first.input_directories.append(models.InputDirectory(id="EXTRA", path="/tmp"))
    first.environment_variables[0].value = "changed"
    second = client.jobs.get(RG, WS, EXP, "job")
    assert second.tensor_flow_settings.worker_count == 2
    assert [d.id for d in second.input_directories] == ["SCRIPT"]
    assert second.environment_variables[0].value == "visible"
    listed = next(iter(client.jobs.list_by_experiment(RG, WS, EXP)))
    assert listed == second and listed is not second


def test_job_lists_read_pages_only_when_accessed(backend, client, workspace):
    from batchai_compat.backends.local.backend import LazyModels

    cluster = make_cluster(client)
    for index in range(5):
        client.jobs.create(RG, WS, EXP, f"job{index}", full_job_params(cluster.id)).result()
    jobs = backend.list_jobs(RG, WS, EXP)
    assert isinstance(jobs, LazyModels) and len(jobs) == 5
    client.jobs.delete(RG, WS, EXP, "job3").result()  # after the snapshot, before the read
    assert [job.name for job in jobs] == ["job0", "job1", "job2", "job4"]
    with pytest.raises(CloudError) as caught:
        jobs[3]
    assert caught.value.status_code == 404

    loads = []

    def load(keys):
        loads.append(list(keys))
        return {key: f"model-{key}" for key in keys if key != 7}

    lazy = LazyModels(range(10), load, batch=4)
    assert lazy[2:4] == ["model-2", "model-3"] and loads == [[2, 3]]
    assert lazy[-1] == "model-9" and loads[-1] == [8, 9]
    assert lazy[2] == "model-2" and loads[-1] == [0, 1]  # only what was not read yet
    with pytest.raises(IndexError):
        lazy[10]
    assert list(lazy) == [f"model-{n}" for n in range(10) if n != 7]
    assert sorted(key for batch in loads for key in batch) == list(range(10))


def test_the_first_page_of_a_job_list_builds_only_that_page(
    backend, client, workspace, monkeypatch
):
    cluster = make_cluster(client)
    for index in range(25):
        client.jobs.create(RG, WS, EXP, f"job{index:02}", full_job_params(cluster.id)).result()
    read_rows: list[int] = []
    real_get_jobs_by_rows = backend.store.get_jobs_by_rows

    def counting(rows):
        read_rows.extend(rows)
        return real_get_jobs_by_rows(rows)

    monkeypatch.setattr(backend.store, "get_jobs_by_rows", counting)
    options = models.JobsListByExperimentOptions(max_results=10)
    pager = client.jobs.list_by_experiment(RG, WS, EXP, options)
    first = pager.advance_page()
    assert [job.name for job in first] == [f"job{index:02}" for index in range(10)]
    assert len(read_rows) == 10
    assert [job.name for job in pager] == [f"job{index:02}" for index in range(25)]
    assert len(read_rows) == 25


def test_a_deleted_resource_id_is_never_reused(client, backend, workspace):
    from batchai_compat.backends.local.state import ClusterKey

    key = ClusterKey(SUBSCRIPTION, RG, WS, "c1")
    make_cluster(client)
    first = backend.store.get_cluster(key).row_id
    client.clusters.delete(RG, WS, "c1").result()
    make_cluster(client)
    assert backend.store.get_cluster(key).row_id != first


def test_a_deleted_workspace_is_deleting_until_seen_and_can_be_created_again(client, workspace):
    poller = client.workspaces.delete(RG, WS)
    assert not poller.done()  # still 'deleting': nobody has seen it yet
    assert client.workspaces.get(RG, WS).provisioning_state == "deleting"
    assert poller.done()  # the read that saw it finished the deletion
    with pytest.raises(CloudError) as caught:
        client.workspaces.get(RG, WS)
    assert caught.value.error.error == "WorkspaceNotFound"
    assert poller.result() is None

    client.workspaces.create(RG, WS, "eastus").result()
    client.workspaces.delete(RG, WS)
    with pytest.raises(CloudError) as caught:  # nothing goes into a workspace being deleted
        client.experiments.create(RG, WS, EXP).result()
    assert caught.value.error.error == "ParentResourceNotFound"
    again = client.workspaces.create(RG, WS, "eastus").result()  # replaces the deleting one
    assert again.provisioning_state == "succeeded"
    assert [w.provisioning_state for w in client.workspaces.list_by_resource_group(RG)] == [
        "succeeded"
    ]

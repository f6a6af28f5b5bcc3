"""The whole Batch AI life cycle through the real azureml-core SDK against the fake service.

workspace → cluster create/status → datastores → experiment → job submit (snapshot upload) →
status → output files → terminate → delete; plus what has no Azure ML equivalent.
"""

from __future__ import annotations

import json
import os
import threading

import pytest
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_service import FakeAzureML
from guide import ADMIN_PASSWORD, STORAGE_KEY, cluster_parameters, job_parameters

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming
from batchai_compat.backends._azureml_common.node_app import node_app
from batchai_compat.exceptions import CloudError, NoEquivalentError, ResourceNotFoundError

SECRET = "api-token-kept-in-key-vault"


def start_guide_job(client, name: str = "tf_job") -> models.Job:
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "tensorflow_experiment").result()
    params = job_parameters(models, cluster.id)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET)]
    return client.jobs.create(RG, WS, "tensorflow_experiment", name, params).result()


def test_workspace_and_cluster(client, fake: FakeAzureML) -> None:
    ws = client.workspaces.get(RG, WS)
    assert (ws.name, ws.location) == (WS, "eastus")
    assert ws.id.endswith(f"/resourceGroups/{RG}/providers/Microsoft.BatchAI/workspaces/{WS}")
    with pytest.raises(ResourceNotFoundError):
        client.workspaces.get(RG, "missing")

    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    assert cluster.provisioning_state == "succeeded"
    assert cluster.scale_settings.manual.target_node_count == 2
    assert cluster.current_node_count == 2 and cluster.node_state_counts.idle_node_count == 2
    assert cluster.allocation_state == "steady"
    assert cluster.user_account_settings.admin_user_name == "batchai"
    assert cluster.user_account_settings.admin_user_password is None
    (put,) = fake.requests_to("PUT", r"/computes/nc6$")
    assert put["properties"]["properties"]["scaleSettings"]["minNodeCount"] == 2
    assert ADMIN_PASSWORD not in repr(cluster)

    resized = client.clusters.update(
        RG,
        WS,
        "nc6",
        scale_settings=models.ScaleSettings(
            manual=models.ManualScaleSettings(
                target_node_count=3, node_deallocation_option="waitforjobcompletion"
            )
        ),
    )
    assert resized.scale_settings.manual.target_node_count == 3
    assert [c.name for c in client.clusters.list_by_workspace(RG, WS)] == ["nc6"]
    logins = list(client.clusters.list_remote_login_information(RG, WS, "nc6"))
    assert len(logins) == 3 and all(login.port for login in logins)

    client.clusters.delete(RG, WS, "nc6").result()
    assert (RG, WS, "nc6") not in fake.computes
    with pytest.raises(ResourceNotFoundError):
        client.clusters.get(RG, WS, "nc6")


def test_guide_job_submission(client, fake: FakeAzureML) -> None:
    job = start_guide_job(client)
    assert job.name == "tf_job"
    assert job.execution_state == "queued"
    assert job.tool_type == "tensorflow"
    assert job.node_count == 2 and job.tensor_flow_settings.worker_count == 2
    # Batch AI's segment; the runtime on the node builds paths from the same identity
    uuid = json.loads(
        fake.runs[(RG, WS, naming.run_id("tensorflow_experiment", "tf_job"))].definition[
            "Configuration"
        ]["environmentVariables"][naming.MANIFEST_VARIABLE]
    )["job"]["uuid"]
    assert job.job_output_directory_path_segment == (
        f"{client.config.subscription_id}/{RG}/workspaces/{WS}/experiments/tensorflow_experiment/jobs/tf_job/{uuid}"
    )

    run = fake.runs[(RG, WS, naming.run_id("tensorflow_experiment", "tf_job"))]
    configuration = run.definition["Configuration"]
    assert (
        configuration["nodeCount"] == 2 and configuration["tensorflow"]["parameterServerCount"] == 1
    )
    assert run.definition["SnapshotId"] in fake.snapshots
    uploaded = [data for path, data in fake.uploads.items() if path.endswith(naming.NODE_APP_NAME)]
    assert uploaded == [node_app()]
    assert run.tags[naming.TAG_JOB_NAME] == "tf_job"

    # keys went to the datastores (workspace Key Vault), the secret to the Key Vault, nowhere else
    stores = {
        name: store
        for (_, _, name), store in fake.datastores.items()
        if name.startswith("batchai_")
    }
    assert (
        len(stores) == 2
    )  # the guide's blob container and file share (beside the workspace's own)
    assert {s["azureStorageSection"]["credential"] for s in stores.values()} == {STORAGE_KEY}
    assert SECRET in fake.secrets.values()
    sent_to_runs = json.dumps(run.definition) + json.dumps(run.tags)
    assert STORAGE_KEY not in sent_to_runs and SECRET not in sent_to_runs
    assert SECRET not in repr(job) and STORAGE_KEY not in repr(job)


def test_second_job_reuses_datastores_and_snapshot(client, fake: FakeAzureML) -> None:
    start_guide_job(client, "first")
    params = job_parameters(models, client.clusters.get(RG, WS, "nc6").id)
    client.jobs.create(RG, WS, "tensorflow_experiment", "second", params).result()
    assert len(fake.requests_to("POST", r"/datastores$")) == 2  # blob + share, once
    assert len(fake.requests_to("POST", r"/snapshots/[0-9a-f-]{36}$")) == 1
    assert len(fake.runs) == 2


def test_cluster_of_another_workspace_has_no_equivalent(client, fake: FakeAzureML) -> None:
    client.experiments.create(RG, WS, "exp").result()
    other = f"/subscriptions/x/resourceGroups/{RG}/providers/Microsoft.BatchAI/workspaces/other/clusters/nc6"
    with pytest.raises(NoEquivalentError, match="another workspace"):
        client.jobs.create(RG, WS, "exp", "job", job_parameters(models, other))
    assert fake.runs == {}


def test_duplicate_job_name_conflicts(client, fake: FakeAzureML) -> None:
    start_guide_job(client, "dup")
    params = job_parameters(models, client.clusters.get(RG, WS, "nc6").id)
    params.secrets = [
        models.EnvironmentVariableWithSecretValue(name="OTHER", value="second-secret")
    ]
    with pytest.raises(CloudError) as error:
        client.jobs.create(RG, WS, "tensorflow_experiment", "dup", params).result()
    assert error.value.status_code == 409
    # the refused job's secret was stored for it and removed again; the first job's stays
    assert sorted(fake.secrets.values()) == [SECRET]


def _azureml_timers() -> list[str]:
    """azureml-core's periodic daemons still scheduled in this process."""
    return [
        repr(thread.function.__self__)
        for thread in threading.enumerate()
        if isinstance(thread, threading.Timer)
        and not thread.finished.is_set()
        and type(getattr(thread.function, "__self__", None)).__module__.startswith("azureml.")
    ]


def test_status_files_terminate_and_delete(client, fake: FakeAzureML) -> None:
    start_guide_job(client)
    run_id = naming.run_id("tensorflow_experiment", "tf_job")

    def state() -> str:
        return client.jobs.get(RG, WS, "tensorflow_experiment", "tf_job").execution_state

    fake.set_run_status(RG, WS, run_id, "Running")
    assert state() == "running"

    for path in (
        "logs/stdouterr/stdout-wk-0.txt",
        "logs/stdouterr/stderr-wk-0.txt",
        "logs/stdouterr/stdout-ps-0.txt",
        "azureml-logs/70_driver_log_0.txt",
        "outputs/MODEL/model.ckpt",
        "outputs/MODEL/ckpt/1.index",
    ):
        fake.add_run_file(RG, WS, run_id, path, b"data")
    logs = list(
        client.jobs.list_output_files(
            RG,
            WS,
            "tensorflow_experiment",
            "tf_job",
            models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr"),
        )
    )
    assert sorted(f.name for f in logs) == [
        "stderr-wk-0.txt",
        "stdout-0.txt",
        "stdout-ps-0.txt",
        "stdout-wk-0.txt",
    ]
    assert all(f.download_url.startswith("https://") and "sig=" in f.download_url for f in logs)
    model = list(
        client.jobs.list_output_files(
            RG,
            WS,
            "tensorflow_experiment",
            "tf_job",
            models.JobsListOutputFilesOptions(outputdirectoryid="MODEL"),
        )
    )
    assert {(f.name, f.file_type) for f in model} == {("ckpt", "directory"), ("model.ckpt", "file")}
    assert [f.download_url for f in model if f.file_type == "directory"] == [None]
    inner = list(
        client.jobs.list_output_files(
            RG,
            WS,
            "tensorflow_experiment",
            "tf_job",
            models.JobsListOutputFilesOptions(outputdirectoryid="MODEL", directory="ckpt"),
        )
    )
    assert [f.name for f in inner] == ["ckpt/1.index"]

    client.jobs.terminate(RG, WS, "tensorflow_experiment", "tf_job").result()
    assert fake.runs[(RG, WS, run_id)].status == "CancelRequested"
    assert _azureml_timers() == []  # Run.cancel's metric queues are stopped, not left ticking
    assert state() == "terminating"
    fake.set_run_status(RG, WS, run_id, "Canceled")
    finished = client.jobs.get(RG, WS, "tensorflow_experiment", "tf_job")
    assert finished.execution_state == "failed" and finished.execution_info.end_time is not None
    assert [j.name for j in client.jobs.list_by_experiment(RG, WS, "tensorflow_experiment")] == [
        "tf_job"
    ]

    with pytest.raises(NoEquivalentError, match="jobs.delete"):
        client.jobs.delete(RG, WS, "tensorflow_experiment", "tf_job")
    with pytest.raises(ResourceNotFoundError):
        client.jobs.get(RG, WS, "tensorflow_experiment", "nope")


def test_file_servers_have_no_equivalent(client) -> None:
    params = models.FileServerCreateParameters(
        vm_size="STANDARD_D2_V2",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(
                admin_user_name="adm", admin_user_password=ADMIN_PASSWORD
            )
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=1, storage_account_type="standard_lrs"
        ),
    )
    with pytest.raises(NoEquivalentError, match="file servers"):
        client.file_servers.create(RG, WS, "nfs", params)
    assert list(client.file_servers.list_by_workspace(RG, WS)) == []
    with pytest.raises(ResourceNotFoundError):
        client.file_servers.get(RG, WS, "nfs")


def test_concurrent_submissions_keep_the_working_directory(client, fake: FakeAzureML) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "exp").result()
    before = os.getcwd()
    names = [f"job{i:02d}" for i in range(12)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = list(
            pool.map(
                lambda name: client.jobs.create(
                    RG, WS, "exp", name, job_parameters(models, cluster.id)
                ).result(),
                names,
            )
        )
    assert sorted(j.name for j in jobs) == names
    assert os.getcwd() == before and os.path.isdir(before)


def test_cluster_status_while_resizing_with_errors(client, fake: FakeAzureML) -> None:
    client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    inner = fake.computes[(RG, WS, "nc6")]["properties"]["properties"]
    inner.update(
        allocationState="Resizing",
        currentNodeCount=1,
        errors=[
            {
                "error": {
                    "code": "QuotaExceeded",
                    "message": "Not enough cores in eastus",
                    "details": [{"code": "Family", "message": "standardNCFamily"}],
                }
            }
        ],
    )
    inner["nodeStateCounts"].update(idleNodeCount=0, preparingNodeCount=1)
    cluster = client.clusters.get(RG, WS, "nc6")
    assert cluster.allocation_state == "resizing"
    assert cluster.current_node_count == 1
    assert (
        cluster.node_state_counts.preparing_node_count,
        cluster.node_state_counts.idle_node_count,
    ) == (1, 0)
    (error,) = cluster.errors
    assert (error.code, error.message) == ("QuotaExceeded", "Not enough cores in eastus")
    assert [(d.name, d.value) for d in error.details] == [("Family", "standardNCFamily")]
    assert cluster.scale_settings.manual.target_node_count == 2  # as created, not as allocated


def test_job_in_a_missing_experiment_is_404(client, fake: FakeAzureML) -> None:
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    with pytest.raises(ResourceNotFoundError):
        client.jobs.create(RG, WS, "no_such_experiment", "job", job_parameters(models, cluster.id))
    assert fake.runs == {} and not fake.requests_to("POST", r"/datastores$")


def test_a_workspace_reads_deleting_until_arm_has_deleted_it(fake: FakeAzureML) -> None:
    """ARM deletes the Azure ML workspace over time: lists and GETs show ``deleting`` meanwhile,
    the poller is done once a GET answers 404 (here after one GET still answering Deleting)."""
    from fake_service import SUBSCRIPTION, FakeCredential

    from batchai_compat import BatchAIManagementClient

    fake.deletion_reads = 1
    with BatchAIManagementClient(
        FakeCredential(), SUBSCRIPTION, backend="azureml", polling_interval=0
    ) as client:
        poller = client.workspaces.delete(RG, WS)
        assert [
            (w.name, w.provisioning_state) for w in client.workspaces.list_by_resource_group(RG)
        ] == [(WS, "deleting")]
        assert not poller.done()  # its GET answered Deleting
        assert poller.result() is None and poller.status() == "Succeeded"
        assert list(client.workspaces.list_by_resource_group(RG)) == []
        with pytest.raises(ResourceNotFoundError):
            client.workspaces.get(RG, WS)
    # only the ARM DELETE was sent: no poller of azureml-core's own polls its operation
    assert [m for m, path, _ in fake.requests if m == "DELETE"] == ["DELETE"]
    assert not [url for _, url in fake.calls if "/operations/" in url]

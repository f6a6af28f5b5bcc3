"""Logging under ``batchai_compat``: what a user follows at INFO, and no secret in any record.

A Batch AI session on the local backend, under ``logging.DEBUG``, with every kind of secret
the API takes (storage keys of cluster and job mounts and of the legacy storage classes, admin
passwords and SSH keys of clusters and file servers, setup-task and job secret environment
values, a registry password, an App Insights key, SAS tokens and the signed download URLs of
output files), must emit the records a user follows -- backend chosen, cluster created, job
submitted, each job state change seen -- and none of those values.
"""

from __future__ import annotations

import logging

import pytest
import requests
from execution_jobs import job_on_share

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.home.file_grants import Tokens
from batchai_compat.home.fileserver import FileServer
from batchai_compat.storage.blob import BlobPermissions, BlockBlobService

RG, WS, EXP = "rg", "ws", "exp"

SECRETS = {
    "cluster admin password": "Cl-Admin-Pa55word-7f3a",
    "cluster ssh key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC-cluster-key-9d1",
    "cluster mount key": "Q2x1c3Rlck1vdW50S2V5LTk5MjE=",
    "setup task secret": "setup-secret-value-81c2",
    "app insights key": "ai-instrumentation-4d0e",
    "file server password": "Fs-Admin-Pa55word-0b9c",
    "job mount key": "Sm9iU2hhcmVLZXktNzc3Nw==",
    "registry password": "registry-pa55-e1e1",
    "job secret env": "job-env-secret-5150",
    "storage account key": "U3RvcmFnZUFjY291bnRLZXktMzMz",
}


def _cluster_parameters() -> models.ClusterCreateParameters:
    key = models.AzureStorageCredentialsInfo(account_key=SECRETS["cluster mount key"])
    return models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="demo",
            admin_user_password=SECRETS["cluster admin password"],
            admin_user_ssh_public_key=SECRETS["cluster ssh key"],
        ),
        node_setup=models.NodeSetup(
            setup_task=models.SetupTask(
                command_line="echo setup",
                std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/cshare",
                secrets=[
                    models.EnvironmentVariableWithSecretValue(
                        name="SETUP_SECRET", value=SECRETS["setup task secret"]
                    )
                ],
            ),
            mount_volumes=models.MountVolumes(
                azure_file_shares=[
                    models.AzureFileShareReference(
                        account_name="acct",
                        azure_file_url="https://acct.file.core.windows.net/cshare",
                        relative_mount_path="cshare",
                        credentials=key,
                    )
                ]
            ),
            performance_counters_settings=models.PerformanceCountersSettings(
                app_insights_reference=models.AppInsightsReference(
                    component=models.ResourceId(id="/subscriptions/x/appinsights"),
                    instrumentation_key=SECRETS["app insights key"],
                )
            ),
        ),
    )


def _job_parameters(cluster_id: str) -> models.JobCreateParameters:
    params = job_on_share(
        cluster_id,
        1,
        custom_toolkit_settings=models.CustomToolkitSettings(
            command_line='test "$JOB_SECRET" = "$EXPECTED" && echo secret seen'
        ),
    )
    params.mount_volumes.azure_file_shares[0].credentials.account_key = SECRETS["job mount key"]
    params.container_settings = models.ContainerSettings(
        image_source_registry=models.ImageSourceRegistry(
            image="private/image:1",
            credentials=models.PrivateRegistryCredentials(
                username="user", password=SECRETS["registry password"]
            ),
        )
    )
    params.environment_variables = [
        models.EnvironmentVariable(name="EXPECTED", value=SECRETS["job secret env"])
    ]
    params.secrets = [
        models.EnvironmentVariableWithSecretValue(
            name="JOB_SECRET", value=SECRETS["job secret env"]
        )
    ]
    return params


def _file_server_parameters() -> models.FileServerCreateParameters:
    return models.FileServerCreateParameters(
        vm_size="Standard_DS14",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(
                admin_user_name="nfsadmin", admin_user_password=SECRETS["file server password"]
            )
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=2, storage_account_type="Standard_LRS"
        ),
    )


def _text(record: logging.LogRecord) -> str:
    """Everything a handler could write for ``record``."""
    text = record.getMessage()
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text + (record.stack_info or "")


def test_a_session_logs_what_a_user_follows_and_no_secret(
    batchai_home, no_leftover_processes, wait_job, caplog
):
    caplog.set_level(logging.DEBUG)
    # The environment variable the job compares its secret with is not itself a secret model
    # field; it only proves the secret reached the job.  Keep it out of the scanned values.
    with BatchAIManagementClient(object(), "sub-1") as client:
        client.workspaces.create(RG, WS, "eastus").result()
        client.experiments.create(RG, WS, EXP).result()
        cluster = client.clusters.create(RG, WS, "nc6", _cluster_parameters()).result()
        client.file_servers.create(RG, WS, "nfs", _file_server_parameters()).result()

        blobs = BlockBlobService("acct", SECRETS["storage account key"])
        blobs.create_container("data")
        blobs.create_blob_from_text("data", "train.py", "print('hi')")
        sas = blobs.generate_blob_shared_access_signature(
            "data", "train.py", BlobPermissions.READ, expiry="2099-01-01T00:00:00Z"
        )
        url = blobs.make_blob_url("data", "train.py", sas_token=sas)
        assert requests.get(url, timeout=10).text == "print('hi')"

        client.jobs.create(RG, WS, EXP, "job", _job_parameters(cluster.id)).result()
        job = wait_job(client, "job")
        assert job.execution_state == "succeeded"
        files = list(
            client.jobs.list_output_files(
                RG, WS, EXP, "job", models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
            )
        )
        stdout = next(f for f in files if f.name == "stdout.txt")
        assert "secret seen" in requests.get(stdout.download_url, timeout=10).text
        client.jobs.terminate(RG, WS, EXP, "job").result()
        client.clusters.delete(RG, WS, "nc6").result()

    ours = [r for r in caplog.records if r.name.startswith("batchai_compat")]
    infos = [(r.name, r.getMessage()) for r in ours if r.levelno == logging.INFO]
    local = "batchai_compat.backends.local.backend"
    assert (
        "batchai_compat.backends.registry",
        "Batch AI calls run on the 'local' backend (the default)",
    ) in infos
    assert (
        local,
        "cluster rg/ws/nc6 created: STANDARD_NC6, dedicated, manual scale to 1 node(s)",
    ) in infos
    assert (local, "job rg/ws/exp/job submitted: custom toolkit, 1 node(s) of cluster nc6") in infos
    changes = [
        m for n, m in infos if n == local and m.startswith("job rg/ws/exp/job: ") and " -> " in m
    ]
    assert changes and changes[0].startswith("job rg/ws/exp/job: queued -> ")
    assert changes[-1].endswith("-> succeeded")
    assert (local, "cluster rg/ws/nc6 deleted") in infos
    assert any(r.levelno == logging.DEBUG for r in ours)  # the detail is there at DEBUG

    secrets = {**SECRETS, "blob SAS": sas.split("sig=")[1].split("&")[0]}
    secrets["download token"] = stdout.download_url.split("/")[3]
    secrets["SAS URL token"] = url.split("/")[3]
    leaks = [(r.name, name) for r in ours for name, value in secrets.items() if value in _text(r)]
    assert leaks == []


def test_the_download_server_says_where_it_listens(caplog, tmp_path):
    caplog.set_level(logging.INFO, logger="batchai_compat")
    server = FileServer(Tokens(tmp_path))
    try:
        port = int(server.base_url.rsplit(":", 1)[1])
    finally:
        server.close()
    assert [
        (r.name, r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "batchai_compat.home.fileserver"
    ] == [
        (
            "batchai_compat.home.fileserver",
            logging.INFO,
            f"download server for output files and SAS URLs listening on http://127.0.0.1:{port}",
        )
    ]


@pytest.mark.parametrize("level", [logging.WARNING, logging.INFO])
def test_quiet_above_the_level_a_user_asked_for(batchai_home, caplog, level):
    caplog.set_level(level, logger="batchai_compat")
    with BatchAIManagementClient(object(), "sub-1") as client:
        client.workspaces.create(RG, WS, "eastus").result()
    levels = {r.levelno for r in caplog.records if r.name.startswith("batchai_compat")}
    assert levels <= {logging.INFO} if level == logging.INFO else levels == set()

"""No secret value ever reaches the local backend's SQLite file (or anything under its home).

Clusters, file servers and jobs are created with storage keys, admin passwords, registry
passwords, App Insights keys and secret environment values; then the raw bytes of
``state.db`` and its ``-wal`` / ``-shm`` files (and every other file under
``BATCHAI_COMPAT_HOME``) are scanned for each of them.
"""

from __future__ import annotations

import pytest

from batchai_compat import models
from batchai_compat.backends.local.state import documents

SUBSCRIPTION = "00000000-0000-0000-0000-00000000beef"
RG, WS, EXP = "rg-local", "ws1", "exp1"

SECRETS = {
    "cluster_admin_password": "Cl-Admin-Pa55word-7f3a",
    "cluster_share_key": "Q2x1c3RlclNoYXJlS2V5LTk5MjE=",
    "cluster_blob_key": "Q2x1c3RlckJsb2JLZXktMTIzNA==",
    "setup_task_secret": "setup-secret-value-81c2",
    "app_insights_key": "ai-instrumentation-4d0e",
    "file_server_password": "Fs-Admin-Pa55word-0b9c",
    "job_share_key": "Sm9iU2hhcmVLZXktNzc3Nw==",
    "job_blob_key": "Sm9iQmxvYktleS00NDQ0",
    "registry_password": "registry-pa55-e1e1",
    "job_secret_env": "job-env-secret-5150",
}


def _credentials(key):
    return models.AzureStorageCredentialsInfo(account_key=key)


def _cluster_params():
    return models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=2)),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="demo", admin_user_password=SECRETS["cluster_admin_password"]
        ),
        node_setup=models.NodeSetup(
            setup_task=models.SetupTask(
                command_line="echo setup",
                std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/afs",
                secrets=[
                    models.EnvironmentVariableWithSecretValue(
                        name="SETUP_SECRET", value=SECRETS["setup_task_secret"]
                    )
                ],
            ),
            mount_volumes=models.MountVolumes(
                azure_file_shares=[
                    models.AzureFileShareReference(
                        account_name="acct",
                        azure_file_url="https://acct.file.core.windows.net/share",
                        relative_mount_path="afs",
                        credentials=_credentials(SECRETS["cluster_share_key"]),
                    )
                ],
                azure_blob_file_systems=[
                    models.AzureBlobFileSystemReference(
                        account_name="acct",
                        container_name="data",
                        relative_mount_path="bfs",
                        credentials=_credentials(SECRETS["cluster_blob_key"]),
                    )
                ],
            ),
            performance_counters_settings=models.PerformanceCountersSettings(
                app_insights_reference=models.AppInsightsReference(
                    component=models.ResourceId(id="/subscriptions/x/appinsights"),
                    instrumentation_key=SECRETS["app_insights_key"],
                )
            ),
        ),
    )


def _job_params(cluster_id):
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name="acct",
                    azure_file_url="https://acct.file.core.windows.net/share",
                    relative_mount_path="afs",
                    credentials=_credentials(SECRETS["job_share_key"]),
                )
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name="acct",
                    container_name="data",
                    relative_mount_path="bfs",
                    credentials=_credentials(SECRETS["job_blob_key"]),
                )
            ],
        ),
        container_settings=models.ContainerSettings(
            image_source_registry=models.ImageSourceRegistry(
                image="private/image:1",
                credentials=models.PrivateRegistryCredentials(
                    username="user", password=SECRETS["registry_password"]
                ),
            )
        ),
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="echo $JOB_SECRET"),
        secrets=[
            models.EnvironmentVariableWithSecretValue(
                name="JOB_SECRET", value=SECRETS["job_secret_env"]
            )
        ],
    )


def _file_server_params():
    return models.FileServerCreateParameters(
        vm_size="Standard_DS14",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(
                admin_user_name="nfsadmin", admin_user_password=SECRETS["file_server_password"]
            )
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=2, storage_account_type="Standard_LRS"
        ),
    )


def _leaks(root):
    """(file, secret name) for every secret found in any file under ``root``."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for name, value in SECRETS.items():
            if value.encode() in data or value.encode("utf-16-le") in data:
                found.append((path.name, name))
    return found


def test_no_secret_in_the_database_files(client, backend, batchai_home):
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()
    cluster = client.clusters.create(RG, WS, "c1", _cluster_params()).result()
    client.clusters.update(
        RG,
        WS,
        "c1",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
    )
    client.file_servers.create(RG, WS, "nfs", _file_server_params()).result()
    for index in range(3):
        client.jobs.create(RG, WS, EXP, f"job{index}", _job_params(cluster.id)).result()
    client.jobs.terminate(RG, WS, EXP, "job0").result()
    client.jobs.delete(RG, WS, EXP, "job1").result()
    list(client.jobs.list_by_experiment(RG, WS, EXP))

    db = batchai_home / "state.db"
    wal = batchai_home / "state.db-wal"
    assert db.stat().st_size > 0 and wal.exists() and wal.stat().st_size > 0
    # the scan can see what the database holds: non-secret values are in these bytes
    everything = db.read_bytes() + wal.read_bytes()
    assert b"nfsadmin" in everything and b"echo $JOB_SECRET" in everything
    assert _leaks(batchai_home) == []

    backend.close()  # checkpoint the WAL into the main file; still nothing
    assert _leaks(batchai_home) == []


def test_what_get_returns_has_no_secret_values(client):
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()
    cluster = client.clusters.create(RG, WS, "c1", _cluster_params()).result()
    job = client.jobs.create(RG, WS, EXP, "job", _job_params(cluster.id)).result()
    server = client.file_servers.create(RG, WS, "nfs", _file_server_params()).result()
    returned = [
        cluster,
        job,
        server,
        client.clusters.get(RG, WS, "c1"),
        client.jobs.get(RG, WS, EXP, "job"),
        client.file_servers.get(RG, WS, "nfs"),
    ]
    for model in returned:
        text = repr(model) + str(model.as_dict()) + str(model.serialize(keep_readonly=True))
        for name, value in SECRETS.items():
            assert value not in text, (type(model).__name__, name)
    setup = client.clusters.get(RG, WS, "c1").node_setup
    assert setup.setup_task.secrets[0].name == "SETUP_SECRET"
    assert setup.setup_task.secrets[0].value is None
    assert setup.performance_counters_settings.app_insights_reference.instrumentation_key is None


def test_the_store_refuses_a_document_with_a_secret(backend):
    from batchai_compat.backends.local.state import ClusterKey, ScaleRequest, WorkspaceKey

    backend.store.put_workspace(WorkspaceKey(SUBSCRIPTION, RG, WS), "eastus", None)
    leaking = {"properties": {"userAccountSettings": {"adminUserPassword": "oops"}}}
    with pytest.raises(ValueError, match="adminUserPassword"):
        backend.store.put_cluster(
            ClusterKey(SUBSCRIPTION, RG, WS, "c"),
            leaking,
            vm_size="Standard_D1_v2",
            vm_priority="dedicated",
            scale=ScaleRequest("manual", 0),
        )
    secret_env = {"properties": {"secrets": [{"name": "A", "value": "oops"}]}}
    with pytest.raises(ValueError, match="secrets"):
        documents.assert_no_secrets(secret_env)
    assert backend.store.list_clusters(WorkspaceKey(SUBSCRIPTION, RG, WS)) == []


def test_the_stored_body_is_the_stripped_models_rest_body():
    """What the backend stores is exactly ``strip_secrets(parameters).serialize()``."""
    from batchai_compat.backends.local.backend import _stored_body

    for params in (_cluster_params(), _file_server_params(), _job_params("/c")):
        stored = _stored_body(params)
        assert stored == models.strip_secrets(params).serialize()
        assert not any(value in repr(stored) for value in SECRETS.values())

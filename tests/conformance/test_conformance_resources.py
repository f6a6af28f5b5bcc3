"""Workspaces, experiments, clusters, file servers, usages and operations through the client."""

from __future__ import annotations

import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import NoEquivalentError, ResourceNotFoundError

from .conftest import ADMIN_PASSWORD, EXP, LOCATION, RG, WS, cluster_parameters, wait_until


def _gone(get) -> bool:
    try:
        get()
    except ResourceNotFoundError:
        return True
    return False


def test_workspaces_every_method(client):
    poller = client.workspaces.create(RG, WS, LOCATION, tags={"team": "vision"})
    created = poller.result()
    assert isinstance(created, models.Workspace)
    assert (created.name, created.location, created.tags) == (WS, LOCATION, {"team": "vision"})
    assert created.id.endswith(f"/resourceGroups/{RG}/providers/Microsoft.BatchAI/workspaces/{WS}")
    client.workspaces.create("other-rg", "ws2", LOCATION).result()

    fetched = client.workspaces.get(RG, WS)
    assert fetched == created

    updated = client.workspaces.update(RG, WS, tags={"team": "speech"})
    assert updated.tags == {"team": "speech"}
    assert client.workspaces.get(RG, WS).tags == {"team": "speech"}

    everywhere = {w.name for w in client.workspaces.list()}
    assert {WS, "ws2"} <= everywhere
    assert [w.name for w in client.workspaces.list_by_resource_group(RG)] == [WS]
    options = models.WorkspacesListOptions(max_results=1)
    assert {w.name for w in client.workspaces.list(options)} == everywhere

    client.workspaces.delete("other-rg", "ws2").result()
    wait_until(lambda: _gone(lambda: client.workspaces.get("other-rg", "ws2")))
    assert list(client.workspaces.list_by_resource_group("other-rg")) == []


def test_experiments_every_method(client, workspace):
    created = client.experiments.create(RG, WS, EXP).result()
    assert isinstance(created, models.Experiment)
    assert created.name == EXP
    assert created.id == f"{workspace.id}/experiments/{EXP}"
    assert client.experiments.get(RG, WS, EXP) == created
    client.experiments.create(RG, WS, "second").result()
    names = [e.name for e in client.experiments.list_by_workspace(RG, WS)]
    assert sorted(names) == sorted([EXP, "second"])
    client.experiments.delete(RG, WS, "second").result()
    wait_until(lambda: _gone(lambda: client.experiments.get(RG, WS, "second")))
    assert [e.name for e in client.experiments.list_by_workspace(RG, WS)] == [EXP]


def test_clusters_every_method(client, workspace, backend):
    created = client.clusters.create(RG, WS, "nc6", cluster_parameters(nodes=1)).result()
    assert isinstance(created, models.Cluster)
    assert created.name == "nc6"
    assert created.vm_size.lower() == "standard_nc6"
    assert created.scale_settings.manual.target_node_count == 1
    assert created.scale_settings.auto_scale is None
    # the password was accepted and is never handed back
    assert created.user_account_settings.admin_user_password is None

    cluster = wait_until(
        lambda: (c := client.clusters.get(RG, WS, "nc6")).allocation_state == "steady" and c
    )
    assert cluster.current_node_count == 1
    counts = cluster.node_state_counts
    total = (
        counts.idle_node_count
        + counts.running_node_count
        + counts.preparing_node_count
        + counts.unusable_node_count
        + counts.leaving_node_count
    )
    assert total == 1

    resized = client.clusters.update(
        RG,
        WS,
        "nc6",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=2)),
    )
    assert resized.scale_settings.manual.target_node_count == 2
    wait_until(lambda: client.clusters.get(RG, WS, "nc6").current_node_count == 2)

    assert [c.name for c in client.clusters.list_by_workspace(RG, WS)] == ["nc6"]
    options = models.ClustersListByWorkspaceOptions(max_results=5)
    assert [c.name for c in client.clusters.list_by_workspace(RG, WS, options)] == ["nc6"]

    if backend.has("remote_login"):
        logins = list(client.clusters.list_remote_login_information(RG, WS, "nc6"))
        assert len(logins) == 2
        assert all(isinstance(info, models.RemoteLoginInformation) for info in logins)
        assert len({info.node_id for info in logins}) == 2

    client.clusters.delete(RG, WS, "nc6").result()
    wait_until(lambda: _gone(lambda: client.clusters.get(RG, WS, "nc6")))
    assert list(client.clusters.list_by_workspace(RG, WS)) == []


def test_auto_scale_cluster_reports_its_settings(client, workspace):
    params = models.ClusterCreateParameters(
        vm_size="STANDARD_D1",
        scale_settings=models.ScaleSettings(
            auto_scale=models.AutoScaleSettings(minimum_node_count=0, maximum_node_count=2)
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="batchai", admin_user_password=ADMIN_PASSWORD
        ),
    )
    cluster = client.clusters.create(RG, WS, "auto", params).result()
    assert cluster.scale_settings.manual is None
    assert cluster.scale_settings.auto_scale.maximum_node_count == 2


def _file_server_parameters() -> models.FileServerCreateParameters:
    return models.FileServerCreateParameters(
        vm_size="STANDARD_D2",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(
                admin_user_name="batchai", admin_user_password=ADMIN_PASSWORD
            )
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=2, storage_account_type="Standard_LRS"
        ),
    )


def test_file_servers_every_method(client, workspace, backend):
    if not backend.has("file_servers"):
        with pytest.raises(NoEquivalentError):
            client.file_servers.create(RG, WS, "nfs", _file_server_parameters()).result()
        return
    created = client.file_servers.create(RG, WS, "nfs", _file_server_parameters()).result()
    assert isinstance(created, models.FileServer)
    assert created.name == "nfs"
    assert created.data_disks.disk_count == 2
    assert created.ssh_configuration.user_account_settings.admin_user_password is None
    assert client.file_servers.get(RG, WS, "nfs").name == "nfs"
    assert [f.name for f in client.file_servers.list_by_workspace(RG, WS)] == ["nfs"]
    client.file_servers.delete(RG, WS, "nfs").result()
    wait_until(lambda: _gone(lambda: client.file_servers.get(RG, WS, "nfs")))
    assert list(client.file_servers.list_by_workspace(RG, WS)) == []


def test_usages_list_counts_cluster_cores(client, workspace, backend):
    if not backend.has("usages"):
        with pytest.raises(NoEquivalentError, match="usages.list"):
            list(client.usages.list(LOCATION))
        return

    def dedicated() -> int:
        (usage,) = [
            u
            for u in client.usages.list(LOCATION)
            if u.name.value == "Total Cluster Dedicated Regional vCPUs"
        ]
        assert usage.limit >= usage.current_value >= 0
        return usage.current_value

    before = dedicated()
    client.clusters.create(RG, WS, "nc6", cluster_parameters(nodes=1)).result()
    wait_until(lambda: dedicated() > before)


def test_operations_list_names_the_provider_operations(client):
    operations = list(client.operations.list())
    assert operations
    assert all(isinstance(op, models.Operation) for op in operations)
    names = {op.name for op in operations}
    assert all(name.startswith("Microsoft.BatchAI/") for name in names)
    assert any("clusters" in name for name in names)

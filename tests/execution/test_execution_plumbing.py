"""The pieces under local execution: mount resolution, session stopping, and secrets kept out of
every command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import batchai_compat.models as models
from batchai_compat.backends.local.mounts import link_mounts, mount_targets
from batchai_compat.exceptions import ValidationError
from batchai_compat.home import layout
from batchai_compat.home.processes import ProcessRef, session_members, stop_session

RG, WS, EXP = "rg", "ws", "exp"
FS_ID = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/fileServers/nfs"
)


def test_mount_targets_resolve_to_the_storage_folders(batchai_home: Path):
    volumes = models.MountVolumes(
        azure_file_shares=[
            models.AzureFileShareReference(
                account_name="a",
                azure_file_url="https://a.file.core.windows.net/share/sub/dir",
                credentials=models.AzureStorageCredentialsInfo(account_key="k"),
                relative_mount_path="afs",
            )
        ],
        azure_blob_file_systems=[
            models.AzureBlobFileSystemReference(
                account_name="a",
                container_name="c",
                credentials=models.AzureStorageCredentialsInfo(account_key="k"),
                relative_mount_path="bfs",
            )
        ],
        file_servers=[
            models.FileServerReference(
                file_server=models.ResourceId(id=FS_ID),
                source_directory="exports",
                relative_mount_path="nfs",
            )
        ],
        unmanaged_file_systems=[
            models.UnmanagedFileSystemReference(
                mount_command="mount -t glusterfs 10.0.0.4:/gv0", relative_mount_path="gluster"
            )
        ],
    ).as_dict()
    targets = {t.relative_mount_path: t.folder for t in mount_targets(volumes)}
    assert targets["afs"] == layout.file_share_dir("a", "share") / "sub" / "dir"
    assert targets["bfs"] == layout.blob_container_dir("a", "c")
    assert targets["nfs"] == layout.file_server_dir("rg", "ws", "nfs") / "exports"
    assert targets["gluster"].parent == batchai_home / "unmanaged"
    root = batchai_home / "mountroot"
    link_mounts(root, mount_targets(volumes))
    (layout.blob_container_dir("a", "c") / "x.txt").write_text("blob data")
    assert (root / "bfs" / "x.txt").read_text() == "blob data"
    link_mounts(root, mount_targets(volumes))  # linking again is a no-op


@pytest.mark.parametrize("bad", ["../outside", "/", "a/../../b", ""])
def test_mounts_refuse_paths_leaving_their_root(batchai_home: Path, bad: str):
    volumes = {
        "azure_blob_file_systems": [
            {"account_name": "a", "container_name": "c", "relative_mount_path": bad}
        ]
    }
    with pytest.raises(ValidationError, match="relative_mount_path"):
        link_mounts(batchai_home / "root", mount_targets(volumes))


def test_file_server_source_directory_cannot_escape(batchai_home: Path):
    volumes = {
        "file_servers": [
            {
                "file_server": {"id": FS_ID},
                "source_directory": "../../other",
                "relative_mount_path": "n",
            }
        ]
    }
    with pytest.raises(ValidationError):
        mount_targets(volumes)


def test_stop_session_ends_every_member_even_those_ignoring_sigterm():
    code = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "subprocess.Popen(['sleep', '600'], start_new_session=False)\n"
        "subprocess.Popen([sys.executable, '-c', 'import os; os.setpgrp(); import time; time.sleep(600)'])\n"
        "print('ready', flush=True); time.sleep(600)\n"
    )
    leader = subprocess.Popen(
        [sys.executable, "-c", code], start_new_session=True, stdout=subprocess.PIPE
    )
    assert leader.stdout is not None and leader.stdout.readline() == b"ready\n"
    ref = ProcessRef.of(leader.pid)
    assert ref is not None and ref.alive()
    assert len(session_members(leader.pid)) == 3  # leader, sleep, and a child in its own group
    stop_session(ref, grace=0.3)
    leader.wait(timeout=10)
    leader.stdout.close()
    deadline = time.monotonic() + 10
    while session_members(leader.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert session_members(leader.pid) == []
    assert not ref.alive()


def test_a_reused_pid_is_not_our_process():
    me = ProcessRef.of(os.getpid())
    assert me is not None and me.alive()
    assert not ProcessRef(me.pid, me.start_ticks + 1).alive()
    stop_session(ProcessRef(me.pid, me.start_ticks + 1))  # must not signal us
    assert me.alive()


def test_secret_values_are_in_no_command_line(client, cluster, wait_job, wait_until, run_dir):
    secret = "cmdline-secret-4711"
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        secrets=[models.EnvironmentVariableWithSecretValue(name="TOKEN", value=secret)],
        custom_toolkit_settings=models.CustomToolkitSettings(
            command_line='test -n "$TOKEN" && sleep 600'
        ),
    )
    client.jobs.create(RG, WS, EXP, "argv", params).result()
    job = wait_job(client, "argv", ("running",))
    nodes = wait_until(
        lambda: (
            (run_dir(job) / "nodes.json").exists()
            and json.loads((run_dir(job) / "nodes.json").read_text())
        )
    )
    supervisor = json.loads((run_dir(job) / "supervisor.json").read_text())["pid"]
    wait_until(
        lambda: len(session_members(nodes[0]["pid"])) >= 2
    )  # runtime + the task's bash/sleep
    pids = [supervisor, *session_members(nodes[0]["pid"])]
    for pid in pids:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            assert secret.encode() not in f.read()
    client.jobs.terminate(RG, WS, EXP, "argv").result()
    assert str(wait_job(client, "argv").execution_state.value) == "failed"


def test_the_daemon_exits_when_idle_and_a_later_call_starts_another(
    batchai_home, wait_until, monkeypatch
):
    from batchai_compat import BatchAIManagementClient
    from batchai_compat.home.helpers import ENV_IDLE_SECONDS, SCHEDULER, read_record

    monkeypatch.setenv(ENV_IDLE_SECONDS, "0.5")  # the daemon inherits it from its starter
    client = BatchAIManagementClient(object(), "sub-1", backend="local")
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()
    cluster = client.clusters.create(
        RG,
        WS,
        "c1",
        models.ClusterCreateParameters(
            vm_size="STANDARD_D1",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=1)
            ),
            user_account_settings=models.UserAccountSettings(
                admin_user_name="u", admin_user_password="pw"
            ),
        ),
    ).result()
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
    )
    client.jobs.create(RG, WS, EXP, "first", params).result()
    first = read_record(batchai_home, SCHEDULER)
    assert first is not None and first.ref.alive()
    wait_until(
        lambda: str(client.jobs.get(RG, WS, EXP, "first").execution_state.value) == "succeeded"
    )
    client.close()
    wait_until(lambda: not first.ref.alive())  # nothing left to do: it went away
    assert read_record(batchai_home, SCHEDULER) is None

    with BatchAIManagementClient(object(), "sub-1", backend="local") as again:
        again.jobs.create(RG, WS, EXP, "second", params).result()
        second = read_record(batchai_home, SCHEDULER)
        assert second is not None and second.ref != first.ref
        wait_until(
            lambda: str(again.jobs.get(RG, WS, EXP, "second").execution_state.value) == "succeeded"
        )

"""Clusters, jobs, nodes, file servers and usages through ``batchai`` on the local backend: the
parameters ``cluster create`` builds from its options, and jobs that really run."""

from __future__ import annotations

import json
import urllib.request

import pytest

from batchai_compat.cli.admin import is_valid_public_key

BASE = ("-g", "rg", "-w", "ws")
JOB_BASE = (*BASE, "-e", "exp")


@pytest.fixture
def workspace(run_cli):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    assert run_cli("experiment", "create", *BASE, "-n", "exp").code == 0


def create_cluster(run_cli, *extra):
    return run_cli("cluster", "create", *BASE, "-s", "STANDARD_D1", "-p", "pw", *extra)


@pytest.mark.parametrize(
    ("options", "scale"),
    [
        (
            ("-t", "2"),
            {
                "manual": {"targetNodeCount": 2, "nodeDeallocationOption": "requeue"},
                "autoScale": None,
            },
        ),
        (
            ("-t", "0"),
            {
                "manual": {"targetNodeCount": 0, "nodeDeallocationOption": "requeue"},
                "autoScale": None,
            },
        ),
        (
            ("--min", "1", "--max", "1"),
            {
                "manual": {"targetNodeCount": 1, "nodeDeallocationOption": "requeue"},
                "autoScale": None,
            },
        ),
        (
            ("--min", "0", "--max", "3"),
            {
                "manual": None,
                "autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 3, "initialNodeCount": 0},
            },
        ),
        (
            ("--min", "0", "--max", "3", "-t", "1"),
            {
                "manual": None,
                "autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 3, "initialNodeCount": 1},
            },
        ),
    ],
)
def test_scale_settings_from_the_options(run_cli, workspace, options, scale):
    done = create_cluster(run_cli, "-n", "c", *options, "--query", "scaleSettings")
    assert done.code == 0, done.err
    assert done.json() == scale


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--min", "1"), "You need to either provide both min and max node counts"),
        (("--min", "3", "--max", "1"), "Maximum nodes count must be greater or equal"),
        ((), "Please provide scale setting for the cluster"),
        (("-t", "1", "-i", "Windows"), 'Unsupported image alias "Windows"'),
        (
            (
                "-t",
                "1",
                "--custom-image",
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/i",
            ),
            "You need to specify --image",
        ),
        (("-t", "1", "--subnet", "not-an-id"), "Ill-formed subnet resource id"),
        (
            ("-t", "1", "--setup-task", "echo"),
            "--setup-task requires providing of --setup-task-output",
        ),
        (("-t", "1", "--afs-name", "share"), "Please configure Azure Storage account name"),
    ],
)
def test_bad_cluster_options_are_usage_errors(run_cli, workspace, options, message):
    done = create_cluster(run_cli, "-n", "c", *options)
    assert done.code == 2
    assert message in done.err
    assert run_cli("cluster", "list", *BASE).json() == []


def test_image_user_and_mounts_from_the_options(run_cli, workspace, cli_env):
    assert (
        run_cli(
            "file-server",
            "create",
            *BASE,
            "-n",
            "nfs",
            "-s",
            "STANDARD_D14",
            "--disk-count",
            "1",
            "--disk-size",
            "10",
            "--storage-sku",
            "Standard_LRS",
            "-p",
            "pw",
        ).code
        == 0
    )
    done = create_cluster(
        run_cli, "-n", "c", "-t", "0", "-i", "ubuntudsvm", "-u", "admin",
        "--storage-account-name", "acct1", "--afs-name", "share", "--bfs-name", "data",
        "--bfs-mount-path", "input", "--nfs", "nfs",
    )  # fmt: skip
    assert done.code == 0, done.err
    data = done.json()
    assert data["virtualMachineConfiguration"]["imageReference"] == {
        "publisher": "microsoft-ads",
        "offer": "linux-data-science-vm-ubuntu",
        "sku": "linuxdsvmubuntu",
        "version": None,
        "virtualMachineImageId": None,
    }
    user = data["userAccountSettings"]
    assert (user["adminUserName"], user["adminUserPassword"]) == ("admin", None)  # never shown
    volumes = data["nodeSetup"]["mountVolumes"]
    assert (
        volumes["azureFileShares"][0]["azureFileUrl"] == "https://acct1.file.core.windows.net/share"
    )
    assert volumes["azureFileShares"][0]["relativeMountPath"] == "afs"
    assert volumes["azureBlobFileSystems"][0]["relativeMountPath"] == "input"
    assert volumes["fileServers"][0]["fileServer"]["id"].endswith("/workspaces/ws/fileservers/nfs")
    again = create_cluster(run_cli, "-n", "c", "-t", "0")
    assert again.code == 1 and 'Cluster "c" already exists in workspace "ws"' in again.err


def test_generated_and_given_ssh_keys(run_cli, workspace, cli_env, tmp_path):
    done = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-s", "D1", "-t", "0", "--generate-ssh-keys"
    )
    assert done.code == 0, done.err
    key = done.json()["userAccountSettings"]["adminUserSshPublicKey"]
    home = tmp_path / "user-home"
    assert key == (home / ".ssh" / "id_rsa.pub").read_text().strip()
    assert is_valid_public_key(key)
    # Given as a path or as a value; a broken key is refused.
    from_path = run_cli(
        "cluster",
        "create",
        *BASE,
        "-n",
        "d",
        "-s",
        "D1",
        "-t",
        "0",
        "-k",
        str(home / ".ssh" / "id_rsa.pub"),
    )
    assert from_path.json()["userAccountSettings"]["adminUserSshPublicKey"] == key
    bad = run_cli(
        "cluster", "create", *BASE, "-n", "e", "-s", "D1", "-t", "0", "-k", "ssh-rsa AAAAnotakey"
    )
    assert (bad.code, bad.err) == (2, "ERROR: Incorrect ssh public key value.\n")


def test_resize_auto_scale_nodes_and_exec(run_cli, workspace):
    assert create_cluster(run_cli, "-n", "c", "-t", "1").code == 0
    nodes = run_cli("cluster", "node", "list", *BASE, "-c", "c", "-o", "table")
    assert nodes.out.splitlines()[0].split() == ["ID", "IP", "SSH", "Port"]
    assert nodes.out.splitlines()[2].split()[1:] == ["127.0.0.1", "50000"]
    ran = run_cli("cluster", "node", "exec", *BASE, "-c", "c", "--exec", "echo on-node; exit 3")
    assert ran.code == 3  # the command's exit code
    forward = run_cli("cluster", "node", "exec", *BASE, "-c", "c", "-L", "9000:localhost:9001")
    assert forward.code == 1 and "connect to localhost:9001 directly" in forward.err
    resized = run_cli(
        "cluster",
        "resize",
        *BASE,
        "-n",
        "c",
        "-t",
        "0",
        "--query",
        "scaleSettings.manual.targetNodeCount",
    )
    assert resized.out == "0\n"
    scaled = run_cli(
        "cluster",
        "auto-scale",
        *BASE,
        "-n",
        "c",
        "--min",
        "0",
        "--max",
        "2",
        "--query",
        "scaleSettings.autoScale",
    )
    assert scaled.json() == {"minimumNodeCount": 0, "maximumNodeCount": 2, "initialNodeCount": 0}
    table = run_cli("cluster", "list", *BASE, "-o", "table").out.splitlines()
    assert table[0].split() == [
        "Name",
        "Resource",
        "Group",
        "Workspace",
        "VM",
        "Size",
        "State",
        "Idle",
        "Running",
        "Preparing",
        "Leaving",
        "Unusable",
    ]


def test_file_servers_and_usages(run_cli, workspace):
    missing = run_cli("file-server", "create", *BASE, "-n", "nfs", "-s", "STANDARD_D14", "-p", "pw")
    assert (missing.code, missing.err) == (2, "ERROR: Please provide disk size in Gb.\n")
    created = run_cli(
        "file-server",
        "create",
        *BASE,
        "-n",
        "nfs",
        "-s",
        "STANDARD_D14",
        "--disk-count",
        "2",
        "--disk-size",
        "100",
        "--storage-sku",
        "Premium_LRS",
        "-p",
        "pw",
        "-o",
        "table",
    )
    assert created.code == 0, created.err
    row = run_cli("file-server", "show", *BASE, "-n", "nfs", "-o", "table").out.splitlines()
    assert row[0].split()[:5] == ["Name", "Resource", "Group", "Size", "Disks"]
    assert row[2].split()[:6] == ["nfs", "rg", "STANDARD_D14", "2", "x", "100"]
    assert run_cli("file-server", "delete", *BASE, "-n", "nfs", "-y").code == 0
    assert run_cli("file-server", "list", *BASE).json() == []
    usages = run_cli("list-usages", "-l", "eastus", "-o", "table").out.splitlines()
    assert usages[0].split() == ["Value", "Usage", "Limit"]
    # the service's entries (test_mgmt_batchai_quota_and_usage.yaml): Clusters first, then the
    # regional dedicated vCPUs
    assert usages[2].split()[:2] == ["Clusters", "0"]
    assert usages[3].split()[:5] == ["Total", "Cluster", "Dedicated", "Regional", "vCPUs"]


def write_job(tmp_path, command, **extra):
    job = {
        "properties": {
            "nodeCount": 1,
            "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
            "customToolkitSettings": {"commandLine": command},
            "mountVolumes": {
                "azureFileShares": [
                    {
                        "azureFileUrl": "https://acct1.file.core.windows.net/logs",
                        "relativeMountPath": "logs",
                    }
                ]
            },
            **extra,
        }
    }
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    return str(path)


@pytest.fixture
def cluster(run_cli, workspace):
    assert run_cli("storage", "share", "create", "-n", "logs", "--account-name", "acct1").code == 0
    done = create_cluster(
        run_cli, "-n", "c", "-t", "1", "--storage-account-name", "acct1", "--afs-name", "logs",
        "--setup-task", "echo set up $AZ_BATCHAI_MOUNT_ROOT", "--setup-task-output", "$AZ_BATCHAI_MOUNT_ROOT/afs",
    )  # fmt: skip
    assert done.code == 0, done.err


def test_a_failed_job_makes_job_wait_exit_with_its_code(run_cli, cluster, tmp_path):
    path = write_job(tmp_path, "echo failing; exit 7")
    created = run_cli("job", "create", *JOB_BASE, "-n", "j", "-c", "c", "-f", path)
    assert created.code == 0, created.err
    assert created.json()["cluster"]["id"].endswith("/workspaces/ws/clusters/c")
    waited = run_cli("job", "wait", *JOB_BASE, "-n", "j", "--interval", "0.2")
    assert waited.code == 7
    assert waited.out == ""
    assert 'WARNING: The job "j" in resource group "rg" failed.' in waited.err
    assert "Job failed with exit code 7" in waited.err
    again = run_cli("job", "create", *JOB_BASE, "-n", "j", "-c", "c", "-f", path)
    assert again.code == 1 and "already exists" in again.err
    # The node setup task ran before the job; its output is listed from the mounted share.
    files = run_cli("cluster", "file", "list", *BASE, "-c", "c")
    assert files.code == 0, files.err
    names = [f["name"] for f in files.json()]
    assert names and all(name.startswith(("stdout-", "stderr-")) for name in names)
    stdout = next(f for f in files.json() if f["name"].startswith("stdout-"))
    assert stdout["is_directory"] is False
    # The download URL is served by the home's file service (it outlives the command).
    with urllib.request.urlopen(stdout["download_url"]) as response:
        content = response.read().decode()
    assert content.startswith("set up /") and len(content) == stdout["size"]
    table = run_cli("cluster", "file", "list", *BASE, "-c", "c", "-o", "table").out.splitlines()
    assert table[0].split() == ["Name", "Is", "directory", "Size"]


def test_terminate_and_no_wait(run_cli, cluster, tmp_path):
    path = write_job(tmp_path, "sleep 60")
    assert run_cli("job", "create", *JOB_BASE, "-n", "long", "-c", "c", "-f", path).code == 0
    done = run_cli("job", "terminate", *JOB_BASE, "-n", "long", "-y")
    assert (done.code, done.out) == (0, "")
    state = run_cli(
        "job",
        "show",
        *JOB_BASE,
        "-n",
        "long",
        "--query",
        "{s: executionState, c: executionInfo.errors[0].code}",
        "-o",
        "tsv",
    )
    assert state.out == "failed\tJobTerminated\n"
    deleted = run_cli("job", "delete", *JOB_BASE, "-n", "long", "-y", "--no-wait")
    assert (deleted.code, deleted.out) == (0, "")
    assert run_cli("job", "list", *JOB_BASE).json() == []


def test_job_file_options_and_missing_required_fields(run_cli, cluster, tmp_path):
    path = tmp_path / "job.json"
    path.write_text(json.dumps({"properties": {"customToolkitSettings": {"commandLine": "true"}}}))
    done = run_cli("job", "create", *JOB_BASE, "-n", "j", "-c", "c", "-f", str(path))
    assert done.code == 2
    assert done.err.startswith(f"ERROR: {path}: properties.nodeCount: ")
    nocluster = run_cli("job", "create", *JOB_BASE, "-n", "j", "-f", write_job(tmp_path, "true"))
    assert nocluster.code == 2 and "Please provide cluster information" in nocluster.err


def test_setup_files_on_a_mounted_container_are_listed_with_read_urls(run_cli, workspace, tmp_path):
    """``cluster file list`` where the setup task writes to a blob container the nodes mount."""
    account = ("--account-name", "acct1")
    assert run_cli("storage", "container", "create", "-n", "logs", *account).code == 0
    done = create_cluster(
        run_cli, "-n", "c", "-t", "0", "--storage-account-name", "acct1", "--bfs-name", "logs",
        "--setup-task", "true", "--setup-task-output", "$AZ_BATCHAI_MOUNT_ROOT/bfs/setup",
    )  # fmt: skip
    assert done.code == 0, done.err
    suffix = done.json()["nodeSetup"]["setupTask"]["stdOutErrPathSuffix"]
    (tmp_path / "out.txt").write_text("set up\n")
    for name in ("stdout-node.txt", "more/stderr-node.txt"):
        blob = f"setup/{suffix}/{name}"
        uploaded = run_cli("storage", "blob", "upload", "-c", "logs", "-f", str(tmp_path / "out.txt"), "-n", blob, *account)  # fmt: skip
        assert uploaded.code == 0, uploaded.err
    files = run_cli("cluster", "file", "list", *BASE, "-c", "c")
    assert files.code == 0, files.err
    listed = {f["name"]: f for f in files.json()}
    assert sorted(listed) == ["more", "stdout-node.txt"]
    assert (listed["more"]["is_directory"], listed["more"]["download_url"]) == (True, None)
    with urllib.request.urlopen(listed["stdout-node.txt"]["download_url"]) as response:
        assert response.read() == b"set up\n"
    inside = run_cli("cluster", "file", "list", *BASE, "-c", "c", "-p", "more")
    assert [f["name"] for f in inside.json()] == ["stderr-node.txt"]

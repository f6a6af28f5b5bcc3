"""``--config-file``: REST shape and bare properties, ``$schema``, the storage placeholders,
credentials filled as az filled them, command-line overrides, and errors naming the JSON path."""

from __future__ import annotations

import json
from argparse import Namespace

import pytest

import batchai_compat.models as models
from batchai_compat.cli.config import Config
from batchai_compat.cli.context import Context
from batchai_compat.cli.files import load
from batchai_compat.cli.mounts import StorageAccount, add_option_mounts, patch_file
from batchai_compat.storage.accounts import account_keys

BASE = ("-g", "rg", "-w", "ws")

CLUSTER_PROPERTIES = {
    "vmSize": "STANDARD_D1",
    "scaleSettings": {"manual": {"targetNodeCount": 0}},
    "userAccountSettings": {"adminUserName": "demo", "adminUserPassword": "pw-from-file"},
    "nodeSetup": {
        "mountVolumes": {
            "azureFileShares": [
                {
                    "azureFileUrl": "https://<AZURE_BATCHAI_STORAGE_ACCOUNT>.file.core.windows.net/share",
                    "relativeMountPath": "afs",
                }
            ]
        }
    },
}


@pytest.fixture
def workspace(run_cli):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def cluster_view(done):
    data = done.json()
    return {
        "vmSize": data["vmSize"],
        "scale": data["scaleSettings"],
        "user": data["userAccountSettings"]["adminUserName"],
        "share": data["nodeSetup"]["mountVolumes"]["azureFileShares"][0],
    }


def test_rest_shape_and_bare_properties_make_the_same_cluster(run_cli, workspace, tmp_path):
    rest = write(
        tmp_path,
        "rest.json",
        {
            "$schema": "https://example/cluster.json",
            "location": "eastus",
            "properties": CLUSTER_PROPERTIES,
        },
    )
    bare = write(tmp_path, "bare.json", CLUSTER_PROPERTIES)
    a = run_cli(
        "cluster", "create", *BASE, "-n", "a", "-f", rest, "--storage-account-name", "acct1"
    )
    b = run_cli(
        "cluster", "create", *BASE, "-n", "b", "-f", bare, "--storage-account-name", "acct1"
    )
    assert (a.code, b.code) == (0, 0), a.err + b.err
    assert a.err == b.err == ""  # $schema and location are ignored silently
    assert cluster_view(a) == cluster_view(b)
    share = cluster_view(a)["share"]
    # The account placeholder replaced, the account name taken from the URL, as az did.
    assert share["azureFileUrl"] == "https://acct1.file.core.windows.net/share"
    assert share["accountName"] == "acct1"
    assert share["credentials"]["accountKey"] is None  # a GET never returns the key


def test_command_line_options_override_the_file(run_cli, workspace, tmp_path):
    path = write(tmp_path, "cluster.json", {"properties": CLUSTER_PROPERTIES})
    done = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-f", path, "--storage-account-name", "acct1",
        "-s", "STANDARD_NC6", "--min", "0", "--max", "3", "-u", "other", "--vm-priority", "lowpriority",
    )  # fmt: skip
    assert done.code == 0, done.err
    data = done.json()
    assert (data["vmSize"], data["vmPriority"]) == ("STANDARD_NC6", "lowpriority")
    assert data["scaleSettings"]["autoScale"]["maximumNodeCount"] == 3
    assert data["scaleSettings"]["manual"] is None
    assert data["userAccountSettings"]["adminUserName"] == "other"


def test_unknown_fields_are_named_and_ignored(run_cli, workspace, tmp_path):
    properties = json.loads(json.dumps(CLUSTER_PROPERTIES))
    properties["toolType"] = "custom"
    share = properties["nodeSetup"]["mountVolumes"]["azureFileShares"][0]
    share["credentialsInfo"] = {"accountKey": "<AZURE_BATCHAI_STORAGE_KEY>"}  # 2018-03-01 name
    path = write(tmp_path, "cluster.json", {"properties": properties, "extra": 1})
    done = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-f", path, "--storage-account-name", "acct1"
    )
    assert done.code == 0, done.err
    assert done.err.splitlines() == [
        f"WARNING: {path}: ignoring unknown field 'extra'",
        f"WARNING: {path}: ignoring unknown field "
        "properties.nodeSetup.mountVolumes.azureFileShares[0].credentialsInfo",
        f"WARNING: {path}: ignoring unknown field properties.toolType",
    ]
    # The share got the account's key all the same (az filled missing credentials too).
    share = done.json()["nodeSetup"]["mountVolumes"]["azureFileShares"][0]
    assert share["accountName"] == "acct1"


def test_a_key_placeholder_outside_secret_fields_is_left_with_a_warning(
    tmp_path, monkeypatch, cli_env
):
    job = json.loads(json.dumps(JOB))
    job["properties"]["jobPreparation"] = {"commandLine": "echo <AZURE_BATCHAI_STORAGE_KEY>"}
    context = Context(Config(tmp_path / "config"), backend="local", subscription="s")
    config = load(write(tmp_path, "job.json", job), models.JobCreateParameters)
    warnings: list[str] = []
    patch_file(config, StorageAccount(context, "acct1", "the-key"), warnings.append)
    assert config.build().job_preparation.command_line == "echo <AZURE_BATCHAI_STORAGE_KEY>"
    assert warnings == [
        f"{config.path}: <AZURE_BATCHAI_STORAGE_KEY> at properties.jobPreparation.commandLine is "
        "left as it is (it is replaced in credentials.accountKey and secrets[].value only)"
    ]


@pytest.mark.parametrize(
    ("mutate", "where", "rule"),
    [
        (
            lambda p: p["nodeSetup"]["mountVolumes"]["azureFileShares"][0].update(
                relativeMountPath=5
            ),
            "properties.nodeSetup.mountVolumes.azureFileShares[0].relativeMountPath",
            "Input should be a valid string",
        ),
        (
            lambda p: p.update(vmPriority="cheap"),
            "properties.vmPriority",
            "must be one of 'dedicated', 'lowpriority'",
        ),
        (
            lambda p: p["scaleSettings"].update(manual={"targetNodeCount": "two"}),
            "properties.scaleSettings.manual.targetNodeCount",
            "valid integer",
        ),
        (
            lambda p: p["nodeSetup"].update(setupTask={"commandLine": "x"}),
            "properties.nodeSetup.setupTask.stdOutErrPathPrefix",
            "requires this field",
        ),
    ],
)
def test_a_bad_field_is_named_by_its_json_path(run_cli, workspace, tmp_path, mutate, where, rule):
    properties = json.loads(json.dumps(CLUSTER_PROPERTIES))
    mutate(properties)
    path = write(tmp_path, "cluster.json", {"properties": properties})
    done = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-f", path, "--storage-account-name", "acct1"
    )
    assert done.code == 2
    assert done.out == ""
    assert len(done.err.splitlines()) == 1
    assert done.err.startswith(f"ERROR: {path}: {where}: ")
    assert rule in done.err
    assert run_cli("cluster", "list", *BASE).json() == []  # nothing was created


def test_bare_shape_paths_have_no_properties_prefix(run_cli, workspace, tmp_path):
    properties = json.loads(json.dumps(CLUSTER_PROPERTIES))
    properties["scaleSettings"] = {"autoScale": {"minimumNodeCount": "x", "maximumNodeCount": 1}}
    path = write(tmp_path, "bare.json", properties)
    done = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-f", path, "--storage-account-name", "acct1"
    )
    assert done.code == 2
    assert done.err.startswith(f"ERROR: {path}: scaleSettings.autoScale.minimumNodeCount: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"properties": {"vmSize": }', "not valid JSON: Expecting value (line 1, column 27)"),
        ("[1, 2]", "must hold a JSON object, not list"),
    ],
)
def test_malformed_files_are_usage_errors(run_cli, workspace, tmp_path, text, message):
    path = write(tmp_path, "cluster.json", text)
    done = run_cli("cluster", "create", *BASE, "-n", "c", "-f", path)
    assert (done.code, done.err) == (2, f"ERROR: {path}: {message}\n")
    missing = run_cli("cluster", "create", *BASE, "-n", "c", "-f", str(tmp_path / "nope.json"))
    assert missing.code == 2
    assert (
        missing.err
        == f"ERROR: {tmp_path / 'nope.json'}: cannot read the file: No such file or directory\n"
    )


def test_a_placeholder_without_an_account_says_how_to_give_one(run_cli, workspace, tmp_path):
    path = write(tmp_path, "cluster.json", {"properties": CLUSTER_PROPERTIES})
    done = run_cli("cluster", "create", *BASE, "-n", "c", "-f", path)
    assert done.code == 2
    assert "AZURE_BATCHAI_STORAGE_ACCOUNT or --storage-account-name" in done.err
    assert "properties.nodeSetup.mountVolumes.azureFileShares[0].azureFileUrl" in done.err


# --------------------------------------------------------------------------------------------
# The patching itself: keys are never visible through the service, so look at the model
# --------------------------------------------------------------------------------------------

JOB = {
    "properties": {
        "nodeCount": 1,
        "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        "customToolkitSettings": {"commandLine": "echo <AZURE_BATCHAI_STORAGE_ACCOUNT>"},
        "secrets": [{"name": "KEY", "value": "<AZURE_BATCHAI_STORAGE_KEY>"}],
        "mountVolumes": {
            "azureFileShares": [
                {
                    "azureFileUrl": "https://<AZURE_BATCHAI_STORAGE_ACCOUNT>.file.core.windows.net/s",
                    "relativeMountPath": "afs",
                },
                {
                    "accountName": "other1",
                    "azureFileUrl": "https://other1.file.core.windows.net/s",
                    "relativeMountPath": "other",
                },
            ],
            "azureBlobFileSystems": [
                {
                    "accountName": "<AZURE_BATCHAI_STORAGE_ACCOUNT>",
                    "containerName": "c",
                    "relativeMountPath": "bfs",
                    "credentials": {"accountKey": "<AZURE_BATCHAI_STORAGE_KEY>"},
                },
                {
                    "accountName": "keyed1",
                    "containerName": "c",
                    "relativeMountPath": "k",
                    "credentials": {"accountKey": "kept"},
                },
            ],
        },
    }
}


def patched(tmp_path, monkeypatch, name=None, key=None, env=None, backend="local"):
    for var, value in (env or {}).items():
        monkeypatch.setenv(var, value)
    context = Context(Config(tmp_path / "config"), backend=backend, subscription="s")
    config = load(write(tmp_path, "job.json", JOB), models.JobCreateParameters)
    warnings: list[str] = []
    patch_file(config, StorageAccount(context, name, key), warnings.append)
    return config.build(), warnings


def test_placeholders_and_credentials_from_the_options(tmp_path, monkeypatch, cli_env):
    params, warnings = patched(tmp_path, monkeypatch, name="acct1", key="the-key")
    assert warnings == []
    afs, other = params.mount_volumes.azure_file_shares
    bfs, keyed = params.mount_volumes.azure_blob_file_systems
    assert (afs.account_name, afs.azure_file_url) == (
        "acct1",
        "https://acct1.file.core.windows.net/s",
    )
    assert afs.credentials.account_key == "the-key"  # filled: the share of the given account
    assert bfs.account_name == "acct1" and bfs.credentials.account_key == "the-key"
    # Another local account: its own (derived) key, as az looked the key up through ARM.
    assert other.credentials.account_key == account_keys("other1")[0]
    assert keyed.credentials.account_key == "kept"
    assert params.secrets[0].value == "the-key"
    assert params.custom_toolkit_settings.command_line == "echo acct1"


def test_placeholders_from_the_environment(tmp_path, monkeypatch, cli_env):
    env = {"AZURE_BATCHAI_STORAGE_ACCOUNT": "envacct", "AZURE_BATCHAI_STORAGE_KEY": "env-key"}
    params, _ = patched(tmp_path, monkeypatch, env=env)
    afs = params.mount_volumes.azure_file_shares[0]
    assert (afs.account_name, afs.credentials.account_key) == ("envacct", "env-key")
    # The option wins over the environment; a local account without a key gets its own.
    params, _ = patched(tmp_path, monkeypatch, name="optacct", env=env)
    afs = params.mount_volumes.azure_file_shares[0]
    assert (afs.account_name, afs.credentials.account_key) == (
        "optacct",
        account_keys("optacct")[0],
    )


def test_azure_accounts_need_their_key_given(tmp_path, monkeypatch, cli_env):
    from batchai_compat.cli.errors import UsageError

    with pytest.raises(UsageError) as info:
        patched(tmp_path, monkeypatch, name="acct1", backend="azureml")
    assert "no key for storage account 'acct1'" in str(info.value)
    assert "--storage-account-key" in str(info.value)


def test_option_mounts_are_added(tmp_path, cli_env):
    context = Context(Config(tmp_path / "config"), backend="local", subscription="s")
    args = Namespace(
        azure_file_share="share",
        afs_mount_path="afs",
        container_name="data",
        container_mount_path="bfs",
        nfs_mount_path="nfs",
    )
    volumes = add_option_mounts(
        None, args, StorageAccount(context, "acct1", None), "/x/fileservers/f"
    )
    assert (
        volumes.azure_file_shares[0].azure_file_url == "https://acct1.file.core.windows.net/share"
    )
    assert volumes.azure_file_shares[0].credentials.account_key == account_keys("acct1")[0]
    assert volumes.azure_blob_file_systems[0].container_name == "data"
    assert volumes.file_servers[0].file_server.id == "/x/fileservers/f"
    assert volumes.file_servers[0].mount_options == "rw"

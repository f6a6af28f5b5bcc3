"""``batchai storage`` and ``batchai group``: the ``az storage`` / ``az group`` lines of runbooks,
on the local backend's storage folders (the ones jobs mount) and resource group records."""

from __future__ import annotations

import pytest

from batchai_compat.storage.accounts import account_keys

ACCOUNT = ("--account-name", "acct1")


@pytest.fixture
def group(run_cli):
    assert run_cli("group", "create", "-n", "rg", "-l", "westeurope").code == 0


def test_accounts_and_their_keys(run_cli, group, batchai_home):
    created = run_cli(
        "storage", "account", "create", "-n", "acct1", "-g", "rg", "--sku", "Standard_GRS"
    )
    assert created.code == 0, created.err
    data = created.json()
    assert (data["name"], data["location"], data["resourceGroup"]) == ("acct1", "westeurope", "rg")
    assert data["sku"] == {"name": "Standard_GRS", "tier": "Standard"}
    assert data["primaryEndpoints"]["file"] == "https://acct1.file.core.windows.net/"
    assert (batchai_home / "storage" / "acct1").is_dir()
    keys = run_cli("storage", "account", "keys", "list", "-n", "acct1", "-g", "rg")
    assert [k["keyName"] for k in keys.json()] == ["key1", "key2"]
    first = run_cli(
        "storage",
        "account",
        "keys",
        "list",
        "-n",
        "acct1",
        "-g",
        "rg",
        "--query",
        "[0].value",
        "-o",
        "tsv",
    )
    assert first.out == account_keys("acct1")[0] + "\n"
    listed = run_cli("storage", "account", "list", "-g", "rg", "-o", "table").out.splitlines()
    assert listed[0].split() == ["Name", "ResourceGroup", "Location", "Kind", "ProvisioningState"]
    assert listed[2].split() == ["acct1", "rg", "westeurope", "StorageV2", "Succeeded"]
    taken = run_cli("storage", "account", "create", "-n", "acct1", "-g", "other", "-l", "eastus")
    assert taken.code == 1 and "already taken" in taken.err
    bad = run_cli("storage", "account", "create", "-n", "Bad_Name", "-g", "rg")
    assert bad.code == 1 and "3-24 characters of lower-case letters and digits" in bad.err
    assert run_cli("storage", "account", "delete", "-n", "acct1", "-g", "rg", "-y").code == 0
    assert not (batchai_home / "storage" / "acct1").exists()
    gone = run_cli("storage", "account", "show", "-n", "acct1")
    assert gone.code == 1 and gone.err.startswith("ERROR: (StorageAccountNotFound)")


def test_shares_directories_and_files_round_trip(run_cli, tmp_path, batchai_home):
    source = tmp_path / "train.py"
    source.write_text("print('train')\n")
    assert run_cli("storage", "share", "create", "-n", "scripts", *ACCOUNT).json() == {
        "created": True
    }
    assert run_cli("storage", "share", "create", "-n", "scripts", *ACCOUNT).json() == {
        "created": False
    }
    made = run_cli("storage", "directory", "create", "-n", "samples", "-s", "scripts", *ACCOUNT)
    assert made.json() == {"created": True}
    # --path naming a directory keeps the source's name; naming a file renames it.
    assert (
        run_cli(
            "storage",
            "file",
            "upload",
            "-s",
            "scripts",
            "--source",
            str(source),
            "--path",
            "samples",
            *ACCOUNT,
        ).code
        == 0
    )
    assert (
        run_cli(
            "storage",
            "file",
            "upload",
            "-s",
            "scripts",
            "--source",
            str(source),
            "--path",
            "samples/copy.py",
            *ACCOUNT,
        ).code
        == 0
    )
    share = batchai_home / "storage" / "acct1" / "file" / "scripts"
    assert (share / "samples" / "train.py").read_text() == "print('train')\n"
    assert (share / "samples" / "copy.py").read_text() == "print('train')\n"
    listed = run_cli(
        "storage", "file", "list", "-s", "scripts", "-p", "samples", *ACCOUNT, "-o", "table"
    )
    rows = [line.split()[:3] for line in listed.out.splitlines()[2:]]
    assert rows == [["copy.py", "15", "file"], ["train.py", "15", "file"]]
    root = run_cli(
        "storage",
        "file",
        "list",
        "-s",
        "scripts",
        *ACCOUNT,
        "--query",
        "[].[name, type]",
        "-o",
        "tsv",
    )
    assert root.out == "samples\tdir\n"
    target = tmp_path / "down.py"
    got = run_cli(
        "storage",
        "file",
        "download",
        "-s",
        "scripts",
        "-p",
        "samples/copy.py",
        "--dest",
        str(target),
        *ACCOUNT,
    )
    assert got.code == 0 and target.read_text() == "print('train')\n"
    missing = run_cli("storage", "file", "upload", "-s", "nope", "--source", str(source), *ACCOUNT)
    assert missing.code == 1 and "ERROR: (ShareNotFound)" in missing.err


def test_containers_and_blobs_round_trip(run_cli, tmp_path, batchai_home, monkeypatch):
    data = tmp_path / "mnist"
    (data / "sub").mkdir(parents=True)
    (data / "train.txt").write_text("1 2 3\n")
    (data / "sub" / "test.txt").write_text("4\n")
    (data / "skip.bin").write_bytes(b"\0")
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT", "acct1")  # as az read it
    assert run_cli("storage", "container", "create", "-n", "data").json() == {"created": True}
    batch = run_cli(
        "storage",
        "blob",
        "upload-batch",
        "-d",
        "data",
        "-s",
        str(data),
        "--destination-path",
        "mnist",
        "--pattern",
        "*.txt",
    )
    assert batch.code == 0, batch.err
    # The blobs' addresses as az printed them (the account's primaryEndpoints): a loopback
    # URL would read nothing without a SAS, and making one would start the file service.
    assert sorted(item["Blob"] for item in batch.json()) == [
        "https://acct1.blob.core.windows.net/data/mnist/sub/test.txt",
        "https://acct1.blob.core.windows.net/data/mnist/train.txt",
    ]
    assert not (batchai_home / "helpers" / "files.json").exists()
    container = batchai_home / "storage" / "acct1" / "blob" / "data"
    assert sorted(
        p.relative_to(container).as_posix() for p in container.rglob("*") if p.is_file()
    ) == [
        "mnist/sub/test.txt",
        "mnist/train.txt",
    ]
    single = run_cli(
        "storage",
        "blob",
        "upload",
        "-c",
        "data",
        "-f",
        str(data / "skip.bin"),
        "-n",
        "raw/skip.bin",
    )
    assert single.code == 0 and set(single.json()) == {"etag", "lastModified"}
    names = run_cli(
        "storage",
        "blob",
        "list",
        "-c",
        "data",
        "--prefix",
        "mnist/",
        "--query",
        "[].name",
        "-o",
        "tsv",
    )
    assert names.out == "mnist/sub/test.txt\nmnist/train.txt\n"
    table = run_cli("storage", "blob", "list", "-c", "data", "-o", "table").out.splitlines()
    assert table[0].split()[:4] == ["Name", "Blob", "Type", "Length"]
    target = tmp_path / "train.txt"
    got = run_cli(
        "storage", "blob", "download", "-c", "data", "-n", "mnist/train.txt", "-f", str(target)
    )
    assert got.code == 0 and target.read_text() == "1 2 3\n"


def test_storage_needs_an_account(run_cli):
    done = run_cli("storage", "share", "create", "-n", "scripts")
    assert done.code == 2 and "--account-name" in done.err


def test_azure_storage_needs_a_key_and_azure_accounts_belong_to_arm(run_cli, monkeypatch):
    monkeypatch.setenv("BATCHAI_COMPAT_STORAGE", "azure")
    done = run_cli("storage", "share", "create", "-n", "scripts", *ACCOUNT)
    assert done.code == 2
    assert "Azure Storage needs a key for account 'acct1': pass --account-key" in done.err
    created = run_cli("storage", "account", "create", "-n", "acct1", "-g", "rg", "-l", "eastus")
    assert created.code == 1 and "use `az storage account ...`" in created.err


def test_groups(run_cli, batchai_home):
    assert run_cli("group", "exists", "-n", "rg").out == "false\n"
    created = run_cli("group", "create", "-n", "rg", "-l", "eastus")
    assert (
        created.json()["id"]
        == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
    )
    assert run_cli("group", "exists", "-n", "RG").out == "true\n"  # ARM names ignore case
    moved = run_cli("group", "create", "-n", "rg", "-l", "westus")
    assert moved.code == 1 and "already exists in location 'eastus'" in moved.err
    # A workspace created without -l takes the group's location.
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws").code == 0
    assert (
        run_cli("workspace", "show", "-g", "rg", "-n", "ws", "--query", "location", "-o", "tsv").out
        == "eastus\n"
    )
    unknown = run_cli("workspace", "create", "-g", "nogroup", "-n", "ws")
    assert unknown.code == 2 and "batchai group create -n nogroup -l <location>" in unknown.err
    # Groups made by Python code (a workspace in them) are listed too.
    assert (
        run_cli("workspace", "create", "-g", "pygroup", "-n", "ws", "-l", "northeurope").code == 0
    )
    listed = run_cli("group", "list", "--query", "[].[name, location]", "-o", "tsv")
    assert listed.out == "pygroup\tnortheurope\nrg\teastus\n"
    assert run_cli("storage", "account", "create", "-n", "acct1", "-g", "rg").code == 0
    assert run_cli("group", "delete", "-n", "rg", "-y").code == 0
    assert run_cli("group", "exists", "-n", "rg").out == "false\n"
    assert run_cli("workspace", "show", "-g", "rg", "-n", "ws").code == 1
    assert not (batchai_home / "storage" / "acct1").exists()
    assert run_cli("group", "delete", "-n", "rg", "-y").code == 1


def test_groups_on_azure_point_to_az(run_cli):
    done = run_cli("group", "create", "-n", "rg", "-l", "eastus", "--backend", "azureml")
    assert done.code == 1
    assert "use `az group ...` on the 'azureml' backend" in done.err


@pytest.mark.azurite
def test_blob_lines_on_azure_storage(run_cli, azurite, tmp_path):
    """On Azure Storage (Azurite here) through the same legacy storage layer."""
    data = tmp_path / "mnist"
    data.mkdir()
    (data / "a.txt").write_text("a\n")
    (data / "b.txt").write_text("bb\n")
    account = ("--connection-string", azurite.connection_string)
    assert run_cli("storage", "container", "create", "-n", "cli-data", *account).json() == {
        "created": True
    }
    batch = run_cli(
        "storage",
        "blob",
        "upload-batch",
        "-d",
        "cli-data",
        "-s",
        str(data),
        "--destination-path",
        "mnist",
        *account,
    )
    assert batch.code == 0, batch.err
    # On Azure Storage (Azurite here) the blobs' own URLs, as the SDK makes them.
    blob_endpoint = azurite.connection_string.split("BlobEndpoint=")[1].split(";")[0]
    assert sorted(item["Blob"] for item in batch.json()) == [
        f"{blob_endpoint.rstrip('/')}/cli-data/mnist/{name}" for name in ("a.txt", "b.txt")
    ]
    names = run_cli(
        "storage",
        "blob",
        "list",
        "-c",
        "cli-data",
        *account,
        "--query",
        "[].[name, properties.contentLength]",
        "-o",
        "tsv",
    )
    assert names.out == "mnist/a.txt\t2\nmnist/b.txt\t3\n"
    target = tmp_path / "b.txt"
    got = run_cli(
        "storage",
        "blob",
        "download",
        "-c",
        "cli-data",
        "-n",
        "mnist/b.txt",
        "-f",
        str(target),
        *account,
    )
    assert got.code == 0 and target.read_text() == "bb\n"
    gone = run_cli("storage", "blob", "list", "-c", "nope", *account)
    assert gone.code == 1 and "ContainerNotFound" in gone.err


def test_file_upload_batch_prints_each_files_address(run_cli, tmp_path, batchai_home):
    data = tmp_path / "samples"
    (data / "sub").mkdir(parents=True)
    (data / "a.py").write_text("a\n")
    (data / "sub" / "b.py").write_text("b\n")
    assert run_cli("storage", "share", "create", "-n", "scripts", *ACCOUNT).code == 0
    batch = run_cli(
        "storage", "file", "upload-batch", "-d", "scripts", "-s", str(data),
        "--destination-path", "run 1", *ACCOUNT,
    )  # fmt: skip
    assert batch.code == 0, batch.err
    assert sorted(batch.json()) == [
        "https://acct1.file.core.windows.net/scripts/run%201/a.py",
        "https://acct1.file.core.windows.net/scripts/run%201/sub/b.py",
    ]
    share = batchai_home / "storage" / "acct1" / "file" / "scripts" / "run 1"
    assert (share / "sub" / "b.py").read_text() == "b\n"
    assert not (batchai_home / "helpers" / "files.json").exists()  # no file service needed

"""Mount volume references read from genuine 2.0.0 models, and paths under a mount root."""

from __future__ import annotations

import azure.mgmt.batchai.models as genuine
import pytest

from batchai_compat.domain import mounts
from batchai_compat.exceptions import ValidationError

FILE_SERVER = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/fileservers/nfs"
)


def _volumes() -> genuine.MountVolumes:
    credentials = genuine.AzureStorageCredentialsInfo(account_key="KEY")
    return genuine.MountVolumes(
        azure_file_shares=[
            genuine.AzureFileShareReference(
                account_name="acct",
                azure_file_url="https://acct.file.core.windows.net/share/sub/dir",
                credentials=credentials,
                relative_mount_path="afs/",
            )
        ],
        azure_blob_file_systems=[
            genuine.AzureBlobFileSystemReference(
                account_name="acct",
                container_name="data",
                credentials=credentials,
                relative_mount_path="./bfs",
            )
        ],
        file_servers=[
            genuine.FileServerReference(
                file_server=genuine.ResourceId(id=FILE_SERVER),
                relative_mount_path="nfs",
                source_directory="/exports",
            )
        ],
        unmanaged_file_systems=[
            genuine.UnmanagedFileSystemReference(mount_command="mount x", relative_mount_path="u")
        ],
    )


def test_every_kind_of_reference_from_a_model_and_its_as_dict():
    for form in (_volumes(), _volumes().as_dict()):
        found = mounts.mounts(form)
        assert [(m.kind, m.relative_mount_path) for m in found] == [
            (mounts.AZURE_FILE_SHARE, "afs"),
            (mounts.AZURE_BLOB, "bfs"),
            (mounts.FILE_SERVER, "nfs"),
            (mounts.UNMANAGED, "u"),
        ]
        share, blob, server, unmanaged = found
        assert (share.account_name, share.container, share.directory) == (
            "acct",
            "share",
            "sub/dir",
        )
        assert (blob.account_name, blob.container) == ("acct", "data")
        assert server.file_server.name == "nfs" and server.directory == "exports"
        assert unmanaged.mount_command == "mount x"
        assert "KEY" not in repr(found)


@pytest.mark.parametrize("relative", ["", "/", "..", "a/../../b", "a\x00b", None])
def test_relative_mount_paths_stay_inside_the_root(relative):
    with pytest.raises(ValidationError, match="relative_mount_path"):
        mounts.relative_mount_path(relative)


def test_duplicate_relative_paths_and_unnamed_shares_are_refused():
    volumes = _volumes()
    volumes.azure_blob_file_systems[0].relative_mount_path = "afs"
    with pytest.raises(ValidationError) as error:
        mounts.mounts(volumes)
    assert error.value.parameter == "mount_volumes.azure_blob_file_systems[0].relative_mount_path"
    volumes = _volumes()
    volumes.azure_file_shares[0].azure_file_url = "https://acct.file.core.windows.net/"
    with pytest.raises(ValidationError, match=r"azure_file_shares\[0\].azure_file_url"):
        mounts.mounts(volumes)
    volumes = _volumes()
    volumes.file_servers[0].file_server = genuine.ResourceId(id="/fs")
    with pytest.raises(ValidationError, match=r"file_servers\[0\].file_server.id"):
        mounts.mounts(volumes)


def test_paths_under_a_mount():
    found = [m.relative_mount_path for m in mounts.mounts(_volumes())]
    assert mounts.under_mount("$AZ_BATCHAI_JOB_MOUNT_ROOT/bfs/mnist", found) == ("bfs", "mnist")
    assert mounts.under_mount("${AZ_BATCHAI_JOB_MOUNT_ROOT}/afs", found) == ("afs", "")
    assert mounts.under_mount("$AZ_BATCHAI_JOB_MOUNT_ROOT/./bfs//a/", ["bfs", "bfs/a"]) == (
        "bfs/a",
        "",
    )
    assert mounts.under_mount("$AZ_BATCHAI_JOB_MOUNT_ROOT/bfsx/y", found) is None
    assert mounts.under_mount("$AZ_BATCHAI_MOUNT_ROOT/bfs/y", found) is None
    assert mounts.under_mount("$AZ_BATCHAI_MOUNT_ROOT/bfs/y", found, mounts.MOUNT_ROOT) == (
        "bfs",
        "y",
    )

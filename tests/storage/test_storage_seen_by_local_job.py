"""What a notebook uploads with the legacy faces, a local job sees under its mounts — and back.

A real client on the local backend, a real job process: the job reads the blob container and the
file share through ``$AZ_BATCHAI_JOB_MOUNT_ROOT/<relative_mount_path>``, writes its output to the
share, and the notebook reads that with FileService and over a SAS URL.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.storage.blob import BlockBlobService
from batchai_compat.storage.file import FilePermissions, FileService

from .conftest import ACCOUNT, KEY

RG, WS, EXP = "rg", "ws", "exp"

JOB_SCRIPT = r"""
import os, pathlib
root = pathlib.Path(os.environ["AZ_BATCHAI_JOB_MOUNT_ROOT"])
data = (root / "bfs" / "dataset" / "numbers.txt").read_text()
script = (root / "afs" / "scripts" / "train.py").read_text()
total = sum(int(x) for x in data.split())
out = pathlib.Path(os.environ["AZ_BATCHAI_OUTPUT_MODEL"])
out.mkdir(parents=True, exist_ok=True)
(out / "result.txt").write_text(f"total={total} script_lines={len(script.splitlines())}\n")
(root / "bfs" / "results").mkdir(exist_ok=True)
(root / "bfs" / "results" / "sum.txt").write_text(str(total))
print("done", total)
"""


@pytest.fixture
def client(batchai_home):
    with BatchAIManagementClient(object(), "sub-1", backend="local") as c:
        c.workspaces.create(RG, WS, "eastus").result()
        c.experiments.create(RG, WS, EXP).result()
        c.clusters.create(
            RG,
            WS,
            "nc6",
            models.ClusterCreateParameters(
                vm_size="STANDARD_NC6",
                scale_settings=models.ScaleSettings(
                    manual=models.ManualScaleSettings(target_node_count=1)
                ),
                user_account_settings=models.UserAccountSettings(
                    admin_user_name="u", admin_user_password="pw"
                ),
            ),
        ).result()
        yield c


def _wait(client, name, timeout=60.0):
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        job = client.jobs.get(RG, WS, EXP, name)
        if str(job.execution_state.value) in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job.execution_state}"
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


def test_notebook_uploads_job_reads_mounts_notebook_reads_outputs(client, tmp_path):
    blob_service = BlockBlobService(ACCOUNT, KEY)
    blob_service.create_container("batchaisample", fail_on_exist=False)
    blob_service.create_blob_from_text("batchaisample", "dataset/numbers.txt", "1 2 3 4 5")
    file_service = FileService(ACCOUNT, KEY)
    file_service.create_share("afs-share", fail_on_exist=False)
    file_service.create_directory("afs-share", "scripts", fail_on_exist=False)
    (tmp_path / "job.py").write_text(JOB_SCRIPT)
    file_service.create_file_from_path("afs-share", "scripts", "train.py", str(tmp_path / "job.py"))

    credentials = models.AzureStorageCredentialsInfo(account_key=KEY)
    cluster = client.clusters.get(RG, WS, "nc6")
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        output_directories=[
            models.OutputDirectory(
                id="MODEL", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs", path_suffix="Models"
            )
        ],
        mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name=ACCOUNT,
                    credentials=credentials,
                    azure_file_url=f"https://{ACCOUNT}.file.core.windows.net/afs-share",
                    relative_mount_path="afs",
                )
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name=ACCOUNT,
                    credentials=credentials,
                    container_name="batchaisample",
                    relative_mount_path="bfs",
                )
            ],
        ),
        custom_toolkit_settings=models.CustomToolkitSettings(
            command_line="python $AZ_BATCHAI_JOB_MOUNT_ROOT/afs/scripts/train.py"
        ),
    )
    client.jobs.create(RG, WS, EXP, "storage-job", params).result()
    job = _wait(client, "storage-job")
    assert str(job.execution_state.value) == "succeeded", job.execution_info

    # The job's output lives on the share: find it with the legacy FileService, read it back.
    found = []
    pending = [""]
    while pending:
        directory = pending.pop()
        for entry in file_service.list_directories_and_files("afs-share", directory or None):
            path = f"{directory}/{entry.name}" if directory else entry.name
            if type(entry).__name__ == "Directory":
                pending.append(path)
            else:
                found.append(path)
    result_path = next(p for p in found if p.endswith("Models/result.txt"))
    directory, _, name = result_path.rpartition("/")
    expected = f"total=15 script_lines={len(JOB_SCRIPT.splitlines())}\n"
    assert file_service.get_file_to_text("afs-share", directory, name).content == expected
    # What the job wrote into the container mount is a blob for the notebook.
    assert blob_service.get_blob_to_text("batchaisample", "results/sum.txt").content == "15"
    assert [b.name for b in blob_service.list_blobs("batchaisample")] == [
        "dataset/numbers.txt",
        "results/sum.txt",
    ]
    # ... and over a SAS URL of the loopback server.
    sas = file_service.generate_file_shared_access_signature(
        "afs-share",
        directory,
        name,
        FilePermissions.READ,
        datetime.now(timezone.utc) + timedelta(minutes=5),
    )
    url = file_service.make_file_url("afs-share", directory, name, sas_token=sas)
    assert requests.get(url, headers={"Range": "bytes=6-"}, timeout=10).text == expected[6:]

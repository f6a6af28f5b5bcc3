"""``jobs.list_output_files`` sizes and times, through the real azureml-core SDK.

Run-history files are blobs of the workspace storage account; the artifact service hands out
their SAS URLs without sizes or times.  The fake answers as the services do: List Blobs (XML
``EnumerationResults`` with ``Content-Length``/``Last-Modified``, Shared Key signature checked
against the account key) and Get Blob Properties (``HEAD`` with the SAS).  Expected sizes and
times are the fake's own record of each file.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_service import SUBSCRIPTION, FakeAzureML, FakeCredential
from guide import ADMIN_PASSWORD

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.backends._azureml_common import naming

EXP = "exp"
FILES = {
    "logs/stdouterr/stdout.txt": b"hello from the job\n",
    "logs/stdouterr/stderr.txt": b"",
    "outputs/MODEL/model.ckpt": b"m" * 1234,
    "outputs/MODEL/ckpt/1.index": b"index",
    "outputs/MODEL/ckpt/1.data": b"d" * 77,
}
WRITTEN = datetime(2018, 5, 1, 12, 30, 5, tzinfo=timezone.utc)
LATER = datetime(2018, 5, 2, 8, 0, 0, tzinfo=timezone.utc)


def _submit(client: BatchAIManagementClient, fake: FakeAzureML) -> str:
    cluster = client.clusters.create(
        RG,
        WS,
        "nc6",
        models.ClusterCreateParameters(
            vm_size="STANDARD_NC6",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=1)
            ),
            user_account_settings=models.UserAccountSettings(
                admin_user_name="batchai", admin_user_password=ADMIN_PASSWORD
            ),
        ),
    ).result()
    client.experiments.create(RG, WS, EXP).result()
    client.jobs.create(
        RG,
        WS,
        EXP,
        "job",
        models.JobCreateParameters(
            cluster=models.ResourceId(id=cluster.id),
            node_count=1,
            std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
            custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
        ),
    ).result()
    run_id = naming.run_id(EXP, "job")
    for path, data in FILES.items():
        fake.add_run_file(RG, WS, run_id, path, data)
    run = fake.runs[(RG, WS, run_id)]
    run.modified["outputs/MODEL/model.ckpt"] = WRITTEN
    run.modified["outputs/MODEL/ckpt/1.index"] = WRITTEN
    run.modified["outputs/MODEL/ckpt/1.data"] = LATER
    return run_id


def _listing(
    client: BatchAIManagementClient, output: str, directory: str | None = None
) -> dict[str, models.File]:
    options = models.JobsListOutputFilesOptions(outputdirectoryid=output, directory=directory)
    return {f.name: f for f in client.jobs.list_output_files(RG, WS, EXP, "job", options)}


def _expect(fake: FakeAzureML, run_id: str, path: str) -> tuple[int, datetime]:
    run = fake.runs[(RG, WS, run_id)]
    return len(run.files[path]), run.modified[path]


def _storage_calls(fake: FakeAzureML) -> list[tuple[str, str]]:
    return [(method, url) for method, url in fake.calls if ".blob.core.windows.net" in url]


def _assert_sizes_and_times(
    client: BatchAIManagementClient, fake: FakeAzureML, run_id: str, listed: bool = True
) -> None:
    logs = _listing(client, "stdouterr")
    assert set(logs) == {"stdout.txt", "stderr.txt"}
    for name in logs:
        size, modified = _expect(fake, run_id, f"logs/stdouterr/{name}")
        assert (logs[name].content_length, logs[name].last_modified) == (size, modified)
    assert logs["stderr.txt"].content_length == 0  # empty, not unknown

    model = _listing(client, "MODEL")
    assert (model["model.ckpt"].content_length, model["model.ckpt"].last_modified) == (
        1234,
        WRITTEN,
    )
    directory = model["ckpt"]
    assert directory.file_type == "directory" and directory.content_length is None
    # its newest file's, from the listing; read file by file, a directory costs no request
    assert directory.last_modified == (LATER if listed else None)

    inner = _listing(client, "MODEL", "ckpt")
    for name, path in (
        ("ckpt/1.index", "outputs/MODEL/ckpt/1.index"),
        ("ckpt/1.data", "outputs/MODEL/ckpt/1.data"),
    ):
        assert (inner[name].content_length, inner[name].last_modified) == _expect(
            fake, run_id, path
        )


@pytest.fixture
def keyless_fake() -> Iterator[FakeAzureML]:
    """A workspace whose storage refuses Shared Key: identity-based default datastores."""
    with FakeAzureML.running() as service:
        service.shared_key_access = False
        service.add_workspace(RG, WS)
        yield service


def test_sizes_and_times_come_from_one_blob_listing(client, fake: FakeAzureML) -> None:
    run_id = _submit(client, fake)
    fake.calls.clear()
    _assert_sizes_and_times(client, fake, run_id)

    storage = _storage_calls(fake)
    # one signed List Blobs per listing (the fake checks the Shared Key signature), no HEADs
    assert [method for method, _ in storage] == ["GET"] * 3
    assert all("comp=list" in url and "/azureml?" in url for _, url in storage)
    # narrowed to the listed folder of this run
    assert (
        "prefix=ExperimentRun%2Fdcid." in storage[1][1] and "%2Foutputs%2FMODEL%2F" in storage[1][1]
    )
    # the default datastore (holding the key) is read once per workspace
    assert (
        len(
            [
                url
                for _, url in fake.calls
                if url.split("?")[0].endswith(f"/workspaces/{WS}/default")
            ]
        )
        == 1
    )


def test_without_a_storage_key_each_file_is_read_with_its_sas(keyless_fake: FakeAzureML) -> None:
    with BatchAIManagementClient(FakeCredential(), SUBSCRIPTION, backend="azureml") as client:
        run_id = _submit(client, keyless_fake)
        keyless_fake.calls.clear()
        _assert_sizes_and_times(client, keyless_fake, run_id, listed=False)
    storage = _storage_calls(keyless_fake)
    assert storage and {method for method, _ in storage} == {"HEAD"}
    # one per listed file (2 logs; model.ckpt; ckpt/1.data, ckpt/1.index), none for the directory
    assert len(storage) == 5
    assert all("sig=" in url for _, url in storage)


def test_a_refused_key_falls_back_to_the_sas_and_is_not_tried_again(
    client, fake: FakeAzureML
) -> None:
    run_id = _submit(client, fake)
    fake.storage_key = base64.b64encode(
        os.urandom(64)
    ).decode()  # rotated: the datastore's key is stale
    fake.calls.clear()
    _assert_sizes_and_times(client, fake, run_id, listed=False)
    methods = [method for method, _ in _storage_calls(fake)]
    assert methods[0] == "GET" and methods.count("GET") == 1  # refused once (403), then HEADs
    assert set(methods[1:]) == {"HEAD"}


def test_max_results_counts_entries_and_a_directory_keeps_its_newest_time(
    client, fake: FakeAzureML
) -> None:
    _submit(client, fake)
    options = models.JobsListOutputFilesOptions(outputdirectoryid="MODEL", max_results=1)
    (only,) = client.jobs.list_output_files(RG, WS, EXP, "job", options)
    assert (only.name, only.file_type, only.content_length) == ("ckpt", "directory", None)
    assert only.last_modified == LATER

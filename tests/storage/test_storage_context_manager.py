"""``with BlockBlobService(...) as service:`` gives the service itself, typed as its own class."""

from __future__ import annotations

import tempfile
from pathlib import Path

from azure.storage.blob import BlobServiceClient
from mypy import api as mypy_api

from batchai_compat.storage.blob import BlockBlobService
from batchai_compat.storage.file import FileService

from .conftest import ACCOUNT, KEY

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_with_gives_the_service_itself(batchai_home):
    blob_service = BlockBlobService(ACCOUNT, KEY)
    with blob_service as entered:
        assert entered is blob_service
    file_service = FileService(ACCOUNT, KEY)
    with file_service as entered_files:
        assert entered_files is file_service


def test_uploads_inside_the_with_block_are_stored_by_its_end(azurite):
    container = "context-exit"
    with BlockBlobService(connection_string=azurite.connection_string) as service:
        service.create_container(container)
        for index in range(20):
            service.create_blob_from_bytes(container, f"part-{index:02d}.bin", b"x" * 100)
    with BlobServiceClient.from_connection_string(azurite.connection_string) as v12:
        names = {blob.name for blob in v12.get_container_client(container).list_blobs()}
    assert names == {f"part-{index:02d}.bin" for index in range(20)}


def test_type_checkers_see_the_services_own_class(monkeypatch):
    snippet = (
        "from batchai_compat.storage.blob import BlockBlobService\n"
        "from batchai_compat.storage.file import FileService\n"
        "class NotebookBlobs(BlockBlobService): ...\n"
        "with BlockBlobService('acct', 'key') as blobs:\n"
        "    reveal_type(blobs)\n"
        "with NotebookBlobs('acct', 'key') as mine:\n"
        "    reveal_type(mine)\n"
        "with FileService('acct', 'key') as files:\n"
        "    reveal_type(files)\n"
    )
    monkeypatch.chdir(REPO_ROOT)  # mypy finds batchai_compat from the source tree
    with tempfile.TemporaryDirectory() as cache:
        out, err, status = mypy_api.run(
            [
                "--config-file", "", "--cache-dir", cache, "--python-version", "3.10",
                "--no-site-packages", "--ignore-missing-imports", "--follow-imports", "silent",
                "-c", snippet,
            ]
        )  # fmt: skip
    assert status == 0, out + err
    revealed = [line.split('"')[1] for line in out.splitlines() if "Revealed type" in line]
    assert revealed == [
        "batchai_compat.storage.blob.blockblobservice.BlockBlobService",
        "__main__.NotebookBlobs",
        "batchai_compat.storage.file.fileservice.FileService",
    ]

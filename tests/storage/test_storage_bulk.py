"""Bulk uploads of a folder (``az storage blob/file upload-batch``), local folders and Azurite."""

from __future__ import annotations

import itertools

import pytest

from batchai_compat import exceptions
from batchai_compat.exceptions import ValidationError
from batchai_compat.storage.blob import BlockBlobService
from batchai_compat.storage.bulk import upload_blob_batch, upload_file_batch


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "src"
    files = {
        "train.py": b"print('train')",
        "data/a.bin": b"a" * 1000,
        "data/b.bin": b"b" * 2000,
        "data/deep/c.txt": b"c",
        "notes.md": b"# notes",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root, files


class Calls(list):
    def __call__(self, current, total):
        self.append((current, total))


def test_blob_batch_to_local_folders(blob_service, tree):
    root, files = tree
    blob_service.create_container("data")
    calls = Calls()
    stored = upload_blob_batch(
        blob_service, "data", root, destination_path="run1/", progress_callback=calls
    )
    assert list(stored) == [f"run1/{n}" for n in sorted(files, key=_walk_order)]
    for name, props in stored.items():
        assert props.etag == blob_service.get_blob_properties("data", name).properties.etag
    for name, data in files.items():
        assert blob_service.get_blob_to_bytes("data", f"run1/{name}").content == data
    total = sum(len(d) for d in files.values())
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [c for c, _ in calls] == sorted(c for c, _ in calls)


def _walk_order(name: str) -> tuple:
    """os.walk order: a folder's files before its subfolders, both sorted."""
    parts = name.split("/")
    return tuple((1, p) for p in parts[:-1]) + ((0, parts[-1]),)


def test_pattern_selects_by_relative_path(blob_service, tree):
    root, _ = tree
    blob_service.create_container("data")
    assert list(upload_blob_batch(blob_service, "data", root, pattern="data/*.bin")) == [
        "data/a.bin",
        "data/b.bin",
    ]
    assert [b.name for b in blob_service.list_blobs("data")] == ["data/a.bin", "data/b.bin"]
    assert list(upload_blob_batch(blob_service, "data", root, pattern="*.py")) == ["train.py"]


def test_file_batch_creates_the_directories(file_service, tree):
    root, files = tree
    file_service.create_share("share")
    names = upload_file_batch(file_service, "share", root, destination_path="scripts")
    assert sorted(names) == sorted(f"scripts/{n}" for n in files)
    assert file_service.exists("share", "scripts/data/deep")
    assert file_service.get_file_to_bytes("share", "scripts/data/deep", "c.txt").content == b"c"
    # Again, over what exists: the directories are there already, the files are rewritten.
    assert sorted(upload_file_batch(file_service, "share", root, destination_path="scripts")) == (
        sorted(names)
    )


def test_bad_arguments_store_nothing(blob_service, tree, tmp_path):
    root, _ = tree
    blob_service.create_container("data")
    for kwargs, parameter in [
        ({"source": tmp_path / "missing"}, "source"),
        ({"source": root, "max_connections": 0}, "max_connections"),
        ({"source": root, "pattern": ""}, "pattern"),
    ]:
        with pytest.raises(ValidationError) as info:
            upload_blob_batch(blob_service, "data", **kwargs)
        assert info.value.parameter == parameter
    assert list(blob_service.list_blobs("data")) == []


def test_a_failure_stops_the_batch_and_says_what_was_stored(blob_service, tree):
    root, files = tree
    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        upload_blob_batch(blob_service, "no-such-container", root, max_connections=1)
    notes = getattr(info.value, "__notes__", [])
    assert notes == [
        f"0 of {len(files)} files were stored in container 'no-such-container' before the "
        "failure (each one whole); the others were not started or failed"
    ]


_containers = (f"bulk-{i}" for i in itertools.count())


@pytest.mark.azurite
def test_blob_batch_to_azurite_in_parallel(azurite, tmp_path):
    from azure.storage.blob import BlobServiceClient

    root = tmp_path / "many"
    root.mkdir()
    for i in range(60):
        (root / f"{i:03d}.bin").write_bytes(bytes([i]) * (i + 1))
    service = BlockBlobService(connection_string=azurite.connection_string)
    container = next(_containers)
    service.create_container(container)
    calls = Calls()
    names = list(
        upload_blob_batch(service, container, root, max_connections=8, progress_callback=calls)
    )
    assert names == [f"{i:03d}.bin" for i in range(60)]
    total = sum(i + 1 for i in range(60))
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    with BlobServiceClient.from_connection_string(azurite.connection_string) as v12:
        client = v12.get_container_client(container)
        assert sorted(b.name for b in client.list_blobs()) == names
        assert client.download_blob("042.bin").readall() == bytes([42]) * 43
    service.delete_container(container)
    service.close()


def test_a_slow_file_does_not_hold_back_the_others(tmp_path, batchai_home):
    """Each connection takes the next file as soon as its own is stored: while one upload is
    stuck, the other connection uploads every remaining file."""
    import threading

    root = tmp_path / "files"
    root.mkdir()
    names = [f"{i:02d}.bin" for i in range(10)]
    for name in names:
        (root / name).write_bytes(name.encode())
    others_done = threading.Event()
    stored: list[str] = []

    class StuckFirst(BlockBlobService):
        def create_blob_from_path(self, container_name, blob_name, file_path, **kwargs):
            if blob_name == "00.bin":
                released = others_done.wait(timeout=60)
                assert released, "the other files waited for the stuck one"
            result = super().create_blob_from_path(container_name, blob_name, file_path, **kwargs)
            stored.append(blob_name)
            if len(stored) == len(names) - 1:
                others_done.set()
            return result

    service = StuckFirst("acct", "a2V5")
    service.create_container("data")
    assert list(upload_blob_batch(service, "data", root, max_connections=2)) == names
    assert stored[-1] == "00.bin" and sorted(stored) == names

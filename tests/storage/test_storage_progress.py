"""``progress_callback(current, total)`` of the legacy uploads, called as azure-storage 0.36 did.

What the legacy source does (``blockblobservice.py`` / ``fileservice.py`` and their chunked
uploaders): a blob whose size is known and below ``MAX_SINGLE_PUT_SIZE`` (64 MiB) is one Put Blob,
reported ``(0, n)`` before and ``(n, n)`` after; any other blob is cut into ``MAX_BLOCK_SIZE``
(4 MiB) blocks, reported ``(0, n)`` first and then after every stored block with the bytes stored
so far (``total`` None for a stream of unknown length).  A file is always written in
``MAX_RANGE_SIZE`` (4 MiB) ranges, reported the same way.  Both limits are class attributes that
an instance may override, as the legacy tests did to exercise chunking with small payloads.
"""

from __future__ import annotations

import io
import itertools

import pytest

from batchai_compat.exceptions import ValidationError
from batchai_compat.storage.blob import BlockBlobService
from batchai_compat.storage.file import FileService

MIB = 1024 * 1024


class Calls(list):
    def __call__(self, current, total):
        self.append((current, total))


def payload(size: int) -> bytes:
    return bytes(itertools.islice(itertools.cycle(range(251)), size))


class FailingStream(io.RawIOBase):
    """A stream whose reads fail after ``good`` bytes (a network share going away, say)."""

    def __init__(self, data: bytes, good: int) -> None:
        self._data = io.BytesIO(data)
        self._good = good

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._data.tell() >= self._good:
            raise OSError("the source went away")
        return self._data.read(size)


# --- local folders --------------------------------------------------------------------------
def test_a_12_mib_blob_is_one_put_reported_before_and_after(blob_service, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(payload(12 * MIB))
    blob_service.create_container("data")
    calls = Calls()
    blob_service.create_blob_from_path("data", "big.bin", str(source), progress_callback=calls)
    assert calls == [(0, 12 * MIB), (12 * MIB, 12 * MIB)]
    assert blob_service.get_blob_to_bytes("data", "big.bin").content == source.read_bytes()


def test_a_12_mib_file_is_reported_per_4_mib_range(file_service, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(payload(12 * MIB))
    file_service.create_share("share")
    calls = Calls()
    file_service.create_file_from_path(
        "share", None, "big.bin", str(source), progress_callback=calls
    )
    total = 12 * MIB
    assert calls == [(0, total), (4 * MIB, total), (8 * MIB, total), (total, total)]
    assert file_service.get_file_to_bytes("share", None, "big.bin").content == source.read_bytes()


def test_blocks_are_reported_one_by_one_from_the_instance_limits(blob_service):
    blob_service.MAX_SINGLE_PUT_SIZE = 1000  # a 1000-byte blob is not below it: blocks
    blob_service.MAX_BLOCK_SIZE = 256
    blob_service.create_container("data")
    calls = Calls()
    blob_service.create_blob_from_bytes("data", "b.bin", payload(1000), progress_callback=calls)
    assert calls == [(0, 1000), (256, 1000), (512, 1000), (768, 1000), (1000, 1000)]
    assert blob_service.get_blob_to_bytes("data", "b.bin").content == payload(1000)
    below = Calls()
    blob_service.create_blob_from_bytes("data", "s.bin", payload(999), progress_callback=below)
    assert below == [(0, 999), (999, 999)]


def test_a_stream_of_unknown_length_goes_in_blocks_with_no_total(blob_service):
    blob_service.MAX_BLOCK_SIZE = 4
    blob_service.create_container("data")
    calls = Calls()
    blob_service.create_blob_from_stream(
        "data", "s.bin", io.BytesIO(b"0123456789"), progress_callback=calls
    )
    assert calls == [(0, None), (4, None), (8, None), (10, None)]
    assert blob_service.get_blob_to_bytes("data", "s.bin").content == b"0123456789"


def test_empty_uploads(blob_service, file_service):
    blob_service.create_container("data")
    blob_calls = Calls()
    blob_service.create_blob_from_bytes("data", "e.bin", b"", progress_callback=blob_calls)
    assert blob_calls == [(0, 0), (0, 0)]  # one Put Blob of nothing
    file_service.create_share("share")
    file_calls = Calls()
    file_service.create_file_from_bytes("share", None, "e.bin", b"", progress_callback=file_calls)
    assert file_calls == [(0, 0)]  # no range to write


def test_file_ranges_follow_max_range_size(file_service):
    file_service.MAX_RANGE_SIZE = 4
    file_service.create_share("share")
    calls = Calls()
    file_service.create_file_from_stream(
        "share", None, "s.bin", io.BytesIO(b"0123456789abc"), 10, progress_callback=calls
    )
    assert calls == [(0, 10), (4, 10), (8, 10), (10, 10)]
    assert file_service.get_file_to_bytes("share", None, "s.bin").content == b"0123456789"


def test_a_bad_chunk_size_is_refused_before_anything_is_stored(blob_service):
    blob_service.create_container("data")
    blob_service.MAX_BLOCK_SIZE = 0
    calls = Calls()
    with pytest.raises(ValidationError) as info:
        blob_service.create_blob_from_bytes("data", "x.bin", b"x", progress_callback=calls)
    assert info.value.parameter == "MAX_BLOCK_SIZE"
    assert calls == [] and not blob_service.exists("data", "x.bin")


def test_a_failing_source_leaves_the_old_blob_whole(blob_service):
    blob_service.MAX_BLOCK_SIZE = 4
    blob_service.create_container("data")
    blob_service.create_blob_from_bytes("data", "keep.bin", b"old content")
    calls = Calls()
    with pytest.raises(OSError, match="went away"):
        blob_service.create_blob_from_stream(
            "data", "keep.bin", FailingStream(b"0123456789", good=8), progress_callback=calls
        )
    assert calls == [(0, None), (4, None), (8, None)]
    assert blob_service.get_blob_to_bytes("data", "keep.bin").content == b"old content"


# --- Azure Storage (Azurite) ----------------------------------------------------------------
@pytest.fixture
def azure_blobs(azurite):
    service = BlockBlobService(connection_string=azurite.connection_string)
    name = f"progress-{next(_containers)}"
    service.create_container(name)
    yield service, name
    service.delete_container(name)
    service.close()


_containers = itertools.count()


@pytest.mark.azurite
def test_azurite_12_mib_blob_is_one_put(azure_blobs, tmp_path):
    service, container = azure_blobs
    source = tmp_path / "big.bin"
    source.write_bytes(payload(12 * MIB))
    calls = Calls()
    service.create_blob_from_path(container, "big.bin", str(source), progress_callback=calls)
    assert calls == [(0, 12 * MIB), (12 * MIB, 12 * MIB)]
    assert service.get_blob_to_bytes(container, "big.bin").content == source.read_bytes()


@pytest.mark.azurite
def test_azurite_blocks_in_order_on_one_connection(azure_blobs, azurite):
    from azure.storage.blob import BlobServiceClient

    service, container = azure_blobs
    service.MAX_SINGLE_PUT_SIZE = 1000
    service.MAX_BLOCK_SIZE = 256
    calls = Calls()
    service.create_blob_from_bytes(
        container, "b.bin", payload(1000), progress_callback=calls, max_connections=1
    )
    assert calls == [(0, 1000), (256, 1000), (512, 1000), (768, 1000), (1000, 1000)]
    with BlobServiceClient.from_connection_string(azurite.connection_string) as v12:
        blob = v12.get_blob_client(container, "b.bin")
        assert blob.download_blob().readall() == payload(1000)
        committed, uncommitted = blob.get_block_list("all")
    assert [block.size for block in committed] == [256, 256, 256, 232] and not uncommitted


@pytest.mark.azurite
def test_azurite_parallel_blocks_report_every_block_once(azure_blobs, tmp_path):
    service, container = azure_blobs
    service.MAX_BLOCK_SIZE = 64 * 1024
    size = 3 * MIB + 5
    source = tmp_path / "p.bin"
    source.write_bytes(payload(size))
    service.MAX_SINGLE_PUT_SIZE = MIB
    calls = Calls()
    service.create_blob_from_path(
        container, "p.bin", str(source), progress_callback=calls, max_connections=6
    )
    blocks = -(-size // (64 * 1024))
    assert calls[0] == (0, size) and len(calls) == blocks + 1
    currents = [current for current, _ in calls]
    assert currents == sorted(currents) and currents[-1] == size
    assert {total for _, total in calls} == {size}
    assert service.get_blob_to_bytes(container, "p.bin").content == source.read_bytes()


@pytest.mark.azurite
def test_azurite_failing_source_commits_nothing(azure_blobs):
    service, container = azure_blobs
    service.MAX_BLOCK_SIZE = 4
    service.create_blob_from_text(container, "keep.bin", "old content")
    calls = Calls()
    with pytest.raises(OSError, match="went away"):
        service.create_blob_from_stream(
            container, "keep.bin", FailingStream(b"0123456789", good=8), progress_callback=calls
        )
    assert calls == [(0, None), (4, None), (8, None)]
    assert service.get_blob_to_text(container, "keep.bin").content == "old content"


@pytest.mark.azurite
def test_azurite_failed_upload_raises_with_only_the_first_report(azurite):
    service = BlockBlobService(connection_string=azurite.connection_string)
    calls = Calls()
    with pytest.raises(Exception) as info:
        service.create_blob_from_bytes("no-such-container", "x", b"abc", progress_callback=calls)
    assert info.value.response.status_code == 404
    assert calls == [(0, 3)]
    service.close()


def test_progress_on_files_is_never_called_for_text(file_service):
    """``create_file_from_text`` took no callback in the legacy SDK; it still stores the text."""
    file_service.create_share("share")
    file_service.create_file_from_text("share", None, "t.txt", "hello")
    assert file_service.get_file_to_text("share", None, "t.txt").content == "hello"
    with pytest.raises(TypeError):
        file_service.create_file_from_text("share", None, "t.txt", "x", progress_callback=print)


def test_service_classes_keep_the_legacy_limits():
    assert (BlockBlobService.MAX_SINGLE_PUT_SIZE, BlockBlobService.MAX_BLOCK_SIZE) == (
        64 * MIB,
        4 * MIB,
    )
    assert FileService.MAX_RANGE_SIZE == 4 * MIB

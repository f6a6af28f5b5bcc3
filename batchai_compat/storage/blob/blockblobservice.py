"""``BlockBlobService``: the legacy blob client (azure-storage-blob 1.x / azure-storage 0.36).

Old notebooks create containers, upload datasets and scripts, and read results with it::

    blob_service = BlockBlobService(cfg.storage_account_name, cfg.storage_account_key)
    blob_service.create_container('batchaisample', fail_on_exist=False)
    blob_service.create_blob_from_path('batchaisample', 'tensorflow_samples/mnist_replica.py',
                                       'mnist_replica.py')

Containers, reads, URLs and SAS tokens are :class:`~.baseblobservice.BaseBlobService`'s (where the
data goes is said there); this module adds the uploads.  Uploads are synchronous, as they were: a
``create_blob_from_*`` call returns once the blob is stored, or raises its own error.  A payload
below ``MAX_SINGLE_PUT_SIZE`` (64 MiB) is one request; a bigger one (or a stream of unknown
length) goes in ``MAX_BLOCK_SIZE`` (4 MiB) blocks, ``max_connections`` at a time, committed at
the end.  ``progress_callback(current, total)`` is called as azure-storage 0.36 called it:
``(0, total)`` first, then after each stored request with the bytes stored so far (``(total,
total)`` once for a one-request upload).  Both class attributes may be changed per instance, as
with the legacy client.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from .. import _names
from .._models import ContentSettings, ResourceProperties
from .._service import (
    ProgressCallback,
    byte_count,
    encoded_text,
    existing_local_file,
    legacy_upload,
    sliced_bytes,
)
from .baseblobservice import BaseBlobService, refuse_conditions

__all__ = ["BlockBlobService", "BaseBlobService"]


class BlockBlobService(BaseBlobService):
    """The legacy block-blob client: :class:`BaseBlobService` and the uploads."""

    MAX_SINGLE_PUT_SIZE = 64 * 1024 * 1024
    MAX_BLOCK_SIZE = 4 * 1024 * 1024

    # uploads ----------------------------------------------------------------------------------
    def _put(
        self,
        container_name: str,
        blob_name: str,
        data: bytes | Path | IO[bytes],
        count: int | None,
        content_settings: ContentSettings | None,
        metadata: dict[str, str] | None,
        max_connections: int,
        progress_callback: ProgressCallback | None,
        total: int | None,
        conditions: tuple[str | None, Any, Any, str | None, str | None],
    ) -> ResourceProperties:
        """Upload ``data``; ``conditions`` are the lease and ``if_*`` options, all refused."""
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        refuse_conditions(None, *conditions)
        _names.metadata(metadata)
        if content_settings is not None and not isinstance(content_settings, ContentSettings):
            # Accept any object with the legacy attributes (e.g. another SDK's ContentSettings).
            content_settings = ContentSettings(
                **{
                    name: getattr(content_settings, name, None)
                    for name in ("content_type", "content_encoding", "content_language",
                                 "content_disposition", "cache_control", "content_md5")
                }
            )  # fmt: skip
        _names.positive_int(max_connections, "max_connections")
        upload = legacy_upload(
            data, count, content_settings, metadata, max_connections, progress_callback, total,
            single_put_limit=self.MAX_SINGLE_PUT_SIZE,
            chunk_size=self.MAX_BLOCK_SIZE,
            chunk_setting="MAX_BLOCK_SIZE",
        )  # fmt: skip
        upload.progress.start()
        return self._store.put_blob(container_name, blob_name, upload)

    def create_blob_from_path(
        self,
        container_name: str,
        blob_name: str,
        file_path: str | os.PathLike[str],
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> ResourceProperties:
        """Upload the local file ``file_path`` (relative paths are fine) as ``blob_name``.

        ``blob_name`` may be nested (``'dir/sub/name.txt'``); the local file's own name does
        not matter.
        """
        path = existing_local_file(file_path, "file_path")
        size = path.stat().st_size
        return self._put(
            container_name, blob_name, path, None, content_settings, metadata, max_connections, progress_callback, size,
            (lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match),
        )  # fmt: skip

    def create_blob_from_stream(
        self,
        container_name: str,
        blob_name: str,
        stream: IO[bytes],
        count: int | None = None,
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
        use_byte_buffer: bool = False,
    ) -> ResourceProperties:
        """Upload ``count`` bytes (or everything) read from ``stream``; done when this returns."""
        if count is not None:
            byte_count(count)
        return self._put(
            container_name, blob_name, stream, count, content_settings, metadata, max_connections, progress_callback, count,
            (lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match),
        )  # fmt: skip

    def create_blob_from_bytes(
        self,
        container_name: str,
        blob_name: str,
        blob: bytes | bytearray | memoryview,
        index: int = 0,
        count: int | None = None,
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> ResourceProperties:
        """Upload ``blob[index:index + count]``."""
        data = sliced_bytes(blob, index, count, "blob")
        return self._put(
            container_name, blob_name, data, None, content_settings, metadata, max_connections, progress_callback, len(data),
            (lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match),
        )  # fmt: skip

    def create_blob_from_text(
        self,
        container_name: str,
        blob_name: str,
        text: str,
        encoding: str = "utf-8",
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> ResourceProperties:
        """Upload ``text`` encoded with ``encoding``."""
        data = encoded_text(text, encoding)
        return self._put(
            container_name, blob_name, data, None, content_settings, metadata, max_connections, progress_callback, len(data),
            (lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match),
        )  # fmt: skip

"""Blob containers as local folders: the local implementation of ``BlockBlobService``.

A container ``c`` of account ``a`` is the folder ``$BATCHAI_COMPAT_HOME/storage/a/blob/c`` and a
blob ``dir/x.txt`` is the file ``.../c/dir/x.txt`` (the layout, semantics and differences from
the service are :mod:`._local`'s); deleting the last blob of a virtual directory removes that
directory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from .. import exceptions
from ..exceptions import ValidationError
from ..home import layout
from ._account import StorageAccount
from ._local import (
    AccountFolders,
    etag,
    modified,
    prune_empty_parents,
    read_range,
    segments,
    store_atomically,
)
from ._models import Blob, BlobProperties, Container, ResourceProperties
from ._service import Upload

_log = logging.getLogger(__name__)


class LocalBlobStore:
    """Blob containers of one storage account, as folders (see :mod:`._local`)."""

    kind = "local"

    def __init__(self, account: StorageAccount, root: Path | None = None) -> None:
        self.account = account
        self._containers = AccountFolders(account, "blob", "container", root)
        self._properties = self._containers.properties

    # containers -------------------------------------------------------------------------------
    def create_container(
        self,
        container: str,
        metadata: dict[str, str] | None = None,
        public_access: str | None = None,
    ) -> bool:
        return self._containers.create(container)

    def delete_container(self, container: str) -> bool:
        return self._containers.delete(container)

    def container_exists(self, container: str) -> bool:
        return self._containers.exists(container)

    def list_containers(self, prefix: str | None) -> list[Container]:
        return self._containers.listed(prefix, Container)

    # blobs ------------------------------------------------------------------------------------
    def _blob_path(
        self, container: str, blob: str, must_exist_container: bool = True
    ) -> tuple[Path, Path]:
        folder = (
            self._containers.existing(container)
            if must_exist_container
            else self._containers.path(container)
        )
        segments(blob, "blob_name")
        return folder, layout.resolve_inside(folder, blob)

    def blob_exists(self, container: str, blob: str) -> bool:
        try:
            _, path = self._blob_path(container, blob, must_exist_container=False)
        except ValidationError:
            return False
        return path.is_file()

    def put_blob(self, container: str, blob: str, upload: Upload) -> ResourceProperties:
        folder, path = self._blob_path(container, blob)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise exceptions.ConflictError(
                f"Cannot store blob {blob!r} locally: a blob named like one of its directories exists.",
                status_code=409,
                code="BlobPathConflict",
            ) from None
        if path.is_dir():
            raise exceptions.ConflictError(
                f"Cannot store blob {blob!r} locally: other blobs use it as a directory.",
                status_code=409,
                code="BlobPathConflict",
            )
        stat = store_atomically(path, self._containers.incoming, upload)
        self._properties.save(container, blob, etag(stat), upload.content_settings, upload.metadata)
        _log.debug("blob %r stored in local container %r: %d bytes", blob, container, stat.st_size)
        result = ResourceProperties()
        result.etag = etag(stat)
        result.last_modified = modified(stat)
        return result

    def _blob(self, container: str, name: str, stat: os.stat_result) -> Blob:
        props = BlobProperties()
        props.blob_type = "BlockBlob"
        props.creation_time = datetime.fromtimestamp(stat.st_ctime, tz=timezone.utc)
        metadata = self._properties.describe(props, container, name, stat)
        return Blob(name=name, props=props, metadata=metadata)

    def _existing_blob(self, container: str, blob: str) -> Path:
        _, path = self._blob_path(container, blob)
        if not path.is_file():
            raise exceptions.ResourceNotFoundError(
                "The specified blob does not exist.", status_code=404, code="BlobNotFound"
            )
        return path

    def get_blob(
        self, container: str, blob: str, stream: IO[bytes], start: int | None, end: int | None
    ) -> Blob:
        path = self._existing_blob(container, blob)
        stat = path.stat()
        copied, _size, content_range = read_range(path, stream, start, end)
        result = self._blob(container, blob, stat)
        result.properties.content_length = copied
        result.properties.content_range = content_range
        return result

    def get_blob_properties(self, container: str, blob: str) -> Blob:
        path = self._existing_blob(container, blob)
        return self._blob(container, blob, path.stat())

    def list_blobs(self, container: str, prefix: str) -> Iterator[Blob]:
        folder = self._containers.existing(container)
        found: list[tuple[str, os.stat_result]] = []
        for directory, subdirs, files in os.walk(folder):
            subdirs.sort()
            relative = Path(directory).relative_to(folder).as_posix()
            base = "" if relative == "." else relative + "/"
            if prefix and not (base.startswith(prefix) or prefix.startswith(base)):
                subdirs[:] = []
                continue
            for name in files:
                full = base + name
                if full.startswith(prefix):
                    stat = os.stat(os.path.join(directory, name), follow_symlinks=False)
                    if os.path.isfile(os.path.join(directory, name)) and not os.path.islink(
                        os.path.join(directory, name)
                    ):
                        found.append((full, stat))
        for name, stat in sorted(found, key=lambda item: item[0]):
            yield self._blob(container, name, stat)

    def delete_blob(self, container: str, blob: str) -> None:
        folder = self._containers.existing(container)
        path = self._existing_blob(container, blob)
        path.unlink()
        prune_empty_parents(path, folder)
        self._properties.remove(container, blob)

    # URLs and SAS -----------------------------------------------------------------------------
    def blob_sas(
        self,
        container: str,
        blob: str | None,
        permission: str,
        expiry: datetime,
        start: datetime | None,
    ) -> str:
        return self._containers.sas(container, blob, permission, expiry, start, kinds="bc")

    def blob_url(self, container: str, blob: str, sas_token: str | None) -> str:
        return self._containers.url(container, blob, sas_token)

    def container_url(self, container: str, sas_token: str | None) -> str:
        return self._containers.url(container, "", sas_token).rstrip("/")

    def close(self) -> None:
        """Nothing to release."""

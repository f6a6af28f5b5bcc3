"""File shares as local folders: the local implementation of ``FileService``.

A share ``s`` of account ``a`` is the folder ``$BATCHAI_COMPAT_HOME/storage/a/file/s``; a file's
directory must exist before the file is written (``create_directory`` first, as with Azure
Files).  The layout, semantics and differences from the service are :mod:`._local`'s.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from .. import exceptions
from ..home import layout
from ._account import StorageAccount
from ._local import AccountFolders, etag, join, read_range, stamp, store_atomically
from ._models import Directory, File, FileProperties, Share
from ._service import Upload

_log = logging.getLogger(__name__)


class LocalFileStore:
    """Azure file shares of one storage account, as folders (see :mod:`._local`)."""

    kind = "local"

    def __init__(self, account: StorageAccount, root: Path | None = None) -> None:
        self.account = account
        self._shares = AccountFolders(account, "file", "share", root)
        self._properties = self._shares.properties

    def _directory(self, share: str, directory: str) -> Path:
        folder = self._shares.existing(share)
        return layout.resolve_inside(folder, directory) if directory else folder

    def _existing_directory(self, share: str, directory: str) -> Path:
        path = self._directory(share, directory)
        if not path.is_dir():
            raise exceptions.ResourceNotFoundError(
                "The specified parent path does not exist.", status_code=404, code="ParentNotFound"
            )
        return path

    # shares -----------------------------------------------------------------------------------
    def create_share(
        self, share: str, metadata: dict[str, str] | None = None, quota: int | None = None
    ) -> bool:
        return self._shares.create(share)

    def delete_share(self, share: str) -> bool:
        return self._shares.delete(share)

    def share_exists(self, share: str) -> bool:
        return self._shares.exists(share)

    def list_shares(self, prefix: str | None) -> list[Share]:
        return self._shares.listed(prefix, Share)

    # directories ------------------------------------------------------------------------------
    def create_directory(
        self, share: str, directory: str, metadata: dict[str, str] | None = None
    ) -> bool:
        path = self._directory(share, directory)
        if not path.parent.is_dir():
            raise exceptions.ResourceNotFoundError(
                "The specified parent path does not exist.", status_code=404, code="ParentNotFound"
            )
        try:
            path.mkdir()
        except FileExistsError:
            if not path.is_dir():
                raise exceptions.ResourceExistsError(
                    "The specified resource name is used by a file.",
                    status_code=409,
                    code="ResourceAlreadyExists",
                ) from None
            return False
        return True

    def delete_directory(self, share: str, directory: str) -> bool:
        path = self._directory(share, directory)
        if not path.is_dir():
            return False
        try:
            path.rmdir()
        except OSError:
            raise exceptions.ConflictError(
                "The specified directory is not empty.", status_code=409, code="DirectoryNotEmpty"
            ) from None
        return True

    def directory_exists(self, share: str, directory: str) -> bool:
        try:
            return self._directory(share, directory).is_dir()
        except exceptions.ResourceNotFoundError:
            return False

    # files ------------------------------------------------------------------------------------
    def file_exists(self, share: str, directory: str, name: str) -> bool:
        try:
            return (self._directory(share, directory) / name).is_file()
        except exceptions.ResourceNotFoundError:
            return False

    def put_file(self, share: str, directory: str, name: str, upload: Upload) -> None:
        target = self._existing_directory(share, directory) / name
        if target.is_dir():
            raise exceptions.ConflictError(
                "The specified resource name is used by a directory.",
                status_code=409,
                code="ResourceTypeMismatch",
            )
        stat = store_atomically(target, self._shares.incoming, upload)
        self._properties.save(
            share, join(directory, name), etag(stat), upload.content_settings, upload.metadata
        )
        _log.debug(
            "file %r stored in local share %r: %d bytes",
            join(directory, name),
            share,
            stat.st_size,
        )

    def _file(self, share: str, path: str, name: str, stat: os.stat_result) -> File:
        props = FileProperties()
        metadata = self._properties.describe(props, share, path, stat)
        return File(name=name, props=props, metadata=metadata)

    def _existing_file(self, share: str, directory: str, name: str) -> Path:
        path = self._existing_directory(share, directory) / name
        if not path.is_file():
            raise exceptions.ResourceNotFoundError(
                "The specified resource does not exist.", status_code=404, code="ResourceNotFound"
            )
        return path

    def get_file(
        self,
        share: str,
        directory: str,
        name: str,
        stream: IO[bytes],
        start: int | None,
        end: int | None,
    ) -> File:
        path = self._existing_file(share, directory, name)
        stat = path.stat()
        copied, _size, content_range = read_range(path, stream, start, end)
        result = self._file(share, join(directory, name), name, stat)
        result.properties.content_length = copied
        result.properties.content_range = content_range
        return result

    def list_directories_and_files(
        self, share: str, directory: str, prefix: str
    ) -> Iterator[File | Directory]:
        folder = self._existing_directory(share, directory)
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if not entry.name.startswith(prefix):
                continue
            stat = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                item = Directory(entry.name)
                stamp(item.properties, stat)
                yield item
            elif entry.is_file(follow_symlinks=False):
                yield self._file(share, join(directory, entry.name), entry.name, stat)

    def delete_file(self, share: str, directory: str, name: str) -> None:
        self._existing_file(share, directory, name).unlink()
        self._properties.remove(share, join(directory, name))

    # URLs and SAS -----------------------------------------------------------------------------
    def file_sas(
        self,
        share: str,
        path: str | None,
        permission: str,
        expiry: datetime,
        start: datetime | None,
    ) -> str:
        return self._shares.sas(share, path, permission, expiry, start, kinds="fs")

    def file_url(self, share: str, path: str, sas_token: str | None) -> str:
        return self._shares.url(share, path, sas_token)

    def close(self) -> None:
        """Nothing to release."""

"""``FileService``: the legacy Azure Files client (azure-storage-file 1.x / azure-storage 0.36).

Every Batch AI recipe stages its scripts on an Azure file share that the job mounts::

    file_service = FileService(cfg.storage_account_name, cfg.storage_account_key)
    file_service.create_share('batchaisample', fail_on_exist=False)
    file_service.create_directory('batchaisample', 'scripts', fail_on_exist=False)
    file_service.create_file_from_path('batchaisample', 'scripts', 'train.py', 'local/train.py')

Same constructor, methods, positional order and return values as the legacy client:
``create_share`` / ``create_directory`` return False when the item exists (409 with
``fail_on_exist=True``); ``delete_share`` returns False for a missing share unless
``fail_not_exist=True``; ``create_file_from_path`` stores the local file under the given
``file_name`` whatever it is called locally; ``exists(share, directory, file)``;
``list_directories_and_files`` yields :class:`~batchai_compat.storage.file.models.File` and
:class:`~batchai_compat.storage.file.models.Directory` entries.  As on Azure Files, a file's
directory must exist before the file is created (404 ``ParentNotFound`` otherwise).

Where the data goes follows :func:`batchai_compat.storage.select_implementation`: the local
backend's share folders (what a local job mounts through ``AzureFileShareReference``) or Azure
Files through azure-storage-file-share v12.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from ... import exceptions
from ...exceptions import ValidationError
from .. import _names
from .._account import StorageAccount, resolve_account, select_implementation
from .._models import ContentSettings, Directory, File, ListGenerator, Share, page
from .._service import (
    AccountStore,
    LegacyService,
    ProgressCallback,
    Upload,
    binary_mode,
    byte_count,
    encoded_text,
    existing_local_file,
    legacy_upload,
    report_progress,
    sas_grant,
    sliced_bytes,
)

__all__ = ["FileService"]


class FileStore(AccountStore, Protocol):
    """What an implementation provides (``_local_files.LocalFileStore``, ``_azure.AzureFileStore``)."""

    def create_share(
        self, share: str, metadata: dict[str, str] | None = None, quota: int | None = None
    ) -> bool: ...
    def delete_share(self, share: str) -> bool: ...
    def share_exists(self, share: str) -> bool: ...
    def list_shares(self, prefix: str | None) -> list[Share]: ...
    def create_directory(
        self, share: str, directory: str, metadata: dict[str, str] | None = None
    ) -> bool: ...
    def delete_directory(self, share: str, directory: str) -> bool: ...
    def directory_exists(self, share: str, directory: str) -> bool: ...
    def file_exists(self, share: str, directory: str, name: str) -> bool: ...
    def put_file(self, share: str, directory: str, name: str, upload: Upload) -> None: ...
    def get_file(
        self,
        share: str,
        directory: str,
        name: str,
        stream: IO[bytes],
        start: int | None,
        end: int | None,
    ) -> File: ...
    def list_directories_and_files(
        self, share: str, directory: str, prefix: str
    ) -> Iterator[File | Directory]: ...
    def delete_file(self, share: str, directory: str, name: str) -> None: ...
    def file_sas(
        self, share: str, path: str | None, permission: str, expiry: Any, start: Any
    ) -> str: ...
    def file_url(self, share: str, path: str, sas_token: str | None) -> str: ...


def make_file_store(account: StorageAccount, storage: str | None) -> FileStore:
    """The implementation ``storage`` (or the environment) selects, for ``account``."""
    if select_implementation(storage, account) == "local":
        from .._local_files import LocalFileStore

        return LocalFileStore(account)
    from .._azure import AzureFileStore

    return AzureFileStore(account)


def _refuse_snapshot(snapshot: Any) -> None:
    if snapshot is not None:
        raise ValidationError(
            "snapshot", "share snapshots are not supported by batchai_compat's FileService"
        )


class FileService(LegacyService[FileStore]):
    """The legacy Azure Files client; see the module docstring for where data goes."""

    MAX_SINGLE_GET_SIZE = 32 * 1024 * 1024
    MAX_CHUNK_GET_SIZE = 8 * 1024 * 1024
    MAX_RANGE_SIZE = 4 * 1024 * 1024

    def __init__(
        self,
        account_name: str | None = None,
        account_key: str | None = None,
        sas_token: str | None = None,
        protocol: str = "https",
        endpoint_suffix: str = "core.windows.net",
        request_session: Any = None,
        connection_string: str | None = None,
        socket_timeout: Any = None,
        *,
        storage: str | None = None,
    ) -> None:
        """Same arguments as the legacy constructor, plus ``storage="local" | "azure"``."""
        account = resolve_account(
            "file",
            account_name=account_name,
            account_key=account_key,
            sas_token=sas_token,
            is_emulated=False,
            protocol=protocol,
            endpoint_suffix=endpoint_suffix,
            custom_domain=None,
            connection_string=connection_string,
        )
        super().__init__(make_file_store(account, storage), request_session, socket_timeout)

    # shares -----------------------------------------------------------------------------------
    def create_share(
        self,
        share_name: str,
        metadata: dict[str, str] | None = None,
        quota: int | None = None,
        fail_on_exist: bool = False,
        timeout: int | None = None,
    ) -> bool:
        """Create a share; False if it exists (409 when ``fail_on_exist``)."""
        _names.share_name(share_name)
        if quota is not None and (not isinstance(quota, int) or not 1 <= quota <= 102400):
            raise ValidationError(
                "quota", "must be an integer number of GiB between 1 and 102400", quota
            )
        _names.metadata(metadata)
        created = self._store.create_share(share_name, metadata, quota)
        if not created and fail_on_exist:
            raise exceptions.ResourceExistsError(
                "The specified share already exists.", status_code=409, code="ShareAlreadyExists"
            )
        return created

    def delete_share(
        self,
        share_name: str,
        fail_not_exist: bool = False,
        timeout: int | None = None,
        snapshot: str | None = None,
        delete_snapshots: Any = None,
    ) -> bool:
        """Delete a share and its content; False if missing (404 when ``fail_not_exist``)."""
        _names.share_name(share_name)
        _refuse_snapshot(snapshot)
        deleted = self._store.delete_share(share_name)
        if not deleted and fail_not_exist:
            raise exceptions.ResourceNotFoundError(
                "The specified share does not exist.", status_code=404, code="ShareNotFound"
            )
        return deleted

    def list_shares(
        self,
        prefix: str | None = None,
        marker: str | None = None,
        num_results: int | None = None,
        include_metadata: bool = False,
        timeout: int | None = None,
        include_snapshots: bool = False,
    ) -> ListGenerator[Share]:
        """The account's shares, by name."""
        return page(self._store.list_shares(prefix), num_results, marker)

    # directories ------------------------------------------------------------------------------
    def create_directory(
        self,
        share_name: str,
        directory_name: str,
        metadata: dict[str, str] | None = None,
        fail_on_exist: bool = False,
        timeout: int | None = None,
    ) -> bool:
        """Create a directory (its parent must exist); False if it exists (409 when ``fail_on_exist``)."""
        _names.share_name(share_name)
        directory = _names.directory_name(directory_name)
        if not directory:
            raise ValidationError(
                "directory_name", "must name a directory (the share root always exists)"
            )
        _names.metadata(metadata)
        created = self._store.create_directory(share_name, directory, metadata)
        if not created and fail_on_exist:
            raise exceptions.ResourceExistsError(
                "The specified resource already exists.",
                status_code=409,
                code="ResourceAlreadyExists",
            )
        return created

    def delete_directory(
        self,
        share_name: str,
        directory_name: str,
        fail_not_exist: bool = False,
        timeout: int | None = None,
    ) -> bool:
        """Delete an empty directory; False if missing (404 when ``fail_not_exist``)."""
        _names.share_name(share_name)
        directory = _names.directory_name(directory_name)
        if not directory:
            raise ValidationError("directory_name", "must name a directory, not the share root")
        deleted = self._store.delete_directory(share_name, directory)
        if not deleted and fail_not_exist:
            raise exceptions.ResourceNotFoundError(
                "The specified resource does not exist.", status_code=404, code="ResourceNotFound"
            )
        return deleted

    def list_directories_and_files(
        self,
        share_name: str,
        directory_name: str | None = None,
        num_results: int | None = None,
        marker: str | None = None,
        timeout: int | None = None,
        prefix: str | None = None,
        snapshot: str | None = None,
    ) -> ListGenerator[File | Directory]:
        """The entries of one directory (the share root when ``directory_name`` is None), by name."""
        _names.share_name(share_name)
        directory = _names.directory_name(directory_name)
        _refuse_snapshot(snapshot)
        if num_results is not None:
            _names.positive_int(num_results, "num_results")
        entries = self._store.list_directories_and_files(share_name, directory, prefix or "")
        return page(entries, num_results, marker)

    # existence --------------------------------------------------------------------------------
    def exists(
        self,
        share_name: str,
        directory_name: str | None = None,
        file_name: str | None = None,
        timeout: int | None = None,
        snapshot: str | None = None,
    ) -> bool:
        """Whether the share, the directory in it, or the file in that directory exists."""
        _names.share_name(share_name)
        _refuse_snapshot(snapshot)
        directory = _names.directory_name(directory_name)
        if file_name is not None:
            return self._store.file_exists(share_name, directory, _names.file_name(file_name))
        if directory:
            return self._store.directory_exists(share_name, directory)
        return self._store.share_exists(share_name)

    # uploads ----------------------------------------------------------------------------------
    def _put(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        data: bytes | Path | IO[bytes],
        count: int | None,
        content_settings: ContentSettings | None,
        metadata: dict[str, str] | None,
        max_connections: int,
        progress_callback: ProgressCallback | None,
        total: int | None,
    ) -> None:
        _names.share_name(share_name)
        directory = _names.directory_name(directory_name)
        name = _names.file_name(file_name)
        _names.metadata(metadata)
        _names.positive_int(max_connections, "max_connections")
        # The legacy FileService created the file, then wrote it range by range, whatever its size.
        upload = legacy_upload(
            data, count, content_settings, metadata, max_connections, progress_callback, total,
            single_put_limit=None, chunk_size=self.MAX_RANGE_SIZE, chunk_setting="MAX_RANGE_SIZE",
        )  # fmt: skip
        upload.progress.start()
        self._store.put_file(share_name, directory, name, upload)

    def create_file_from_path(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        local_file_path: str | os.PathLike[str],
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
    ) -> None:
        """Upload the local file (relative paths are fine) as ``directory_name/file_name``."""
        path = existing_local_file(local_file_path, "local_file_path")
        self._put(
            share_name, directory_name, file_name, path, None, content_settings, metadata,
            max_connections, progress_callback, path.stat().st_size,
        )  # fmt: skip

    def create_file_from_text(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        text: str,
        encoding: str = "utf-8",
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        timeout: int | None = None,
    ) -> None:
        """Upload ``text`` encoded with ``encoding``."""
        data = encoded_text(text, encoding)
        self._put(
            share_name,
            directory_name,
            file_name,
            data,
            None,
            content_settings,
            metadata,
            2,
            None,
            len(data),
        )

    def create_file_from_bytes(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        file: bytes | bytearray | memoryview,
        index: int = 0,
        count: int | None = None,
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
    ) -> None:
        """Upload ``file[index:index + count]``."""
        data = sliced_bytes(file, index, count, "file")
        self._put(
            share_name, directory_name, file_name, data, None, content_settings, metadata,
            max_connections, progress_callback, len(data),
        )  # fmt: skip

    def create_file_from_stream(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        stream: IO[bytes],
        count: int,
        content_settings: ContentSettings | None = None,
        metadata: dict[str, str] | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
    ) -> None:
        """Upload ``count`` bytes read from ``stream`` (``count`` is required, as in the legacy SDK)."""
        byte_count(count, "must be a non-negative integer (the number of bytes to read)")
        self._put(
            share_name, directory_name, file_name, stream, count, content_settings, metadata,
            max_connections, progress_callback, count,
        )  # fmt: skip

    # reads ------------------------------------------------------------------------------------
    def get_file_to_stream(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        stream: IO[bytes],
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
        snapshot: str | None = None,
    ) -> File:
        """Write the file (or bytes ``start_range..end_range``, inclusive) into ``stream``."""
        _names.share_name(share_name)
        directory = _names.directory_name(directory_name)
        name = _names.file_name(file_name)
        _refuse_snapshot(snapshot)
        _names.byte_range(start_range, end_range)
        result = self._store.get_file(share_name, directory, name, stream, start_range, end_range)
        size = result.properties.content_length
        report_progress(progress_callback, size or 0, size)
        return result

    def get_file_to_path(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        file_path: str | os.PathLike[str],
        open_mode: str = "wb",
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
        snapshot: str | None = None,
    ) -> File:
        """Download the file into the local file ``file_path`` (opened with ``open_mode``)."""
        binary_mode(open_mode)
        # Read into memory first so a missing file raises before the local file is truncated.
        buffer = io.BytesIO()
        result = self.get_file_to_stream(
            share_name, directory_name, file_name, buffer, start_range, end_range, validate_content,
            progress_callback, max_connections, timeout, snapshot,
        )  # fmt: skip
        with open(file_path, open_mode) as out:
            out.write(buffer.getvalue())
        return result

    def get_file_to_bytes(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
        snapshot: str | None = None,
    ) -> File:
        """The file with its bytes in ``content``."""
        buffer = io.BytesIO()
        result = self.get_file_to_stream(
            share_name, directory_name, file_name, buffer, start_range, end_range, validate_content,
            progress_callback, max_connections, timeout, snapshot,
        )  # fmt: skip
        result.content = buffer.getvalue()
        return result

    def get_file_to_text(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        encoding: str = "utf-8",
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        timeout: int | None = None,
        snapshot: str | None = None,
    ) -> File:
        """The file with its text (decoded with ``encoding``) in ``content``."""
        result = self.get_file_to_bytes(
            share_name, directory_name, file_name, start_range, end_range, validate_content,
            progress_callback, max_connections, timeout, snapshot,
        )  # fmt: skip
        result.content = result.content.decode(encoding)
        return result

    def delete_file(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        timeout: int | None = None,
    ) -> None:
        """Delete a file (404 if it does not exist)."""
        _names.share_name(share_name)
        directory = _names.directory_name(directory_name)
        self._store.delete_file(share_name, directory, _names.file_name(file_name))

    # URLs and SAS -----------------------------------------------------------------------------
    def make_file_url(
        self,
        share_name: str,
        directory_name: str | None,
        file_name: str,
        protocol: str | None = None,
        sas_token: str | None = None,
    ) -> str:
        """The file's URL, with ``sas_token`` appended when given.

        On local storage this is a loopback URL served by the local file server: readable (with
        ``Range``) while a read SAS from :meth:`generate_file_shared_access_signature` or
        :meth:`generate_share_shared_access_signature` is valid, 403 without one.
        """
        _names.share_name(share_name)
        path = _join(_names.directory_name(directory_name), _names.file_name(file_name))
        return self._store.file_url(share_name, path, sas_token)

    def generate_file_shared_access_signature(
        self,
        share_name: str,
        directory_name: str | None = None,
        file_name: str | None = None,
        permission: Any = None,
        expiry: Any = None,
        start: Any = None,
        id: str | None = None,  # noqa: A002 - the legacy keyword
        ip: str | None = None,
        protocol: str | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A SAS token (query string) for one file; ``permission`` and ``expiry`` are required."""
        _names.share_name(share_name)
        if file_name is None:
            raise ValidationError("file_name", "is required for a file SAS")
        path = _join(_names.directory_name(directory_name), _names.file_name(file_name))
        return self._sas(share_name, path, permission, expiry, start, id)

    def generate_share_shared_access_signature(
        self,
        share_name: str,
        permission: Any = None,
        expiry: Any = None,
        start: Any = None,
        id: str | None = None,  # noqa: A002 - the legacy keyword
        ip: str | None = None,
        protocol: str | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A SAS token (query string) for every file of a share."""
        _names.share_name(share_name)
        return self._sas(share_name, None, permission, expiry, start, id)

    def _sas(
        self,
        share: str,
        path: str | None,
        permission: Any,
        expiry: Any,
        start: Any,
        policy_id: str | None,
    ) -> str:
        return self._store.file_sas(
            share, path, *sas_grant(permission, expiry, start, policy_id, "FilePermissions")
        )


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name

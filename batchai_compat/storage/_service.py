"""What the legacy ``BlockBlobService`` and ``FileService`` have in common.

Both legacy clients exposed the account they talk to (``account_name``, ``account_key``,
``sas_token``, ``protocol``, ``primary_endpoint``), worked as context managers, and checked the
same upload, download and SAS arguments.  :class:`LegacyService` holds the attributes and the
lifecycle over a store (the local-folder or Azure Storage implementation); the functions check
arguments before any side effect, naming the legacy parameter in the
:class:`~batchai_compat.exceptions.ValidationError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Generic, Protocol, TypeVar

from ..exceptions import ValidationError
from . import _names
from ._account import StorageAccount
from ._models import ContentSettings

#: The legacy ``progress_callback(current, total)``.
ProgressCallback = Callable[[int, int | None], None]


class UploadProgress:
    """The ``progress_callback`` of one legacy upload, called as azure-storage 0.36 called it.

    The face calls :meth:`start` (``callback(0, total)``) before the first byte is sent; the
    store calls :meth:`stored` after each request that stored data (once for a single-request
    upload, once per block or range otherwise), and the callback gets the bytes stored so far
    and ``total`` (None for a stream of unknown length).  Parallel chunks report under a lock,
    so ``current`` only grows.
    """

    def __init__(self, callback: ProgressCallback | None, total: int | None) -> None:
        self._callback = callback
        self.total = total
        self._done = 0
        self._lock = threading.Lock()

    @property
    def reporting(self) -> bool:
        """Whether anyone listens (a callback was given)."""
        return self._callback is not None

    def start(self) -> None:
        if self._callback is not None:
            self._callback(0, self.total)

    def stored(self, count: int) -> None:
        if self._callback is None:
            return
        with self._lock:
            self._done += count
            self._callback(self._done, self.total)

    def reached(self, current: int, *, always: bool = False) -> None:
        """Report a cumulative count (what azure-storage v12's ``progress_hook`` gives): only
        when it grew, unless ``always`` (the end of a one-request upload, reported even when
        nothing was stored: an empty blob)."""
        if self._callback is None:
            return
        with self._lock:
            if current <= self._done and not always:
                return
            self._done = max(current, self._done)
            self._callback(self._done, self.total)


@dataclass(frozen=True)
class Upload:
    """One checked legacy upload, as a service hands it to its store's ``put_blob`` / ``put_file``.

    ``data`` is the payload: bytes, a local file, or a stream of which ``count`` bytes (all
    when None) are read.  ``chunk_size`` is None when the legacy client sent the payload in one
    request, else the size of its blocks (blobs) or ranges (files), which the store sends (and
    reports to ``progress``) one by one, up to ``max_connections`` at a time.
    """

    data: bytes | Path | IO[bytes]
    count: int | None
    content_settings: ContentSettings | None
    metadata: dict[str, str] | None
    max_connections: int
    chunk_size: int | None = None
    progress: UploadProgress = field(default_factory=lambda: UploadProgress(None, None))


class AccountStore(Protocol):
    """What every implementation of a legacy service provides (see ``BlobStore`` / ``FileStore``)."""

    kind: str
    account: StorageAccount

    def close(self) -> None: ...


StoreT = TypeVar("StoreT", bound=AccountStore)
ServiceT = TypeVar("ServiceT", bound="LegacyService[Any]")


class LegacyService(Generic[StoreT]):
    """The legacy account attributes and lifecycle of a service over ``StoreT``."""

    def __init__(self, store: StoreT, request_session: Any, socket_timeout: Any) -> None:
        self._store = store
        self.request_session = request_session
        self.socket_timeout = socket_timeout

    # legacy attributes ------------------------------------------------------------------------
    @property
    def account_name(self) -> str:
        return self._store.account.name

    @property
    def account_key(self) -> str | None:
        """The account key (old code passes it on to job mounts); never shown in ``repr``."""
        return self._store.account.key

    @property
    def sas_token(self) -> str | None:
        return self._store.account.sas_token

    @property
    def protocol(self) -> str:
        return self._store.account.protocol

    @property
    def primary_endpoint(self) -> str:
        return self._store.account.primary_endpoint

    @property
    def storage(self) -> str:
        """``"local"`` or ``"azure"``: where this service reads and writes."""
        return self._store.kind

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(account_name={self.account_name!r}, storage={self.storage!r})"
        )

    # lifecycle --------------------------------------------------------------------------------
    def close(self) -> None:
        """Release the store's connections."""
        self._store.close()

    def __enter__(self: ServiceT) -> ServiceT:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# argument checks ------------------------------------------------------------------------------
def read_chunks(data: bytes | Path | IO[bytes], count: int | None, size: int) -> Iterator[bytes]:
    """The payload of an :class:`Upload` in pieces of ``size`` bytes (the last may be shorter).

    A stream gives ``count`` bytes, or everything up to its end when ``count`` is None.
    """
    if isinstance(data, bytes):
        for start in range(0, len(data), size):
            yield data[start : start + size]
        return
    if isinstance(data, Path):
        with open(data, "rb") as handle:
            yield from read_chunks(handle, None, size)
        return
    remaining = count
    while remaining is None or remaining > 0:
        chunk = data.read(size if remaining is None else min(size, remaining))
        if not chunk:
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk


def legacy_upload(
    data: bytes | Path | IO[bytes],
    count: int | None,
    content_settings: ContentSettings | None,
    metadata: dict[str, str] | None,
    max_connections: int,
    progress_callback: ProgressCallback | None,
    total: int | None,
    *,
    single_put_limit: int | None,
    chunk_size: Any,
    chunk_setting: str,
) -> Upload:
    """The :class:`Upload` cut as the legacy client cut it.

    A payload of known ``total`` below ``single_put_limit`` went in one request (blobs below
    ``MAX_SINGLE_PUT_SIZE``); anything else went in chunks of ``chunk_size`` bytes
    (``MAX_BLOCK_SIZE`` blocks, or ``MAX_RANGE_SIZE`` ranges for files, whatever their size).
    ``chunk_setting`` names the class attribute ``chunk_size`` came from, for the error.
    """
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValidationError(chunk_setting, "must be a positive integer", chunk_size)
    single = single_put_limit is not None and total is not None and total < single_put_limit
    return Upload(
        data,
        count,
        content_settings,
        metadata,
        max_connections,
        None if single else chunk_size,
        UploadProgress(progress_callback, total),
    )


def report_progress(callback: ProgressCallback | None, done: int, total: int | None) -> None:
    if callback is not None:
        callback(done, total)


def existing_local_file(file_path: Any, parameter: str) -> Path:
    """The local file an upload reads (relative paths are fine)."""
    path = Path(file_path)
    if not path.is_file():
        raise ValidationError(parameter, "must be an existing local file", str(file_path))
    return path


def byte_count(count: Any, rule: str = "must be a non-negative integer") -> None:
    if not isinstance(count, int) or count < 0:
        raise ValidationError("count", rule, count)


def sliced_bytes(data: Any, index: Any, count: Any, parameter: str) -> bytes:
    """``data[index:index + count]`` of a legacy ``create_*_from_bytes`` call."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValidationError(parameter, "must be bytes", type(data).__name__)
    if not isinstance(index, int) or index < 0:
        raise ValidationError("index", "must be a non-negative integer", index)
    if count is not None:
        byte_count(count)
    return bytes(data[index:] if count is None else data[index : index + count])


def encoded_text(text: Any, encoding: str) -> bytes:
    """The payload of a legacy ``create_*_from_text`` call."""
    if not isinstance(text, str):
        raise ValidationError("text", "must be a str", type(text).__name__)
    return text.encode(encoding)


def binary_mode(open_mode: str) -> None:
    """``open_mode`` of a legacy ``get_*_to_path`` call."""
    if "b" not in open_mode:
        raise ValidationError("open_mode", "must be a binary mode such as 'wb' or 'ab'", open_mode)


def sas_grant(
    permission: Any, expiry: Any, start: Any, policy_id: str | None, permissions_class: str
) -> tuple[str, datetime, datetime | None]:
    """``(permission, expiry, start)`` of an ad-hoc SAS; stored access policies are refused."""
    if policy_id is not None:
        raise ValidationError(
            "id", "stored access policies are not supported; pass permission and expiry"
        )
    if permission is None or not str(permission):
        raise ValidationError("permission", f"is required (e.g. {permissions_class}.READ or 'r')")
    expiry_time = _names.sas_time(expiry, "expiry")
    if expiry_time is None:
        raise ValidationError("expiry", "is required")
    return str(permission), expiry_time, _names.sas_time(start, "start")

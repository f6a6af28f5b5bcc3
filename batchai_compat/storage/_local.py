"""Storage accounts as local folders: the local backend's side of the legacy storage faces.

A blob container ``c`` of account ``a`` is the folder ``$BATCHAI_COMPAT_HOME/storage/a/blob/c``
and a blob ``dir/x.txt`` is the file ``.../c/dir/x.txt``; a file share ``s`` is
``$BATCHAI_COMPAT_HOME/storage/a/file/s`` (see :mod:`batchai_compat.home.layout`).
Those are the folders a local job mounts through ``AzureBlobFileSystemReference`` /
``AzureFileShareReference``, so what a notebook uploads the job sees under
``$AZ_BATCHAI_JOB_MOUNT_ROOT/<relative_mount_path>``, and what the job writes the notebook reads.

Semantics kept from the service: writes are atomic (a reader sees the old or the new content,
never half a file), containers and shares must exist before anything is written into them, a
file's directory must exist (``create_directory`` first, as with Azure Files), deleting the
last blob of a virtual directory removes that directory.

Differences, by necessity: blob names must map to paths (no empty, ``.`` or ``..`` segment, and
a blob cannot be both ``a`` and the directory of ``a/b``); metadata and content settings live
beside the data, in ``storage/<account>/.properties/``, tagged with the etag of the content they
describe — a file a job rewrote reads back with default settings (``content_type`` guessed from
its name) and no metadata; account keys are not checked.  SAS tokens and URLs are served by
the home's loopback file service (:mod:`batchai_compat.home.fileservice`): a read SAS
URL is ``http://127.0.0.1:<port>/<token>/<name>``, honours ``Range`` and keeps working after
the process that made it ends, until it expires; a URL without a valid SAS is refused with
403, as Azure refuses anonymous reads of a private container.

This module holds what blob containers and file shares share: the account's folders
(:class:`AccountFolders`), atomic writes, ranged reads, the properties kept beside the data and
the SAS tokens; :mod:`._local_blobs` (``LocalBlobStore``) and :mod:`._local_files`
(``LocalFileStore``) build the two services on them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import secrets
import shutil
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import parse_qs

from .. import exceptions
from ..exceptions import ValidationError
from ..home import layout
from ._account import StorageAccount
from ._models import (
    BlobProperties,
    Container,
    ContentSettings,
    FileProperties,
    Share,
)
from ._names import sas_time_text
from ._service import Upload, read_chunks

_log = logging.getLogger(__name__)
_COPY_CHUNK = 1024 * 1024
UNSIGNED = "unsigned"
_Listed = TypeVar("_Listed", Container, Share)


def etag(stat: os.stat_result) -> str:
    digest = hashlib.blake2b(
        f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}".encode(), digest_size=8
    )
    return f'"0x{digest.hexdigest().upper()}"'


def modified(stat: os.stat_result) -> datetime:
    return datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)


def _guess_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _write_atomically(target: Path, incoming: Path, data: bytes) -> os.stat_result:
    """Write ``data`` to a private temporary file, then rename it over ``target``."""
    return store_atomically(target, incoming, Upload(data, None, None, None, 1))


def store_atomically(target: Path, incoming: Path, upload: Upload) -> os.stat_result:
    """Store an upload's payload through a private temporary file renamed over ``target``.

    Chunked uploads are written (and reported to their progress) chunk by chunk, as the service
    stored blocks or ranges; a single-request upload is reported once, when written.
    """
    incoming.mkdir(parents=True, exist_ok=True)
    tmp = incoming / f"{secrets.token_hex(8)}.part"
    try:
        written = 0
        with open(tmp, "wb") as out:
            for chunk in read_chunks(upload.data, upload.count, upload.chunk_size or _COPY_CHUNK):
                out.write(chunk)
                written += len(chunk)
                if upload.chunk_size is not None:
                    upload.progress.stored(len(chunk))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    if upload.chunk_size is None:
        upload.progress.stored(written)
    return target.stat()


def read_range(
    path: Path, stream: IO[bytes], start: int | None, end: int | None
) -> tuple[int, int, str | None]:
    """Copy bytes ``start..end`` (inclusive) of ``path`` into ``stream``: (copied, size, range)."""
    with open(path, "rb") as src:
        size = os.fstat(src.fileno()).st_size
        if start is None and end is None:
            shutil.copyfileobj(src, stream, _COPY_CHUNK)
            return size, size, None
        first = start or 0
        last = size - 1 if end is None else min(end, size - 1)
        if first >= size or last < first:
            raise exceptions.cloud_error(
                416,
                "InvalidRange",
                f"The range specified is invalid for the current size of the resource ({size} bytes).",
            )
        src.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = src.read(min(_COPY_CHUNK, remaining))
            if not chunk:
                break
            stream.write(chunk)
            remaining -= len(chunk)
        return last - first + 1, size, f"bytes {first}-{last}/{size}"


def segments(name: str, parameter: str) -> list[str]:
    parts = name.split("/")
    if any(part in ("", ".", "..") or len(part.encode()) > 255 for part in parts) or "\\" in name:
        raise ValidationError(
            parameter,
            "cannot be stored in a local folder: every '/'-separated segment must be 1-255 bytes, "
            "not '.' or '..', without backslashes",
            name,
        )
    return parts


def prune_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


class _PropertyStore:
    """Content settings and metadata of local blobs or files, kept out of the data folders.

    ``<account>/.properties/<blob|file>/<container>/<name>.json`` holds them with the etag of the
    content they were written with; a mismatch (the file was changed by something else, a job)
    means "defaults", as a fresh upload without settings would give on Azure.
    """

    def __init__(self, root: Path, incoming: Path) -> None:
        self._root = root
        self._incoming = incoming

    def _path(self, container: str, name: str) -> Path:
        # ``name`` passed segments() (no empty, '.' or '..' segment) and only this class writes
        # under its root, so a plain join stays inside it.
        return self._root / container / (name + ".json")

    def save(
        self,
        container: str,
        name: str,
        etag: str,
        settings: ContentSettings | None,
        metadata: dict[str, str] | None,
    ) -> None:
        path = self._path(container, name)
        if settings is None and not metadata:
            self.remove(container, name)
            return
        record = {
            "etag": etag,
            "content_settings": {k: v for k, v in vars(settings).items() if v is not None}
            if settings
            else {},
            "metadata": dict(metadata or {}),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, self._incoming, json.dumps(record).encode())

    def load(
        self, container: str, name: str, etag: str
    ) -> tuple[ContentSettings | None, dict[str, str]]:
        try:
            record = json.loads(self._path(container, name).read_bytes())
        except (OSError, ValueError):
            return None, {}
        if not isinstance(record, dict) or record.get("etag") != etag:
            return None, {}
        return ContentSettings(**record.get("content_settings", {})), dict(
            record.get("metadata", {})
        )

    def describe(
        self,
        props: BlobProperties | FileProperties,
        container: str,
        name: str,
        stat: os.stat_result,
    ) -> dict[str, str]:
        """Fill ``props`` of the blob or file ``name`` from its ``stat`` and saved settings; its metadata."""
        props.content_length = stat.st_size
        props.etag = etag(stat)
        props.last_modified = modified(stat)
        props.server_encrypted = False
        settings, metadata = self.load(container, name, props.etag)
        props.content_settings = settings or ContentSettings(content_type=_guess_content_type(name))
        return metadata

    def remove(self, container: str, name: str) -> None:
        path = self._path(container, name)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        prune_empty_parents(path, self._root)

    def drop(self, container: str) -> None:
        shutil.rmtree(self._root / container, ignore_errors=True)


def _sas_query(
    kind: str, permission: str, expiry: datetime, start: datetime | None, token: str
) -> str:
    fields = [("sr", kind), ("sp", permission), ("se", sas_time_text(expiry))]
    if start is not None:
        fields.append(("st", sas_time_text(start)))
    fields.append(("sig", token))
    return "&".join(f"{key}={value}" for key, value in fields)


def _token_of(sas_token: str | None, root: Path) -> str:
    """The file-service token a local SAS for ``root`` carries in ``sig``, else ``unsigned``.

    A SAS signed for another container or share yields ``unsigned`` (a URL the service
    refuses), as Azure refuses a SAS presented for the wrong resource.
    """
    from ..home.fileservice import names_folder

    if not sas_token:
        return UNSIGNED
    values = parse_qs(sas_token.lstrip("?")).get("sig")
    if not values or not names_folder(values[0], root):
        return UNSIGNED
    return values[0]


def _sign(
    root: Path, name: str | None, permission: str, expiry: datetime, start: datetime | None
) -> str:
    from ..home.fileservice import token_until

    if "r" not in permission:
        # The file service only reads: a SAS without read permission grants nothing there.
        return UNSIGNED
    return token_until(
        root, name, expiry.timestamp(), start.timestamp() if start is not None else None
    )


def join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


def _url(token: str, name: str) -> str:
    from ..home.fileservice import url_for_name

    return url_for_name(token, name)


def stamp(properties: Any, stat: os.stat_result) -> None:
    """Set ``etag`` and ``last_modified`` of a listed item's properties from its folder's stat."""
    properties.etag = etag(stat)
    properties.last_modified = modified(stat)


class AccountFolders:
    """The top-level folders of one account's ``service``: blob containers or file shares.

    ``<account>/<service>/<name>`` (:mod:`~batchai_compat.home.layout`), with the
    account's ``.incoming`` staging folder and the :class:`_PropertyStore` of the service.
    """

    def __init__(self, account: StorageAccount, service: str, noun: str, root: Path | None) -> None:
        self._folder_of = layout.blob_container_dir if service == "blob" else layout.file_share_dir
        self._account_name = account.name
        self._root = root
        self._noun = noun
        account_dir = self._folder_of(account.name, "x", root).parent.parent
        self._base = account_dir / service
        self.incoming = account_dir / ".incoming"
        self.properties = _PropertyStore(account_dir / ".properties" / service, self.incoming)

    def path(self, name: str) -> Path:
        return self._folder_of(self._account_name, name, self._root)

    def existing(self, name: str) -> Path:
        """The folder of ``name``; 404 ``<Noun>NotFound`` when it does not exist."""
        folder = self.path(name)
        if not folder.is_dir():
            raise exceptions.ResourceNotFoundError(
                f"The specified {self._noun} does not exist.",
                status_code=404,
                code=f"{self._noun.capitalize()}NotFound",
            )
        return folder

    def exists(self, name: str) -> bool:
        return self.path(name).is_dir()

    def create(self, name: str) -> bool:
        """False when it exists (``mkdir`` decides, so concurrent creators cannot both win)."""
        folder = self.path(name)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()
        except FileExistsError:
            return False
        return True

    def delete(self, name: str) -> bool:
        """Remove the folder, its content and its properties; False when it does not exist."""
        folder = self.path(name)
        if not folder.is_dir():
            return False
        # Rename first so the container or share disappears at once, then remove its content.
        doomed = self.incoming / f"deleted-{secrets.token_hex(8)}"
        doomed.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(folder, doomed)
        except FileNotFoundError:
            return False
        shutil.rmtree(doomed, ignore_errors=True)
        self.properties.drop(name)
        return True

    def listed(self, prefix: str | None, item: Callable[[str], _Listed]) -> list[_Listed]:
        """An ``item(name)`` (a ``Container`` or ``Share``) of every folder whose name starts
        with ``prefix``, by name, its properties stamped from the folder."""
        if not self._base.is_dir():
            return []
        found = []
        for entry in sorted(os.scandir(self._base), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False) and entry.name.startswith(prefix or ""):
                listed = item(entry.name)
                stamp(listed.properties, entry.stat())
                found.append(listed)
        return found

    # URLs and SAS -----------------------------------------------------------------------------
    def sas(
        self,
        name: str,
        item: str | None,
        permission: str,
        expiry: datetime,
        start: datetime | None,
        kinds: str,
    ) -> str:
        """A SAS query for folder ``name`` or its ``item``; ``kinds`` is the ``sr`` of an item,
        then of the folder (``"bc"``: blob, container; ``"fs"``: file, share)."""
        token = _sign(self.path(name), item, permission, expiry, start)
        kind = kinds[0] if item is not None else kinds[1]
        return _sas_query(kind, permission, expiry, start, token)

    def url(self, name: str, item: str, sas_token: str | None) -> str:
        """The file-service URL of ``item`` of folder ``name`` under ``sas_token``."""
        return _url(_token_of(sas_token, self.path(name)), item)

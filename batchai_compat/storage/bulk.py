"""Bulk uploads of a local folder: ``az storage blob upload-batch`` / ``file upload-batch``.

Batch AI runbooks staged their scripts and datasets with ``az storage blob upload-batch
--destination <container> --source <folder> [--pattern] [--destination-path]`` (and ``az storage
file upload-batch`` for shares).  :func:`upload_blob_batch` and :func:`upload_file_batch` do the
same through a legacy :class:`~batchai_compat.storage.blob.BlockBlobService` /
:class:`~batchai_compat.storage.file.FileService` (local folders or Azure Storage, as the service
was built), ``max_connections`` files at a time.

Each file is one synchronous legacy upload: when a function returns, every file is stored; when
one fails, no further file is started, the uploads in flight finish, and the first error is
raised with a note saying how many files were stored.  Every file is stored whole or not at all
(see the services), so a re-run after fixing the cause simply uploads everything again.

Names: a file's path relative to ``source`` (``/``-separated), under ``destination_path`` when
given; ``pattern`` is matched against that relative path with :func:`fnmatch.fnmatchcase`
(``*``, ``?``, ``[seq]``, ``[!seq]``, as ``--pattern``).  ``progress_callback(current, total)``
gets the bytes stored so far over all files and their total.  Both return what each upload
returned, by name, in the folder's order (``os.walk``, names sorted).
"""

from __future__ import annotations

import fnmatch
import logging
import os
import posixpath
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..exceptions import ValidationError
from ._models import ResourceProperties
from ._service import ProgressCallback, UploadProgress

if TYPE_CHECKING:
    from .blob import BlockBlobService
    from .file import FileService

__all__ = ["upload_blob_batch", "upload_file_batch"]

_log = logging.getLogger(__name__)
T = TypeVar("T")

#: Files uploaded at once unless ``max_connections`` says otherwise.
DEFAULT_CONNECTIONS = 8


def _sources(
    source: str | os.PathLike[str], pattern: str | None, destination_path: str | None
) -> list[tuple[Path, str, int]]:
    """``(local file, destination name, size)`` of every matching file, in name order."""
    root = Path(source)
    if not root.is_dir():
        raise ValidationError("source", "must be an existing local folder", str(source))
    if pattern is not None and (not isinstance(pattern, str) or not pattern):
        raise ValidationError("pattern", "must be a non-empty glob such as '*.py'", pattern)
    prefix = (destination_path or "").strip("/")
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if not path.is_file():
                continue  # a broken link, a socket, ...
            relative = path.relative_to(root).as_posix()
            if pattern is not None and not fnmatch.fnmatchcase(relative, pattern):
                continue
            target = posixpath.join(prefix, relative) if prefix else relative
            found.append((path, target, path.stat().st_size))
    return found


def _per_file(totals: UploadProgress) -> ProgressCallback | None:
    """A file's legacy progress callback adding what that file stored to ``totals``."""
    if not totals.reporting:
        return None
    seen = [0]  # one file's calls come one after another (max_connections=1 per file)

    def report(current: int, _total: int | None) -> None:
        if current > seen[0]:
            totals.stored(current - seen[0])
            seen[0] = current

    return report


def _run(
    items: list[tuple[Path, str, int]],
    upload: Callable[[Path, str, ProgressCallback | None], T],
    max_connections: int,
    progress_callback: ProgressCallback | None,
    where: str,
) -> dict[str, T]:
    if (
        not isinstance(max_connections, int)
        or isinstance(max_connections, bool)
        or max_connections < 1
    ):
        raise ValidationError("max_connections", "must be a positive integer", max_connections)
    started = time.monotonic()
    totals = UploadProgress(progress_callback, sum(size for _, _, size in items))
    totals.start()
    stored: dict[str, T] = {}
    failure: BaseException | None = None
    lock = threading.Lock()

    def one(path: Path, name: str) -> None:
        result = upload(path, name, _per_file(totals))
        with lock:
            stored[name] = result

    with ThreadPoolExecutor(
        max_workers=max_connections, thread_name_prefix="batchai-compat-bulk"
    ) as pool:
        in_flight: set[Future[None]] = set()
        for path, name, _size in items:
            if len(in_flight) >= max_connections:  # a free connection: the next file starts
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                failure = next((f.exception() for f in finished if f.exception()), None)
                if failure is not None:
                    break
            in_flight.add(pool.submit(one, path, name))
        finished, _ = wait(in_flight)
        failure = failure or next((f.exception() for f in finished if f.exception()), None)
    if failure is not None:
        if hasattr(failure, "add_note"):
            failure.add_note(
                f"{len(stored)} of {len(items)} files were stored in {where} before the failure "
                "(each one whole); the others were not started or failed"
            )
        raise failure
    _log.info(
        "%d files (%d bytes) uploaded to %s in %.2f s",
        len(items), sum(size for _, _, size in items), where, time.monotonic() - started,
    )  # fmt: skip
    return {name: stored[name] for _, name, _ in items}


def upload_blob_batch(
    service: BlockBlobService,
    container_name: str,
    source: str | os.PathLike[str],
    pattern: str | None = None,
    destination_path: str | None = None,
    *,
    content_settings: Any = None,
    metadata: dict[str, str] | None = None,
    max_connections: int = DEFAULT_CONNECTIONS,
    progress_callback: ProgressCallback | None = None,
) -> dict[str, ResourceProperties]:
    """Upload the files of ``source`` as blobs of ``container_name``: their ``ResourceProperties``
    (etag, last modified) by blob name, in order.

    ``az storage blob upload-batch -d <container_name> -s <source> [--pattern]
    [--destination-path]``; see the module docstring.  The container must exist.
    """
    items = _sources(source, pattern, destination_path)

    def upload(path: Path, name: str, progress: ProgressCallback | None) -> ResourceProperties:
        return service.create_blob_from_path(
            container_name, name, str(path), content_settings=content_settings,
            metadata=metadata, progress_callback=progress, max_connections=1,
        )  # fmt: skip

    return _run(items, upload, max_connections, progress_callback, f"container {container_name!r}")


def upload_file_batch(
    service: FileService,
    share_name: str,
    source: str | os.PathLike[str],
    pattern: str | None = None,
    destination_path: str | None = None,
    *,
    content_settings: Any = None,
    metadata: dict[str, str] | None = None,
    max_connections: int = DEFAULT_CONNECTIONS,
    progress_callback: ProgressCallback | None = None,
) -> list[str]:
    """Upload the files of ``source`` to file share ``share_name``: their paths, in order.

    ``az storage file upload-batch -d <share_name> -s <source> [--pattern]
    [--destination-path]``: the directories the files need are created first (Azure Files
    wants a file's directory to exist), then the files are uploaded.  The share must exist.
    """
    items = _sources(source, pattern, destination_path)
    directories: set[str] = set()
    for _, name, _ in items:
        parts = name.split("/")[:-1]
        directories.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    for directory in sorted(directories, key=lambda d: (d.count("/"), d)):
        service.create_directory(share_name, directory, fail_on_exist=False)

    def upload(path: Path, name: str, progress: ProgressCallback | None) -> None:
        directory, file_name = posixpath.split(name)
        return service.create_file_from_path(
            share_name, directory or None, file_name, str(path), content_settings=content_settings,
            metadata=metadata, progress_callback=progress, max_connections=1,
        )  # fmt: skip

    return list(_run(items, upload, max_connections, progress_callback, f"share {share_name!r}"))

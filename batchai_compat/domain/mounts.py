"""Batch AI mount volumes: what each reference mounts, where, and paths under a mount root.

``MountVolumes`` (a cluster's ``node_setup.mount_volumes`` under ``$AZ_BATCHAI_MOUNT_ROOT``, a
job's ``mount_volumes`` under ``$AZ_BATCHAI_JOB_MOUNT_ROOT``) lists four kinds of reference,
each mounted at its ``relative_mount_path``:

* ``azure_file_shares`` — ``azure_file_url`` ``https://<account>.file.core.windows.net/<share>
  [/<directory>]``;
* ``azure_blob_file_systems`` — ``account_name`` + ``container_name`` (blobfuse);
* ``file_servers`` — a Batch AI file server id (+ ``source_directory``);
* ``unmanaged_file_systems`` — a user ``mount_command``.

:func:`mounts` reads them (model or snake_case mapping) into :class:`Mount` values, checked:
relative paths stay inside the mount root and are unique, shares and file servers are named.
Each backend decides what a mount *becomes* (a local folder, an Azure ML datastore).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import ValidationError
from . import ids
from .documents import get

__all__ = [
    "AZURE_BLOB",
    "AZURE_FILE_SHARE",
    "FILE_SERVER",
    "JOB_MOUNT_ROOT",
    "MOUNT_ROOT",
    "UNMANAGED",
    "Mount",
    "mounts",
    "relative_mount_path",
    "under_mount",
]

AZURE_FILE_SHARE = "azure_file_share"
AZURE_BLOB = "azure_blob_file_system"
FILE_SERVER = "file_server"
UNMANAGED = "unmanaged_file_system"

#: The variables naming the cluster-level and the job-level mount roots on a node.
MOUNT_ROOT = "AZ_BATCHAI_MOUNT_ROOT"
JOB_MOUNT_ROOT = "AZ_BATCHAI_JOB_MOUNT_ROOT"

#: ``MountVolumes`` field -> mount kind, in the order the service listed them.
_GROUPS = (
    ("azure_file_shares", AZURE_FILE_SHARE),
    ("azure_blob_file_systems", AZURE_BLOB),
    ("file_servers", FILE_SERVER),
    ("unmanaged_file_systems", UNMANAGED),
)


@dataclass(frozen=True)
class Mount:
    """One mounted volume.

    ``container`` is the blob container or the file share; ``directory`` the folder inside the
    share (from ``azure_file_url``) or the file server's ``source_directory``.  ``reference`` is
    the reference as given (its ``credentials`` hold the account key): never shown in ``repr``.
    """

    kind: str
    relative_mount_path: str
    where: str
    account_name: str | None = None
    container: str | None = None
    directory: str = ""
    file_server: ids.ParsedId | None = None
    mount_command: str | None = None
    reference: Any = field(default=None, repr=False, compare=False)


def relative_mount_path(path: Any, where: str = "relative_mount_path") -> str:
    """``relative_mount_path`` normalised (``a//b/./c/`` -> ``a/b/c``); it must stay inside the
    mount root: not empty, no ``..``, no NUL."""
    text = "" if path is None else str(path)
    parts = [p for p in text.strip().strip("/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or "\x00" in text:
        raise ValidationError(where, "must be a relative folder path without '..'", path)
    return "/".join(parts)


def _share(url: Any, where: str) -> tuple[str, str, str]:
    """(account, share, directory) of an ``azure_file_url``."""
    text = "" if url is None else str(url)
    split = urlsplit(text)
    parts = [p for p in split.path.split("/") if p]
    if split.scheme not in ("http", "https") or not split.hostname or not parts:
        raise ValidationError(
            f"{where}.azure_file_url",
            "must name a share: https://<account>.file.core.windows.net/<share>",
            url,
        )
    return split.hostname.split(".", 1)[0], parts[0], "/".join(parts[1:])


def _required(reference: Any, name: str, where: str) -> str:
    value = get(reference, name)
    if value is None or not str(value).strip():
        raise ValidationError(f"{where}.{name}", "is required")
    return str(value)


def _mount(kind: str, reference: Any, where: str) -> Mount:
    relative = relative_mount_path(
        get(reference, "relative_mount_path"), f"{where}.relative_mount_path"
    )
    if kind == AZURE_FILE_SHARE:
        url_account, share, directory = _share(get(reference, "azure_file_url"), where)
        account = str(get(reference, "account_name") or url_account)
        return Mount(kind, relative, where, account, share, directory, reference=reference)
    if kind == AZURE_BLOB:
        account = _required(reference, "account_name", where)
        container = _required(reference, "container_name", where)
        return Mount(kind, relative, where, account, container, reference=reference)
    if kind == FILE_SERVER:
        server = get(reference, "file_server")
        parsed = ids.parse(get(server, "id") if server is not None else None)
        if parsed is None or parsed.kind != "fileservers":
            raise ValidationError(
                f"{where}.file_server.id", "must be the id of a Batch AI file server", server
            )
        source = str(get(reference, "source_directory", "")).strip("/")
        return Mount(
            kind, relative, where, directory=source, file_server=parsed, reference=reference
        )
    command = _required(reference, "mount_command", where)
    return Mount(kind, relative, where, mount_command=command, reference=reference)


def mounts(mount_volumes: Any, where: str = "mount_volumes") -> list[Mount]:
    """Every reference of a ``MountVolumes`` (model, snake_case mapping or None), checked."""
    if mount_volumes is None:
        return []
    result: list[Mount] = []
    seen: dict[str, str] = {}
    for group, kind in _GROUPS:
        for index, reference in enumerate(get(mount_volumes, group) or ()):
            mount = _mount(kind, reference, f"{where}.{group}[{index}]")
            if mount.relative_mount_path in seen:
                raise ValidationError(
                    f"{mount.where}.relative_mount_path",
                    f"is also the relative_mount_path of {seen[mount.relative_mount_path]}",
                    mount.relative_mount_path,
                )
            seen[mount.relative_mount_path] = mount.where
            result.append(mount)
    return result


def under_mount(
    path: str | None, relative_paths: Iterable[str], root_variable: str = JOB_MOUNT_ROOT
) -> tuple[str, str] | None:
    """``(relative_mount_path, rest)`` when ``path`` is ``$<root_variable>/<relative_mount_path>
    [/<rest>]`` (``$NAME`` or ``${NAME}``) for one of ``relative_paths`` (the longest match
    wins); else None."""
    match = re.match(rf"^\$(?:\{{{root_variable}\}}|{root_variable})(?=/|$)", path or "")
    if match is None or path is None:
        return None
    rest = "/".join(p for p in path[match.end() :].split("/") if p not in ("", "."))
    for head in sorted(relative_paths, key=len, reverse=True):
        if rest == head or rest.startswith(head + "/"):
            return head, rest[len(head) :].strip("/")
    return None

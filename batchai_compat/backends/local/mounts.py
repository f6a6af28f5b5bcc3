"""Batch AI mount volumes on a local node: links from the mount roots to local folders.

On Batch AI a node mounted Azure file shares (SMB), blob containers (blobfuse), Batch AI file
servers (NFS) and "unmanaged" file systems (a user mount command) under
``$AZ_BATCHAI_MOUNT_ROOT`` (cluster ``node_setup.mount_volumes``) or
``$AZ_BATCHAI_JOB_MOUNT_ROOT`` (the job's ``mount_volumes``), each at its
``relative_mount_path``.  Locally every storage account is a folder (see :mod:`.layout`), so a
mount is a symbolic link to the folder the legacy storage classes write to — what a notebook
uploads with ``BlockBlobService`` / ``FileService``, its job sees.

* ``AzureFileShareReference`` -> ``storage/<account>/file/<share>`` (``azure_file_url`` names the
  share: ``https://<account>.file.core.windows.net/<share>[/<dir>]``)
* ``AzureBlobFileSystemReference`` -> ``storage/<account>/blob/<container>``
* ``FileServerReference`` -> the file server's folder (+ ``source_directory``)
* ``UnmanagedFileSystemReference`` -> ``unmanaged/<digest of mount_command>``: the command
  cannot run here (it needs root and a real server), so jobs that name the same command share
  one folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ...exceptions import ValidationError
from ...home import layout
from . import ids

__all__ = ["MountTarget", "link_mounts", "mount_targets"]


@dataclass(frozen=True)
class MountTarget:
    """One mount: ``relative_mount_path`` under a mount root -> a local folder."""

    relative_mount_path: str
    folder: Path
    kind: str


def _share_from_url(url: str, where: str) -> tuple[str, str]:
    parts = [p for p in urlparse(url).path.split("/") if p]
    if not parts:
        raise ValidationError(
            f"{where}.azure_file_url",
            "must name a share: https://<account>.file.core.windows.net/<share>",
            url,
        )
    return parts[0], "/".join(parts[1:])


def mount_targets(
    mount_volumes: Mapping[str, Any] | None, root: Path | None = None, where: str = "mount_volumes"
) -> list[MountTarget]:
    """Resolve ``MountVolumes`` (snake_case dict) to local folders; validates every path."""
    targets: list[MountTarget] = []
    volumes = mount_volumes or {}
    for i, share in enumerate(volumes.get("azure_file_shares") or ()):
        name, subdir = _share_from_url(
            str(share.get("azure_file_url", "")), f"{where}.azure_file_shares[{i}]"
        )
        folder = layout.file_share_dir(str(share["account_name"]), name, root)
        if subdir:
            folder = layout.resolve_inside(folder, subdir)
        targets.append(MountTarget(str(share["relative_mount_path"]), folder, "azure_file_share"))
    for blob in volumes.get("azure_blob_file_systems") or ():
        folder = layout.blob_container_dir(
            str(blob["account_name"]), str(blob["container_name"]), root
        )
        targets.append(
            MountTarget(str(blob["relative_mount_path"]), folder, "azure_blob_file_system")
        )
    for i, server in enumerate(volumes.get("file_servers") or ()):
        reference = server.get("file_server") or {}
        parsed = ids.parse(str(reference.get("id", "")))
        if parsed is None or parsed.kind != "fileservers":
            raise ValidationError(
                f"{where}.file_servers[{i}].file_server.id",
                "must be a Batch AI file server id",
                reference,
            )
        folder = layout.file_server_dir(parsed.resource_group, parsed.workspace, parsed.name, root)
        source = server.get("source_directory")
        if source:
            folder = layout.resolve_inside(folder, str(source))
        targets.append(MountTarget(str(server["relative_mount_path"]), folder, "file_server"))
    for unmanaged in volumes.get("unmanaged_file_systems") or ():
        digest = hashlib.sha256(str(unmanaged["mount_command"]).encode()).hexdigest()[:16]
        folder = (root or layout.home()) / "unmanaged" / digest
        targets.append(
            MountTarget(str(unmanaged["relative_mount_path"]), folder, "unmanaged_file_system")
        )
    return targets


def _relative(path: str) -> str:
    parts = [p for p in path.strip().strip("/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or "\x00" in path:
        raise ValidationError(
            "relative_mount_path", "must be a relative folder path without '..'", path
        )
    return "/".join(parts)


def link_mounts(mount_root: Path, targets: list[MountTarget]) -> None:
    """Create ``mount_root/<relative_mount_path>`` -> folder links (folders created as needed)."""
    mount_root.mkdir(parents=True, exist_ok=True)
    for target in targets:
        link = mount_root / _relative(target.relative_mount_path)
        target.folder.mkdir(parents=True, exist_ok=True)
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            if link.is_symlink() and os.readlink(link) == str(target.folder):
                continue
            raise ValidationError(
                "relative_mount_path",
                "two mounts share one relative_mount_path",
                target.relative_mount_path,
            )
        link.symlink_to(target.folder, target_is_directory=True)

"""Batch AI mount volumes on a local node: links from the mount roots to local folders.

On Batch AI a node mounted Azure file shares (SMB), blob containers (blobfuse), Batch AI file
servers (NFS) and "unmanaged" file systems (a user mount command) under
``$AZ_BATCHAI_MOUNT_ROOT`` (cluster ``node_setup.mount_volumes``) or
``$AZ_BATCHAI_JOB_MOUNT_ROOT`` (the job's ``mount_volumes``), each at its
``relative_mount_path``.  Locally every storage account is a folder (see :mod:`.layout`), so a
mount is a symbolic link to the folder the legacy storage classes write to — what a notebook
uploads with ``BlockBlobService`` / ``FileService``, its job sees.

The references are read and checked by :func:`batchai_compat.domain.mounts.mounts`; here each
becomes a folder:

* ``AzureFileShareReference`` -> ``storage/<account>/file/<share>[/<dir>]``
* ``AzureBlobFileSystemReference`` -> ``storage/<account>/blob/<container>``
* ``FileServerReference`` -> the file server's folder (+ ``source_directory``)
* ``UnmanagedFileSystemReference`` -> ``unmanaged/<digest of mount_command>``: the command
  cannot run here (it needs root and a real server), so jobs that name the same command share
  one folder.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...domain import mounts as domain_mounts
from ...exceptions import ValidationError
from ...home import layout

__all__ = ["MountTarget", "link_mounts", "mount_targets"]


@dataclass(frozen=True)
class MountTarget:
    """One mount: ``relative_mount_path`` under a mount root -> a local folder."""

    relative_mount_path: str
    folder: Path
    kind: str


def _folder(mount: domain_mounts.Mount, root: Path | None) -> Path:
    if mount.kind == domain_mounts.AZURE_FILE_SHARE:
        folder = layout.file_share_dir(str(mount.account_name), str(mount.container), root)
    elif mount.kind == domain_mounts.AZURE_BLOB:
        folder = layout.blob_container_dir(str(mount.account_name), str(mount.container), root)
    elif mount.kind == domain_mounts.FILE_SERVER and mount.file_server is not None:
        server = mount.file_server
        folder = layout.file_server_dir(server.resource_group, server.workspace, server.name, root)
    else:
        # the mount command cannot run here (it needs root and a real server): jobs that name
        # the same command share one folder
        digest = hashlib.sha256(str(mount.mount_command).encode()).hexdigest()[:16]
        return (root or layout.home()) / "unmanaged" / digest
    return layout.resolve_inside(folder, mount.directory) if mount.directory else folder


def mount_targets(
    mount_volumes: Any, root: Path | None = None, where: str = "mount_volumes"
) -> list[MountTarget]:
    """Resolve ``MountVolumes`` (model or snake_case dict) to local folders; validates every path."""
    return [
        MountTarget(mount.relative_mount_path, _folder(mount, root), mount.kind)
        for mount in domain_mounts.mounts(mount_volumes, where)
    ]


def link_mounts(mount_root: Path, targets: list[MountTarget]) -> None:
    """Create ``mount_root/<relative_mount_path>`` -> folder links (folders created as needed)."""
    mount_root.mkdir(parents=True, exist_ok=True)
    for target in targets:
        link = mount_root / domain_mounts.relative_mount_path(target.relative_mount_path)
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

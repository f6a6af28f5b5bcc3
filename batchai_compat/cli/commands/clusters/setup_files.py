"""``batchai cluster file list``: the node setup task's output, on a mounted share or container.

az's ``list_node_setup_files``: when the setup task's ``stdOutErrPathPrefix`` is under
``$AZ_BATCHAI_MOUNT_ROOT`` on an Azure File Share or a blob container the cluster mounts, the
files under its ``stdOutErrPathSuffix`` are listed through the legacy storage faces, each with a
read SAS URL valid for ``--expiry`` minutes.
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ...errors import CommandError

if TYPE_CHECKING:
    from argparse import Namespace

    from ...context import Context


#: An entry of ``cluster file list`` (az printed these fields as they are, not camelCased).
LogFile = namedtuple("LogFile", "name download_url is_directory size")


def _on_mount_point(path: str, mount_path: str) -> bool:
    path = os.path.normpath(path).replace("\\", "/")
    mount_path = os.path.normpath(mount_path).replace("\\", "/")
    return path == mount_path or path.startswith(mount_path + "/")


def _storage_path(*parts: str) -> str:
    joined = os.path.normpath("/".join(p.strip("/") for p in parts if p and p != ".")).replace(
        "\\", "/"
    )
    return "" if joined == "." else joined


def list_setup_files(context: Context, args: Namespace) -> Any:
    """az's ``list_node_setup_files``: the setup task's output on a mounted share or container."""
    from ...mounts import StorageAccount

    cluster = context.client.clusters.get(args.resource_group, args.workspace, args.cluster_name)
    setup = cluster.node_setup.setup_task if cluster.node_setup else None
    if setup is None:
        return []
    unsupported = (
        "List files is supported only for clusters with startup task configure to store its "
        "output on Azure File Share or Azure Blob Container"
    )
    root = "$AZ_BATCHAI_MOUNT_ROOT"
    prefix = setup.std_out_err_path_prefix
    if not _on_mount_point(prefix, root):
        raise CommandError(unsupported)
    if not setup.std_out_err_path_suffix:
        raise CommandError("List files is not supported for this cluster")
    relative = prefix[len(root) :].strip("/")
    volumes = cluster.node_setup.mount_volumes if cluster.node_setup else None
    if volumes is None:
        raise CommandError(unsupported)
    account = StorageAccount(context, None, None)
    expiry = datetime.now(timezone.utc) + timedelta(minutes=args.expiry)
    mounts: list[tuple[Any, Callable[[Any, str, str, datetime], list[LogFile]]]]
    mounts = [(share, _share_files) for share in volumes.azure_file_shares or []]
    mounts += [(container, _container_files) for container in volumes.azure_blob_file_systems or []]
    for mount, list_files in mounts:
        if _on_mount_point(relative, mount.relative_mount_path):
            inside = relative[len(mount.relative_mount_path.strip("/")) :]
            path = _storage_path(inside, setup.std_out_err_path_suffix, args.path)
            return list_files(mount, account.require_key(mount.account_name), path, expiry)
    raise CommandError(unsupported)


def _share_files(share: Any, key: str, path: str, expiry: datetime) -> list[LogFile]:
    from ....storage.file import FileService
    from ....storage.file.models import File

    service = FileService(share.account_name, key)
    name = share.azure_file_url.rstrip("/").split("/")[-1]
    if path and not service.exists(name, path):
        return []
    result = []
    for item in service.list_directories_and_files(name, path or None):
        if isinstance(item, File):
            sas = service.generate_file_shared_access_signature(
                name, path or None, item.name, permission="r", expiry=expiry
            )
            url = service.make_file_url(name, path or None, str(item.name), sas_token=sas)
            result.append(LogFile(item.name, url, False, item.properties.content_length))
        else:
            result.append(LogFile(item.name, None, True, None))
    return result


def _container_files(container: Any, key: str, path: str, expiry: datetime) -> list[LogFile]:
    from ....storage.blob import BlockBlobService
    from ....storage.blob.models import Blob

    service = BlockBlobService(container.account_name, key)
    folders = set()
    result = []
    prefix = f"{path}/" if path else ""
    for item in service.list_blobs(container.container_name, prefix, delimiter="/"):
        blob_name = str(item.name)
        if isinstance(item, Blob):
            sas = service.generate_blob_shared_access_signature(
                container.container_name, blob_name, permission="r", expiry=expiry
            )
            url = service.make_blob_url(container.container_name, blob_name, sas_token=sas)
            result.append(
                LogFile(os.path.basename(blob_name), url, False, item.properties.content_length)
            )
        else:
            folder = blob_name.rstrip("/").split("/")[-1]
            folders.add(folder)
            result.append(LogFile(folder, None, True, None))
    return [f for f in result if f.is_directory or f.name not in folders]

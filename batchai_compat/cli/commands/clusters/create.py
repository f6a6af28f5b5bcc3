"""``batchai cluster create``: ``ClusterCreateParameters`` from the options and ``--config-file``.

As ``az batchai cluster create`` did: from ``--config-file`` (see :mod:`...files`,
:mod:`...mounts`) and/or the options, which override the file: ``-s`` VM size,
``--vm-priority``, ``-i``/``--custom-image``, scale (``-t`` alone: manual; ``--min``/``--max``:
auto-scale starting at ``-t`` or 0; equal min and max: manual), the admin account
(:mod:`...admin`), mounts (``--afs-name``, ``--bfs-name``, ``--nfs``, ``--use-auto-storage``),
``--subnet`` and ``--setup-task``.  One difference: ``-t 0`` is a target of zero nodes (az took
0 for "not given").
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

from ...errors import CommandError, UsageError
from ...messages import log
from ...resources import ensure_absent, is_arm_id, resolve

if TYPE_CHECKING:
    from argparse import Namespace

    from ...context import Context


#: ``--image`` aliases, as az had them.
IMAGE_ALIASES = {
    "UbuntuLTS": ("Canonical", "UbuntuServer", "16.04-LTS"),
    "UbuntuDSVM": ("microsoft-ads", "linux-data-science-vm-ubuntu", "linuxdsvmubuntu"),
}

# ``--use-auto-storage``: az's names.
AUTO_STORAGE_RESOURCE_GROUP = "batchaiautostorage"
AUTO_STORAGE_CONTAINER_NAME = "batchaicontainer"
AUTO_STORAGE_SHARE_NAME = "batchaishare"
AUTO_STORAGE_ACCOUNT_PREFIX = "bai"
AUTO_STORAGE_CONTAINER_PATH = "autobfs"
AUTO_STORAGE_SHARE_PATH = "autoafs"


def image_reference(image: str | None, custom_image: str | None) -> Any:
    """``--image`` (an alias or ``publisher:offer:sku:version``) and ``--custom-image``."""
    from .... import models

    if custom_image and not image:
        raise UsageError(
            "You need to specify --image argument with information about the custom image"
        )
    if custom_image and not is_arm_id(custom_image):
        raise UsageError("Ill-formed custom image resource id")
    assert image is not None
    if ":" in image:
        parts = image.split(":")
        if len(parts) != 4:
            raise UsageError(
                '--image must have format "publisher:offer:sku:version" or "publisher:offer:sku:"'
            )
        for value, what in zip(parts[:3], ("publisher", "offer", "sku"), strict=True):
            if not value:
                raise UsageError(f"Image {what} must be provided in --image argument")
        return models.ImageReference(
            publisher=parts[0],
            offer=parts[1],
            sku=parts[2],
            version=parts[3] or None,
            virtual_machine_image_id=custom_image,
        )
    for alias, (publisher, offer, sku) in IMAGE_ALIASES.items():
        if alias.lower() == image.lower():
            return models.ImageReference(
                publisher=publisher, offer=offer, sku=sku, virtual_machine_image_id=custom_image
            )
    raise UsageError(
        f'Unsupported image alias "{image}", supported aliases are {", ".join(IMAGE_ALIASES)}'
    )


def scale_settings(target: int | None, min_nodes: int | None, max_nodes: int | None) -> Any:
    """``ScaleSettings`` of ``-t``/``--min``/``--max``; None when none is given."""
    from .... import models

    if min_nodes is None and max_nodes is None:
        if target is None:
            return None
        return models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=target))
    if min_nodes is None or max_nodes is None:
        raise UsageError(
            "You need to either provide both min and max node counts or not provide any of them"
        )
    if min_nodes > max_nodes:
        raise UsageError("Maximum nodes count must be greater or equal to minimum nodes count")
    if min_nodes == max_nodes and target in (None, min_nodes):
        return models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=min_nodes))
    return models.ScaleSettings(
        auto_scale=models.AutoScaleSettings(
            minimum_node_count=min_nodes,
            maximum_node_count=max_nodes,
            initial_node_count=target or 0,
        )
    )


def _auto_storage(context: Context, location: str) -> tuple[str, str]:
    """az's auto-storage account (local backend): ``(account, key)``, share and container made."""
    if not context.is_local:
        raise CommandError(
            "--use-auto-storage creates a storage account through Azure Resource Manager, which "
            "batchai does not do on the "
            f"{context.backend_name!r} backend: create one with `az storage account create`, "
            "then pass --storage-account-name, --afs-name and/or --bfs-name."
        )
    from ....storage import accounts
    from ....storage.blob import BlockBlobService
    from ....storage.file import FileService
    from ..groups import ensure_group

    ensure_group(context, AUTO_STORAGE_RESOURCE_GROUP, location)
    existing = [
        a
        for a in accounts.list_accounts(AUTO_STORAGE_RESOURCE_GROUP)
        if (a.location or "").lower().replace(" ", "") == location.lower().replace(" ", "")
    ]
    if existing:
        account = existing[0].name
        log.warning("Using existing %s storage account as an auto-storage account", account)
    else:
        letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))
        account = accounts.create_account(
            AUTO_STORAGE_ACCOUNT_PREFIX + letters, AUTO_STORAGE_RESOURCE_GROUP, location
        ).name
        log.warning("Created auto storage account %s", account)
    key = accounts.account_keys(account)[0]
    FileService(account, key).create_share(AUTO_STORAGE_SHARE_NAME, fail_on_exist=False)
    BlockBlobService(account, key).create_container(
        AUTO_STORAGE_CONTAINER_NAME, fail_on_exist=False
    )
    return account, key


def create(context: Context, args: Namespace) -> Any:
    from .... import models
    from ...admin import complete_user_account, generate_keys_if_asked
    from ...mounts import StorageAccount, add_option_mounts, parameters_from_file

    client = context.client
    generate_keys_if_asked(args)
    ensure_absent(
        client.clusters.get, "Cluster", args.resource_group, args.workspace, args.cluster_name
    )
    nfs_id = None
    if args.nfs:
        nfs = client.file_servers.get(*resolve(args.nfs, args.resource_group, args.workspace))
        nfs_id = nfs.id
        if args.subnet and nfs.subnet is not None and nfs.subnet.id != args.subnet:
            raise UsageError("Cluster and mounted NFS must be in the same subnet.")
    if args.subnet:
        check_subnet(args.subnet)
    account = StorageAccount(context, args.account_name, args.account_key)
    _, params = parameters_from_file(args.json_file, models.ClusterCreateParameters, account)
    params.user_account_settings = complete_user_account(
        params.user_account_settings, args.user_name, args.ssh_key, args.password
    )
    if args.vm_size:
        params.vm_size = args.vm_size
    if not params.vm_size:
        raise UsageError("Please provide VM size (-s/--vm-size, or vmSize in --config-file)")
    if args.vm_priority:
        params.vm_priority = args.vm_priority
    if args.image or args.custom_image:
        params.virtual_machine_configuration = models.VirtualMachineConfiguration(
            image_reference=image_reference(args.image, args.custom_image)
        )
    scale = scale_settings(args.target, args.min_nodes, args.max_nodes)
    if scale is not None:
        params.scale_settings = scale
    if params.scale_settings is None or (
        params.scale_settings.manual is None and params.scale_settings.auto_scale is None
    ):
        raise UsageError(
            "Please provide scale setting for the cluster via command line or configuration file"
        )
    volumes = params.node_setup.mount_volumes if params.node_setup else None
    volumes = add_option_mounts(volumes, args, account, nfs_id)
    if args.use_auto_storage:
        where = client.workspaces.get(args.resource_group, args.workspace).location
        auto_account, auto_key = _auto_storage(context, str(where))
        volumes = volumes or models.MountVolumes()
        volumes.azure_file_shares = [
            *(volumes.azure_file_shares or []),
            models.AzureFileShareReference(
                account_name=auto_account,
                azure_file_url=f"https://{auto_account}.file.core.windows.net/"
                f"{AUTO_STORAGE_SHARE_NAME}",
                credentials=models.AzureStorageCredentialsInfo(account_key=auto_key),
                relative_mount_path=AUTO_STORAGE_SHARE_PATH,
            ),
        ]
        volumes.azure_blob_file_systems = [
            *(volumes.azure_blob_file_systems or []),
            models.AzureBlobFileSystemReference(
                account_name=auto_account,
                container_name=AUTO_STORAGE_CONTAINER_NAME,
                credentials=models.AzureStorageCredentialsInfo(account_key=auto_key),
                relative_mount_path=AUTO_STORAGE_CONTAINER_PATH,
            ),
        ]
    if volumes is not None:
        params.node_setup = params.node_setup or models.NodeSetup()
        params.node_setup.mount_volumes = volumes
    if args.subnet:
        params.subnet = models.ResourceId(id=args.subnet)
    if args.setup_task:
        if not args.setup_task_output:
            raise UsageError("--setup-task requires providing of --setup-task-output")
        params.node_setup = params.node_setup or models.NodeSetup()
        params.node_setup.setup_task = models.SetupTask(
            command_line=args.setup_task,
            std_out_err_path_prefix=args.setup_task_output,
        )
    return context.finish(
        client.clusters.create(args.resource_group, args.workspace, args.cluster_name, params)
    )


def check_subnet(subnet: str) -> None:
    from ....domain.ids import parse_subnet_id
    from ....exceptions import ValidationError

    try:
        parse_subnet_id(subnet)
    except ValidationError:
        raise UsageError(f"Ill-formed subnet resource id: {subnet!r}") from None

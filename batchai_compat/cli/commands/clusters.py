"""``batchai cluster ...``: Batch AI clusters, their nodes and their setup task's files.

``cluster create`` builds ``ClusterCreateParameters`` as ``az batchai cluster create`` did: from
``--config-file`` (see :mod:`..files`, :mod:`..mounts`) and/or the options, which override the
file: ``-s`` VM size, ``--vm-priority``, ``-i``/``--custom-image``, scale (``-t`` alone: manual;
``--min``/``--max``: auto-scale starting at ``-t`` or 0; equal min and max: manual), the admin
account (:mod:`..admin`), mounts (``--afs-name``, ``--bfs-name``, ``--nfs``,
``--use-auto-storage``), ``--subnet`` and ``--setup-task``.  One difference: ``-t 0`` is a target
of zero nodes (az took 0 for "not given").
"""

from __future__ import annotations

import os
import secrets
import string
from collections import namedtuple
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .. import tables
from ..errors import CommandError, UsageError
from ..messages import log
from ..nodes import EXEC_ARGS, exec_on_cluster_node
from ..resources import complete, ensure_absent, is_arm_id, resolve
from ..spec import (
    CONFIRM,
    EXPIRY,
    RESOURCE_GROUP,
    WORKSPACE,
    Area,
    Arg,
    Command,
    admin_account_args,
    config_file_arg,
    name,
    nfs_args,
    storage_account_args,
    subnet_arg,
)

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context


CLUSTER_NAME = name("cluster")
CLUSTER = Arg("cluster_name", ("--cluster", "-c"), "Name of cluster.", required=True)

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

#: An entry of ``cluster file list`` (az printed these fields as they are, not camelCased).
LogFile = namedtuple("LogFile", "name download_url is_directory size")


# --------------------------------------------------------------------------------------------
# create
# --------------------------------------------------------------------------------------------


def image_reference(image: str | None, custom_image: str | None) -> Any:
    """``--image`` (an alias or ``publisher:offer:sku:version``) and ``--custom-image``."""
    from ... import models

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
    from ... import models

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
    from ...storage import accounts
    from ...storage.blob import BlockBlobService
    from ...storage.file import FileService
    from .groups import ensure_group

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
    from ... import models
    from ..admin import complete_user_account, generate_keys_if_asked
    from ..mounts import StorageAccount, add_option_mounts, parameters_from_file

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
        _check_subnet(args.subnet)
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


def _check_subnet(subnet: str) -> None:
    from ...domain.ids import parse_subnet_id
    from ...exceptions import ValidationError

    try:
        parse_subnet_id(subnet)
    except ValidationError:
        raise UsageError(f"Ill-formed subnet resource id: {subnet!r}") from None


# --------------------------------------------------------------------------------------------
# the others
# --------------------------------------------------------------------------------------------


def show(context: Context, args: Namespace) -> Any:
    return context.client.clusters.get(args.resource_group, args.workspace, args.cluster_name)


def list_clusters(context: Context, args: Namespace) -> Any:
    return list(context.client.clusters.list_by_workspace(args.resource_group, args.workspace))


def delete(context: Context, args: Namespace) -> Any:
    complete(
        context,
        context.client.clusters.delete(
            args.resource_group, args.workspace, args.cluster_name, polling=not args.no_wait
        ),
        args.no_wait,
    )


def resize(context: Context, args: Namespace) -> Any:
    from ... import models

    settings = models.ScaleSettings(
        manual=models.ManualScaleSettings(target_node_count=args.target)
    )
    return context.client.clusters.update(
        args.resource_group, args.workspace, args.cluster_name, scale_settings=settings
    )


def auto_scale(context: Context, args: Namespace) -> Any:
    from ... import models

    settings = models.ScaleSettings(
        auto_scale=models.AutoScaleSettings(
            minimum_node_count=args.min_nodes, maximum_node_count=args.max_nodes
        )
    )
    return context.client.clusters.update(
        args.resource_group, args.workspace, args.cluster_name, scale_settings=settings
    )


def list_nodes(context: Context, args: Namespace) -> Any:
    return list(
        context.client.clusters.list_remote_login_information(
            args.resource_group, args.workspace, args.cluster_name
        )
    )


def exec_on_node(context: Context, args: Namespace) -> Any:
    if not args.cmdline and not args.ports:
        return None
    client = context.client
    where = (args.resource_group, args.workspace, args.cluster_name)
    nodes = list(client.clusters.list_remote_login_information(*where))
    return exec_on_cluster_node(context.is_local, args, nodes, client.clusters.get(*where))


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
    from ..mounts import StorageAccount

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
    for share in volumes.azure_file_shares or []:
        if _on_mount_point(relative, share.relative_mount_path):
            inside = relative[len(share.relative_mount_path.strip("/")) :]
            path = _storage_path(inside, setup.std_out_err_path_suffix, args.path)
            key = account.require_key(share.account_name)
            return _share_files(share, key, path, expiry)
    for container in volumes.azure_blob_file_systems or []:
        if _on_mount_point(relative, container.relative_mount_path):
            inside = relative[len(container.relative_mount_path.strip("/")) :]
            path = _storage_path(inside, setup.std_out_err_path_suffix, args.path)
            key = account.require_key(container.account_name)
            return _container_files(container, key, path, expiry)
    raise CommandError(unsupported)


def _share_files(share: Any, key: str, path: str, expiry: datetime) -> list[LogFile]:
    from ...storage.file import FileService
    from ...storage.file.models import File

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
    from ...storage.blob import BlockBlobService
    from ...storage.blob.models import Blob

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


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------

_BASE = (RESOURCE_GROUP, WORKSPACE)

AREA = Area(
    summary="Commands to manage clusters.",
    groups={
        ("node",): "Commands to work with cluster nodes.",
        ("file",): "Commands to work with files generated by node setup task.",
    },
    commands=(
        Command(
            ("create",),
            "Create a cluster.",
            create,
            (
                *_BASE,
                CLUSTER_NAME,
                config_file_arg("ClusterCreateParameters"),
                Arg(
                    "setup_task",
                    ("--setup-task",),
                    "A command line which should be executed on each compute node when it's "
                    "got allocated or rebooted. The task is executed in a bash subshell under "
                    "root account.",
                    group="Setup Task",
                ),
                Arg(
                    "setup_task_output",
                    ("--setup-task-output",),
                    "Directory path to store the setup task's logs. Note, Batch AI will "
                    "create several helper directories under this path. The created "
                    "directories are reported as stdOutErrPathSuffix by 'batchai cluster show' "
                    "command.",
                    group="Setup Task",
                ),
                subnet_arg("cluster"),
                *admin_account_args("cluster"),
                Arg(
                    "use_auto_storage",
                    ("--use-auto-storage",),
                    "If provided, the command will create a storage account in a new or "
                    'existing resource group named "batchaiautostorage". It will also create '
                    'Azure File Share with name "batchaishare", Azure Blob Container with name '
                    '"batchaicontainer". The File Share and Blob Container will be mounted on '
                    "each cluster node at $AZ_BATCHAI_MOUNT_ROOT/autoafs and "
                    "$AZ_BATCHAI_MOUNT_ROOT/autobfs. (Local backend.)",
                    action="store_true",
                    group="Auto Storage",
                ),
                Arg(
                    "image",
                    ("--image", "-i"),
                    "Operation system image for cluster nodes. The value may contain an alias "
                    f"({', '.join(IMAGE_ALIASES)}) or specify image details in the form "
                    '"publisher:offer:sku:version". If image configuration is not provided via '
                    "command line or configuration file, Batch AI will choose default OS image.",
                    group="Nodes",
                ),
                Arg(
                    "custom_image",
                    ("--custom-image",),
                    "ARM ID of a virtual machine image to be used for nodes creation. Note, you "
                    "need to provide --image containing information about the base image used "
                    "for this image creation.",
                    group="Nodes",
                ),
                Arg(
                    "vm_size",
                    ("--vm-size", "-s"),
                    "VM size for cluster nodes (e.g. Standard_NC6 for 1 GPU node).",
                    group="Nodes",
                ),
                Arg(
                    "target",
                    ("--target", "-t"),
                    "Number of nodes which should be allocated immediately after cluster "
                    "creation. If the cluster is in auto-scale mode, BatchAI can change the "
                    "number of nodes later based on number of running and queued jobs.",
                    type=int,
                    group="Nodes",
                ),
                Arg(
                    "min_nodes",
                    ("--min",),
                    "Min nodes count for the auto-scale cluster.",
                    type=int,
                    group="Nodes",
                ),
                Arg(
                    "max_nodes",
                    ("--max",),
                    "Max nodes count for the auto-scale cluster.",
                    type=int,
                    group="Nodes",
                ),
                Arg(
                    "vm_priority",
                    ("--vm-priority",),
                    "VM priority.",
                    choices=("dedicated", "lowpriority"),
                    group="Nodes",
                ),
                *nfs_args("cluster"),
                *storage_account_args("cluster"),
            ),
            examples=(
                (
                    "Create a single node GPU cluster with default image and auto-storage account.",
                    "batchai cluster create -g MyResourceGroup -w MyWorkspace -n MyCluster \\\n"
                    "    -s Standard_NC6 -t 1 --use-auto-storage --generate-ssh-keys",
                ),
                (
                    "Create a cluster with a setup command which installs unzip on every node, "
                    "the command output will be stored on auto storage account Azure File Share.",
                    "batchai cluster create -g MyResourceGroup -w MyWorkspace -n MyCluster \\\n"
                    "    --use-auto-storage \\\n"
                    "    -s Standard_NC6 -t 1 -k id_rsa.pub \\\n"
                    "    --setup-task 'apt update; apt install unzip -y' \\\n"
                    "    --setup-task-output '$AZ_BATCHAI_MOUNT_ROOT/autoafs'",
                ),
                (
                    "Create a cluster providing all parameters manually.",
                    "batchai cluster create -g MyResourceGroup -w MyWorkspace -n MyCluster \\\n"
                    "    -i UbuntuLTS -s Standard_NC6 --vm-priority lowpriority \\\n"
                    "    --min 0 --target 1 --max 10 \\\n"
                    "    --storage-account-name MyStorageAccount \\\n"
                    "    --nfs MyNfsToMount --afs-name MyAzureFileShareToMount \\\n"
                    "    --bfs-name MyBlobContainerNameToMount \\\n"
                    "    -u AdminUserName -k id_rsa.pub -p ImpossibleToGuessPassword",
                ),
                (
                    "Create a cluster using a configuration file.",
                    "batchai cluster create -g MyResourceGroup -w MyWorkspace -n MyCluster "
                    "-f cluster.json",
                ),
            ),
        ),
        Command(
            ("delete",),
            "Delete a cluster.",
            delete,
            (*_BASE, CLUSTER_NAME),
            examples=(
                (
                    "Delete a cluster and wait for deletion to be completed.",
                    "batchai cluster delete -g MyResourceGroup -w MyWorkspace -n MyCluster",
                ),
                (
                    "Send a delete command for a cluster and do not wait for deletion to be "
                    "completed.",
                    "batchai cluster delete -g MyResourceGroup -w MyWorkspace -n MyCluster "
                    "--no-wait",
                ),
                (
                    "Delete cluster without asking for confirmation (for non-interactive "
                    "scenarios).",
                    "batchai cluster delete -g MyResourceGroup -w MyWorkspace -n MyCluster -y",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
        Command(
            ("show",),
            "Show information about a cluster.",
            show,
            (*_BASE, CLUSTER_NAME),
            examples=(
                (
                    "Show full information about a cluster.",
                    "batchai cluster show -g MyResourceGroup -w MyWorkspace -n MyCluster",
                ),
                (
                    "Show cluster's summary.",
                    "batchai cluster show -g MyResourceGroup -w MyWorkspace -n MyCluster -o table",
                ),
            ),
            table=tables.cluster_show,
        ),
        Command(
            ("list",),
            "List clusters.",
            list_clusters,
            _BASE,
            examples=(
                (
                    "List all clusters in a workspace.",
                    "batchai cluster list -g MyResourceGroup -w MyWorkspace -o table",
                ),
            ),
            table=tables.cluster_list,
        ),
        Command(
            ("resize",),
            "Resize a cluster.",
            resize,
            (
                *_BASE,
                CLUSTER_NAME,
                Arg(
                    "target",
                    ("--target", "-t"),
                    "Target number of compute nodes.",
                    required=True,
                    type=int,
                ),
            ),
            examples=(
                (
                    "Resize a cluster to zero size to stop paying for it.",
                    "batchai cluster resize -g MyResourceGroup -w MyWorkspace -n MyCluster -t 0",
                ),
                (
                    "Resize a cluster to have 10 nodes.",
                    "batchai cluster resize -g MyResourceGroup -w MyWorkspace -n MyCluster -t 10",
                ),
            ),
        ),
        Command(
            ("auto-scale",),
            "Set auto-scale parameters for a cluster.",
            auto_scale,
            (
                *_BASE,
                CLUSTER_NAME,
                Arg("min_nodes", ("--min",), "Minimum number of nodes.", required=True, type=int),
                Arg("max_nodes", ("--max",), "Maximum number of nodes.", required=True, type=int),
            ),
            examples=(
                (
                    "Make a cluster to auto scale between 0 and 10 nodes depending on number of "
                    "queued and running jobs.",
                    "batchai cluster auto-scale -g MyResourceGroup -w MyWorkspace -n MyCluster "
                    "--min 0 --max 10",
                ),
            ),
        ),
        Command(
            ("node", "list"),
            "List remote login information for cluster's nodes.",
            list_nodes,
            (*_BASE, CLUSTER),
            long_summary="List remote login information for cluster nodes. You can ssh to a "
            "particular node using the provided public IP address and the port number. E.g. "
            "ssh <admin user name>@<public ip> -p <node's SSH port number>",
            examples=(
                (
                    "List remote login information for a cluster.",
                    "batchai cluster node list -g MyResourceGroup -w MyWorkspace -c MyCluster "
                    "-o table",
                ),
            ),
            table=tables.remote_login,
        ),
        Command(
            ("node", "exec"),
            "Executes a command line on a cluster's node with optional ports forwarding.",
            exec_on_node,
            (*_BASE, CLUSTER, *EXEC_ARGS),
            examples=(
                (
                    "Report a snapshot of the current processes.",
                    "batchai cluster node exec -g MyResourceGroup -w MyWorkspace -c MyCluster \\\n"
                    '    -n tvm-xxx --exec "ps axu"',
                ),
                (
                    "Report a GPU information for a node.",
                    "batchai cluster node exec -g MyResourceGroup -w MyWorkspace -c MyCluster \\\n"
                    '    -n tvm-xxx --exec "nvidia-smi"',
                ),
                (
                    "Forward local 9000 to port 9001 on the node.",
                    "batchai cluster node exec -g MyResourceGroup -w MyWorkspace -c MyCluster \\\n"
                    "    -n tvm-xxx -L 9000:localhost:9001",
                ),
            ),
        ),
        Command(
            ("file", "list"),
            "List files generated by the cluster's node setup task.",
            list_setup_files,
            (
                *_BASE,
                CLUSTER,
                Arg(
                    "path",
                    ("--path", "-p"),
                    "Relative path of a subfolder inside of the node setup task output directory.",
                    default=".",
                ),
                EXPIRY,
            ),
            long_summary="List files generated by the cluster's node setup task under "
            "$AZ_BATCHAI_STDOUTERR_DIR path. This functionality is available only if the node "
            "setup task output directory is located on mounted Azure File Share or Azure Blob "
            "Container.",
            examples=(
                (
                    "List names and sizes of files and directories inside of "
                    "$AZ_BATCHAI_STDOUTERR_DIR.",
                    "batchai cluster file list -g MyResourceGroup -w MyWorkspace -c MyCluster "
                    "-o table",
                ),
                (
                    "List names, sizes and download URLs for files and directories inside of "
                    "$AZ_BATCHAI_STDOUTERR_DIR/folder/subfolder.",
                    "batchai cluster file list -g MyResourceGroup -w MyWorkspace -c MyCluster \\\n"
                    "    -p folder/subfolder",
                ),
                (
                    "List names, sizes and download URLs for files and directories inside of "
                    "$AZ_BATCHAI_STDOUTERR_DIR making download URLs to remain valid for one hour.",
                    "batchai cluster file list -g MyResourceGroup -w MyWorkspace -c MyCluster \\\n"
                    "    --expiry 60",
                ),
            ),
            table=tables.node_setup_files,
        ),
    ),
)

"""``batchai file-server create | show | list | delete``: Batch AI file servers (NFS).

``create`` builds ``FileServerCreateParameters`` from ``-f`` and/or the options (which win):
``-s`` VM size, ``--disk-count``, ``--disk-size``, ``--caching-type``, ``--storage-sku``, the
admin account (:mod:`..admin`) and ``--subnet``; VM size, disk count, disk size and storage SKU
are required, as az required them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import tables
from ..errors import UsageError
from ..resources import complete
from ..spec import (
    CONFIRM,
    RESOURCE_GROUP,
    WORKSPACE,
    Area,
    Arg,
    Command,
    admin_account_args,
    config_file_arg,
    name,
    subnet_arg,
)

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context


FILE_SERVER_NAME = name("file server")
_BASE = (RESOURCE_GROUP, WORKSPACE)


def create(context: Context, args: Namespace) -> Any:
    from ... import models
    from ..admin import complete_user_account, generate_keys_if_asked
    from ..mounts import StorageAccount, parameters_from_file
    from ..resources import ensure_absent
    from .clusters.create import check_subnet

    client = context.client
    generate_keys_if_asked(args)
    ensure_absent(
        client.file_servers.get,
        "File server",
        args.resource_group,
        args.workspace,
        args.file_server_name,
    )
    _, params = parameters_from_file(
        args.json_file, models.FileServerCreateParameters, StorageAccount(context, None, None)
    )
    params.ssh_configuration = params.ssh_configuration or models.SshConfiguration.from_dict({})
    params.ssh_configuration.user_account_settings = complete_user_account(
        params.ssh_configuration.user_account_settings, args.user_name, args.ssh_key, args.password
    )
    disks = params.data_disks or models.DataDisks.from_dict({})
    if args.disk_size:
        disks.disk_size_in_gb = args.disk_size
    if not disks.disk_size_in_gb:
        raise UsageError("Please provide disk size in Gb.")
    if args.disk_count:
        disks.disk_count = args.disk_count
    if not disks.disk_count:
        raise UsageError("Please provide number of data disks (at least one disk is required).")
    if args.caching_type:
        disks.caching_type = args.caching_type
    if args.storage_sku:
        disks.storage_account_type = args.storage_sku
    if not disks.storage_account_type:
        raise UsageError("Please provide storage account type (storage sku).")
    params.data_disks = disks
    if args.vm_size:
        params.vm_size = args.vm_size
    if not params.vm_size:
        raise UsageError("Please provide VM size.")
    if args.subnet:
        check_subnet(args.subnet)
        params.subnet = models.ResourceId(id=args.subnet)
    where = (args.resource_group, args.workspace, args.file_server_name)
    poller = client.file_servers.create(*where, params, polling=not args.no_wait)
    return None if args.no_wait else context.finish(poller)


def show(context: Context, args: Namespace) -> Any:
    return context.client.file_servers.get(
        args.resource_group, args.workspace, args.file_server_name
    )


def list_file_servers(context: Context, args: Namespace) -> Any:
    return list(context.client.file_servers.list_by_workspace(args.resource_group, args.workspace))


def delete(context: Context, args: Namespace) -> Any:
    where = (args.resource_group, args.workspace, args.file_server_name)
    complete(
        context, context.client.file_servers.delete(*where, polling=not args.no_wait), args.no_wait
    )


AREA = Area(
    summary="Commands to manage file servers.",
    groups={},
    commands=(
        Command(
            ("create",),
            "Create a file server.",
            create,
            (
                *_BASE,
                FILE_SERVER_NAME,
                Arg("vm_size", ("--vm-size", "-s"), "VM size."),
                config_file_arg("FileServerCreateParameters"),
                Arg(
                    "disk_count",
                    ("--disk-count",),
                    "Number of disks.",
                    type=int,
                    group="Storage Disks",
                ),
                Arg(
                    "disk_size",
                    ("--disk-size",),
                    "Disk size in Gb.",
                    type=int,
                    group="Storage Disks",
                ),
                Arg(
                    "caching_type",
                    ("--caching-type",),
                    "Caching type for premium disks. If not provided via command line or in "
                    "configuration file, no caching will be used.",
                    choices=("none", "readonly", "readwrite"),
                    group="Storage Disks",
                ),
                Arg(
                    "storage_sku",
                    ("--storage-sku",),
                    "The sku of storage account to persist VM.",
                    choices=("Premium_LRS", "Standard_LRS"),
                    group="Storage Disks",
                ),
                *admin_account_args("file server"),
                subnet_arg("file server"),
            ),
            examples=(
                (
                    "Create a NFS file server using a configuration file.",
                    "batchai file-server create -g MyResourceGroup -w MyWorkspace -n MyNFS "
                    "-f nfs.json",
                ),
                (
                    "Create a NFS manually providing parameters.",
                    "batchai file-server create -g MyResourceGroup -w MyWorkspace -n MyNFS \\\n"
                    "    -s Standard_D14 --disk-count 4 --disk-size 512 \\\n"
                    "    --storage-sku Premium_LRS --caching-type readonly \\\n"
                    "    -u $USER -k ~/.ssh/id_rsa.pub",
                ),
            ),
            no_wait=True,
        ),
        Command(
            ("delete",),
            "Delete a file server.",
            delete,
            (*_BASE, FILE_SERVER_NAME),
            examples=(
                (
                    "Delete file server and wait for deletion to be completed.",
                    "batchai file-server delete -g MyResourceGroup -w MyWorkspace -n MyNFS",
                ),
                (
                    "Delete file server without asking for confirmation (for non-interactive "
                    "scenarios).",
                    "batchai file-server delete -g MyResourceGroup -w MyWorkspace -n MyNFS -y",
                ),
                (
                    "Request file server deletion without waiting for deletion to be completed.",
                    "batchai file-server delete -g MyResourceGroup -w MyWorkspace -n MyNFS "
                    "--no-wait",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
        Command(
            ("show",),
            "Show information about a file server.",
            show,
            (*_BASE, FILE_SERVER_NAME),
            examples=(
                (
                    "Show full information about a file server.",
                    "batchai file-server show -g MyResourceGroup -w MyWorkspace -n MyNFS",
                ),
                (
                    "Show file server summary.",
                    "batchai file-server show -g MyResourceGroup -w MyWorkspace -n MyNFS -o table",
                ),
            ),
            table=tables.file_server_show,
        ),
        Command(
            ("list",),
            "List file servers.",
            list_file_servers,
            _BASE,
            examples=(
                (
                    "List all file servers in the given workspace.",
                    "batchai file-server list -g MyResourceGroup -w MyWorkspace -o table",
                ),
            ),
            table=tables.file_server_list,
        ),
    ),
)

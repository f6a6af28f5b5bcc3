"""``batchai storage ...``: the ``az storage`` lines of Batch AI runbooks.

Runbooks put scripts and data in place with ``az storage share create``, ``directory create``,
``file upload``, ``container create``, ``blob upload(-batch)`` ... before ``az batchai job
create``.  These commands take the same options and run through the legacy storage faces of
:mod:`batchai_compat.storage`, so they write where jobs mount: the local backend's folders, or
Azure Storage on the Azure backends (or with ``BATCHAI_COMPAT_STORAGE=azure``).

The account is ``--account-name`` / ``--account-key`` (or ``--connection-string``,
``--sas-token``), else ``AZURE_STORAGE_ACCOUNT`` / ``AZURE_STORAGE_KEY`` /
``AZURE_STORAGE_CONNECTION_STRING`` / ``AZURE_STORAGE_SAS_TOKEN``, as az read them.  Local
folders need no key; Azure Storage does (az looked one up through ARM; here it is given).

``storage account create | show | list | delete | keys list`` manage local accounts
(:mod:`batchai_compat.storage.accounts`); Azure accounts are ARM's (``az storage account``).
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...exceptions import ValidationError
from ..errors import CommandError, UsageError
from ..spec import CONFIRM, Area, Arg, Command, location

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context


_ACCOUNT = "Storage Account"
ACCOUNT_ARGS = (
    Arg(
        "account_name",
        ("--account-name",),
        "Storage account name. Environment variable: AZURE_STORAGE_ACCOUNT.",
        group=_ACCOUNT,
    ),
    Arg(
        "account_key",
        ("--account-key",),
        "Storage account key. Environment variable: AZURE_STORAGE_KEY. Not needed for local "
        "storage accounts.",
        group=_ACCOUNT,
    ),
    Arg(
        "connection_string",
        ("--connection-string",),
        "Storage account connection string. Environment variable: AZURE_STORAGE_CONNECTION_STRING.",
        group=_ACCOUNT,
    ),
    Arg(
        "sas_token",
        ("--sas-token",),
        "A Shared Access Signature (SAS). Environment variable: AZURE_STORAGE_SAS_TOKEN.",
        group=_ACCOUNT,
    ),
    Arg(
        "auth_mode",
        ("--auth-mode",),
        "The mode in which to run the command: key (the only one batchai supports).",
        choices=("key", "login"),
        group=_ACCOUNT,
    ),
)

SHARE = Arg("share_name", ("--share-name", "-s"), "The file share name.", required=True)
CONTAINER = Arg("container_name", ("--container-name", "-c"), "The container name.", required=True)
FAIL_ON_EXIST = Arg(
    "fail_on_exist",
    ("--fail-on-exist",),
    "Throw an exception if the resource already exists.",
    action="store_true",
)


# --------------------------------------------------------------------------------------------
# services
# --------------------------------------------------------------------------------------------


def _credentials(args: Namespace) -> dict[str, Any]:
    if args.auth_mode == "login":
        raise UsageError("--auth-mode login is not supported by batchai: use --auth-mode key.")
    found = {
        "account_name": args.account_name or os.environ.get("AZURE_STORAGE_ACCOUNT"),
        "account_key": args.account_key or os.environ.get("AZURE_STORAGE_KEY"),
        "connection_string": args.connection_string
        or os.environ.get("AZURE_STORAGE_CONNECTION_STRING"),
        "sas_token": args.sas_token or os.environ.get("AZURE_STORAGE_SAS_TOKEN"),
    }
    if not found["account_name"] and not found["connection_string"]:
        raise UsageError(
            "Missing storage account: pass --account-name (or --connection-string), or set "
            "AZURE_STORAGE_ACCOUNT."
        )
    return {k: v for k, v in found.items() if v}


def _service(kind: str, args: Namespace) -> Any:
    from ...storage import select_implementation

    if kind == "blob":
        from ...storage.blob import BlockBlobService as cls
    else:
        from ...storage.file import FileService as cls  # type: ignore[assignment]
    credentials = _credentials(args)
    secret = credentials.keys() & {"account_key", "connection_string", "sas_token"}
    if not secret and select_implementation(None) == "azure":
        name = credentials["account_name"]
        raise UsageError(
            f"Azure Storage needs a key for account {name!r}: pass --account-key (or "
            "--connection-string / --sas-token), or set AZURE_STORAGE_KEY. Get it with: az "
            f'storage account keys list -n {name} --query "[0].value" -o tsv'
        )
    return cls(**credentials)


def _uploaded_url(service: Any, where: str, name: str) -> str:
    """The URL az printed for a blob or file ``upload-batch`` stored in ``where`` (a container
    or share).  A local account's is the address Azure would give it (its ``primaryEndpoints``,
    as ``storage account show`` prints them): the local file service's URL of an item needs a
    SAS to read anything, and making one would start that service for nothing."""
    if service.storage == "local":
        from urllib.parse import quote

        return f"{service.protocol}://{service.primary_endpoint}/{where}/{quote(name)}"
    if hasattr(service, "make_blob_url"):
        return str(service.make_blob_url(where, name))
    return str(service.make_file_url(where, *_split_path(name)))


def _created(created: bool) -> dict[str, bool]:
    return {"created": created}


# --------------------------------------------------------------------------------------------
# accounts
# --------------------------------------------------------------------------------------------


def _local_accounts(context: Context) -> Any:
    from ...storage import accounts, select_implementation

    if select_implementation(None) != "local":
        raise CommandError(
            "Storage accounts on Azure are managed by Azure Resource Manager: use `az storage "
            "account ...` (batchai storage account works on local storage accounts)."
        )
    return accounts


def _account_resource(context: Context, record: Any) -> dict[str, Any]:
    name = record.name
    group = record.resource_group or "unknown"
    return {
        "creationTime": record.creation_time,
        "id": f"/subscriptions/{context.subscription}/resourceGroups/{group}/providers/"
        f"Microsoft.Storage/storageAccounts/{name}",
        "kind": record.kind,
        "location": record.location,
        "name": name,
        "primaryEndpoints": {
            "blob": f"https://{name}.blob.core.windows.net/",
            "file": f"https://{name}.file.core.windows.net/",
        },
        "primaryLocation": record.location,
        "provisioningState": "Succeeded",
        "resourceGroup": record.resource_group,
        "sku": {"name": record.sku, "tier": record.sku.split("_")[0]},
        "statusOfPrimary": "available",
        "type": "Microsoft.Storage/storageAccounts",
    }


def account_create(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    where = args.location
    if not where:
        from .workspaces import group_location

        where = group_location(context, args.resource_group)
    record = accounts.create_account(
        args.account_name, args.resource_group, where, sku=args.sku, kind=args.kind
    )
    return _account_resource(context, record)


def account_show(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    return _account_resource(context, accounts.get_account(args.account_name))


def account_list(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    return [_account_resource(context, r) for r in accounts.list_accounts(args.resource_group)]


def account_delete(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    accounts.delete_account(args.account_name)
    return None


def account_keys(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    accounts.get_account(args.account_name)
    return [
        {"keyName": f"key{n}", "permissions": "FULL", "value": value}
        for n, value in enumerate(accounts.account_keys(args.account_name), start=1)
    ]


def account_table(result: Any) -> Any:
    rows = []
    for item in result if isinstance(result, list) else [result]:
        row: dict[str, Any] = OrderedDict()
        for column, key in (
            ("Name", "name"),
            ("ResourceGroup", "resourceGroup"),
            ("Location", "location"),
            ("Kind", "kind"),
            ("ProvisioningState", "provisioningState"),
        ):
            row[column] = item.get(key)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# file shares
# --------------------------------------------------------------------------------------------


def share_create(context: Context, args: Namespace) -> Any:
    service = _service("file", args)
    return _created(
        service.create_share(args.name, quota=args.quota, fail_on_exist=args.fail_on_exist)
    )


def share_delete(context: Context, args: Namespace) -> Any:
    return {"deleted": _service("file", args).delete_share(args.name)}


def share_exists(context: Context, args: Namespace) -> Any:
    return {"exists": _service("file", args).exists(args.name)}


def share_list(context: Context, args: Namespace) -> Any:
    return list(_service("file", args).list_shares(prefix=args.prefix))


def _split_path(path: str) -> tuple[str | None, str]:
    """``(directory or None, file name)`` of a path in a share."""
    directory, _, name = path.strip("/").rpartition("/")
    return directory or None, name


def directory_create(context: Context, args: Namespace) -> Any:
    service = _service("file", args)
    return _created(
        service.create_directory(args.share_name, args.name, fail_on_exist=args.fail_on_exist)
    )


def directory_exists(context: Context, args: Namespace) -> Any:
    return {"exists": _service("file", args).exists(args.share_name, args.name)}


def file_upload(context: Context, args: Namespace) -> Any:
    """az: ``--path`` is the file's path in the share; without a file name, the source's name."""
    service = _service("file", args)
    source = Path(args.source)
    if not source.is_file():
        raise UsageError(f"--source: {args.source} is not a file")
    path = (args.path or "").strip("/")
    if not path or service.exists(args.share_name, path):
        path = f"{path}/{source.name}" if path else source.name
    directory, name = _split_path(path)
    with context.progress(f"Uploading {source.name}") as progress:
        service.create_file_from_path(
            args.share_name, directory, name, str(source), progress_callback=progress
        )
    return None


def file_upload_batch(context: Context, args: Namespace) -> Any:
    """Several files at a time (:func:`batchai_compat.storage.bulk.upload_file_batch`)."""
    from ...storage.bulk import upload_file_batch

    service = _service("file", args)
    with _source_folder(args.source), context.progress(f"Uploading {args.source}") as progress:
        paths = upload_file_batch(
            service, args.destination, args.source, args.pattern, args.destination_path,
            progress_callback=progress,
        )  # fmt: skip
    return [_uploaded_url(service, args.destination, path) for path in paths]


def file_list(context: Context, args: Namespace) -> Any:
    service = _service("file", args)
    from ...storage.file.models import File

    result = []
    for item in service.list_directories_and_files(args.share_name, args.path or None):
        entry = OrderedDict(name=item.name)
        entry["type"] = "file" if isinstance(item, File) else "dir"
        entry["properties"] = item.properties
        entry["metadata"] = getattr(item, "metadata", None)
        result.append(entry)
    return result


def file_list_table(result: Any) -> Any:
    rows = []
    for item in result:
        row: dict[str, Any] = OrderedDict()
        row["Name"] = item["name"]
        props = item.get("properties") or {}
        row["Content Length"] = props.get("contentLength")
        row["Type"] = item["type"]
        row["Last Modified"] = props.get("lastModified")
        rows.append(row)
    return rows


def file_download(context: Context, args: Namespace) -> Any:
    service = _service("file", args)
    directory, name = _split_path(args.path)
    destination = Path(args.dest or name)
    if destination.is_dir():
        destination = destination / name
    with context.progress(f"Downloading {name}") as progress:
        return service.get_file_to_path(
            args.share_name, directory, name, str(destination), progress_callback=progress
        )


def file_delete(context: Context, args: Namespace) -> Any:
    directory, name = _split_path(args.path)
    _service("file", args).delete_file(args.share_name, directory, name)
    return None


# --------------------------------------------------------------------------------------------
# blob containers
# --------------------------------------------------------------------------------------------


def container_create(context: Context, args: Namespace) -> Any:
    service = _service("blob", args)
    return _created(
        service.create_container(
            args.name, public_access=args.public_access, fail_on_exist=args.fail_on_exist
        )
    )


def container_delete(context: Context, args: Namespace) -> Any:
    return {"deleted": _service("blob", args).delete_container(args.name)}


def container_exists(context: Context, args: Namespace) -> Any:
    return {"exists": _service("blob", args).exists(args.name)}


def container_list(context: Context, args: Namespace) -> Any:
    return list(_service("blob", args).list_containers(prefix=args.prefix))


def blob_upload(context: Context, args: Namespace) -> Any:
    service = _service("blob", args)
    if not Path(args.file).is_file():
        raise UsageError(f"--file: {args.file} is not a file")
    with context.progress(f"Uploading {Path(args.file).name}") as progress:
        written = service.create_blob_from_path(
            args.container_name, args.name, args.file, progress_callback=progress
        )
    return {"etag": written.etag, "lastModified": written.last_modified}


@contextlib.contextmanager
def _source_folder(source: str) -> Iterator[None]:
    """az's usage error for a ``--source`` that is not a folder."""
    try:
        yield
    except ValidationError as error:
        if error.parameter != "source":
            raise
        raise UsageError(f"--source: {source} is not a directory") from None


def blob_upload_batch(context: Context, args: Namespace) -> Any:
    """Several files at a time (:func:`batchai_compat.storage.bulk.upload_blob_batch`)."""
    from ...storage.bulk import upload_blob_batch

    service = _service("blob", args)
    with _source_folder(args.source), context.progress(f"Uploading {args.source}") as progress:
        stored = upload_blob_batch(
            service, args.destination, args.source, args.pattern, args.destination_path,
            progress_callback=progress,
        )  # fmt: skip
    return [
        {
            "Blob": _uploaded_url(service, args.destination, name),
            "Last Modified": written.last_modified,
            "eTag": written.etag,
        }
        for name, written in stored.items()
    ]


def blob_list(context: Context, args: Namespace) -> Any:
    service = _service("blob", args)
    return list(
        service.list_blobs(args.container_name, prefix=args.prefix, num_results=args.num_results)
    )


def blob_list_table(result: Any) -> Any:
    rows = []
    for item in result:
        props = item.get("properties") or {}
        row: dict[str, Any] = OrderedDict()
        row["Name"] = item["name"]
        row["Blob Type"] = props.get("blobType")
        row["Length"] = props.get("contentLength")
        row["Content Type"] = (props.get("contentSettings") or {}).get("contentType")
        row["Last Modified"] = props.get("lastModified")
        rows.append(row)
    return rows


def blob_download(context: Context, args: Namespace) -> Any:
    service = _service("blob", args)
    with context.progress(f"Downloading {args.name}") as progress:
        return service.get_blob_to_path(
            args.container_name, args.name, args.file, progress_callback=progress
        )


def blob_delete(context: Context, args: Namespace) -> Any:
    _service("blob", args).delete_blob(args.container_name, args.name)
    return None


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------

_SHARE_NAME = Arg("name", ("--name", "-n"), "The file share name.", required=True)
_CONTAINER_NAME = Arg("name", ("--name", "-n"), "The container name.", required=True)
_PREFIX = Arg("prefix", ("--prefix",), "Filter the results to names beginning with the prefix.")
_ACCOUNT_NAME = Arg(
    "account_name", ("--name", "-n", "--account-name"), "The storage account name.", required=True
)
_GROUP = Arg(
    "resource_group",
    ("--resource-group", "-g"),
    "Name of resource group.",
    configured_default="group",
)


def _cmd(
    words: tuple[str, ...],
    summary: str,
    handler: Any,
    args: tuple[Arg, ...],
    example: str,
    **kw: Any,
) -> Command:
    return Command(
        words, summary, handler, (*args, *ACCOUNT_ARGS), examples=((summary, example),), **kw
    )


AREA = Area(
    summary="The `az storage` commands of Batch AI runbooks.",
    groups={
        ("account",): "Manage local storage accounts.",
        ("account", "keys"): "Manage storage account keys.",
        ("share",): "Manage file shares.",
        ("directory",): "Manage file share directories.",
        ("file",): "Manage files in file shares.",
        ("container",): "Manage blob containers.",
        ("blob",): "Manage blobs.",
    },
    commands=(
        Command(
            ("account", "create"),
            "Create a storage account.",
            account_create,
            (
                _ACCOUNT_NAME,
                Arg(
                    "resource_group",
                    ("--resource-group", "-g"),
                    "Name of resource group.",
                    required=True,
                    configured_default="group",
                ),
                location(help="Location. Default: the resource group's."),
                Arg("sku", ("--sku",), "The storage account SKU.", default="Standard_LRS"),
                Arg("kind", ("--kind",), "The type of storage account.", default="StorageV2"),
            ),
            examples=(
                (
                    "Create a storage account in the resource group's location.",
                    "batchai storage account create -n mystorageaccount -g MyResourceGroup "
                    "--sku Standard_LRS",
                ),
            ),
        ),
        Command(
            ("account", "show"),
            "Show storage account properties.",
            account_show,
            (_ACCOUNT_NAME, _GROUP),
            examples=(
                (
                    "Show a storage account.",
                    "batchai storage account show -n mystorageaccount -g MyResourceGroup",
                ),
            ),
            table=account_table,
        ),
        Command(
            ("account", "list"),
            "List storage accounts.",
            account_list,
            (Arg("resource_group", ("--resource-group", "-g"), "Name of resource group."),),
            examples=(("List the storage accounts.", "batchai storage account list -o table"),),
            table=account_table,
        ),
        Command(
            ("account", "delete"),
            "Delete a storage account, with its containers and shares.",
            account_delete,
            (_ACCOUNT_NAME, _GROUP),
            examples=(
                (
                    "Delete a storage account.",
                    "batchai storage account delete -n mystorageaccount -g MyResourceGroup -y",
                ),
            ),
            confirm=CONFIRM,
        ),
        Command(
            ("account", "keys", "list"),
            "List the access keys of a storage account (local accounts: derived, never checked).",
            account_keys,
            (_ACCOUNT_NAME, _GROUP),
            examples=(
                (
                    "Get the first key of a storage account.",
                    "batchai storage account keys list -n mystorageaccount -g MyResourceGroup "
                    '--query "[0].value" -o tsv',
                ),
            ),
        ),
        _cmd(
            ("share", "create"),
            "Create a file share.",
            share_create,
            (
                _SHARE_NAME,
                Arg("quota", ("--quota",), "The maximum size of the share in gigabytes.", type=int),
                FAIL_ON_EXIST,
            ),
            "batchai storage share create -n scripts --account-name mystorageaccount",
        ),
        _cmd(
            ("share", "delete"),
            "Delete a file share.",
            share_delete,
            (_SHARE_NAME,),
            "batchai storage share delete -n scripts --account-name mystorageaccount",
        ),
        _cmd(
            ("share", "exists"),
            "Check for the existence of a file share.",
            share_exists,
            (_SHARE_NAME,),
            "batchai storage share exists -n scripts --account-name mystorageaccount",
        ),
        _cmd(
            ("share", "list"),
            "List the file shares of a storage account.",
            share_list,
            (_PREFIX,),
            "batchai storage share list --account-name mystorageaccount -o table",
        ),
        _cmd(
            ("directory", "create"),
            "Create a directory in a file share.",
            directory_create,
            (
                Arg("name", ("--name", "-n"), "The directory path in the share.", required=True),
                SHARE,
                FAIL_ON_EXIST,
            ),
            "batchai storage directory create -n tensorflow_samples -s scripts "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("directory", "exists"),
            "Check for the existence of a directory in a file share.",
            directory_exists,
            (
                Arg("name", ("--name", "-n"), "The directory path in the share.", required=True),
                SHARE,
            ),
            "batchai storage directory exists -n tensorflow_samples -s scripts "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("file", "upload"),
            "Upload a file to a file share.",
            file_upload,
            (
                SHARE,
                Arg("source", ("--source",), "Path of the local file to upload.", required=True),
                Arg(
                    "path",
                    ("--path", "-p"),
                    "The path to the file (or directory) within the file share. If the file "
                    "name is omitted, the source file name will be used.",
                ),
            ),
            "batchai storage file upload -s scripts --source mnist_replica.py "
            "--path tensorflow_samples --account-name mystorageaccount",
        ),
        _cmd(
            ("file", "upload-batch"),
            "Upload the files of a local directory to a file share.",
            file_upload_batch,
            (
                Arg("destination", ("--destination", "-d"), "The file share.", required=True),
                Arg("source", ("--source", "-s"), "The local directory.", required=True),
                Arg(
                    "destination_path",
                    ("--destination-path",),
                    "The directory in the share to upload into.",
                ),
                Arg("pattern", ("--pattern",), "Only files matching this glob pattern."),
            ),
            "batchai storage file upload-batch -d scripts -s ./samples "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("file", "list"),
            "List files and directories in a file share.",
            file_list,
            (SHARE, Arg("path", ("--path", "-p"), "The directory path within the file share.")),
            "batchai storage file list -s scripts -p tensorflow_samples "
            "--account-name mystorageaccount -o table",
            table=file_list_table,
        ),
        _cmd(
            ("file", "download"),
            "Download a file from a file share to a local path.",
            file_download,
            (
                SHARE,
                Arg("path", ("--path", "-p"), "The path of the file in the share.", required=True),
                Arg(
                    "dest",
                    ("--dest", "--destination", "-d"),
                    "Local path (or directory) to write to. Default: the file's name.",
                ),
            ),
            "batchai storage file download -s logs -p stdout.txt --dest ./stdout.txt "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("file", "delete"),
            "Delete a file in a file share.",
            file_delete,
            (
                SHARE,
                Arg("path", ("--path", "-p"), "The path of the file in the share.", required=True),
            ),
            "batchai storage file delete -s scripts -p old.py --account-name mystorageaccount",
        ),
        _cmd(
            ("container", "create"),
            "Create a blob container.",
            container_create,
            (
                _CONTAINER_NAME,
                Arg(
                    "public_access",
                    ("--public-access",),
                    "Anonymous access level of the container.",
                    choices=("off", "blob", "container"),
                ),
                FAIL_ON_EXIST,
            ),
            "batchai storage container create -n data --account-name mystorageaccount",
        ),
        _cmd(
            ("container", "delete"),
            "Delete a blob container.",
            container_delete,
            (_CONTAINER_NAME,),
            "batchai storage container delete -n data --account-name mystorageaccount",
        ),
        _cmd(
            ("container", "exists"),
            "Check for the existence of a blob container.",
            container_exists,
            (_CONTAINER_NAME,),
            "batchai storage container exists -n data --account-name mystorageaccount",
        ),
        _cmd(
            ("container", "list"),
            "List the blob containers of a storage account.",
            container_list,
            (_PREFIX,),
            "batchai storage container list --account-name mystorageaccount -o table",
        ),
        _cmd(
            ("blob", "upload"),
            "Upload a file to a blob.",
            blob_upload,
            (
                CONTAINER,
                Arg("file", ("--file", "-f"), "Path of the local file to upload.", required=True),
                Arg("name", ("--name", "-n"), "The blob name.", required=True),
            ),
            "batchai storage blob upload -c data -f ./train.csv -n mnist/train.csv "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("blob", "upload-batch"),
            "Upload the files of a local directory to a blob container.",
            blob_upload_batch,
            (
                Arg("destination", ("--destination", "-d"), "The blob container.", required=True),
                Arg("source", ("--source", "-s"), "The local directory.", required=True),
                Arg(
                    "destination_path",
                    ("--destination-path",),
                    "The blob name prefix (virtual directory) to upload into.",
                ),
                Arg("pattern", ("--pattern",), "Only files matching this glob pattern."),
            ),
            "batchai storage blob upload-batch -d data -s ./mnist --destination-path mnist "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("blob", "list"),
            "List the blobs of a container.",
            blob_list,
            (
                CONTAINER,
                _PREFIX,
                Arg(
                    "num_results",
                    ("--num-results",),
                    "The maximum number of blobs to return.",
                    type=int,
                ),
            ),
            "batchai storage blob list -c data --prefix mnist/ --account-name mystorageaccount "
            "-o table",
            table=blob_list_table,
        ),
        _cmd(
            ("blob", "download"),
            "Download a blob to a local file.",
            blob_download,
            (
                CONTAINER,
                Arg("name", ("--name", "-n"), "The blob name.", required=True),
                Arg("file", ("--file", "-f"), "Local path to write to.", required=True),
            ),
            "batchai storage blob download -c data -n mnist/train.csv -f ./train.csv "
            "--account-name mystorageaccount",
        ),
        _cmd(
            ("blob", "delete"),
            "Delete a blob.",
            blob_delete,
            (CONTAINER, Arg("name", ("--name", "-n"), "The blob name.", required=True)),
            "batchai storage blob delete -c data -n mnist/old.csv --account-name mystorageaccount",
        ),
    ),
)

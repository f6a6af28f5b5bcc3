"""``batchai storage share | directory | file ...``: Azure Files shares, directories and files.

The ``az storage share create``, ``directory create``, ``file upload(-batch)`` ... lines that put
a job's scripts where an ``AzureFileShareReference`` mounts them, run through the legacy
``FileService`` of :mod:`batchai_compat.storage.file`.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import UsageError
from ...spec import Arg
from .service import (
    FAIL_ON_EXIST,
    PREFIX,
    created,
    data_command,
    service,
    split_path,
    upload_batch,
    upload_batch_args,
    uploaded_url,
)

if TYPE_CHECKING:
    from argparse import Namespace

    from ...context import Context


def share_create(context: Context, args: Namespace) -> Any:
    shares = service("file", args)
    return created(
        shares.create_share(args.name, quota=args.quota, fail_on_exist=args.fail_on_exist)
    )


def share_delete(context: Context, args: Namespace) -> Any:
    return {"deleted": service("file", args).delete_share(args.name)}


def share_exists(context: Context, args: Namespace) -> Any:
    return {"exists": service("file", args).exists(args.name)}


def share_list(context: Context, args: Namespace) -> Any:
    return list(service("file", args).list_shares(prefix=args.prefix))


def directory_create(context: Context, args: Namespace) -> Any:
    shares = service("file", args)
    return created(
        shares.create_directory(args.share_name, args.name, fail_on_exist=args.fail_on_exist)
    )


def directory_exists(context: Context, args: Namespace) -> Any:
    return {"exists": service("file", args).exists(args.share_name, args.name)}


def file_upload(context: Context, args: Namespace) -> Any:
    """az: ``--path`` is the file's path in the share; without a file name, the source's name."""
    shares = service("file", args)
    source = Path(args.source)
    if not source.is_file():
        raise UsageError(f"--source: {args.source} is not a file")
    path = (args.path or "").strip("/")
    if not path or shares.exists(args.share_name, path):
        path = f"{path}/{source.name}" if path else source.name
    directory, name = split_path(path)
    with context.progress(f"Uploading {source.name}") as progress:
        shares.create_file_from_path(
            args.share_name, directory, name, str(source), progress_callback=progress
        )
    return None


def file_upload_batch(context: Context, args: Namespace) -> Any:
    """Several files at a time (:func:`batchai_compat.storage.bulk.upload_file_batch`)."""
    from ....storage.bulk import upload_file_batch

    shares, paths = upload_batch(context, args, "file", upload_file_batch)
    return [uploaded_url(shares, args.destination, path) for path in paths]


def file_list(context: Context, args: Namespace) -> Any:
    shares = service("file", args)
    from ....storage.file.models import File

    result = []
    for item in shares.list_directories_and_files(args.share_name, args.path or None):
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
    shares = service("file", args)
    directory, name = split_path(args.path)
    destination = Path(args.dest or name)
    if destination.is_dir():
        destination = destination / name
    with context.progress(f"Downloading {name}") as progress:
        return shares.get_file_to_path(
            args.share_name, directory, name, str(destination), progress_callback=progress
        )


def file_delete(context: Context, args: Namespace) -> Any:
    directory, name = split_path(args.path)
    service("file", args).delete_file(args.share_name, directory, name)
    return None


SHARE = Arg("share_name", ("--share-name", "-s"), "The file share name.", required=True)
_SHARE_NAME = Arg("name", ("--name", "-n"), "The file share name.", required=True)
_DIRECTORY = Arg("name", ("--name", "-n"), "The directory path in the share.", required=True)
_FILE_PATH = Arg("path", ("--path", "-p"), "The path of the file in the share.", required=True)

COMMANDS = (
    data_command(
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
    data_command(
        ("share", "delete"),
        "Delete a file share.",
        share_delete,
        (_SHARE_NAME,),
        "batchai storage share delete -n scripts --account-name mystorageaccount",
    ),
    data_command(
        ("share", "exists"),
        "Check for the existence of a file share.",
        share_exists,
        (_SHARE_NAME,),
        "batchai storage share exists -n scripts --account-name mystorageaccount",
    ),
    data_command(
        ("share", "list"),
        "List the file shares of a storage account.",
        share_list,
        (PREFIX,),
        "batchai storage share list --account-name mystorageaccount -o table",
    ),
    data_command(
        ("directory", "create"),
        "Create a directory in a file share.",
        directory_create,
        (_DIRECTORY, SHARE, FAIL_ON_EXIST),
        "batchai storage directory create -n tensorflow_samples -s scripts "
        "--account-name mystorageaccount",
    ),
    data_command(
        ("directory", "exists"),
        "Check for the existence of a directory in a file share.",
        directory_exists,
        (_DIRECTORY, SHARE),
        "batchai storage directory exists -n tensorflow_samples -s scripts "
        "--account-name mystorageaccount",
    ),
    data_command(
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
    data_command(
        ("file", "upload-batch"),
        "Upload the files of a local directory to a file share.",
        file_upload_batch,
        upload_batch_args("The file share.", "The directory in the share to upload into."),
        "batchai storage file upload-batch -d scripts -s ./samples --account-name mystorageaccount",
    ),
    data_command(
        ("file", "list"),
        "List files and directories in a file share.",
        file_list,
        (SHARE, Arg("path", ("--path", "-p"), "The directory path within the file share.")),
        "batchai storage file list -s scripts -p tensorflow_samples "
        "--account-name mystorageaccount -o table",
        table=file_list_table,
    ),
    data_command(
        ("file", "download"),
        "Download a file from a file share to a local path.",
        file_download,
        (
            SHARE,
            _FILE_PATH,
            Arg(
                "dest",
                ("--dest", "--destination", "-d"),
                "Local path (or directory) to write to. Default: the file's name.",
            ),
        ),
        "batchai storage file download -s logs -p stdout.txt --dest ./stdout.txt "
        "--account-name mystorageaccount",
    ),
    data_command(
        ("file", "delete"),
        "Delete a file in a file share.",
        file_delete,
        (SHARE, _FILE_PATH),
        "batchai storage file delete -s scripts -p old.py --account-name mystorageaccount",
    ),
)

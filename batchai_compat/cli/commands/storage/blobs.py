"""``batchai storage container | blob ...``: blob containers and blobs.

The ``az storage container create`` and ``blob upload(-batch)`` lines that put data where an
``AzureBlobFileSystemReference`` mounts it, run through the legacy ``BlockBlobService`` of
:mod:`batchai_compat.storage.blob`.
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
    upload_batch,
    upload_batch_args,
    uploaded_url,
)

if TYPE_CHECKING:
    from argparse import Namespace

    from ...context import Context


def container_create(context: Context, args: Namespace) -> Any:
    blobs = service("blob", args)
    return created(
        blobs.create_container(
            args.name, public_access=args.public_access, fail_on_exist=args.fail_on_exist
        )
    )


def container_delete(context: Context, args: Namespace) -> Any:
    return {"deleted": service("blob", args).delete_container(args.name)}


def container_exists(context: Context, args: Namespace) -> Any:
    return {"exists": service("blob", args).exists(args.name)}


def container_list(context: Context, args: Namespace) -> Any:
    return list(service("blob", args).list_containers(prefix=args.prefix))


def blob_upload(context: Context, args: Namespace) -> Any:
    blobs = service("blob", args)
    if not Path(args.file).is_file():
        raise UsageError(f"--file: {args.file} is not a file")
    with context.progress(f"Uploading {Path(args.file).name}") as progress:
        written = blobs.create_blob_from_path(
            args.container_name, args.name, args.file, progress_callback=progress
        )
    return {"etag": written.etag, "lastModified": written.last_modified}


def blob_upload_batch(context: Context, args: Namespace) -> Any:
    """Several files at a time (:func:`batchai_compat.storage.bulk.upload_blob_batch`)."""
    from ....storage.bulk import upload_blob_batch

    blobs, stored = upload_batch(context, args, "blob", upload_blob_batch)
    return [
        {
            "Blob": uploaded_url(blobs, args.destination, name),
            "Last Modified": written.last_modified,
            "eTag": written.etag,
        }
        for name, written in stored.items()
    ]


def blob_list(context: Context, args: Namespace) -> Any:
    blobs = service("blob", args)
    return list(
        blobs.list_blobs(args.container_name, prefix=args.prefix, num_results=args.num_results)
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
    blobs = service("blob", args)
    with context.progress(f"Downloading {args.name}") as progress:
        return blobs.get_blob_to_path(
            args.container_name, args.name, args.file, progress_callback=progress
        )


def blob_delete(context: Context, args: Namespace) -> Any:
    service("blob", args).delete_blob(args.container_name, args.name)
    return None


CONTAINER = Arg("container_name", ("--container-name", "-c"), "The container name.", required=True)
_CONTAINER_NAME = Arg("name", ("--name", "-n"), "The container name.", required=True)
_BLOB_NAME = Arg("name", ("--name", "-n"), "The blob name.", required=True)

COMMANDS = (
    data_command(
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
    data_command(
        ("container", "delete"),
        "Delete a blob container.",
        container_delete,
        (_CONTAINER_NAME,),
        "batchai storage container delete -n data --account-name mystorageaccount",
    ),
    data_command(
        ("container", "exists"),
        "Check for the existence of a blob container.",
        container_exists,
        (_CONTAINER_NAME,),
        "batchai storage container exists -n data --account-name mystorageaccount",
    ),
    data_command(
        ("container", "list"),
        "List the blob containers of a storage account.",
        container_list,
        (PREFIX,),
        "batchai storage container list --account-name mystorageaccount -o table",
    ),
    data_command(
        ("blob", "upload"),
        "Upload a file to a blob.",
        blob_upload,
        (
            CONTAINER,
            Arg("file", ("--file", "-f"), "Path of the local file to upload.", required=True),
            _BLOB_NAME,
        ),
        "batchai storage blob upload -c data -f ./train.csv -n mnist/train.csv "
        "--account-name mystorageaccount",
    ),
    data_command(
        ("blob", "upload-batch"),
        "Upload the files of a local directory to a blob container.",
        blob_upload_batch,
        upload_batch_args(
            "The blob container.", "The blob name prefix (virtual directory) to upload into."
        ),
        "batchai storage blob upload-batch -d data -s ./mnist --destination-path mnist "
        "--account-name mystorageaccount",
    ),
    data_command(
        ("blob", "list"),
        "List the blobs of a container.",
        blob_list,
        (
            CONTAINER,
            PREFIX,
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
    data_command(
        ("blob", "download"),
        "Download a blob to a local file.",
        blob_download,
        (
            CONTAINER,
            _BLOB_NAME,
            Arg("file", ("--file", "-f"), "Local path to write to.", required=True),
        ),
        "batchai storage blob download -c data -n mnist/train.csv -f ./train.csv "
        "--account-name mystorageaccount",
    ),
    data_command(
        ("blob", "delete"),
        "Delete a blob.",
        blob_delete,
        (CONTAINER, _BLOB_NAME),
        "batchai storage blob delete -c data -n mnist/old.csv --account-name mystorageaccount",
    ),
)

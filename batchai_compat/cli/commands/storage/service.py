"""What every ``batchai storage`` data command shares: the account options, the legacy service.

``az storage`` took the account as ``--account-name`` / ``--account-key`` (or
``--connection-string``, ``--sas-token``), else from ``AZURE_STORAGE_ACCOUNT`` /
``AZURE_STORAGE_KEY`` / ``AZURE_STORAGE_CONNECTION_STRING`` / ``AZURE_STORAGE_SAS_TOKEN``;
:func:`service` turns them into the legacy ``FileService`` / ``BlockBlobService`` of
:mod:`batchai_compat.storage`, and :func:`data_command` adds those options to a command.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ....exceptions import ValidationError
from ...errors import UsageError
from ...spec import Arg, Command

if TYPE_CHECKING:
    from argparse import Namespace

    from ...context import Context


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

FAIL_ON_EXIST = Arg(
    "fail_on_exist",
    ("--fail-on-exist",),
    "Throw an exception if the resource already exists.",
    action="store_true",
)
PREFIX = Arg("prefix", ("--prefix",), "Filter the results to names beginning with the prefix.")


def data_command(
    words: tuple[str, ...],
    summary: str,
    handler: Any,
    args: tuple[Arg, ...],
    example: str,
    **kw: Any,
) -> Command:
    """A command on a share or container: its ``args``, then the account options."""
    return Command(
        words, summary, handler, (*args, *ACCOUNT_ARGS), examples=((summary, example),), **kw
    )


def upload_batch_args(destination: str, destination_path: str) -> tuple[Arg, ...]:
    """The options of ``file upload-batch`` / ``blob upload-batch`` (with their help texts)."""
    return (
        Arg("destination", ("--destination", "-d"), destination, required=True),
        Arg("source", ("--source", "-s"), "The local directory.", required=True),
        Arg("destination_path", ("--destination-path",), destination_path),
        Arg("pattern", ("--pattern",), "Only files matching this glob pattern."),
    )


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


def service(kind: str, args: Namespace) -> Any:
    """The legacy ``BlockBlobService`` (``kind`` "blob") or ``FileService`` of the options."""
    from ....storage import select_implementation

    if kind == "blob":
        from ....storage.blob import BlockBlobService as cls
    else:
        from ....storage.file import FileService as cls  # type: ignore[assignment]
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


def split_path(path: str) -> tuple[str | None, str]:
    """``(directory or None, file name)`` of a path in a share."""
    directory, _, name = path.strip("/").rpartition("/")
    return directory or None, name


def created(done: bool) -> dict[str, bool]:
    return {"created": done}


@contextlib.contextmanager
def _source_folder(source: str) -> Iterator[None]:
    """az's usage error for a ``--source`` that is not a folder."""
    try:
        yield
    except ValidationError as error:
        if error.parameter != "source":
            raise
        raise UsageError(f"--source: {source} is not a directory") from None


def upload_batch(
    context: Context, args: Namespace, kind: str, upload: Callable[..., Any]
) -> tuple[Any, Any]:
    """``(service, what upload returned)``: an ``upload-batch`` of :mod:`batchai_compat.storage.bulk`."""
    into = service(kind, args)
    with _source_folder(args.source), context.progress(f"Uploading {args.source}") as progress:
        stored = upload(
            into, args.destination, args.source, args.pattern, args.destination_path,
            progress_callback=progress,
        )  # fmt: skip
    return into, stored


def uploaded_url(service: Any, where: str, name: str) -> str:
    """The URL az printed for a blob or file ``upload-batch`` stored in ``where`` (a container
    or share).  A local account's is the address Azure would give it (its ``primaryEndpoints``,
    as ``storage account show`` prints them): the local file service's URL of an item needs a
    SAS to read anything, and making one would start that service for nothing."""
    if service.storage == "local":
        from urllib.parse import quote

        return f"{service.protocol}://{service.primary_endpoint}/{where}/{quote(name)}"
    if hasattr(service, "make_blob_url"):
        return str(service.make_blob_url(where, name))
    return str(service.make_file_url(where, *split_path(name)))

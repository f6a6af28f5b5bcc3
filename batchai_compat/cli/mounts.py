"""Storage and NFS mounts of ``cluster create`` / ``job create``, as ``az batchai`` completed them.

From a ``--config-file`` (on its JSON, before the model is built):

* ``<AZURE_BATCHAI_STORAGE_ACCOUNT>`` is replaced everywhere by the storage account name, and
  ``<AZURE_BATCHAI_STORAGE_KEY>`` by its key in ``credentials.accountKey`` and ``secrets[].value``
  (never elsewhere: a key must not land in a command line);
* an Azure file share without ``accountName`` takes it from its ``azureFileUrl``;
* a share or container of that account without ``credentials`` gets its key, and one of another
  account gets that account's key where it can be known.

The account is ``--storage-account-name`` / ``--storage-account-key``, else
``AZURE_BATCHAI_STORAGE_ACCOUNT`` / ``AZURE_BATCHAI_STORAGE_KEY``.  az looked a missing key up
through Azure Resource Manager; local storage accounts need none (:func:`~batchai_compat.storage.
accounts.account_keys` gives their derived key), Azure ones must be given one.

From the command line: ``--afs-name``, ``--bfs-name`` and ``--nfs`` add a mount at
``--afs-mount-path`` (``afs``), ``--bfs-mount-path`` (``bfs``) or ``--nfs-mount-path`` (``nfs``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import UsageError
from .files import ConfigFile, get_ci, set_ci

if TYPE_CHECKING:
    from argparse import Namespace

    from .context import Context

ENV_ACCOUNT = "AZURE_BATCHAI_STORAGE_ACCOUNT"
ENV_KEY = "AZURE_BATCHAI_STORAGE_KEY"
ACCOUNT_PLACEHOLDER = f"<{ENV_ACCOUNT}>"
KEY_PLACEHOLDER = f"<{ENV_KEY}>"
STORAGE_SUFFIX = "core.windows.net"

MSG_CONFIGURE_ACCOUNT = (
    "Please configure Azure Storage account name via AZURE_BATCHAI_STORAGE_ACCOUNT or "
    "--storage-account-name."
)
MSG_CONFIGURE_KEY = (
    "Please configure Azure Storage account key via AZURE_BATCHAI_STORAGE_KEY or "
    "--storage-account-key."
)


class StorageAccount:
    """The storage account a command's mounts default to, and keys of the accounts they name."""

    def __init__(self, context: Context, name: str | None, key: str | None) -> None:
        self._context = context
        from_env = not name
        self.name = name or os.environ.get(ENV_ACCOUNT) or None
        self.key = key or (os.environ.get(ENV_KEY) if from_env else None) or None
        if self.name and not self.key:
            self.key = self.key_for(self.name)

    def key_for(self, account: str) -> str | None:
        """The key to mount ``account`` with, where it can be known without asking ARM."""
        if self.name == account and self.key:
            return self.key
        if self._context.is_local:
            from ..storage.accounts import account_keys

            try:
                return account_keys(account)[0]
            except ValueError:  # not a storage account name: the mount will say so
                return None
        return None

    def require_name(self) -> str:
        if not self.name:
            raise UsageError(MSG_CONFIGURE_ACCOUNT)
        return self.name

    def require_key(self, account: str, where: str = "") -> str:
        key = self.key_for(account)
        if not key:
            place = f"{where}: " if where else ""
            raise UsageError(
                f"{place}no key for storage account {account!r}. {MSG_CONFIGURE_KEY} "
                f'(Get it with: az storage account keys list -n {account} --query "[0].value" -o tsv)'
            )
        return key


# --------------------------------------------------------------------------------------------
# The file's JSON
# --------------------------------------------------------------------------------------------


def parameters_from_file(
    path: str | None, model: Any, account: StorageAccount
) -> tuple[ConfigFile | None, Any]:
    """``(file, parameters)`` of a ``--config-file`` of ``model`` (unknown fields dropped with a
    warning, placeholders and credentials completed); without a file, empty parameters."""
    if not path:
        return None, model.from_dict({})
    from .files import load
    from .messages import log

    warn = log.warning
    config = load(path, model)
    config.drop_unknown(warn)
    patch_file(config, account, warn)
    return config, config.build()


def patch_file(config: ConfigFile, account: StorageAccount, warn: Any) -> None:
    """Placeholders and mount credentials of ``config``'s JSON, in place (see the docstring)."""
    _replace_account(config, config.data, account, "")
    properties = config.properties
    node_setup = get_ci(properties, "nodeSetup")
    for holder, path in (
        (properties, ("mountVolumes",)),
        (node_setup, ("nodeSetup", "mountVolumes")),
    ):
        volumes = get_ci(holder, "mountVolumes")
        if isinstance(volumes, dict):
            _patch_volumes(config, volumes, account, path)
    for index, secret in enumerate(get_ci(properties, "secrets") or []):
        if isinstance(secret, dict) and get_ci(secret, "value") == KEY_PLACEHOLDER:
            set_ci(secret, "value", _placeholder_key(config, account, ("secrets", index)))
    for where in _key_placeholders_left(config.data, ""):
        warn(
            f"{config.path}: {KEY_PLACEHOLDER} at {where} is left as it is (it is replaced in "
            "credentials.accountKey and secrets[].value only)"
        )


def _replace_account(config: ConfigFile, node: Any, account: StorageAccount, where: str) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _replace_account(config, value, account, f"{where}.{key}".lstrip("."))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            node[index] = _replace_account(config, value, account, f"{where}[{index}]")
    elif isinstance(node, str) and ACCOUNT_PLACEHOLDER in node:
        if not account.name:
            raise config.error(where, MSG_CONFIGURE_ACCOUNT)
        return node.replace(ACCOUNT_PLACEHOLDER, account.name)
    return node


def _key_placeholders_left(node: Any, where: str) -> list[str]:
    if isinstance(node, dict):
        return [
            found
            for key, value in node.items()
            for found in _key_placeholders_left(value, f"{where}.{key}".lstrip("."))
        ]
    if isinstance(node, list):
        return [
            found
            for index, value in enumerate(node)
            for found in _key_placeholders_left(value, f"{where}[{index}]")
        ]
    return [where] if isinstance(node, str) and KEY_PLACEHOLDER in node else []


def _placeholder_key(
    config: ConfigFile, account: StorageAccount, parts: tuple[str | int, ...]
) -> str:
    if not account.key:
        raise config.error(config.json_path(*parts), MSG_CONFIGURE_KEY)
    return account.key


def _patch_volumes(
    config: ConfigFile,
    volumes: dict[str, Any],
    account: StorageAccount,
    path: tuple[str, ...],
) -> None:
    for kind in ("azureFileShares", "azureBlobFileSystems"):
        references = get_ci(volumes, kind)
        if not isinstance(references, list):
            continue
        for index, reference in enumerate(references):
            if not isinstance(reference, dict):
                continue
            where = config.json_path(*path, kind, index)
            place = f"{config.path}: {where}"
            name = get_ci(reference, "accountName")
            if not name and kind == "azureFileShares":
                name = _account_of_url(get_ci(reference, "azureFileUrl"))
                if not name:
                    raise config.error(where, "no accountName and no valid azureFileUrl")
                set_ci(reference, "accountName", name)
            if not name:
                raise config.error(where, "no accountName")
            credentials = get_ci(reference, "credentials")
            if isinstance(credentials, dict):
                if get_ci(credentials, "accountKey") == KEY_PLACEHOLDER:
                    set_ci(credentials, "accountKey", account.require_key(name, place))
                if get_ci(credentials, "accountKey") or get_ci(
                    credentials, "accountKeySecretReference"
                ):
                    continue
            set_ci(reference, "credentials", {"accountKey": account.require_key(name, place)})


def _account_of_url(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    host = urlsplit(url).netloc
    account, dot, _ = host.partition(".")
    return account if dot and account else None


# --------------------------------------------------------------------------------------------
# Command-line mounts
# --------------------------------------------------------------------------------------------


def add_option_mounts(
    volumes: Any, args: Namespace, account: StorageAccount, nfs_id: str | None
) -> Any:
    """``volumes`` (a ``MountVolumes`` or None) plus the mounts of ``--afs-name`` / ``--bfs-name``
    / ``--nfs`` (``nfs_id``: the file server's id); None when there is nothing to mount."""
    from .. import models

    if not (args.azure_file_share or args.container_name or nfs_id):
        return volumes
    volumes = volumes or models.MountVolumes()
    if nfs_id:
        if not args.nfs_mount_path:
            raise UsageError("File server relative mount path cannot be empty.")
        volumes.file_servers = [
            *(volumes.file_servers or []),
            models.FileServerReference(
                file_server=models.ResourceId(id=nfs_id),
                relative_mount_path=args.nfs_mount_path,
                mount_options="rw",
            ),
        ]
    if args.azure_file_share:
        if not args.afs_mount_path:
            raise UsageError("Azure File share relative mount path cannot be empty.")
        name = account.require_name()
        volumes.azure_file_shares = [
            *(volumes.azure_file_shares or []),
            models.AzureFileShareReference(
                account_name=name,
                azure_file_url=f"https://{name}.file.{STORAGE_SUFFIX}/{args.azure_file_share}",
                credentials=models.AzureStorageCredentialsInfo(
                    account_key=account.require_key(name)
                ),
                relative_mount_path=args.afs_mount_path,
            ),
        ]
    if args.container_name:
        if not args.container_mount_path:
            raise UsageError("Azure Storage Container relative mount path cannot be empty.")
        name = account.require_name()
        volumes.azure_blob_file_systems = [
            *(volumes.azure_blob_file_systems or []),
            models.AzureBlobFileSystemReference(
                account_name=name,
                container_name=args.container_name,
                credentials=models.AzureStorageCredentialsInfo(
                    account_key=account.require_key(name)
                ),
                relative_mount_path=args.container_mount_path,
            ),
        ]
    return volumes

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

Layout: :mod:`.service` (the account options and the legacy service they open),
:mod:`.accounts` (``storage account create | show | list | delete | keys list``: local accounts,
:mod:`batchai_compat.storage.accounts`; Azure accounts are ARM's, ``az storage account``),
:mod:`.shares` (``share``, ``directory``, ``file``) and :mod:`.blobs` (``container``, ``blob``).
"""

from __future__ import annotations

from ...spec import Area
from . import accounts, blobs, shares

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
    commands=(*accounts.COMMANDS, *shares.COMMANDS, *blobs.COMMANDS),
)

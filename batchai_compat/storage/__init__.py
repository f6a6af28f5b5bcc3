"""The legacy Azure Storage clients old Batch AI notebooks use, on local folders or Azure Storage.

Every Batch AI recipe uploads its scripts and data with ``azure.storage.file.FileService`` or
``azure.storage.blob.BlockBlobService`` (azure-storage 0.36 / azure-storage-blob and -file 1.x),
which today's azure-storage packages no longer have.  This package brings them back with the
same constructors, methods and return values:

* :class:`~batchai_compat.storage.blob.BlockBlobService` (``batchai_compat.storage.blob``,
  aliased as ``azure.storage.blob`` names by :mod:`batchai_compat.install`);
* :class:`~batchai_compat.storage.file.FileService` (``batchai_compat.storage.file``, aliased as
  ``azure.storage.file``), with ``FilePermissions`` and ``models.File``.

Two implementations stand behind each face:

``local``
    The local backend's per-account folders under ``$BATCHAI_COMPAT_HOME/storage/<account>/``
    (``blob/<container>`` and ``file/<share>``) — the same folders a local job mounts, so what a
    notebook uploads the job sees under ``$AZ_BATCHAI_JOB_MOUNT_ROOT/<relative_mount_path>``.
    SAS URLs are loopback ``http://127.0.0.1:<port>/...`` URLs served (with ``Range``) by the
    local file server while the SAS is valid.
``azure``
    Azure Storage through azure-storage-blob / azure-storage-file-share v12
    (``pip install "batchai-compat[storage]"``): account name + key, SAS token, connection string,
    custom domain or ``is_emulated`` (Azurite works with a connection string naming its
    ``BlobEndpoint``).

Which one a service uses, first match wins:

1. the ``storage="local" | "azure"`` keyword of the constructor;
2. the ``BATCHAI_COMPAT_STORAGE`` environment variable (``local`` or ``azure``);
3. an explicit endpoint (``is_emulated=True``, ``custom_domain``, or a connection string with
   ``BlobEndpoint`` / ``FileEndpoint``, e.g. Azurite) → Azure Storage at that endpoint;
4. the selected Batch AI backend, ``BATCHAI_COMPAT_BACKEND`` (default ``local``): ``local`` →
   local folders, any other (``azureml``) → Azure Storage.  Plain account name + key, as the
   recipes pass them, follow the backend.

Account keys, SAS tokens and connection strings never appear in ``repr()``, logs or errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._account import ENV_STORAGE, select_implementation

if TYPE_CHECKING:
    from .blob import BlockBlobService
    from .file import FileService

__all__ = ["ENV_STORAGE", "BlockBlobService", "FileService", "select_implementation"]


def __getattr__(name: str) -> Any:
    if name == "BlockBlobService":
        from .blob import BlockBlobService

        return BlockBlobService
    if name == "FileService":
        from .file import FileService

        return FileService
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

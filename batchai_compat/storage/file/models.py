"""``azure.storage.file.models`` of the legacy SDK: the file-share value objects old code imports.

Helper modules test listing entries with ``isinstance(f, azure.storage.file.models.File)``;
after :mod:`batchai_compat.install` that is this module's :class:`File`.
"""

from .._models import (
    ContentSettings,
    CopyProperties,
    DeleteSnapshot,
    Directory,
    DirectoryProperties,
    File,
    FilePermissions,
    FileProperties,
    ListGenerator,
    Share,
    SharePermissions,
    ShareProperties,
)

__all__ = [
    "ContentSettings",
    "CopyProperties",
    "DeleteSnapshot",
    "Directory",
    "DirectoryProperties",
    "File",
    "FilePermissions",
    "FileProperties",
    "ListGenerator",
    "Share",
    "SharePermissions",
    "ShareProperties",
]

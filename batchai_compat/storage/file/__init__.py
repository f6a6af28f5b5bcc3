"""``azure.storage.file`` of the legacy SDK: ``FileService``, ``FilePermissions`` and ``models``.

After :mod:`batchai_compat.install`, ``from azure.storage.file import FileService`` and
``import azure.storage.file.models`` give these (the v12 Azure Files package is
``azure.storage.fileshare``, which stays untouched).
"""

from . import models
from .fileservice import FileService
from .models import (
    ContentSettings,
    CopyProperties,
    DeleteSnapshot,
    Directory,
    DirectoryProperties,
    File,
    FilePermissions,
    FileProperties,
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
    "FileService",
    "Share",
    "SharePermissions",
    "ShareProperties",
    "models",
]

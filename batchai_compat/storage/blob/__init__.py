"""``azure.storage.blob`` of the legacy SDK: ``BlockBlobService`` and its value objects.

After :mod:`batchai_compat.install`, ``from azure.storage.blob import BlockBlobService`` gives
:class:`~batchai_compat.storage.blob.blockblobservice.BlockBlobService` (the real v12 names of
``azure.storage.blob`` keep working beside it).
"""

from . import models
from .baseblobservice import BaseBlobService
from .blockblobservice import BlockBlobService
from .models import (
    Blob,
    BlobPermissions,
    BlobPrefix,
    BlobProperties,
    Container,
    ContainerPermissions,
    ContainerProperties,
    ContentSettings,
    CopyProperties,
    DeleteSnapshot,
    Include,
    LeaseProperties,
    PublicAccess,
    ResourceProperties,
)

__all__ = [
    "BaseBlobService",
    "Blob",
    "BlobPermissions",
    "BlobPrefix",
    "BlobProperties",
    "BlockBlobService",
    "Container",
    "ContainerPermissions",
    "ContainerProperties",
    "ContentSettings",
    "CopyProperties",
    "DeleteSnapshot",
    "Include",
    "LeaseProperties",
    "PublicAccess",
    "ResourceProperties",
    "models",
]

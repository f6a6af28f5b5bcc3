"""``azure.storage.blob.models`` of the legacy SDK: the blob value objects old code imports."""

from .._models import (
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
    ListGenerator,
    PublicAccess,
    ResourceProperties,
)

__all__ = [
    "Blob",
    "BlobPermissions",
    "BlobPrefix",
    "BlobProperties",
    "Container",
    "ContainerPermissions",
    "ContainerProperties",
    "ContentSettings",
    "CopyProperties",
    "DeleteSnapshot",
    "Include",
    "LeaseProperties",
    "ListGenerator",
    "PublicAccess",
    "ResourceProperties",
]

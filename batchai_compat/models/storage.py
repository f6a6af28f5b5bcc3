"""Storage mounts: Azure File shares, Azure Blob containers (blobfuse), Batch AI file servers and
unmanaged file systems, and the storage account credentials they carry.

``MountVolumes`` is used by ``NodeSetup`` (cluster-level mounts under
``$AZ_BATCHAI_MOUNT_ROOT``) and by ``JobCreateParameters`` (job-level mounts under
``$AZ_BATCHAI_JOB_MOUNT_ROOT``).
"""

from ._base import Model, field
from .common import KeyVaultSecretReference, ResourceId

__all__ = [
    "AzureStorageCredentialsInfo",
    "AzureFileShareReference",
    "AzureBlobFileSystemReference",
    "FileServerReference",
    "UnmanagedFileSystemReference",
    "MountVolumes",
]


class AzureStorageCredentialsInfo(Model):
    """A storage account key, inline (secret) or in Key Vault."""

    account_key: str | None = field("accountKey", default=None, secret=True)
    account_key_secret_reference: KeyVaultSecretReference | None = field(
        "accountKeySecretReference", default=None
    )


class AzureFileShareReference(Model):
    """An Azure File share mounted on the nodes at ``relative_mount_path``."""

    account_name: str = field("accountName")
    azure_file_url: str = field("azureFileUrl")
    credentials: AzureStorageCredentialsInfo = field("credentials")
    relative_mount_path: str = field("relativeMountPath")
    file_mode: str | None = field("fileMode", default="0777")
    directory_mode: str | None = field("directoryMode", default="0777")


class AzureBlobFileSystemReference(Model):
    """An Azure Blob container mounted with blobfuse at ``relative_mount_path``."""

    account_name: str = field("accountName")
    container_name: str = field("containerName")
    credentials: AzureStorageCredentialsInfo = field("credentials")
    relative_mount_path: str = field("relativeMountPath")
    mount_options: str | None = field("mountOptions", default=None)


class FileServerReference(Model):
    """A Batch AI file server (NFS) mounted at ``relative_mount_path``."""

    file_server: ResourceId = field("fileServer")
    source_directory: str | None = field("sourceDirectory", default=None)
    relative_mount_path: str = field("relativeMountPath")
    mount_options: str | None = field("mountOptions", default=None)


class UnmanagedFileSystemReference(Model):
    """Any file system mounted by running ``mount_command`` on the node."""

    mount_command: str = field("mountCommand")
    relative_mount_path: str = field("relativeMountPath")


class MountVolumes(Model):
    """Everything mounted for a cluster (``NodeSetup``) or a job."""

    azure_file_shares: list[AzureFileShareReference] | None = field("azureFileShares", default=None)
    azure_blob_file_systems: list[AzureBlobFileSystemReference] | None = field(
        "azureBlobFileSystems", default=None
    )
    file_servers: list[FileServerReference] | None = field("fileServers", default=None)
    unmanaged_file_systems: list[UnmanagedFileSystemReference] | None = field(
        "unmanagedFileSystems", default=None
    )

"""File servers: Batch AI-managed NFS servers that clusters and jobs mount.

Neither the local backend nor Azure ML has a managed NFS server; backends say so clearly.
"""

from datetime import datetime

from ._base import Model, field, readonly
from .common import ProxyResource, ResourceId, UserAccountSettings
from .enums import CachingType, FileServerProvisioningState, StorageAccountType

__all__ = [
    "SshConfiguration",
    "DataDisks",
    "MountSettings",
    "FileServer",
    "FileServerCreateParameters",
    "FileServersListByWorkspaceOptions",
]


class SshConfiguration(Model):
    """SSH access to a file server: the admin account and the IPs allowed to connect."""

    public_ips_to_allow: list[str] | None = field("publicIPsToAllow", default=None)
    user_account_settings: UserAccountSettings = field("userAccountSettings")


class DataDisks(Model):
    """The managed data disks of a file server."""

    disk_size_in_gb: int = field("diskSizeInGB")
    caching_type: CachingType | None = field("cachingType", default=CachingType.none)
    disk_count: int = field("diskCount")
    storage_account_type: StorageAccountType = field("storageAccountType", wire="str")


class MountSettings(Model):
    """Where a file server's share is mounted from: mount point and IP addresses."""

    mount_point: str | None = field("mountPoint", default=None)
    file_server_public_ip: str | None = field("fileServerPublicIP", default=None)
    file_server_internal_ip: str | None = field("fileServerInternalIP", default=None)


class FileServer(ProxyResource):
    """A file server as the service returns it."""

    vm_size: str | None = field("properties.vmSize", default=None)
    ssh_configuration: SshConfiguration | None = field("properties.sshConfiguration", default=None)
    data_disks: DataDisks | None = field("properties.dataDisks", default=None)
    subnet: ResourceId | None = field("properties.subnet", default=None)
    mount_settings: MountSettings | None = readonly("properties.mountSettings")
    provisioning_state_transition_time: datetime | None = readonly(
        "properties.provisioningStateTransitionTime"
    )
    creation_time: datetime | None = readonly("properties.creationTime")
    provisioning_state: FileServerProvisioningState | None = readonly(
        "properties.provisioningState", wire="str"
    )


class FileServerCreateParameters(Model):
    """The body of ``file_servers.create``."""

    vm_size: str = field("properties.vmSize")
    ssh_configuration: SshConfiguration = field("properties.sshConfiguration")
    data_disks: DataDisks = field("properties.dataDisks")
    subnet: ResourceId | None = field("properties.subnet", default=None)


class FileServersListByWorkspaceOptions(Model):
    """Query options of ``file_servers.list_by_workspace``."""

    max_results: int | None = field("", default=1000)

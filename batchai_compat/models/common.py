"""Models shared by several Batch AI resource families.

ARM resource envelopes (``Resource``, ``ProxyResource``), references (``ResourceId``,
``KeyVaultSecretReference``), errors (``BatchAIError``, ``NameValuePair``), environment variables
(plain and secret) and the admin ``UserAccountSettings`` of clusters and file servers.
"""

from ._base import Model, field, readonly

__all__ = [
    "Resource",
    "ProxyResource",
    "ResourceId",
    "KeyVaultSecretReference",
    "NameValuePair",
    "BatchAIError",
    "EnvironmentVariable",
    "EnvironmentVariableWithSecretValue",
    "UserAccountSettings",
]


class Resource(Model):
    """A tracked ARM resource (has a location and tags): the base of ``Workspace``."""

    id: str | None = readonly("id")
    name: str | None = readonly("name")
    type: str | None = readonly("type")
    location: str | None = readonly("location")
    tags: dict[str, str] | None = readonly("tags")


class ProxyResource(Model):
    """An ARM child resource (cluster, file server, experiment, job): id, name and type."""

    id: str | None = readonly("id")
    name: str | None = readonly("name")
    type: str | None = readonly("type")


class ResourceId(Model):
    """A reference to another resource by its ARM id (a job's cluster, a subnet, ...)."""

    id: str = field("id")


class KeyVaultSecretReference(Model):
    """A secret kept in Azure Key Vault instead of being sent inline."""

    source_vault: ResourceId = field("sourceVault")
    secret_url: str = field("secretUrl")


class NameValuePair(Model):
    """A name/value detail of a ``BatchAIError``."""

    name: str | None = field("name", default=None)
    value: str | None = field("value", default=None)


class BatchAIError(Model):
    """An error the service reports on a cluster, node or job."""

    code: str | None = readonly("code")
    message: str | None = readonly("message")
    details: list[NameValuePair] | None = readonly("details")


class EnvironmentVariable(Model):
    """An environment variable exported to a job or a node setup task."""

    name: str = field("name")
    value: str = field("value")


class EnvironmentVariableWithSecretValue(Model):
    """A secret environment variable: its value is never reported back (nor shown in reprs)."""

    name: str = field("name")
    value: str | None = field("value", default=None, secret=True)
    value_secret_reference: KeyVaultSecretReference | None = field(
        "valueSecretReference", default=None
    )


class UserAccountSettings(Model):
    """The admin account created on every cluster node or file server VM."""

    admin_user_name: str = field("adminUserName")
    admin_user_ssh_public_key: str | None = field("adminUserSshPublicKey", default=None)
    admin_user_password: str | None = field("adminUserPassword", default=None, secret=True)

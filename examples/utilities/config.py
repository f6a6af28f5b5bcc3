"""The recipes' ``configuration.json``: ``Configuration``, ``create_batchai_client``,
``create_resource_group``.

Batch AI's recipe notebooks read one JSON file (subscription, AAD service principal, location,
resource group, workspace, storage account, cluster admin user) and built the management client
from it.  This is our own implementation of those helpers, with their names and signatures.
They import ``azure.mgmt.batchai`` as the originals did: after ``import batchai_compat.install``
that name is ``batchai_compat``, and the same code runs on its ``local`` or ``azureml`` backend.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import azure.mgmt.batchai as training


def _text(conf: Any, *keys: str, required: bool = True) -> str | None:
    value = conf
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            if required:
                raise AttributeError(
                    'Please provide a value for "{}" configuration key'.format(".".join(keys))
                )
            return None
        value = value[key]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AttributeError('Configuration key "{}" must be a string'.format(".".join(keys)))
    return value


class Configuration:
    """Configuration for the recipes and notebooks, read from a ``configuration.json``.

    Keys (as in the Batch AI recipes): ``subscription_id``, ``aad_client_id``, ``aad_secret``,
    ``aad_tenant``, ``location``, ``base_url``, ``resource_group``, ``workspace``,
    ``storage_account.name`` / ``.key``, ``admin_user.name`` / ``.password`` /
    ``.ssh_public_key`` (a password or a key is required), optional ``container_registry.user``
    / ``.password`` / ``.secret_url`` and ``keyvault_id``.

    Secret values (``aad_secret_key``, ``storage_account_key``, ``admin_password``,
    ``container_registry_password``) are attributes, as old code reads them, but never appear in
    ``repr()``.
    """

    _SECRETS = (
        "aad_secret_key",
        "storage_account_key",
        "admin_password",
        "container_registry_password",
    )

    def __init__(self, file_name: str) -> None:
        if not os.path.exists(file_name):
            raise ValueError(f'Cannot find configuration file "{file_name}"')
        with open(file_name) as f:
            conf = json.load(f)
        self.subscription_id = _text(conf, "subscription_id")
        self.aad_client_id = _text(conf, "aad_client_id")
        self.aad_secret_key = _text(conf, "aad_secret")
        self.aad_tenant = _text(conf, "aad_tenant")
        self.aad_token_uri = f"https://login.microsoftonline.com/{self.aad_tenant}/oauth2/token"
        self.location = _text(conf, "location")
        self.url = _text(conf, "base_url")
        self.resource_group = _text(conf, "resource_group")
        self.workspace = _text(conf, "workspace")
        self.storage_account_name = _text(conf, "storage_account", "name")
        self.storage_account_key = _text(conf, "storage_account", "key")
        self.admin = _text(conf, "admin_user", "name")
        self.admin_password = _text(conf, "admin_user", "password", required=False)
        self.admin_ssh_key = _text(conf, "admin_user", "ssh_public_key", required=False)
        self.container_registry_user = _text(conf, "container_registry", "user", required=False)
        self.container_registry_password = _text(
            conf, "container_registry", "password", required=False
        )
        self.container_registry_secret_url = _text(
            conf, "container_registry", "secret_url", required=False
        )
        self.keyvault_id = _text(conf, "keyvault_id", required=False)
        if not self.admin_password and not self.admin_ssh_key:
            raise AttributeError("Please provide admin user password or public ssh key")

    def __repr__(self) -> str:
        shown = {
            k: ("***" if k in self._SECRETS and v else v) for k, v in sorted(vars(self).items())
        }
        return "Configuration({})".format(", ".join(f"{k}={v!r}" for k, v in shown.items()))


class ServicePrincipalCredentials:
    """AAD service-principal credentials (client id + secret), fetched on first use.

    Stands for ``azure.common.credentials.ServicePrincipalCredentials``, which the recipes passed
    to ``BatchAIManagementClient``.  That class asked AAD for a token as soon as it was built;
    this one waits until a backend really needs a token (the ``local`` backend never does), so
    building a client works offline.  It offers both token interfaces a backend may use:
    azure-core's ``get_token(*scopes)`` and msrest's ``signed_session()``.  The secret never
    appears in ``repr()``.
    """

    def __init__(
        self,
        client_id: str | None,
        secret: str | None,
        token_uri: str,
        resource: str = "https://management.core.windows.net/",
    ) -> None:
        self.client_id = client_id
        self._secret = secret
        self.token_uri = token_uri
        self.resource = resource
        self._tokens: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ServicePrincipalCredentials(client_id={self.client_id!r}, token_uri={self.token_uri!r})"

    def _fetch(self, resource: str) -> tuple[str, int]:
        import requests

        response = requests.post(
            self.token_uri,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret,
                "resource": resource,
            },
            timeout=60,
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"AAD refused a token for client {self.client_id} (HTTP {response.status_code})"
            )
        body = response.json()
        expires_on = int(body.get("expires_on") or time.time() + int(body.get("expires_in", 3600)))
        return body["access_token"], expires_on

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """azure-core ``TokenCredential``: an ``AccessToken(token, expires_on)`` for a scope."""
        from azure.core.credentials import AccessToken

        scope = scopes[0] if scopes else self.resource + ".default"
        resource = scope[: -len("/.default")] if scope.endswith("/.default") else scope
        with self._lock:
            token, expires_on = self._tokens.get(resource, (None, 0))
            if token is None or expires_on - 300 < time.time():
                token, expires_on = self._fetch(resource)
                self._tokens[resource] = (token, expires_on)
        return AccessToken(token, expires_on)

    def signed_session(self, session: Any = None) -> Any:
        """msrest ``Authentication``: a ``requests.Session`` carrying the bearer token."""
        import requests

        session = session or requests.Session()
        token = self.get_token(self.resource).token
        session.headers["Authorization"] = f"Bearer {token}"
        return session


def create_batchai_client(configuration: Configuration) -> Any:
    """A ``BatchAIManagementClient`` for the configured subscription and service principal."""
    client = training.BatchAIManagementClient(
        credentials=ServicePrincipalCredentials(
            client_id=configuration.aad_client_id,
            secret=configuration.aad_secret_key,
            token_uri=configuration.aad_token_uri,
        ),
        subscription_id=configuration.subscription_id,
        base_url=configuration.url,
    )
    return client


def create_resource_group(configuration: Configuration) -> None:
    """Make sure the configured resource group can hold the recipe's workspace.

    The recipes created it through Azure Resource Manager before creating the workspace.  With
    batchai_compat, ``client.workspaces.create(resource_group, ...)`` creates it: on the
    ``local`` backend a resource group is a folder level of the control plane, and on
    ``azureml`` the workspace is created with its resource group.  So there is nothing to create
    here; the name is checked against ARM's rule so that a bad one fails now, clearly.
    """
    name = configuration.resource_group
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.()")
    if not name or len(name) > 90 or name.endswith(".") or not set(name) <= allowed:
        raise ValueError(
            f"resource_group {name!r}: 1-90 letters, digits, '-', '_', '.', '(' or ')', "
            "not ending with '.'"
        )
    print(f"Resource group {name!r} in {configuration.location}: created with the workspace")

"""The secret fields of Batch AI's models, and documents with and without them.

Batch AI accepted five kinds of secret in its request bodies and never returned them:
storage account keys, admin passwords, private registry passwords, Application Insights
instrumentation keys and the values of secret environment variables.  :data:`SECRET_FIELDS`
lists them once (a test checks it against every model field declared ``secret=True`` and
against the genuine 2.0.0 models); backends use it to refuse persisting a secret
(:func:`secret_paths`) and to build what may be shown or stored (:func:`without_secrets`).

Documents are plain data, snake_case (``as_dict()``) or REST (camelCase): a secret is a key
named after a secret field, or the ``value`` of an item of a ``secrets`` list (the
``EnvironmentVariableWithSecretValue`` of ``JobCreateParameters.secrets`` and
``SetupTask.secrets``; plain environment variables also have a ``value``, which is not secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["SECRET_FIELDS", "SECRET_KEYS", "SecretField", "secret_paths", "without_secrets"]


class SecretField(NamedTuple):
    """A model field that holds a secret: its model, Python name and REST key."""

    model: str
    name: str
    rest_key: str


SECRET_FIELDS: tuple[SecretField, ...] = (
    SecretField("AzureStorageCredentialsInfo", "account_key", "accountKey"),
    SecretField("UserAccountSettings", "admin_user_password", "adminUserPassword"),
    SecretField("PrivateRegistryCredentials", "password", "password"),
    SecretField("AppInsightsReference", "instrumentation_key", "instrumentationKey"),
    SecretField("EnvironmentVariableWithSecretValue", "value", "value"),
)

#: The model whose ``value`` is secret, and the list field that holds it.
_SECRET_ITEM_MODEL = "EnvironmentVariableWithSecretValue"
SECRET_LIST = "secrets"

#: Keys (snake_case and REST) that hold a secret wherever they appear.
SECRET_KEYS = frozenset(
    key for f in SECRET_FIELDS if f.model != _SECRET_ITEM_MODEL for key in (f.name, f.rest_key)
)


def _secret_item_keys(key: str, value: Any) -> bool:
    return key == SECRET_LIST and isinstance(value, list)


def secret_paths(document: Any, path: str = "") -> list[str]:
    """Dotted paths of every secret value (not None) left in ``document``."""
    found: list[str] = []
    if isinstance(document, Mapping):
        for key, value in document.items():
            where = f"{path}.{key}" if path else str(key)
            if key in SECRET_KEYS and value is not None:
                found.append(where)
                continue
            if _secret_item_keys(key, value):
                for index, item in enumerate(value):
                    if isinstance(item, Mapping) and item.get("value") is not None:
                        found.append(f"{where}[{index}].value")
            found.extend(secret_paths(value, where))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            found.extend(secret_paths(item, f"{path}[{index}]"))
    return found


def without_secrets(document: Any) -> Any:
    """A copy of ``document`` with every secret key removed (the objects that held them stay:
    ``credentials: {}``, secret variables by name only)."""
    if isinstance(document, Mapping):
        result = {}
        for key, value in document.items():
            if key in SECRET_KEYS:
                continue
            if _secret_item_keys(key, value):
                value = [
                    {k: v for k, v in item.items() if k != "value"}
                    if isinstance(item, Mapping)
                    else item
                    for item in value
                ]
            result[key] = without_secrets(value)
        return result
    if isinstance(document, list):
        return [without_secrets(item) for item in document]
    return document

"""The Batch AI client's credentials as azureml-core authentication.

Accepted (``docs/azureml.md``): an azureml authentication object (used as is), an azure-identity
credential (``get_token``), or the msrestazure / msrest credentials Batch AI scripts used
(``ServicePrincipalCredentials``...), through the shared
:func:`~.._azureml_common.credentials.token_credential`.
"""

from __future__ import annotations

from typing import Any

from azureml.core.authentication import AbstractAuthentication

from .._azureml_common.credentials import token_credential
from ._private import CredentialAuthentication

__all__ = ["azureml_auth"]


def azureml_auth(credentials: Any, subscription_id: str) -> AbstractAuthentication:
    """Whatever the Batch AI client was given -> an azureml ``AbstractAuthentication``."""
    if isinstance(credentials, AbstractAuthentication):
        return credentials
    return CredentialAuthentication(token_credential(credentials, "azureml"), subscription_id)

"""The Batch AI client's credentials as an azure-core ``TokenCredential``.

Batch AI scripts built their client with msrestazure / msrest credentials
(``ServicePrincipalCredentials``, ``UserPassCredentials``, ``BasicTokenAuthentication``...: one
ARM token, refreshed by ``signed_session()``); newer code passes an azure-identity credential
(``get_token(*scopes)``).  Azure ML SDKs want the latter: :func:`token_credential` returns it as
is, or wraps a track-1 credential in :class:`LegacyTokenCredential`.  Secrets are never shown:
the wrapper's ``repr`` names only the wrapped type.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from ...exceptions import ValidationError

__all__ = ["LegacyTokenCredential", "token_credential"]

#: How long a token read from a track-1 credential is trusted when it carries no expiry.
_DEFAULT_LIFETIME = 300


class _AccessToken(NamedTuple):  # azure.core.credentials.AccessToken's shape
    token: str
    expires_on: int


def _access_token(token: str, expires_on: int) -> Any:
    try:
        from azure.core.credentials import AccessToken
    except ImportError:
        return _AccessToken(token, expires_on)
    return AccessToken(token, expires_on)


class LegacyTokenCredential:
    """A msrest / msrestazure credential as a ``TokenCredential``.

    Such a credential holds a token for one resource (ARM for a Batch AI client), refreshed
    through ``signed_session()`` each time it is asked for.  By default that token is returned
    for every scope; with ``switch_resource`` a credential that can sign in to another resource
    (msrestazure's service principals: ``resource`` and ``set_token()``) is switched to the
    scope's resource first.
    """

    def __init__(self, credentials: Any, switch_resource: bool = False) -> None:
        self._credentials = credentials
        self._switch_resource = switch_resource

    def __repr__(self) -> str:
        return f"LegacyTokenCredential({type(self._credentials).__name__})"

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        credential = self._credentials
        resource = scopes[0].removesuffix("/.default") if scopes else None
        if (
            self._switch_resource
            and resource
            and hasattr(credential, "resource")
            and hasattr(credential, "set_token")
            and str(credential.resource).rstrip("/") != resource.rstrip("/")
        ):
            credential.resource = resource
            credential.set_token()
        session = credential.signed_session()
        token = getattr(credential, "token", None)
        if isinstance(token, dict) and token.get("access_token"):
            expires = token.get("expires_on")
            try:
                expires_on = int(float(expires)) if expires is not None else 0
            except (TypeError, ValueError):
                expires_on = 0
            return _access_token(
                str(token["access_token"]), expires_on or int(time.time()) + _DEFAULT_LIFETIME
            )
        header = str(getattr(session, "headers", {}).get("Authorization", ""))
        value = header.split(" ", 1)[1] if " " in header else header
        return _access_token(value, int(time.time()) + _DEFAULT_LIFETIME)

    def close(self) -> None:
        return None


def token_credential(credentials: Any, backend: str, switch_resource: bool = False) -> Any:
    """``credentials`` as a ``TokenCredential`` (azure-identity ones unchanged); anything else
    is a :class:`~batchai_compat.exceptions.ValidationError` naming ``backend``."""
    if callable(getattr(credentials, "get_token", None)):
        return credentials
    if callable(getattr(credentials, "signed_session", None)):
        return LegacyTokenCredential(credentials, switch_resource)
    raise ValidationError(
        "credentials",
        "must be an azure-identity / azure-core TokenCredential or a msrest(azure) credential "
        f"for the {backend!r} backend",
    )

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

__all__ = ["LegacyTokenCredential", "is_supported", "token_credential"]

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


def is_supported(credentials: Any) -> bool:
    """An azure-identity credential (``get_token``) or a msrest one (``signed_session``)."""
    return callable(getattr(credentials, "get_token", None)) or callable(
        getattr(credentials, "signed_session", None)
    )


class LegacyTokenCredential:
    """A msrest / msrestazure credential as a ``TokenCredential``.

    Such a credential holds a token for one resource (ARM for a Batch AI client): that token is
    returned for every scope, refreshed through ``signed_session()`` each time it is asked for.
    """

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials

    def __repr__(self) -> str:
        return f"LegacyTokenCredential({type(self._credentials).__name__})"

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        session = self._credentials.signed_session()
        token = getattr(self._credentials, "token", None)
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


def token_credential(credentials: Any) -> Any:
    """``credentials`` as a ``TokenCredential`` (azure-identity ones unchanged)."""
    if callable(getattr(credentials, "get_token", None)):
        return credentials
    if callable(getattr(credentials, "signed_session", None)):
        return LegacyTokenCredential(credentials)
    raise TypeError(
        "expected an azure-identity credential (get_token) or a msrestazure credential "
        "(signed_session)"
    )

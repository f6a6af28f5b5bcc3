"""Blob storage's answers to how a request is signed, for the Azure ML fakes (v1 and v2).

Both fakes serve the workspace storage account's blobs and check what the SDKs send as Blob
storage does: Shared Key (``Authorization: SharedKey <account>:<signature>``, an HMAC-SHA256 of
the canonical request with the account key) and refusals as Blob storage's XML error with the
code also in ``x-ms-error-code``.  Written once here; each fake decides which account and key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

__all__ = ["shared_key_signature", "shared_key_signed", "storage_error"]

#: The standard headers of Shared Key's string to sign, in its order.
_STANDARD_HEADERS = (
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
)


def storage_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], str]:
    """Blob storage refusing a request: its XML error, the code also in ``x-ms-error-code``."""
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error>"
    )
    return status, {"x-ms-error-code": code, "Content-Type": "application/xml"}, body


def shared_key_signature(request: Any, account: str, key: str) -> str:
    """The Shared Key signature of ``request`` (a ``requests.PreparedRequest``) with
    ``account``'s base64 ``key`` (Blob service version 2015-02-21 and later)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    if headers.get("content-length") == "0":
        del headers["content-length"]
    parts = urlsplit(request.url)
    canonical_headers = "".join(
        f"{k}:{v}\n" for k, v in sorted(headers.items()) if k.startswith("x-ms-")
    )
    canonical_query = "".join(
        f"\n{name.lower()}:{','.join(sorted(values))}"
        for name, values in sorted(parse_qs(parts.query, keep_blank_values=True).items())
    )
    to_sign = (
        f"{request.method}\n"
        + "".join(headers.get(k, "") + "\n" for k in _STANDARD_HEADERS)
        + canonical_headers
        + f"/{account}{parts.path}"
        + canonical_query
    )
    digest = hmac.new(base64.b64decode(key), to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def shared_key_signed(request: Any, account: str, key: str) -> bool:
    """Whether ``request``'s ``Authorization: SharedKey <account>:<signature>`` names
    ``account`` and signs the request with ``key``."""
    scheme, _, credential = (request.headers.get("Authorization") or "").partition(" ")
    named, _, signature = credential.partition(":")
    return (
        scheme == "SharedKey"
        and named == account
        and hmac.compare_digest(signature, shared_key_signature(request, account, key))
    )

"""``logging_enable=True``: HTTP logging of the Azure backends, as azure-core clients offer it.

An azure-core client built with ``logging_enable=True`` logs every HTTP request and response at
DEBUG.  ``BatchAIManagementClient(..., logging_enable=True)`` does the same for the requests a
backend sends on the client's behalf (the ``azureml`` backend's Azure ML, ARM and Key Vault
calls), to the logger ``batchai_compat.http`` (so ``logging.getLogger("batchai_compat")`` at
DEBUG shows them).  The ``local`` backend sends no HTTP request: the flag changes nothing there.

Unlike azure-core's network trace, a record never holds a secret: bodies are not logged (only
whether there is one and its size: Azure ML request bodies carry storage keys and passwords),
header values are ``REDACTED`` unless the header is on :data:`HEADERS_SHOWN` (``Authorization``
never is), and query values are ``REDACTED`` unless the parameter is on :data:`QUERY_SHOWN`
(a SAS signature never is) -- azure-core's ``HttpLoggingPolicy`` redaction, applied to every
record.

How a backend uses it: :func:`enabled_for` around each of its calls, and :func:`log_request` /
:func:`log_response` from its transport hook when :func:`enabled` says so.  A request is logged
when it is made inside a call of a client with ``logging_enable=True`` (a context variable), or,
while such a call runs, from a thread that is in no client call at all: the SDK's own worker
threads (azureml-core uploads a run's snapshot from a thread pool) carry no context.  Requests
made inside a call of a client without the flag are never logged.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "HEADERS_SHOWN",
    "LOGGER_NAME",
    "QUERY_SHOWN",
    "enabled",
    "enabled_for",
    "log_request",
    "log_response",
    "redact_headers",
    "redact_url",
]

LOGGER_NAME = "batchai_compat.http"
_log = logging.getLogger(LOGGER_NAME)

#: Headers whose values are logged (lower case); every other value is ``REDACTED``.
HEADERS_SHOWN = frozenset(
    {
        "accept",
        "cache-control",
        "connection",
        "content-length",
        "content-type",
        "date",
        "etag",
        "expires",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-unmodified-since",
        "last-modified",
        "location",
        "pragma",
        "request-id",
        "retry-after",
        "server",
        "traceparent",
        "transfer-encoding",
        "user-agent",
        "x-ms-client-request-id",
        "x-ms-date",
        "x-ms-error-code",
        "x-ms-request-id",
        "x-ms-return-client-request-id",
        "x-ms-version",
    }
)
#: Query parameters whose values are logged; every other value is ``REDACTED``.
QUERY_SHOWN = frozenset({"api-version", "comp", "restype", "timeout", "maxresults", "$top"})
REDACTED = "REDACTED"

#: True / False inside a call of a client with / without the flag; None outside any call.
_ENABLED: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "batchai_compat_http_logging", default=None
)
_ACTIVE = [0]  # calls with the flag running now, in any thread
_ACTIVE_LOCK = threading.Lock()


def enabled() -> bool:
    """Whether a request sent now, from this thread, is logged (see the module docstring)."""
    flag = _ENABLED.get()
    return flag is True or (flag is None and _ACTIVE[0] > 0)


@contextlib.contextmanager
def enabled_for(flag: bool) -> Iterator[None]:
    """Log (``flag``) or do not log the HTTP traffic of the code run inside."""
    token = _ENABLED.set(bool(flag))
    if flag:
        with _ACTIVE_LOCK:
            _ACTIVE[0] += 1
    try:
        yield
    finally:
        if flag:
            with _ACTIVE_LOCK:
                _ACTIVE[0] -= 1
        _ENABLED.reset(token)


def redact_url(url: str) -> str:
    """``url`` with every query value not on :data:`QUERY_SHOWN` replaced by ``REDACTED``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (name, value if name.lower() in QUERY_SHOWN else REDACTED)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="$"), fragment=""))


def redact_headers(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, str(value) if name.lower() in HEADERS_SHOWN else REDACTED)
        for name, value in headers.items()
    ]


def _lines(title: str, headers: Mapping[str, Any]) -> str:
    text = f"\n{title}:"
    for name, value in redact_headers(headers):
        text += f"\n    {name!r}: {value!r}"
    return text


def log_request(method: str, url: str, headers: Mapping[str, Any], body_size: int | None) -> None:
    """One DEBUG record for a request about to be sent (azure-core's layout, redacted).

    ``body_size``: None or 0 without a body, -1 for a body of unknown size (a stream).
    """
    if not _log.isEnabledFor(logging.DEBUG):
        return
    if not body_size:
        body = "No body was attached to the request"
    elif body_size < 0:
        body = "A streamed body is sent with the request (not logged)"
    else:
        body = f"A body of {body_size} bytes is sent with the request (not logged)"
    _log.debug(
        "Request URL: %r\nRequest method: %r%s\n%s",
        redact_url(url),
        method,
        _lines("Request headers", headers),
        body,
    )


def log_response(status: int, headers: Mapping[str, Any], elapsed_s: float) -> None:
    """One DEBUG record for the response just received."""
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug(
            "Response status: %d (%.3f s)%s",
            status,
            elapsed_s,
            _lines("Response headers", headers),
        )


def log_failure(method: str, url: str, error: BaseException) -> None:
    """One DEBUG record for a request that got no response (connection refused, timeout, ...)."""
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug(
            "Request %s %r failed without a response: %s",
            method,
            redact_url(url),
            type(error).__name__,
        )

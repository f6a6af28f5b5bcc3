"""HTTP logging of the Azure backends (``logging_enable=True``), on requests' sessions.

Every HTTP request of azureml-core goes through :class:`requests.Session` (its REST clients,
run history, artifact and datastore calls), and so do azure-core's (``RequestsTransport``, under
azure-ai-ml) and ours (``run_files``).  :func:`install`
wraps ``requests.Session.send`` once per process; the wrapper logs through
:mod:`batchai_compat.core.http_logging` only while a call of a client built with
``logging_enable=True`` runs (:func:`batchai_compat.core.http_logging.enabled`), and otherwise just
sends.  It sits above the transport adapters, so it sees what a test's ``responses`` mock
answers as well as real traffic.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

from ..core import http_logging

__all__ = ["install"]

_LOCK = threading.Lock()
_INSTALLED: list[bool] = []


def _body_size(body: Any) -> int | None:
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray, str)):
        return len(body)
    return -1


def install() -> None:
    """Wrap ``requests.Session.send`` (idempotent)."""
    import requests

    with _LOCK:
        if _INSTALLED:
            return
        original = requests.Session.send

        @functools.wraps(original)
        def send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
            if not http_logging.enabled():
                return original(self, request, **kwargs)
            method, url = str(request.method), str(request.url)
            http_logging.log_request(method, url, request.headers, _body_size(request.body))
            started = time.monotonic()
            try:
                response = original(self, request, **kwargs)
            except Exception as error:
                http_logging.log_failure(method, url, error)
                raise
            http_logging.log_response(
                response.status_code, response.headers, time.monotonic() - started
            )
            return response

        requests.Session.send = send  # type: ignore[method-assign]
        _INSTALLED.append(True)

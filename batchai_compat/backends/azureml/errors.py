"""azureml-core's failures as what the service said (:class:`ServiceFailure`), never via ``str()``.

azureml-core reports a refused request in several shapes, all read here without calling
``str()`` on the exception (``ServiceException.__str__`` raises ``TypeError`` when the service's
error body has no ``details``):

* an exception holding the HTTP reply (``ServiceException`` / msrest ``HttpOperationError`` /
  requests ``HTTPError`` / azure-core ``HttpResponseError``): its status, headers and body;
* ``ComputeTargetException`` for compute calls: the reply is written into its message
  (``Response Code: 409 / Headers: {...} / Content: b'{...}'``);
* ``ExperimentExecutionException`` for run submission: its message is a JSON document with
  ``status_code`` and ``error_details``;
* no reply at all (refused connection, timeout, reply lost): requests' ``ConnectionError`` /
  ``Timeout``, alone or inside msrest's ``ClientRequestError``.

:func:`translate_errors` turns them into Batch AI ``CloudError``\\ s with the service's status,
code and whole message (:func:`~.._azureml_common.errors.cloud_error_for`).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from .._azureml_common.errors import (
    ServiceFailure,
    converter,
    failure_from_reply,
    status_with,
    translating,
)

__all__ = ["describe", "status_of", "translate_errors"]

T = TypeVar("T")

#: Modules whose exceptions are service or transport failures (anything else is a bug of ours
#: or of the caller and is not disguised as a service error).
_SDK_MODULES = ("azureml", "msrest", "requests", "urllib3", "azure", "adal", "msal")


def _text(value: Any) -> str:
    """Text of a value that is not an SDK exception (a guarded ``str``)."""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return type(value).__name__


def _own_message(error: BaseException) -> str | None:
    """The message an azureml / msrest exception was built with (its attribute, or its first
    argument), without going through ``__str__``."""
    for name in ("_exception_message", "message"):
        try:
            value = getattr(error, name, None)
        except Exception:
            value = None
        if isinstance(value, str) and value.strip():
            return value
    args = getattr(error, "args", ())
    if args and isinstance(args[0], str):
        return args[0]
    return None


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: Any = error
    while isinstance(current, BaseException) and current not in chain and len(chain) < 8:
        chain.append(current)
        current = (
            getattr(current, "inner_exception", None)
            or getattr(current, "_inner_exception", None)
            or current.__cause__
            or current.__context__
        )
    return chain


def _no_reply(error: BaseException) -> bool:
    import requests

    return isinstance(error, (requests.ConnectionError, requests.Timeout)) or (
        type(error).__name__ in ("ServiceRequestError", "ServiceResponseError")
    )


def _response_text(response: Any) -> str | None:
    text = getattr(response, "text", None)
    if callable(text):  # azure-core
        try:
            text = text()
        except Exception:
            text = None
    if isinstance(text, str):
        return text
    content = getattr(response, "content", None)
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return None


_COMPUTE_REPLY = re.compile(
    r"Response Code: (?P<status>\d{3})\s*\nHeaders: (?P<headers>.*?)\nContent: (?P<content>.*)",
    re.DOTALL,
)
_RETRY_AFTER_IN_HEADERS = re.compile(r"""['"]Retry-After['"]\s*:\s*['"]([^'"]+)['"]""", re.I)


def _from_message(message: str) -> ServiceFailure | None:
    """A reply azureml-core wrote into an exception message."""
    compute = _COMPUTE_REPLY.search(message)
    if compute is not None:
        content = compute["content"].strip()
        try:
            literal = ast.literal_eval(content)
        except (ValueError, SyntaxError):
            literal = content
        body = literal.decode("utf-8", "replace") if isinstance(literal, bytes) else _text(literal)
        retry = _RETRY_AFTER_IN_HEADERS.search(compute["headers"])
        headers = {"Retry-After": retry.group(1)} if retry else {}
        return failure_from_reply(int(compute["status"]), headers, body)
    try:
        document = json.loads(message)
    except ValueError:
        return None
    if isinstance(document, dict) and isinstance(document.get("status_code"), int):
        details = document.get("error_details")
        text = json.dumps(details) if isinstance(details, (dict, list)) else _text(details or "")
        return failure_from_reply(document["status_code"], {}, text)
    return None


def describe(error: BaseException) -> ServiceFailure | None:
    """What the service said (or that it said nothing); None for exceptions that are not
    service or transport failures."""
    for item in _causes(error):
        response = getattr(item, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            return failure_from_reply(
                status, getattr(response, "headers", None), _response_text(response)
            )
    for item in _causes(error):
        if _no_reply(item):
            return ServiceFailure(None, None, _own_message(item) or type(item).__name__)
    message = _own_message(error)
    if message:
        found = _from_message(message)
        if found is not None:
            return found
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return ServiceFailure(status, None, message or type(error).__name__)
    if type(error).__name__ == "UserErrorException":
        # the SDK's own validation of what we sent: the service would refuse it as well
        return ServiceFailure(400, "UserError", message or type(error).__name__)
    if type(error).__module__.split(".")[0] in _SDK_MODULES:
        return ServiceFailure(500, None, message or type(error).__name__)
    return None


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a failed request (None: no reply, or not a request failure)."""
    return status_with(describe, error)


_convert = converter(describe, "azureml-core")


def translate_errors(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Turn azureml-core failures into Batch AI ``CloudError``\\ s about ``kind`` (status, code
    and the service's whole message).  Our own errors pass unchanged."""
    return translating(kind, _convert)

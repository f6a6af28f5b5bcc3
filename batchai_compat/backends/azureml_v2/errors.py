"""azure-ai-ml's failures as what the service said (:class:`~.._azureml_common.errors.ServiceFailure`).

Everything the azureml-v2 backend sends goes through azure-core pipelines (azure-ai-ml's
generated clients, azure-storage-blob, azure-keyvault-secrets), so a refused request is an
azure-core ``HttpResponseError`` holding the reply: its status, ``Retry-After`` and error body
-- ARM's JSON ``{"error": {"code", "message"}}`` (with or without ``details``), Blob storage's
XML ``<Error><Code/><Message/></Error>`` with the code also in ``x-ms-error-code`` (a refused
``HEAD`` has the header only).  No reply at all (refused connection, timeout, reply lost) is
``ServiceRequestError`` / ``ServiceResponseError``; azure-ai-ml's own checks of what we built
are ``ValidationException`` / ``UserErrorException`` (the service would refuse it too).

:func:`translate_errors` turns them into Batch AI ``CloudError``\\ s with the service's status,
code and whole message, as the v1 backend does (:func:`~.._azureml_common.errors.cloud_error_for`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from azure.core.exceptions import AzureError, HttpResponseError

from .._azureml_common.errors import (
    ServiceFailure,
    converter,
    failure_from_reply,
    status_with,
    translating,
)

__all__ = ["describe", "status_of", "translate_errors"]

T = TypeVar("T")

#: azure-ai-ml's exceptions for what it refused to send (its own validation).
_SDK_REFUSALS = ("ValidationException", "UserErrorException")
_XML_ERROR = re.compile(r"<Code>(?P<code>[^<]*)</Code>\s*<Message>(?P<message>[^<]*)</Message>")


def _reply_text(response: Any) -> str:
    try:
        return str(response.text())
    except Exception:  # a streamed or already consumed body
        return ""


def _message(error: BaseException) -> str:
    text = getattr(error, "message", None)
    return text if isinstance(text, str) and text.strip() else type(error).__name__


def _from_reply(error: HttpResponseError, status: int) -> ServiceFailure:
    response = error.response
    headers = getattr(response, "headers", None)
    text = _reply_text(response)
    xml = _XML_ERROR.search(text)
    failure = failure_from_reply(status, headers, None if xml else text)
    code = failure.code or (xml["code"] if xml else None)
    if code is None and headers is not None:
        code = headers.get("x-ms-error-code")  # Blob storage, also on a body-less HEAD
    message = xml["message"].strip() if xml else failure.message
    return ServiceFailure(status, code, message, failure.retry_after)


def describe(error: BaseException) -> ServiceFailure | None:
    """What the service said, or that it said nothing; None for what is no service failure."""
    if isinstance(error, HttpResponseError):
        status = getattr(error.response, "status_code", None) or error.status_code
        if isinstance(status, int):
            return _from_reply(error, status)
    if type(error).__name__ in _SDK_REFUSALS:
        return ServiceFailure(400, "UserError", _message(error))
    if isinstance(error, (AzureError, ConnectionError, TimeoutError)):
        return ServiceFailure(None, None, _message(error))  # no reply
    if type(error).__module__.startswith("azure."):
        return ServiceFailure(500, None, _message(error))
    return None


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a failed request (None: no reply, or not a request failure)."""
    return status_with(describe, error)


_convert = converter(describe, "azure-ai-ml")


def translate_errors(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Turn azure-ai-ml / azure-core failures into Batch AI ``CloudError``\\ s about ``kind``
    (a 404 about the resource the call names is its ``<Kind>NotFound``).  Our own errors pass
    unchanged."""
    return translating(kind, _convert)

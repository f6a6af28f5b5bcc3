"""The exceptions that are also the Azure SDK's own classes: ``CloudError`` and its family,
``RequestValidationError``.

Batch AI code catches failures with the classes of the SDK it was written against:
``msrestazure.azure_exceptions.CloudError`` for what the service refused (azure-mgmt-batchai
2.0.0 raised it, the recipes' helpers catch it), azure-core's ``HttpResponseError`` /
``ResourceNotFoundError`` / ``ResourceExistsError`` (7.0.0 and newer code), and
``msrest.exceptions.ValidationError`` for what the client refused before sending (a bad name, a
required field left None).  ``except`` matches on the real base classes (``__subclasscheck__``
hooks are not consulted), so ours derive from those classes, and this module imports azure-core
and, when they are installed, msrestazure and msrest.  That is why it is loaded on first use only
(through :mod:`batchai_compat.exceptions`, whose docstring draws the tree and gives the measured
cost).

msrestazure and msrest are optional: where one cannot be imported, :class:`MsrestCloudError` or
:class:`MsrestValidationError` is a placeholder that takes its place in the tree, so every class
keeps the same bases in the same order (nothing can be catching a class of a package that is not
there).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.exceptions import ResourceExistsError as _CoreResourceExistsError
from azure.core.exceptions import ResourceNotFoundError as _CoreResourceNotFoundError

from .exceptions import BatchAICompatError, ValidationError

try:
    from msrestazure.azure_exceptions import CloudError as MsrestCloudError
except Exception:  # not installed, or a broken install: either must not break us

    class MsrestCloudError(Exception):  # type: ignore[no-redef]
        """Stands in for ``msrestazure.azure_exceptions.CloudError`` without msrestazure."""


try:
    from msrest.exceptions import ValidationError as MsrestValidationError
except Exception:

    class MsrestValidationError(Exception):  # type: ignore[no-redef]
        """Stands in for ``msrest.exceptions.ValidationError`` without msrest."""


__all__ = [
    "CloudError",
    "ConflictError",
    "ErrorDetails",
    "ErrorResponse",
    "MsrestCloudError",
    "MsrestValidationError",
    "RequestValidationError",
    "ResourceExistsError",
    "ResourceNotFoundError",
    "cloud_error_class",
]

_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}

#: 409 error codes that mean "a resource with that name already exists".
_EXISTS_CODES = frozenset({"Conflict", "ResourceExists", "AlreadyExists"})


class ErrorDetails:
    """The ``error`` attribute of a CloudError: ``error.error`` is the service error code."""

    def __init__(self, code: str, message: str) -> None:
        self.error = code
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"ErrorDetails(error={self.error!r}, message={self.message!r})"


class ErrorResponse:
    """Stands for the HTTP response a CloudError came from (``ce.response.status_code``)."""

    def __init__(
        self, status_code: int, reason: str, request_id: str, body: dict[str, Any]
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.headers = {"x-ms-request-id": request_id, "content-type": "application/json"}
        self._body = body

    def json(self) -> dict[str, Any]:
        return self._body

    @property
    def text(self) -> str:
        return json.dumps(self._body)

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}]>"


class CloudError(HttpResponseError, MsrestCloudError, BatchAICompatError):
    """An HTTP-like failure, shaped like the Batch AI service's ``CloudError``.

    Raised for what the service answered with an error status: ``status_code``, ``message``,
    ``error.error`` (the service error code, e.g. ``ResourceNotFound``), ``error.message``,
    ``response.status_code``, ``response.json()`` (the error body) and ``request_id``.  Build one
    with :func:`batchai_compat.exceptions.cloud_error`, which picks the subclass.
    """

    # The SDK bases' constructors expect an HTTP response to parse; there is none, so the
    # attributes both of them define are set here from the service's status, code and message.
    def __init__(
        self,
        message: str,
        *,
        status_code: int = 400,
        code: str = "BadRequest",
        request_id: str | None = None,
    ) -> None:
        Exception.__init__(self, message)
        request_id = request_id or str(uuid.uuid4())
        self.status_code = status_code
        self.message = message
        self.reason = _REASONS.get(status_code, "Error")
        self.request_id = request_id
        self.error = ErrorDetails(code, message)  # type: ignore[assignment]
        body = {"error": {"code": code, "message": message}}
        self.response = ErrorResponse(status_code, self.reason, request_id, body)  # type: ignore[assignment]
        self.inner_exception = None
        self.exc_type = self.exc_value = self.exc_traceback = None
        self.exc_msg = message
        self.continuation_token = None
        self.model = None

    def __str__(self) -> str:
        error: Any = self.error  # an ErrorDetails (typed as azure-core's ODataV4Format)
        return f"({error.error}) {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: rebuild from the message, then restore every attribute.
        return (type(self), (self.message,), self.__dict__.copy())


class ResourceNotFoundError(CloudError, _CoreResourceNotFoundError):
    """404: the resource (or its parent) does not exist."""


class ResourceExistsError(CloudError, _CoreResourceExistsError):
    """409: a resource with that name already exists (with other parameters)."""


class ConflictError(CloudError):
    """409: the resource's state forbids the operation (deleting a busy resource, ...)."""


def cloud_error_class(status_code: int, code: str) -> type[CloudError]:
    """The class :func:`batchai_compat.exceptions.cloud_error` raises for a status and code."""
    if status_code == 404:
        return ResourceNotFoundError
    if status_code == 409:
        return ResourceExistsError if code in _EXISTS_CODES else ConflictError
    return CloudError


class RequestValidationError(ValidationError, MsrestValidationError):
    """A request 2.0.0's client refused before sending it, where msrest raised its
    ``ValidationError``: a resource name against its pattern, a query option out of range, a
    required field of a request body still None.

    ``parameter`` is the full path from the method's argument
    (``parameters.environment_variables[0].value``), ``rule`` what it must satisfy, and
    ``target`` msrest's name for it (``EnvironmentVariable.value``).
    """

    def __init__(
        self, parameter: str, rule: str, value: Any = None, *, target: str | None = None
    ) -> None:
        ValidationError.__init__(self, parameter, rule, value)
        self.target = target or parameter
        self.inner_exception = None

"""Exceptions raised by batchai_compat.

The hierarchy::

    Exception
    ├── BatchAICompatError                     base of everything raised on purpose
    │   ├── ValidationError (ValueError)        bad argument: names the parameter and the rule
    │   ├── BackendError                        backend selection and availability
    │   │   ├── UnknownBackendError (LookupError)      "did you mean ...?"
    │   │   └── BackendNotInstalledError (ImportError) "pip install batchai-compat[azureml]"
    │   └── NoEquivalentError (NotImplementedError)    a Batch AI feature the backend has no
    │                                                  equivalent for; says what to do instead
    ├── Warning
    │   └── UserWarning
    │       └── IgnoredParameterWarning         a keyword argument 2.0.0 also ignored
    │                                           (``ClusterCreateParameters(location=...)``)
    └── azure.core.exceptions.HttpResponseError
        └── CloudError (+ msrestazure CloudError when msrestazure is importable,
            │           + BatchAICompatError)
            ├── ResourceNotFoundError   404 (+ azure.core ResourceNotFoundError)
            ├── ResourceExistsError     409 (+ azure.core ResourceExistsError)
            └── ConflictError           409 for state conflicts (deleting a busy resource, ...)

``CloudError`` mirrors what the Batch AI service returned: ``status_code``, ``message``,
``error.error`` (the service error code, e.g. ``ResourceNotFound``), ``error.message``,
``response.status_code`` and ``request_id``.  Old helper code does
``except CloudError as ce: ce.response.status_code``.

The HTTP-like classes are built on first access so that ``import batchai_compat`` loads neither
azure-core nor msrestazure.  Raise them through :func:`cloud_error`.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import TYPE_CHECKING, Any

__all__ = [
    "BatchAICompatError",
    "ValidationError",
    "BackendError",
    "UnknownBackendError",
    "BackendNotInstalledError",
    "NoEquivalentError",
    "IgnoredParameterWarning",
    "CloudError",
    "ResourceNotFoundError",
    "ResourceExistsError",
    "ConflictError",
    "cloud_error",
]


class BatchAICompatError(Exception):
    """Base class of every exception batchai_compat raises on purpose."""


class ValidationError(BatchAICompatError, ValueError):
    """A bad argument, detected before any side effect.

    ``parameter`` names the argument (``"cluster_name"``, ``"parameters.vm_size"``) and ``rule``
    says what it must satisfy.
    """

    def __init__(self, parameter: str, rule: str, value: Any = None) -> None:
        self.parameter = parameter
        self.rule = rule
        super().__init__(f"{parameter}: {rule}")


class BackendError(BatchAICompatError):
    """Backend selection or availability failed."""


class UnknownBackendError(BackendError, LookupError):
    """No backend is registered under the requested name."""


class BackendNotInstalledError(BackendError, ImportError):
    """The backend's optional dependencies are not installed; the message says how."""


class NoEquivalentError(BatchAICompatError, NotImplementedError):
    """A Batch AI feature the selected backend truly has no equivalent for.

    The message names the feature, the backend, and what to do instead.
    """

    def __init__(self, feature: str, backend: str, instead: str) -> None:
        self.feature = feature
        self.backend = backend
        self.instead = instead
        super().__init__(f"{feature} has no equivalent on the {backend!r} backend. {instead}")


class IgnoredParameterWarning(UserWarning):
    """A keyword argument a model ignores, as azure-mgmt-batchai 2.0.0 did.

    Emitted once per class and keyword.  Old recipes pass ``location=`` to
    ``ClusterCreateParameters``; silence it with
    ``warnings.simplefilter("ignore", IgnoredParameterWarning)``.
    """


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

    def __init__(self, status_code: int, reason: str, request_id: str, body: dict[str, Any]):
        self.status_code = status_code
        self.reason = reason
        self.headers = {"x-ms-request-id": request_id, "content-type": "application/json"}
        self._body = body

    def json(self) -> dict[str, Any]:
        return self._body

    @property
    def text(self) -> str:
        import json

        return json.dumps(self._body)

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}]>"


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    500: "Internal Server Error",
    501: "Not Implemented",
}

_HTTP_CLASSES: dict[str, type] = {}
_HTTP_CLASSES_LOCK = threading.Lock()


def _init_cloud_error(
    self: Any,
    message: str,
    *,
    status_code: int = 400,
    code: str = "BadRequest",
    request_id: str | None = None,
) -> None:
    if not request_id:
        import uuid  # imported on first error: it costs start-up (benchmark 6)

        request_id = str(uuid.uuid4())
    body = {"error": {"code": code, "message": message}}
    self.status_code = status_code
    self.message = message
    self.reason = _REASONS.get(status_code, "Error")
    self.request_id = request_id
    self.error = ErrorDetails(code, message)
    self.response = ErrorResponse(status_code, self.reason, request_id, body)
    self.inner_exception = None
    self.exc_type = self.exc_value = self.exc_traceback = self.exc_msg = None
    self.continuation_token = None
    self.model = None
    self.args = (message,)


def _str_cloud_error(self: Any) -> str:
    return f"({self.error.error}) {self.message}"


def _build_http_classes() -> dict[str, type]:
    if _HTTP_CLASSES:
        return _HTTP_CLASSES
    # Built once under a lock: two threads raising their first CloudError at the same time (say,
    # background uploads) must not build two different class families.
    with _HTTP_CLASSES_LOCK:
        if not _HTTP_CLASSES:
            _HTTP_CLASSES.update(_new_http_classes())
    return _HTTP_CLASSES


def _new_http_classes() -> dict[str, type]:
    from azure.core import exceptions as core

    bases: tuple[type, ...] = (core.HttpResponseError,)
    if importlib.util.find_spec("msrestazure") is not None:
        try:
            from msrestazure.azure_exceptions import CloudError as _MsCloudError
        except Exception:  # a broken msrestazure install must not break us
            pass
        else:
            bases += (_MsCloudError,)
    namespace = {
        "__init__": _init_cloud_error,
        "__str__": _str_cloud_error,
        "__module__": __name__,
        "__doc__": "An HTTP-like failure, shaped like the Batch AI service's CloudError.",
    }
    cloud = type("CloudError", (*bases, BatchAICompatError), namespace)
    classes: dict[str, type] = {"CloudError": cloud}
    classes["ResourceNotFoundError"] = type(
        "ResourceNotFoundError",
        (cloud, core.ResourceNotFoundError),
        {"__module__": __name__, "__doc__": "404: the resource does not exist."},
    )
    classes["ResourceExistsError"] = type(
        "ResourceExistsError",
        (cloud, core.ResourceExistsError),
        {"__module__": __name__, "__doc__": "409: a resource with that name already exists."},
    )
    classes["ConflictError"] = type(
        "ConflictError",
        (cloud,),
        {"__module__": __name__, "__doc__": "409: the resource's state forbids the operation."},
    )
    return classes


def __getattr__(name: str) -> Any:
    if name in ("CloudError", "ResourceNotFoundError", "ResourceExistsError", "ConflictError"):
        return _build_http_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cloud_error(status_code: int, code: str, message: str) -> Exception:
    """Build the CloudError subclass that fits ``status_code`` (404, 409, or any other)."""
    classes = _build_http_classes()
    if status_code == 404:
        cls = classes["ResourceNotFoundError"]
    elif status_code == 409 and code in ("Conflict", "ResourceExists", "AlreadyExists"):
        cls = classes["ResourceExistsError"]
    elif status_code == 409:
        cls = classes["ConflictError"]
    else:
        cls = classes["CloudError"]
    error: Exception = cls(message, status_code=status_code, code=code)
    return error


if TYPE_CHECKING:  # static view of the lazily built classes
    from azure.core.exceptions import HttpResponseError as _Http

    class CloudError(_Http, BatchAICompatError):
        status_code: int
        message: str
        error: ErrorDetails  # type: ignore[assignment]
        response: ErrorResponse  # type: ignore[assignment]
        request_id: str

        def __init__(
            self,
            message: str,
            *,
            status_code: int = ...,
            code: str = ...,
            request_id: str | None = ...,
        ) -> None: ...

    class ResourceNotFoundError(CloudError): ...

    class ResourceExistsError(CloudError): ...

    class ConflictError(CloudError): ...

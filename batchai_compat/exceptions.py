"""Exceptions raised by batchai_compat.

The hierarchy, every class an ordinary ``class`` statement, the same whatever is installed::

    Exception
    ├── BatchAICompatError                      base of everything raised on purpose
    │   ├── ValidationError (ValueError)         a bad argument, found before any side effect:
    │   │   │                                    names the parameter and the rule
    │   │   └── RequestValidationError           a request the 2.0.0 client refused before
    │   │          (+ msrest.exceptions.ValidationError)  sending it: a resource name, a query
    │   │                                        option, a required field still None
    │   ├── BackendError                         backend selection and availability
    │   │   ├── UnknownBackendError (LookupError)       no backend of that name: "did you mean"
    │   │   ├── BackendNotInstalledError (ImportError)  its SDK is missing: what to pip install
    │   │   └── UnsupportedPlatformError                 the backend cannot run on this machine
    │   │                                                (the local one needs Linux): what to do
    │   ├── NoEquivalentError (NotImplementedError)     a Batch AI feature the backend has no
    │   │                                               equivalent for; says what to do instead
    │   └── CloudError                           what the service answered with an error status
    │       │  (+ azure.core.exceptions.HttpResponseError,
    │       │   + msrestazure.azure_exceptions.CloudError)
    │       ├── ResourceNotFoundError            404 (+ azure.core ResourceNotFoundError)
    │       ├── ResourceExistsError              409, the name exists (+ azure.core
    │       │                                    ResourceExistsError)
    │       └── ConflictError                    409, the resource's state forbids the operation
    └── Warning
        └── UserWarning
            └── IgnoredParameterWarning          a keyword argument 2.0.0 also ignored
                                                 (``ClusterCreateParameters(location=...)``)

``CloudError`` mirrors what the Batch AI service returned: ``status_code``, ``message``,
``error.error`` (the service error code, e.g. ``ResourceNotFound``), ``error.message``,
``response.status_code`` and ``request_id``.  Old helper code does
``except CloudError as ce: ce.response.status_code``, with msrestazure's ``CloudError`` (what
azure-mgmt-batchai 2.0.0 raised) or azure-core's classes (7.0.0 and newer code): ours derive from
both, because ``except`` matches on real base classes only.  Raise them through
:func:`cloud_error`, which picks the class from the status and the service error code.

Where they live, and why: the ``CloudError`` family and ``RequestValidationError`` are defined in
:mod:`._sdk_errors` and loaded on first use (``exceptions.CloudError``, ``from
batchai_compat.exceptions import CloudError``, :func:`cloud_error`, :func:`request_error`),
because deriving from the SDK classes means importing them.  Measured in
fresh interpreters on the 2-core development machine (median of 5): ``import
batchai_compat.exceptions`` about 1 ms, ``import azure.core.exceptions`` about 80 ms,
``import msrestazure.azure_exceptions`` about 180 ms (it brings msrest and requests; ``import
msrest.exceptions``, for ``RequestValidationError``, costs the same), against about 8 ms for
``import batchai_compat``.  This module is imported by the models and by the
node runtime (which must stay standard library only), so it imports neither; a process pays for
them once, on its first ``CloudError``.  msrestazure is optional: where it is not installed, a
placeholder class takes its place in the tree (see :mod:`._sdk_errors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "BatchAICompatError",
    "ValidationError",
    "BackendError",
    "UnknownBackendError",
    "BackendNotInstalledError",
    "UnsupportedPlatformError",
    "NoEquivalentError",
    "IgnoredParameterWarning",
    "CloudError",
    "ResourceNotFoundError",
    "ResourceExistsError",
    "ConflictError",
    "RequestValidationError",
    "cloud_error",
    "request_error",
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

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.parameter, self.rule), self.__dict__.copy())


class BackendError(BatchAICompatError):
    """Backend selection or availability failed."""


class UnknownBackendError(BackendError, LookupError):
    """No backend is registered under the requested name."""


class BackendNotInstalledError(BackendError, ImportError):
    """The backend's optional dependencies are not installed; the message says how."""


class UnsupportedPlatformError(BackendError):
    """The selected backend cannot run on this platform; the message says what it needs."""


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


def cloud_error(status_code: int, code: str, message: str) -> CloudError:
    """The CloudError that fits ``status_code``: ``ResourceNotFoundError`` for 404,
    ``ResourceExistsError`` for a 409 on an existing name (``Conflict``, ``ResourceExists``,
    ``AlreadyExists``), ``ConflictError`` for any other 409, else ``CloudError``."""
    from ._sdk_errors import cloud_error_class

    return cloud_error_class(status_code, code)(message, status_code=status_code, code=code)


def request_error(parameter: str, rule: str, target: str | None = None) -> RequestValidationError:
    """The ``ValidationError`` for a request 2.0.0's client refused before sending it (msrest
    raised its ``ValidationError`` there: ours is both).  ``target`` is msrest's name for the
    parameter (``'EnvironmentVariable.value'``, ``'job_name'``); by default ``parameter``."""
    from ._sdk_errors import RequestValidationError

    return RequestValidationError(parameter, rule, target=target)


#: The classes that derive from the Azure SDK's own, loaded with it on first access.
_SDK_CLASSES = frozenset(
    {
        "CloudError",
        "ResourceNotFoundError",
        "ResourceExistsError",
        "ConflictError",
        "RequestValidationError",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SDK_CLASSES:
        from . import _sdk_errors

        return getattr(_sdk_errors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from ._sdk_errors import (
        CloudError,
        ConflictError,
        RequestValidationError,
        ResourceExistsError,
        ResourceNotFoundError,
    )

"""``BatchAIManagementClient``: the Azure Batch AI management client (azure-mgmt-batchai 2.0.0).

The client keeps 2.0.0's constructor ``(credentials, subscription_id, base_url=None)``, its
``config`` and ``api_version``, and its seven operation groups (``operations``, ``usages``,
``workspaces``, ``experiments``, ``jobs``, ``file_servers``, ``clusters``).  Where 2.0.0 sent ARM
requests, this client calls a *backend* chosen by ``backend=`` › ``$BATCHAI_COMPAT_BACKEND`` ›
``'local'`` (see :mod:`batchai_compat.backends.registry`).

``BatchAI`` is the same class under the 7.0.0 (track 2) name; it also takes ``credential=``.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .backends.registry import create_backend
from .core import API_VERSION
from .exceptions import ValidationError

if TYPE_CHECKING:
    from .backends.base import Backend
    from .operations import (
        ClustersOperations,
        ExperimentsOperations,
        FileServersOperations,
        JobsOperations,
        Operations,
        UsagesOperations,
        WorkspacesOperations,
    )

__all__ = ["BatchAI", "BatchAIManagementClient", "BatchAIManagementClientConfiguration"]

DEFAULT_BASE_URL = "https://management.azure.com"

#: Track-2 (7.0.0) pipeline keywords: accepted, and without effect since no HTTP pipeline of
#: Batch AI exists (``logging_enable`` is read: see :mod:`batchai_compat.core.http_logging`).
_TRACK2_PIPELINE_KEYWORDS = frozenset(
    {
        "transport",
        "logging_enable",
        "logging_policy",
        "retry_policy",
        "retry_total",
        "headers_policy",
        "user_agent",
        "user_agent_policy",
        "proxy_policy",
        "authentication_policy",
        "credential_scopes",
        "per_call_policies",
        "per_retry_policies",
        "http_logging_policy",
        "connection_timeout",
        "read_timeout",
        "profile",
    }
)


class BatchAIManagementClientConfiguration:
    """``client.config``: what 2.0.0's ``BatchAIManagementClientConfiguration`` held.

    ``credentials``, ``subscription_id``, ``base_url`` (``None`` or ``''`` mean
    ``https://management.azure.com``), ``long_running_operation_timeout`` (seconds between polls,
    30), ``accept_language`` ('en-US'), ``generate_client_request_id`` (True) and
    ``user_agent``; also ``logging_enable`` (False), azure-core's switch for HTTP logging.
    Backends read it (``Backend(config)``).  Its repr never shows credentials.
    """

    def __init__(self, credentials: Any, subscription_id: Any, base_url: str | None = None) -> None:
        if credentials is None:
            raise ValueError("Parameter 'credentials' must not be None.")
        if subscription_id is None:
            raise ValueError("Parameter 'subscription_id' must not be None.")
        self.credentials = credentials
        self.subscription_id: str = subscription_id
        self.base_url = base_url or DEFAULT_BASE_URL
        self.long_running_operation_timeout = 30
        self.accept_language = "en-US"
        self.generate_client_request_id = True
        self.logging_enable = False
        self.user_agent = (
            f"batchai-compat/{__version__} azure-mgmt-batchai/2.0.0 Azure-SDK-For-Python"
        )

    def add_user_agent(self, value: str) -> None:
        """Append ``value`` to ``user_agent`` (2.0.0 helpers call this)."""
        self.user_agent = f"{self.user_agent} {value}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(subscription_id={self.subscription_id!r}, "
            f"base_url={self.base_url!r}, credentials=<{type(self.credentials).__name__}>)"
        )


class _Group:
    """An operation group attribute, built on first access from its module (a process reading
    one job imports and builds one group: start-up is measured, benchmarks 1b and 6); the same
    object afterwards."""

    def __init__(self, class_name: str) -> None:
        self.class_name = class_name
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, client: Any, owner: type | None = None) -> Any:
        if client is None:
            return self
        from . import operations

        group = getattr(operations, self.class_name)(client._backend, client.config)
        client.__dict__[self.name] = group  # found before this (non-data) descriptor from now on
        return group


class BatchAIManagementClient:
    """The Azure Batch AI management client.

    :param credentials: any credentials object (``ServicePrincipalCredentials``, an azure-identity
        credential, ...).  ``None`` raises ``ValueError`` as 2.0.0 did.  The ``local`` backend
        never uses it (no network); ``azureml`` authenticates with it.
    :param subscription_id: the Azure subscription id (part of every resource id).
    :param base_url: the ARM endpoint; ``None`` or ``''`` mean the public cloud.
    :param backend: a registered backend name (``'local'``, ``'azureml'``) or a backend object;
        default ``$BATCHAI_COMPAT_BACKEND`` or ``'local'``.
    :param credential: 7.0.0 spelling of ``credentials`` (keyword only).
    :keyword logging_enable: as on azure-core clients, log the HTTP requests and responses the
        backend sends for this client at DEBUG (redacted: :mod:`batchai_compat.core.http_logging`).
        Other track-2 pipeline keywords are accepted and ignored.
    """

    def __init__(
        self,
        credentials: Any = None,
        subscription_id: str | None = None,
        base_url: str | None = None,
        *,
        backend: str | Backend | None = None,
        credential: Any = None,
        **kwargs: Any,
    ) -> None:
        if credentials is not None and credential is not None:
            raise ValidationError("credential", "pass either credentials or credential, not both")
        polling_interval = kwargs.pop("polling_interval", None)
        api_version = kwargs.pop("api_version", API_VERSION)
        if api_version != API_VERSION:
            raise ValidationError(
                "api_version", f"only {API_VERSION!r} (Batch AI's last API) exists"
            )
        unknown = sorted(set(kwargs) - _TRACK2_PIPELINE_KEYWORDS)
        if unknown:
            raise TypeError(
                f"BatchAIManagementClient() got unexpected keyword arguments: {unknown}"
            )
        self.config = BatchAIManagementClientConfiguration(
            credentials if credentials is not None else credential,
            subscription_id,
            base_url,
        )
        if polling_interval is not None:
            self.config.long_running_operation_timeout = polling_interval
        self.config.logging_enable = bool(kwargs.get("logging_enable", False))
        self.api_version = API_VERSION
        self._backend = create_backend(backend, self.config)

    operations: Operations = _Group("Operations")  # type: ignore[assignment]
    usages: UsagesOperations = _Group("UsagesOperations")  # type: ignore[assignment]
    workspaces: WorkspacesOperations = _Group("WorkspacesOperations")  # type: ignore[assignment]
    experiments: ExperimentsOperations = _Group("ExperimentsOperations")  # type: ignore[assignment]
    jobs: JobsOperations = _Group("JobsOperations")  # type: ignore[assignment]
    file_servers: FileServersOperations = _Group("FileServersOperations")  # type: ignore[assignment]
    clusters: ClustersOperations = _Group("ClustersOperations")  # type: ignore[assignment]

    @property
    def backend(self) -> Backend:
        """The backend answering this client's calls."""
        return self._backend

    def close(self) -> None:
        """Release the backend's resources (database connections, sessions)."""
        self._backend.close()

    def __enter__(self) -> BatchAIManagementClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} subscription_id={self.config.subscription_id!r} "
            f"backend={getattr(self._backend, 'name', type(self._backend).__name__)!r}>"
        )


#: The 7.0.0 (track 2) name of the same client.
BatchAI = BatchAIManagementClient

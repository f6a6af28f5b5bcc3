"""What every operation group shares: the backend, the config, and how results are returned.

In 2.0.0 each group (``ClustersOperations``, ``JobsOperations``, ...) built an ARM request, sent
it and deserialized the answer.  Here a public method validates its arguments into a
:class:`ResourcePath` (the names the backend takes plus the ARM path the request would have
had), and hands it with the backend method to one of three helpers that return what 2.0.0 did:
:meth:`OperationGroup._value` (a model, or with ``raw=True`` a
:class:`~batchai_compat.core.raw.ClientRawResponse`), :meth:`OperationGroup._long_running` (a
:class:`~batchai_compat.core.polling.LROPoller`) or :meth:`OperationGroup._paged` (a ``*Paged`` pager).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import quote, urlencode

from .. import models as _models
from ..core import API_VERSION
from ..core.paging import Paged
from ..core.polling import LROPoller, Operation
from ..core.raw import ClientRawResponse, ServiceResponse
from ..domain.ids import PROVIDER
from ._validation import check_resource_group, check_resource_name

if TYPE_CHECKING:
    from ..backends.base import Backend, BackendConfig

T = TypeVar("T")
P = TypeVar("P", bound=Paged[Any])


class ResourcePath(NamedTuple):
    """A validated Batch AI resource address.

    ``names`` are the positional arguments the backend takes for it (resource group, workspace,
    ...); ``path`` is the ARM path 2.0.0 requested, which raw responses and next links carry.
    """

    names: tuple[str, ...]
    path: str

    @property
    def resource_group(self) -> str:
        """The validated resource group (the first name of any address below a subscription)."""
        return self.names[0]

    def child(self, collection: str, parameter: str, value: Any) -> ResourcePath:
        """The resource ``value`` of ``collection`` below this one.

        ``value`` is checked as a resource name; ``parameter`` (2.0.0's name for the argument)
        is what a ``ValidationError`` names.
        """
        name = check_resource_name(parameter, value)
        return ResourcePath((*self.names, name), f"{self.path}/{collection}/{name}")

    def joinpath(self, segment: str) -> ResourcePath:
        """The same names at ``path/segment``: a collection to list, or an action to POST."""
        return ResourcePath(self.names, f"{self.path}/{segment}")


class OperationGroup:
    """Base of the seven operation groups.  ``models`` is the models module, as in 2.0.0."""

    models = _models

    def __init__(self, backend: Backend, config: BackendConfig) -> None:
        self._backend = backend
        self.config = config
        self.api_version = API_VERSION

    # addresses: validate names, in 2.0.0's parameter order -------------------------------------
    def _subscription(self) -> ResourcePath:
        subscription = quote(str(self.config.subscription_id), safe="")
        return ResourcePath((), f"/subscriptions/{subscription}")

    def _resource_group(self, resource_group_name: Any) -> ResourcePath:
        """The resource group's Microsoft.BatchAI provider path (where its workspaces live)."""
        rg = check_resource_group(resource_group_name)
        path = f"{self._subscription().path}/resourceGroups/{rg}/providers/{PROVIDER}"
        return ResourcePath((rg,), path)

    def _workspace(self, resource_group_name: Any, workspace_name: Any) -> ResourcePath:
        return self._resource_group(resource_group_name).child(
            "workspaces", "workspace_name", workspace_name
        )

    def _experiment(
        self, resource_group_name: Any, workspace_name: Any, experiment_name: Any
    ) -> ResourcePath:
        return self._workspace(resource_group_name, workspace_name).child(
            "experiments", "experiment_name", experiment_name
        )

    # result shapes: call the backend for ``at`` (names first, then ``args``) and wrap ----------
    def _url(self, path: str, **query: Any) -> str:
        params = {"api-version": API_VERSION}
        params.update({k: str(v) for k, v in query.items() if v is not None})
        base = str(self.config.base_url).rstrip("/")
        return f"{base}{path}?{urlencode(params)}"

    def _value(
        self, method: str, at: ResourcePath, call: Callable[..., T], *args: Any, raw: bool
    ) -> T | ClientRawResponse[T]:
        """A synchronous call (GET, PATCH): the backend's answer, or with ``raw`` a response."""
        value = call(*at.names, *args)
        if raw:
            return ClientRawResponse(value, ServiceResponse(method, self._url(at.path), 200, value))
        return value

    def _long_running(
        self,
        method: str,
        at: ResourcePath,
        call: Callable[..., T | Operation[T]],
        *args: Any,
        polling: Any,
        raw: bool,
    ) -> LROPoller[T] | LROPoller[ClientRawResponse[T]]:
        """Start a long-running operation now; a poller (its thread named after ``call`` and the
        resource) waits for it.

        With ``raw``, ``result()`` is a response: 202 when the backend returned an ``Operation``
        still to finish, 200 when it returned the final value at once.
        """
        started = call(*at.names, *args)
        name = f"{getattr(call, '__name__', 'operation')} {at.names[-1]}"
        if not raw:
            poller: LROPoller[T] = LROPoller(started, polling=polling, name=name)
            return poller
        url = self._url(at.path)
        status = 202 if isinstance(started, Operation) else 200

        def finish(value: T) -> ClientRawResponse[T]:
            return ClientRawResponse(value, ServiceResponse(method, url, status, value))

        return LROPoller(started, polling=polling, finish=finish, name=name)

    def _paged(
        self,
        paged_class: type[P],
        at: ResourcePath,
        call: Callable[..., Any],
        *args: Any,
        page_size: int | None = None,
        raw: bool,
        method: str = "GET",
        **query: Any,
    ) -> P:
        """A lazy pager: the backend is asked on first iteration.

        ``page_size`` is the options' ``max_results`` (the ``maxresults`` query parameter, after
        any other ``query``); ``method`` is the HTTP method 2.0.0 sent for each page.
        """
        return paged_class(
            lambda: call(*at.names, *args),
            url=self._url(at.path, **query, maxresults=page_size),
            page_size=page_size,
            raw_headers={} if raw else None,
            method=method,
        )

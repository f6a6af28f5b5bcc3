"""What every operation group shares: the backend, the config, and how results are returned.

In 2.0.0 each group (``ClustersOperations``, ``JobsOperations``, ...) built an ARM request, sent
it and deserialized the answer.  Here a group validates, calls the backend, and wraps the answer
the way 2.0.0 did: a model, a :class:`~._polling.LROPoller`, a ``*Paged`` pager, or with
``raw=True`` a :class:`~._raw.ClientRawResponse`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlencode

from .. import models as _models
from ..backends.base import PROVIDER, Operation
from ._paging import Paged
from ._polling import LROPoller
from ._raw import ClientRawResponse, ServiceResponse

if TYPE_CHECKING:
    from ..backends.base import Backend
    from ..client import BatchAIManagementClientConfiguration

API_VERSION = "2018-05-01"

T = TypeVar("T")
P = TypeVar("P", bound=Paged[Any])


class OperationGroup:
    """Base of the seven operation groups.  ``models`` is the models module, as in 2.0.0."""

    models = _models

    def __init__(self, backend: Backend, config: BatchAIManagementClientConfiguration) -> None:
        self._backend = backend
        self.config = config
        self.api_version = API_VERSION

    # ARM URLs the calls stand for (what raw responses and next links carry) --------------------
    def _url(self, path: str, **query: Any) -> str:
        params = {"api-version": API_VERSION}
        params.update({k: str(v) for k, v in query.items() if v is not None})
        base = str(self.config.base_url).rstrip("/")
        return f"{base}{path}?{urlencode(params)}"

    def _subscription_path(self) -> str:
        return f"/subscriptions/{quote(str(self.config.subscription_id), safe='')}"

    def _provider_path(self, resource_group: str) -> str:
        return f"{self._subscription_path()}/resourceGroups/{resource_group}/providers/{PROVIDER}"

    def _workspace_path(self, resource_group: str, workspace: str) -> str:
        return f"{self._provider_path(resource_group)}/workspaces/{workspace}"

    # result shapes ------------------------------------------------------------------------------
    @staticmethod
    def _plain(value: T, *, raw: bool, method: str, url: str) -> T | ClientRawResponse:
        if raw:
            return ClientRawResponse(value, ServiceResponse(method, url, 200, value))
        return value

    @staticmethod
    def _poller(
        started: Any, *, polling: Any, raw: bool, method: str, url: str, name: str
    ) -> LROPoller[Any]:
        finish: Callable[[Any], Any] | None = None
        if raw:
            status = 202 if isinstance(started, Operation) else 200

            def finish(value: Any) -> ClientRawResponse:
                return ClientRawResponse(value, ServiceResponse(method, url, status, value))

        return LROPoller(started, polling=polling, finish=finish, name=name)

    @staticmethod
    def _pager(
        paged_class: type[P],
        fetch: Callable[[], Iterable[Any]],
        *,
        url: str,
        page_size: int | None,
        raw: bool,
    ) -> P:
        return paged_class(fetch, url=url, page_size=page_size, raw_headers={} if raw else None)

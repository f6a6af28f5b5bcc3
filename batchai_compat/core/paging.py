"""Pagers for Batch AI's list operations (11 methods in 2.0.0).

2.0.0 returned ``msrest.paging.Paged`` subclasses (``ClusterPaged``, ``JobPaged``, ...): lazy
iterators that fetched a page on first use and followed ``nextLink``.  ``max_results`` of the
``*ListOptions`` models was the service's page size (``maxresults`` query parameter): iteration
still yields every item, page by page.  :class:`Paged` keeps that surface — iteration, ``next()``,
``advance_page()``, ``current_page``, ``next_link``, ``reset()``, ``get(url)``, ``raw`` — and adds
azure-core's ``by_page(continuation_token=None)``.

The backend is asked for the list on the first page; later pages come from that snapshot, as a
service's server-side cursor would.  A backend result that is a ``Sequence`` is sliced, not
copied, so a backend can build only the models of the pages actually read.  ``reset()`` (or ``get(url)`` of the first page) asks again.
Backend errors (a missing workspace: 404) surface on first iteration, where 2.0.0 raised them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

from .raw import ClientRawResponse, ServiceResponse

__all__ = ["DEFAULT_PAGE_SIZE", "Paged"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 1000
SKIP_TOKEN = "$skiptoken"


class Paged(Iterator[T], Generic[T]):
    """A lazy, page-by-page iterator over a Batch AI list result.

    Built by the operations layer as ``ClusterPaged(fetch, url=..., page_size=...)``; ``fetch``
    returns the backend's items (called once per pass over the pages).  ``method`` is the HTTP
    method 2.0.0 sent for every page: GET, but POST for ``list_output_files`` and the two
    ``list_remote_login_information`` operations; ``raw`` responses carry it.
    """

    _item_type: ClassVar[str] = "object"
    _validation: ClassVar[dict[str, Any]] = {}
    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._attribute_map = {
            "next_link": {"key": "nextLink", "type": "str"},
            "current_page": {"key": "value", "type": f"[{cls._item_type}]"},
        }

    def __init__(
        self,
        fetch: Callable[[], Iterable[T]],
        *,
        url: str,
        page_size: int | None = None,
        raw_headers: dict[str, str] | None = None,
        method: str = "GET",
    ) -> None:
        self._fetch = fetch
        self._url = url
        self._method = method
        self._page_size = page_size or DEFAULT_PAGE_SIZE
        self._snapshot: Sequence[T] | None = None
        self._response: ServiceResponse | None = None
        self._raw_headers = raw_headers
        self.next_link: str | None = ""
        self.current_page: list[T] = []
        self._current_page_iter_index = 0

    # msrest Paged surface -------------------------------------------------------------------
    def __iter__(self) -> Paged[T]:
        return self

    def __next__(self) -> T:
        while not (self.current_page and self._current_page_iter_index < len(self.current_page)):
            self.advance_page()
        item = self.current_page[self._current_page_iter_index]
        self._current_page_iter_index += 1
        return item

    next = __next__

    def reset(self) -> None:
        """Back to before the first page; the next page asks the backend again."""
        self.next_link = ""
        self.current_page = []
        self._current_page_iter_index = 0
        self._snapshot = None

    def advance_page(self) -> list[T]:
        """Fetch the next page into ``current_page`` and return it; ``StopIteration`` at the end."""
        if self.next_link is None:
            raise StopIteration("End of paging")
        offset = self._offset_of(self.next_link)
        if offset == 0 or self._snapshot is None:
            self._snapshot = _as_sequence(self._fetch())
        end = offset + self._page_size
        self.current_page = list(self._snapshot[offset:end])
        self._current_page_iter_index = 0
        self.next_link = self._link(end) if end < len(self._snapshot) else None
        self._response = ServiceResponse(self._method, self._link(offset), 200, self.current_page)
        return self.current_page

    def get(self, url: str) -> list[T]:
        """Reset, then fetch the page ``url`` (a ``next_link`` value) names."""
        self.reset()
        self.next_link = url
        return self.advance_page()

    @property
    def raw(self) -> ClientRawResponse:
        """The current page as a ``ClientRawResponse`` (``output`` is the page's list)."""
        raw = ClientRawResponse(self.current_page, self._response)
        if self._raw_headers:
            raw.add_headers(self._raw_headers)
        return raw

    # azure-core ItemPaged surface -----------------------------------------------------------
    def by_page(self, continuation_token: str | None = None) -> Iterator[Iterator[T]]:
        """Iterate page by page from the start, or from a ``next_link`` continuation token."""
        pager = type(self)(
            self._fetch, url=self._url, page_size=self._page_size, method=self._method
        )
        pager.next_link = continuation_token or ""
        while pager.next_link is not None:
            page = pager.advance_page()
            yield iter(list(page))

    # next links -----------------------------------------------------------------------------
    def _link(self, offset: int) -> str:
        if offset == 0:
            return self._url
        separator = "&" if "?" in self._url else "?"
        return f"{self._url}{separator}{SKIP_TOKEN}={offset}"

    def _offset_of(self, link: str) -> int:
        if not link:
            return 0
        values = parse_qs(urlsplit(link).query).get(SKIP_TOKEN)
        if not values:
            return 0
        try:
            offset = int(values[0])
        except ValueError:
            raise ValueError(f"Not a next link of this list: {link!r}") from None
        if offset < 0:
            raise ValueError(f"Not a next link of this list: {link!r}")
        return offset

    def __repr__(self) -> str:
        return f"<{type(self).__name__} page_size={self._page_size} next_link={self.next_link!r}>"


def _as_sequence(items: Iterable[T]) -> Sequence[T]:
    """Keep a backend's sliceable result as it is (the local backend loads a page's models only
    when that page is sliced out); materialize any other iterable once."""
    if isinstance(items, Sequence):
        return items
    return list(items)

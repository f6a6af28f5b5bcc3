"""Paged: msrest's pager surface (and azure-core's by_page) over a backend's list."""

from __future__ import annotations

import pytest

from batchai_compat.models import ClusterPaged, FilePaged, JobPaged


def _counting_fetch(items):
    calls = []

    def fetch():
        calls.append(1)
        return list(items)

    return fetch, calls


URL = "https://management.azure.com/subscriptions/s/x?api-version=2018-05-01"


def test_attribute_maps_match_the_genuine_paged_classes():
    import azure.mgmt.batchai.models as genuine

    import batchai_compat.models as ours

    genuine_paged = [n for n in genuine.__all__ if n.endswith("Paged")]
    assert len(genuine_paged) == 9
    for name in genuine_paged:
        assert getattr(ours, name)._attribute_map == getattr(genuine, name)._attribute_map, name


def test_iteration_follows_pages_of_page_size():
    fetch, calls = _counting_fetch(range(5))
    pager = ClusterPaged(fetch, url=URL, page_size=2)
    assert iter(pager) is pager
    assert pager.current_page == [] and pager.next_link == ""
    assert list(pager) == [0, 1, 2, 3, 4]
    assert calls == [1]  # one backend call, later pages from the same snapshot
    assert pager.next_link is None
    with pytest.raises(StopIteration):
        pager.advance_page()


def test_advance_page_current_page_and_next_link():
    fetch, _ = _counting_fetch("abcde")
    pager = JobPaged(fetch, url=URL, page_size=2)
    assert pager.advance_page() == ["a", "b"]
    assert pager.current_page == ["a", "b"]
    assert pager.next_link and "$skiptoken=2" in pager.next_link
    assert pager.next() == "a"
    assert next(pager) == "b"
    assert next(pager) == "c"  # moves to the second page by itself
    assert pager.current_page == ["c", "d"]


def test_reset_asks_the_backend_again():
    items = ["a"]
    fetch, calls = _counting_fetch(items)

    def live():
        fetch()
        return list(items)

    pager = JobPaged(live, url=URL)
    assert list(pager) == ["a"]
    items.append("b")
    assert list(pager) == []  # exhausted, as msrest's Paged
    pager.reset()
    assert list(pager) == ["a", "b"]
    assert len(calls) == 2


def test_get_fetches_an_arbitrary_page():
    fetch, _ = _counting_fetch(range(7))
    pager = FilePaged(fetch, url=URL, page_size=3)
    first = pager.advance_page()
    link = pager.next_link
    assert pager.get(link) == [3, 4, 5]
    assert first == [0, 1, 2]
    with pytest.raises(ValueError, match="next link"):
        pager.get(URL + "&$skiptoken=oops")


def test_by_page_and_continuation_token():
    fetch, _ = _counting_fetch(range(5))
    pager = ClusterPaged(fetch, url=URL, page_size=2)
    assert [list(page) for page in pager.by_page()] == [[0, 1], [2, 3], [4]]
    pager.advance_page()
    token = pager.next_link
    assert [list(page) for page in pager.by_page(continuation_token=token)] == [[2, 3], [4]]


def test_empty_list():
    pager = ClusterPaged(lambda: [], url=URL)
    assert list(pager) == []
    assert [list(p) for p in pager.by_page()] == [[]]


def test_raw_gives_the_current_page_and_a_response():
    pager = ClusterPaged(lambda: ["x"], url=URL, raw_headers={})
    pager.advance_page()
    raw = pager.raw
    assert raw.output == ["x"]
    assert raw.response.status_code == 200
    assert raw.response.request.method == "GET"
    assert raw.response.url.startswith(URL)


def test_backend_errors_surface_on_first_iteration():
    def fetch():
        raise LookupError("workspace missing")

    pager = ClusterPaged(fetch, url=URL)  # building the pager calls nothing
    with pytest.raises(LookupError):
        next(pager)

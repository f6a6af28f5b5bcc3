"""Pollers, pagers and raw responses of the public client, on every backend."""

from __future__ import annotations

import threading

import batchai_compat.models as models
from batchai_compat.exceptions import ResourceNotFoundError

from .conftest import EXP, LOCATION, RG, WS, cluster_parameters, wait_until


def test_poller_surface_on_create(client):
    poller = client.workspaces.create(RG, WS, LOCATION)
    done = threading.Event()
    seen = []

    def callback(method):
        seen.append(method.resource())
        done.set()

    poller.add_done_callback(callback)
    workspace = poller.result(timeout=30)
    poller.wait()
    assert poller.done() and poller.status() == "Succeeded"
    assert done.wait(30)
    assert seen == [workspace]
    assert poller.polling_method().finished()


def test_begin_aliases_are_the_track2_spelling(client):
    ws = client.workspaces.begin_create(RG, WS, LOCATION).result()
    assert ws.name == WS
    client.clusters.begin_create(RG, WS, "nc6", cluster_parameters()).result()
    client.clusters.begin_delete(RG, WS, "nc6").result()
    client.workspaces.begin_delete(RG, WS).result()


def test_dropped_pollers_still_happen(client, workspace):
    client.experiments.create(RG, WS, EXP)  # poller dropped at once
    wait_until(lambda: [e.name for e in client.experiments.list_by_workspace(RG, WS)] == [EXP])
    client.clusters.create(RG, WS, "nc6", cluster_parameters())
    wait_until(lambda: [c.name for c in client.clusters.list_by_workspace(RG, WS)] == ["nc6"])
    client.clusters.delete(RG, WS, "nc6")  # old code never called .result() on deletes
    wait_until(lambda: list(client.clusters.list_by_workspace(RG, WS)) == [])


def test_polling_false_and_custom_polling_objects(client, workspace):
    from msrestazure.polling.arm_polling import ARMPolling

    class RecipePolling(ARMPolling):
        pass

    poller = client.experiments.create(RG, WS, "nopoll", polling=False)
    assert poller.done()
    wait_until(lambda: client.experiments.get(RG, WS, "nopoll"))
    custom = client.experiments.create(RG, WS, "custom", polling=RecipePolling(timeout=0))
    assert custom.result().name == "custom"
    assert custom.custom_polling is not None


def test_pager_pages_by_max_results(client, workspace):
    names = [f"exp{i}" for i in range(5)]
    for name in names:
        client.experiments.create(RG, WS, name).result()
    options = models.ExperimentsListByWorkspaceOptions(max_results=2)
    pager = client.experiments.list_by_workspace(RG, WS, options)
    first = pager.advance_page()
    assert len(first) == 2 and pager.current_page == first
    assert pager.next_link
    assert sorted(e.name for e in pager) == sorted(names)  # continues through every page
    pages = [[e.name for e in page] for page in pager.by_page()]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == sorted(names)
    pager.reset()
    client.experiments.create(RG, WS, "late").result()
    assert "late" in {e.name for e in pager}
    assert next(client.experiments.list_by_workspace(RG, WS)).name in names + ["late"]


def test_pager_of_a_missing_workspace_raises_404_on_iteration(client):
    pager = client.clusters.list_by_workspace(RG, "no-such-ws")
    try:
        list(pager)
    except ResourceNotFoundError as error:
        assert error.response.status_code == 404
    else:
        raise AssertionError("listing a missing workspace must fail")


def test_raw_true_returns_output_and_response(client, workspace):
    raw = client.workspaces.get(RG, WS, raw=True)
    assert raw.output == workspace
    assert raw.response.status_code == 200
    assert raw.response.json()["name"] == WS
    assert f"/workspaces/{WS}" in raw.response.request.url
    assert "api-version=2018-05-01" in raw.response.request.url

    lro = client.experiments.create(RG, WS, EXP, raw=True).result()
    assert lro.output.name == EXP
    assert lro.response.status_code in (200, 202)
    assert lro.response.request.method == "PUT"

    paged = client.experiments.list_by_workspace(RG, WS, raw=True)
    assert [e.name for e in paged] == [EXP]
    assert paged.raw.response.status_code == 200

    deleted = client.experiments.delete(RG, WS, EXP, raw=True).result()
    assert deleted.output is None


def test_custom_headers_and_operation_config_are_accepted(client):
    client.workspaces.create(
        RG, WS, LOCATION, None, {"x-ms-client-request-id": "abc"}, False, True, timeout=30
    ).result()
    assert client.workspaces.get(RG, WS, custom_headers={"a": "b"}, retries=0).name == WS

"""State outlives a client: two client instances, and two processes, see the same resources."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from .conftest import LOCATION, RG, SUB, WS, child_environment, cluster_parameters


def test_two_client_instances_share_state(backend):
    with backend.client_factory() as first:
        first.workspaces.create(RG, WS, LOCATION, tags={"by": "first"}).result()
        first.clusters.create(RG, WS, "nc6", cluster_parameters()).result()
    with backend.client_factory() as second:
        assert second.workspaces.get(RG, WS).tags == {"by": "first"}
        assert [c.name for c in second.clusters.list_by_workspace(RG, WS)] == ["nc6"]
        second.workspaces.update(RG, WS, tags={"by": "second"})
    with backend.client_factory() as third:
        assert third.workspaces.get(RG, WS).tags == {"by": "second"}


CHILD = textwrap.dedent(
    """
    import json, os, sys
    import batchai_compat.models as models
    from batchai_compat import BatchAIManagementClient

    rg, ws, sub, location = sys.argv[1:5]
    credentials = object()  # the local backend needs none
    if os.environ.get("BATCHAI_TEST_SP_TENANT"):  # a service principal, as Batch AI scripts used
        from msrestazure.azure_active_directory import ServicePrincipalCredentials

        credentials = ServicePrincipalCredentials(
            client_id="conformance-child",
            secret=os.environ["BATCHAI_TEST_SP_SECRET"],
            tenant=os.environ["BATCHAI_TEST_SP_TENANT"],
        )
    with BatchAIManagementClient(credentials, sub) as client:
        seen = [w.name for w in client.workspaces.list_by_resource_group(rg)]
        client.experiments.create(rg, ws, "from-child").result()
        client.clusters.delete(rg, ws, "nc6")  # dropped poller: the delete still happens
    print(json.dumps(seen))
    """
)


def test_two_processes_share_state(backend, client):
    if not backend.has("cross_process"):
        pytest.skip(f"{backend.name}'s test service lives in this process")
    client.workspaces.create(RG, WS, LOCATION).result()
    client.clusters.create(RG, WS, "nc6", cluster_parameters()).result()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, RG, WS, SUB, LOCATION],
        env=child_environment(backend),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [WS]
    assert client.experiments.get(RG, WS, "from-child").name == "from-child"
    assert list(client.clusters.list_by_workspace(RG, WS)) == []

"""``operations.list`` and resource ids on the local backend.

The provider operations are derived from the Backend protocol; this test checks them against the
operation groups and methods of the genuine azure-mgmt-batchai 2.0.0 client.
"""

from __future__ import annotations

import inspect

from batchai_compat.backends.provider_operations import provider_operations

# genuine operation group attribute -> ARM resource type path under Microsoft.BatchAI
GROUP_RESOURCE = {
    "workspaces": "workspaces",
    "experiments": "workspaces/experiments",
    "clusters": "workspaces/clusters",
    "file_servers": "workspaces/fileservers",
    "jobs": "workspaces/experiments/jobs",
    "usages": "locations/usages",
    "operations": "operations",
}


def _genuine_groups():
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine

    client = Genuine(object(), "00000000-0000-0000-0000-000000000000")
    for attribute, resource in GROUP_RESOURCE.items():
        group = getattr(client, attribute)
        methods = [
            name
            for name, _ in inspect.getmembers(type(group), inspect.isfunction)
            if not name.startswith("_")
        ]
        yield attribute, resource, methods


def test_every_genuine_method_has_its_provider_operation(client):
    served = {operation.name for operation in client.operations.list()}
    assert len(served) == len(list(client.operations.list()))  # no duplicates
    checked = 0
    for _, resource, methods in _genuine_groups():
        base = f"Microsoft.BatchAI/{resource}"
        for method in methods:
            if method in ("create", "update"):
                expected = f"{base}/write"
            elif method.startswith(("get", "list_by", "list")) and method in (
                "get",
                "list",
                "list_by_resource_group",
                "list_by_workspace",
                "list_by_experiment",
            ):
                expected = f"{base}/read"
            elif method == "delete":
                expected = f"{base}/delete"
            elif method == "terminate":
                expected = f"{base}/terminate/action"
            elif method == "list_remote_login_information":
                expected = f"{base}/remoteLoginInformation/action"
            elif method == "list_output_files":
                expected = f"{base}/listOutputFiles/action"
            else:
                raise AssertionError(f"unexpected genuine method {method}")
            assert expected in served, (resource, method)
            checked += 1
    assert checked == 29  # the 29 methods of 2.0.0


def test_operation_models_carry_display_and_origin(client):
    operations = list(client.operations.list())
    assert all(op.origin == "user,system" for op in operations)
    assert all(op.display.provider == "Microsoft Batch AI" for op in operations)
    terminate = next(op for op in operations if op.name.endswith("/jobs/terminate/action"))
    assert terminate.display.resource == "Jobs" and terminate.display.operation


def test_provider_operations_follow_the_protocol():
    class Smaller:
        def get_cluster(self): ...
        def terminate_job(self): ...

    names = [entry.name for entry in provider_operations(Smaller)]
    assert names == [
        "Microsoft.BatchAI/workspaces/clusters/read",
        "Microsoft.BatchAI/workspaces/experiments/jobs/terminate/action",
    ]

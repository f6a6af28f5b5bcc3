"""``raw=True`` responses name the request the genuine 2.0.0 client sends for the same call.

Every one of the 29 operations runs twice: on the genuine azure-mgmt-batchai 2.0.0 client,
whose HTTP requests are captured by ``responses`` (an answer of ``{"value": []}`` suits every
operation), and on our client over the real local backend with ``raw=True``.  The method and URL
(path, ``api-version`` and the ``*Options`` query parameters, in order) must be the same.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from batchai_compat import models

RG, WS, EXP, CLUSTER, FILE_SERVER, JOB, LOCATION = "rg", "ws", "exp", "nc6", "nfs", "job", "eastus"

#: (label, call) in an order in which each call finds the resources it needs on a real backend.
#: ``call(group_of, m, kw)``: ``group_of(name)`` is the client's operation group, ``m`` its
#: models module (genuine or ours), ``kw`` extra keywords (``raw=True`` for ours,
#: ``polling=False`` for the genuine's long-running calls, which would otherwise poll).
Step = tuple[str, Callable[[Callable[[str], Any], Any, dict[str, Any]], Any]]


def _cluster_parameters(m: Any) -> Any:
    return m.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=1)),
        user_account_settings=m.UserAccountSettings(
            admin_user_name="batchai", admin_user_password="Adm1n-Pa55word!"
        ),
    )


def _file_server_parameters(m: Any) -> Any:
    return m.FileServerCreateParameters(
        vm_size="STANDARD_D2_V2",
        ssh_configuration=m.SshConfiguration(
            user_account_settings=m.UserAccountSettings(
                admin_user_name="batchai", admin_user_password="Adm1n-Pa55word!"
            )
        ),
        data_disks=m.DataDisks(
            disk_size_in_gb=10, disk_count=1, storage_account_type="Standard_LRS"
        ),
    )


def _job_parameters(m: Any, cluster_id: str) -> Any:
    return m.JobCreateParameters(
        cluster=m.ResourceId(id=cluster_id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=m.CustomToolkitSettings(command_line="echo raw"),
    )


def _cluster_id(g: Callable[[str], Any]) -> str:
    # On our client, the id of the cluster the step before created; any id does for the genuine.
    cluster = g("clusters").get(RG, WS, CLUSTER)
    return getattr(cluster, "id", None) or f"/subscriptions/x/clusters/{CLUSTER}"


STEPS: list[Step] = [
    ("workspaces.create", lambda g, m, kw: g("workspaces").create(RG, WS, LOCATION, **kw)),
    ("experiments.create", lambda g, m, kw: g("experiments").create(RG, WS, EXP, **kw)),
    (
        "clusters.create",
        lambda g, m, kw: g("clusters").create(RG, WS, CLUSTER, _cluster_parameters(m), **kw),
    ),
    (
        "file_servers.create",
        lambda g, m, kw: g("file_servers").create(
            RG, WS, FILE_SERVER, _file_server_parameters(m), **kw
        ),
    ),
    (
        "jobs.create",
        lambda g, m, kw: g("jobs").create(
            RG, WS, EXP, JOB, _job_parameters(m, _cluster_id(g)), **kw
        ),
    ),
    ("workspaces.get", lambda g, m, kw: g("workspaces").get(RG, WS, **kw)),
    ("workspaces.update", lambda g, m, kw: g("workspaces").update(RG, WS, {"team": "a"}, **kw)),
    (
        "workspaces.list",
        lambda g, m, kw: g("workspaces").list(m.WorkspacesListOptions(max_results=5), **kw),
    ),
    (
        "workspaces.list_by_resource_group",
        lambda g, m, kw: g("workspaces").list_by_resource_group(
            RG, m.WorkspacesListByResourceGroupOptions(max_results=6), **kw
        ),
    ),
    ("experiments.get", lambda g, m, kw: g("experiments").get(RG, WS, EXP, **kw)),
    (
        "experiments.list_by_workspace",
        lambda g, m, kw: g("experiments").list_by_workspace(
            RG, WS, m.ExperimentsListByWorkspaceOptions(max_results=7), **kw
        ),
    ),
    ("clusters.get", lambda g, m, kw: g("clusters").get(RG, WS, CLUSTER, **kw)),
    (
        "clusters.update",
        lambda g, m, kw: g("clusters").update(
            RG,
            WS,
            CLUSTER,
            m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=1)),
            **kw,
        ),
    ),
    ("clusters.list_by_workspace", lambda g, m, kw: g("clusters").list_by_workspace(RG, WS, **kw)),
    (
        "clusters.list_remote_login_information",
        lambda g, m, kw: g("clusters").list_remote_login_information(RG, WS, CLUSTER, **kw),
    ),
    ("file_servers.get", lambda g, m, kw: g("file_servers").get(RG, WS, FILE_SERVER, **kw)),
    (
        "file_servers.list_by_workspace",
        lambda g, m, kw: g("file_servers").list_by_workspace(
            RG, WS, m.FileServersListByWorkspaceOptions(max_results=8), **kw
        ),
    ),
    ("jobs.get", lambda g, m, kw: g("jobs").get(RG, WS, EXP, JOB, **kw)),
    (
        "jobs.list_by_experiment",
        lambda g, m, kw: g("jobs").list_by_experiment(
            RG, WS, EXP, m.JobsListByExperimentOptions(max_results=9), **kw
        ),
    ),
    (
        "jobs.list_output_files",
        lambda g, m, kw: g("jobs").list_output_files(
            RG,
            WS,
            EXP,
            JOB,
            m.JobsListOutputFilesOptions(
                outputdirectoryid="stdouterr", directory=".", linkexpiryinminutes=10, max_results=3
            ),
            **kw,
        ),
    ),
    (
        "jobs.list_remote_login_information",
        lambda g, m, kw: g("jobs").list_remote_login_information(RG, WS, EXP, JOB, **kw),
    ),
    ("jobs.terminate", lambda g, m, kw: g("jobs").terminate(RG, WS, EXP, JOB, **kw)),
    ("jobs.delete", lambda g, m, kw: g("jobs").delete(RG, WS, EXP, JOB, **kw)),
    ("file_servers.delete", lambda g, m, kw: g("file_servers").delete(RG, WS, FILE_SERVER, **kw)),
    ("clusters.delete", lambda g, m, kw: g("clusters").delete(RG, WS, CLUSTER, **kw)),
    ("experiments.delete", lambda g, m, kw: g("experiments").delete(RG, WS, EXP, **kw)),
    ("workspaces.delete", lambda g, m, kw: g("workspaces").delete(RG, WS, **kw)),
    ("usages.list", lambda g, m, kw: g("usages").list(LOCATION, **kw)),
    ("operations.list", lambda g, m, kw: g("operations").list(**kw)),
]


def _is_long_running(label: str) -> bool:
    return label.split(".")[1] in ("create", "delete", "terminate")


def _genuine_requests() -> dict[str, tuple[str, str]]:
    """The (method, URL) the genuine 2.0.0 client sends for each step (answered, never sent)."""
    import responses
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine
    from azure.mgmt.batchai import models as genuine_models
    from msrest.authentication import Authentication

    client = Genuine(Authentication(), "00000000-0000-0000-0000-000000000000")
    sent: dict[str, tuple[str, str]] = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        for verb in ("GET", "PUT", "PATCH", "POST", "DELETE"):
            http.add(verb, re.compile(r"https://management\.azure\.com/.*"), json={"value": []})
        for label, call in STEPS:
            before = len(http.calls)
            keywords = {"polling": False} if _is_long_running(label) else {}
            result = call(lambda name: getattr(client, name), genuine_models, keywords)
            if hasattr(result, "advance_page"):
                result.advance_page()  # a pager sends its first request when asked for a page
            assert len(http.calls) > before, label
            request = http.calls[len(http.calls) - 1].request  # the step's own, after any lookup
            sent[label] = (str(request.method), str(request.url))
    return sent


def _ours(client: Any) -> dict[str, tuple[str, str]]:
    """The (method, URL) of the raw response our client returns for each step."""
    seen: dict[str, tuple[str, str]] = {}
    for label, call in STEPS:
        result = call(lambda name: getattr(client, name), models, {"raw": True})
        if hasattr(result, "advance_page"):
            result.advance_page()
            response = result.raw.response
        elif hasattr(result, "result"):
            response = result.result(timeout=60).response
        else:
            response = result.response
        seen[label] = (response.request.method, response.url)
    return seen


def test_the_steps_are_the_29_genuine_operations(genuine_client):
    genuine = {
        f"{group}.{name}"
        for group, value in vars(genuine_client).items()
        if type(value).__module__.startswith("azure.mgmt.batchai.operations")
        for name, _ in inspect.getmembers(type(value), inspect.isfunction)
        if not name.startswith("_")
    }
    assert len(genuine) == 29
    labels = [label for label, _ in STEPS]
    assert len(labels) == len(set(labels))
    assert set(labels) == genuine


def test_raw_responses_name_the_genuine_request(client):
    genuine = _genuine_requests()
    ours = _ours(client)
    mismatches = [
        f"{label}: ours {ours[label]}, genuine {genuine[label]}"
        for label in genuine
        if ours[label] != genuine[label]
    ]
    assert mismatches == []

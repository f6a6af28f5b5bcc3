"""What ``batchai`` prints is what az printed: compared with knack's (az's) formatters and
``todict`` run on the genuine azure-mgmt-batchai 2.0.0 models, and with tabulate's table.

The same REST bodies (as the service returned them) are read by our models and by the genuine
ones; az's output pipeline (knack ``todict`` without ``additionalProperties``, then
``resourceGroup`` from ids) on the genuine objects must give the data ours gives, and knack's
``format_json`` / ``format_table`` / ``format_tsv`` / ``format_yaml`` the same text.
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import azure.mgmt.batchai.models as genuine
import jmespath
import pytest
from knack import output as knack_output
from knack.util import todict as knack_todict
from tabulate import tabulate

import batchai_compat.models as ours
from batchai_compat.cli import tables
from batchai_compat.cli.output import (
    add_resource_groups,
    format_json,
    format_tsv,
    format_yaml,
    render,
    result_data,
    tabulate_simple,
)

WS_ID = "/subscriptions/sub/resourceGroups/rg-a/providers/Microsoft.BatchAI/workspaces/ws"

CLUSTER = {
    "id": f"{WS_ID}/clusters/nc6",
    "name": "nc6",
    "type": "Microsoft.BatchAI/workspaces/clusters",
    "properties": {
        "vmSize": "STANDARD_NC6",
        "vmPriority": "lowpriority",
        "scaleSettings": {
            "autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 4, "initialNodeCount": 1}
        },
        "userAccountSettings": {"adminUserName": "demo", "adminUserSshPublicKey": "ssh-rsa AAA"},
        "nodeSetup": {
            "mountVolumes": {
                "azureFileShares": [
                    {
                        "accountName": "acct",
                        "azureFileUrl": "https://acct.file.core.windows.net/share",
                        "credentials": {},
                        "relativeMountPath": "afs",
                        "fileMode": "0777",
                        "directoryMode": "0777",
                    }
                ]
            },
            "setupTask": {
                "commandLine": "echo hi",
                "stdOutErrPathPrefix": "$AZ_BATCHAI_MOUNT_ROOT/afs",
                "stdOutErrPathSuffix": "sub/rg-a/workspaces/ws/clusters/nc6/1234",
            },
        },
        "creationTime": "2018-06-01T10:00:00.123Z",
        "provisioningState": "succeeded",
        "provisioningStateTransitionTime": "2018-06-01T10:00:01.5Z",
        "allocationState": "resizing",
        "allocationStateTransitionTime": "2018-06-01T10:00:02Z",
        "errors": [
            {
                "code": "DiskFull",
                "message": "No space",
                "details": [{"name": "node", "value": "tvm-1"}],
            }
        ],
        "currentNodeCount": 1,
        "nodeStateCounts": {
            "idleNodeCount": 1,
            "runningNodeCount": 0,
            "preparingNodeCount": 0,
            "unusableNodeCount": 0,
            "leavingNodeCount": 0,
        },
    },
}

JOB = {
    "id": f"{WS_ID}/experiments/exp/jobs/train",
    "name": "train",
    "type": "Microsoft.BatchAI/workspaces/experiments/jobs",
    "properties": {
        "schedulingPriority": "normal",
        "cluster": {
            "id": "/subscriptions/sub/resourceGroups/rg-b/providers/Microsoft.BatchAI/workspaces/ws2/clusters/gpu"
        },
        "nodeCount": 2,
        "toolType": "tensorflow",
        "tensorFlowSettings": {
            "pythonScriptFilePath": "train.py",
            "workerCount": 2,
            "parameterServerCount": 1,
        },
        "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
        "jobOutputDirectoryPathSegment": "sub/rg-a/workspaces/ws/experiments/exp/jobs/train/u",
        "environmentVariables": [{"name": "A", "value": "1"}],
        "secrets": [{"name": "S"}],
        "constraints": {"maxWallClockTime": "P7D"},
        "creationTime": "2018-06-01T10:00:00Z",
        "provisioningState": "succeeded",
        "executionState": "failed",
        "executionStateTransitionTime": "2018-06-01T10:05:00Z",
        "executionInfo": {
            "startTime": "2018-06-01T10:01:00Z",
            "endTime": "2018-06-01T10:04:59.5Z",
            "exitCode": 3,
            "errors": [{"code": "JobFailed", "message": "boom"}],
        },
    },
}

FILES = [
    {
        "name": "stdout.txt",
        "fileType": "file",
        "downloadUrl": "http://127.0.0.1:1/t/stdout.txt",
        "properties": {"lastModified": "2018-06-01T10:04:00Z", "contentLength": 12},
    },
    {"name": "outputs", "fileType": "directory", "properties": {}},
]


def az_data(model: Any) -> Any:
    """az's output pipeline on a genuine SDK result: todict (additionalProperties folded in, as
    az's ``remove_additional_prop_layer``), then ``resourceGroup`` from ids."""

    def fold(obj: Any, converted: Any) -> Any:
        if isinstance(converted, dict) and isinstance(
            getattr(obj, "additional_properties", None), dict
        ):
            converted.update(converted.pop("additionalProperties"))
        return converted

    return add_resource_groups(knack_todict(model, fold))


def both(cls_name: str, body: dict[str, Any]) -> tuple[Any, Any]:
    return (
        getattr(ours, cls_name).deserialize(copy.deepcopy(body)),
        getattr(genuine, cls_name).deserialize(copy.deepcopy(body)),
    )


@pytest.mark.parametrize(("cls_name", "body"), [("Cluster", CLUSTER), ("Job", JOB)])
def test_result_data_is_what_az_made_of_the_genuine_model(cls_name, body):
    mine, theirs = both(cls_name, body)
    assert result_data(mine) == az_data(theirs)


def test_lists_and_nested_ids_get_resource_groups_as_in_az():
    mine, theirs = both("Job", JOB)
    data = result_data([mine])
    assert data == az_data([theirs])
    assert data[0]["resourceGroup"] == "rg-a"
    assert data[0]["cluster"]["resourceGroup"] == "rg-b"


def _knack(result: Any, transformer: Any = None, query: bool = False) -> Any:
    return SimpleNamespace(result=result, table_transformer=transformer, is_query_active=query)


@pytest.mark.parametrize(("cls_name", "body"), [("Cluster", CLUSTER), ("Job", JOB)])
def test_json_tsv_yaml_text_is_knacks(cls_name, body):
    mine, theirs = both(cls_name, body)
    data, az = result_data(mine), az_data(theirs)
    assert format_json(data) == knack_output.format_json(_knack(az))
    assert format_tsv(data) == knack_output.format_tsv(_knack(az))
    assert format_tsv([data, data]) == knack_output.format_tsv(_knack([az, az]))
    assert format_yaml(data) == knack_output.format_yaml(_knack(az))


@pytest.mark.parametrize(
    ("cls_name", "body", "show"),
    [
        ("Cluster", CLUSTER, tables.cluster_show),
        ("Job", JOB, tables.job_show),
    ],
)
def test_tables_are_knacks_with_our_columns(cls_name, body, show):
    mine, theirs = both(cls_name, body)
    data, az = result_data(mine), az_data(theirs)
    assert render(data, "table", transformer=show) == knack_output.format_table(_knack(az, show))
    listed = render([data, data], "table", transformer=tables._rows(show))
    assert listed == knack_output.format_table(_knack([az, az], tables._rows(show)))
    # Without a transformer (a create command), az's automatic columns: sorted scalar fields.
    assert render(data, "table") == knack_output.format_table(_knack(az))


def test_az_table_columns_of_each_resource():
    mine, _ = both("Cluster", CLUSTER)
    assert tables.cluster_show(result_data(mine)) == OrderedDict(
        [
            ("Name", "nc6"),
            ("Resource Group", "rg-a"),
            ("Workspace", "ws"),
            ("VM Size", "STANDARD_NC6"),
            ("State", "resizing"),
            ("Idle", "1"),
            ("Running", "0"),
            ("Preparing", "0"),
            ("Leaving", "0"),
            ("Unusable", "0"),
        ]
    )
    job, _ = both("Job", JOB)
    assert tables.job_show(result_data(job)) == OrderedDict(
        [
            ("Name", "train"),
            ("Cluster", "gpu"),
            ("Cluster RG", "rg-b"),
            ("Cluster Workspace", "ws2"),
            ("Tool", "tensorflow"),
            ("Nodes", 2),
            ("State", "failed"),
            ("Exit code", "3"),
        ]
    )
    files = [ours.File.deserialize(f) for f in FILES]
    theirs = [genuine.File.deserialize(f) for f in FILES]
    assert render(result_data(files), "table", transformer=tables.file_list) == (
        knack_output.format_table(_knack(az_data(theirs), tables.file_list))
    )
    assert tables.file_list(result_data(files)) == [
        OrderedDict(
            [
                ("Name", "stdout.txt"),
                ("Type", "file"),
                ("Size", "12"),
                ("Modified", "2018-06-01T10:04:00+00:00"),
            ]
        ),
        OrderedDict([("Name", "outputs"), ("Type", "directory"), ("Size", ""), ("Modified", " ")]),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "{name: name, state: executionState, exit: executionInfo.exitCode, rg: resourceGroup}",
        "[name, nodeCount, executionInfo.errors[0].code]",
        "executionInfo",
        "environmentVariables",
        "name",
        "nodeCount",
        "missing",
    ],
)
def test_query_results_print_as_in_az(query):
    mine, theirs = both("Job", JOB)
    compiled = jmespath.compile(query)
    options = jmespath.Options(dict_cls=OrderedDict)
    data = compiled.search(result_data(mine), options)
    az = compiled.search(az_data(theirs), options)
    for output, knack_format in (
        ("json", knack_output.format_json),
        ("tsv", knack_output.format_tsv),
        ("table", knack_output.format_table),
    ):
        if az is None:
            continue  # az prints nothing for a null result
        expected = knack_format(_knack(az, tables.job_show, query=True))
        assert render(data, output, transformer=tables.job_show, query_active=True) == expected


@pytest.mark.parametrize(
    "rows",
    [
        [
            {"Name": "a", "Count": 3, "Flag": True, "F": 0.5, "N": None},
            {"Name": "bbbbbbbbb", "Count": 12345, "Flag": False, "F": 1234567.0, "N": "x"},
        ],
        [{"A": "x\ny"}],
        [{"A": 3}, {"B": "x"}],
        [{"A": -3, "B": 2.25}, {"A": 10, "B": -1.5}],
        [{"Long header name": ""}],
    ],
)
def test_our_table_layout_is_tabulates_simple(rows):
    rows = [OrderedDict(r) for r in rows]
    assert tabulate_simple(rows) == tabulate(
        rows, headers="keys", tablefmt="simple", disable_numparse=True
    )


def test_jsonc_is_coloured_json_on_a_terminal_only():
    data = {"name": "a", "count": 2, "ok": True, "none": None, "list": ["x"]}
    coloured = render(data, "jsonc", color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == format_json(data)
    assert render(data, "jsonc", color=False) == format_json(data)
    assert render(data, "none") == ""

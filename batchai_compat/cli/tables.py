"""``-o table`` columns of the Batch AI commands, as ``az batchai``'s ``_format.py`` had them.

Each function takes the command's JSON data (see :mod:`.output`) and returns the rows; the list
variants map the show variant over the items.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

Row = dict[str, Any]


def _rows(show: Any) -> Any:
    def table(result: list[Any]) -> list[Row]:
        return [show(item) for item in result]

    table.__doc__ = f"The rows of a list: {show.__name__} of each item."
    return table


def _workspace_of(resource_id: str | None) -> str | None:
    from ..domain import ids

    parsed = ids.parse(resource_id)
    return parsed.workspace if parsed else None


def workspace_show(workspace: Row) -> Row:
    row: Row = OrderedDict()
    row["Name"] = workspace["name"]
    row["Resource Group"] = workspace.get("resourceGroup")
    row["Location"] = workspace["location"]
    row["State"] = workspace["provisioningState"]
    return row


def cluster_show(cluster: Row) -> Row:
    row: Row = OrderedDict()
    row["Name"] = cluster["name"]
    row["Resource Group"] = cluster.get("resourceGroup")
    row["Workspace"] = _workspace_of(cluster["id"])
    row["VM Size"] = cluster["vmSize"]
    deleting = cluster["provisioningState"] == "deleting"
    row["State"] = "deleting" if deleting else cluster["allocationState"]
    counts = cluster.get("nodeStateCounts") or {}
    for column, key in (
        ("Idle", "idleNodeCount"),
        ("Running", "runningNodeCount"),
        ("Preparing", "preparingNodeCount"),
        ("Leaving", "leavingNodeCount"),
        ("Unusable", "unusableNodeCount"),
    ):
        row[column] = str(counts.get(key))
    return row


def experiment_show(experiment: Row) -> Row:
    row: Row = OrderedDict()
    row["Name"] = experiment["name"]
    row["Resource Group"] = experiment.get("resourceGroup")
    row["Workspace"] = _workspace_of(experiment["id"])
    row["State"] = experiment["provisioningState"]
    return row


def job_show(job: Row) -> Row:
    row: Row = OrderedDict()
    row["Name"] = job["name"]
    from ..domain import ids

    cluster = job.get("cluster") or {}
    parsed = ids.parse(cluster.get("id"))
    row["Cluster"] = parsed.name if parsed else None
    row["Cluster RG"] = cluster.get("resourceGroup")
    row["Cluster Workspace"] = parsed.workspace if parsed else None
    row["Tool"] = job["toolType"]
    row["Nodes"] = job["nodeCount"]
    deleting = job["provisioningState"] == "deleting"
    row["State"] = "deleting" if deleting else job["executionState"]
    info = job.get("executionInfo") or {}
    exit_code = info.get("exitCode")
    row["Exit code"] = str(exit_code) if exit_code is not None else ""
    return row


def file_list(result: list[Row]) -> list[Row]:
    rows = []
    for item in result:
        row: Row = OrderedDict()
        row["Name"] = item["name"]
        row["Type"] = item["fileType"]
        row["Size"] = "" if item["fileType"] == "directory" else str(item["contentLength"])
        row["Modified"] = item["lastModified"] or " "
        rows.append(row)
    return rows


def file_server_show(server: Row) -> Row:
    row: Row = OrderedDict()
    row["Name"] = server["name"]
    row["Resource Group"] = server.get("resourceGroup")
    row["Size"] = server["vmSize"]
    disks = server.get("dataDisks")
    if disks:
        row["Disks"] = f"{disks['diskCount']} x {disks['diskSizeInGb']} Gb"
    mount = server.get("mountSettings")
    if mount:
        row["Public IP"] = mount["fileServerPublicIp"]
        row["Internal IP"] = mount["fileServerInternalIp"]
        row["Mount Point"] = mount["mountPoint"]
    return row


def remote_login(result: list[Row]) -> list[Row]:
    rows = []
    for item in result:
        row: Row = OrderedDict()
        row["ID"] = item["nodeId"]
        row["IP"] = item["ipAddress"]
        row["SSH Port"] = int(item["port"])
        rows.append(row)
    return rows


def usages(result: list[Row]) -> list[Row]:
    rows = []
    for item in result:
        row: Row = OrderedDict()
        row["Value"] = item["name"]["localizedValue"]
        row["Usage"] = item["currentValue"] or "0"
        row["Limit"] = item["limit"] or "0"
        rows.append(row)
    return rows


def node_setup_files(result: list[Row]) -> list[Row]:
    rows = []
    for item in result:
        row: Row = OrderedDict()
        row["Name"] = item["name"]
        row["Is directory"] = "yes" if item["is_directory"] else "no"
        row["Size"] = "" if item["size"] is None else (item["size"] or "0")
        rows.append(row)
    return rows


workspace_list = _rows(workspace_show)
cluster_list = _rows(cluster_show)
experiment_list = _rows(experiment_show)
job_list = _rows(job_show)
file_server_list = _rows(file_server_show)

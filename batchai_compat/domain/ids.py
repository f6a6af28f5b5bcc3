"""ARM resource ids of Batch AI resources (and the subnets clusters join), built and parsed.

Batch AI resources are addressed by ARM ids::

    /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.BatchAI/workspaces/{ws}
        /clusters/{name} | /fileservers/{name} | /experiments/{exp}[/jobs/{job}]

Jobs name their cluster by id (``JobCreateParameters.cluster = ResourceId(id=...)``), mounts name
file servers by id (``FileServerReference.file_server``) and clusters name their subnet by id
(``ClusterCreateParameters.subnet``).  ARM compares ids case-insensitively.  This is the one
implementation every backend uses.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..exceptions import ValidationError, cloud_error

__all__ = [
    "PROVIDER",
    "RESOURCE_TYPES",
    "ParsedId",
    "SubnetReference",
    "child_id",
    "job_cluster",
    "job_id",
    "parse",
    "parse_subnet_id",
    "resource_type",
    "subnet_id",
    "workspace_id",
]

PROVIDER = "Microsoft.BatchAI"

#: ARM ``type`` of each Batch AI resource, by its path kind.
RESOURCE_TYPES = {
    "workspaces": f"{PROVIDER}/workspaces",
    "clusters": f"{PROVIDER}/workspaces/clusters",
    "fileservers": f"{PROVIDER}/workspaces/fileservers",
    "experiments": f"{PROVIDER}/workspaces/experiments",
    "jobs": f"{PROVIDER}/workspaces/experiments/jobs",
}

_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.BatchAI/workspaces/(?P<ws>[^/]+)"
    r"(?:/(?P<kind>clusters|fileservers|experiments)/(?P<name>[^/]+)"
    r"(?:/jobs/(?P<job>[^/]+))?)?/?$",
    re.IGNORECASE,
)


class ParsedId(NamedTuple):
    """The parts of a Batch AI resource id; ``kind`` is ``workspaces``, ``clusters``,
    ``fileservers``, ``experiments`` or ``jobs`` (then ``experiment`` is set)."""

    subscription_id: str
    resource_group: str
    workspace: str
    kind: str
    name: str
    experiment: str | None = None


def resource_type(kind: str) -> str:
    return RESOURCE_TYPES[kind]


def workspace_id(subscription_id: str, resource_group: str, workspace: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/{PROVIDER}/workspaces/{workspace}"
    )


def child_id(
    subscription_id: str, resource_group: str, workspace: str, kind: str, name: str
) -> str:
    """Id of a workspace child: ``kind`` is ``clusters``, ``fileservers`` or ``experiments``."""
    return f"{workspace_id(subscription_id, resource_group, workspace)}/{kind}/{name}"


def job_id(
    subscription_id: str, resource_group: str, workspace: str, experiment: str, job: str
) -> str:
    return (
        f"{child_id(subscription_id, resource_group, workspace, 'experiments', experiment)}"
        f"/jobs/{job}"
    )


def parse(resource_id: str | None) -> ParsedId | None:
    """Split a Batch AI resource id; None when ``resource_id`` is not one."""
    match = _ID.match(resource_id.strip()) if resource_id else None
    if match is None:
        return None
    parts = match.groupdict()
    if parts["job"] is not None:
        return ParsedId(parts["sub"], parts["rg"], parts["ws"], "jobs", parts["job"], parts["name"])
    if parts["kind"] is None:
        return ParsedId(parts["sub"], parts["rg"], parts["ws"], "workspaces", parts["ws"])
    return ParsedId(parts["sub"], parts["rg"], parts["ws"], parts["kind"].lower(), parts["name"])


def job_cluster(cluster_id: str | None, subscription_id: str | None = None) -> ParsedId:
    """The cluster a job's ``cluster.id`` names: a Batch AI cluster id (of ``subscription_id``
    when given).  Anything else is the service's 400 ``InvalidClusterId``."""
    parsed = parse(cluster_id)
    if (
        parsed is None
        or parsed.kind != "clusters"
        or (
            subscription_id is not None
            and parsed.subscription_id.lower() != subscription_id.lower()
        )
    ):
        where = f" of subscription '{subscription_id}'" if subscription_id is not None else ""
        raise cloud_error(
            400,
            "InvalidClusterId",
            f"The job's cluster '{cluster_id}' does not name an existing cluster{where}.",
        )
    return parsed


class SubnetReference(NamedTuple):
    """A ``Microsoft.Network`` subnet id, split."""

    subscription_id: str
    resource_group: str
    vnet_name: str
    subnet_name: str


_SUBNET_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.Network/virtualNetworks/(?P<vnet>[^/]+)/subnets/(?P<subnet>[^/]+)/?$",
    re.IGNORECASE,
)


def parse_subnet_id(
    resource_id: str | None, where: str = "parameters.subnet.id"
) -> SubnetReference:
    """Split ``/subscriptions/../resourceGroups/../providers/Microsoft.Network/virtualNetworks/
    ../subnets/..``; anything else is a :class:`~batchai_compat.exceptions.ValidationError`."""
    match = _SUBNET_ID.match((resource_id or "").strip())
    if match is None:
        raise ValidationError(
            where,
            "must be a subnet resource id '/subscriptions/{sub}/resourceGroups/{rg}/providers/"
            "Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}'",
            resource_id,
        )
    return SubnetReference(match["sub"], match["rg"], match["vnet"], match["subnet"])


def subnet_id(reference: SubnetReference) -> str:
    return (
        f"/subscriptions/{reference.subscription_id}/resourceGroups/{reference.resource_group}"
        f"/providers/Microsoft.Network/virtualNetworks/{reference.vnet_name}"
        f"/subnets/{reference.subnet_name}"
    )

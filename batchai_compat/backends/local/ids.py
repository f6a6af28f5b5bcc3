"""ARM resource ids of Batch AI resources, built and parsed.

Batch AI resources are addressed by ARM ids::

    /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.BatchAI/workspaces/{ws}
        /clusters/{name} | /fileservers/{name} | /experiments/{exp}[/jobs/{job}]

Jobs name their cluster by id (``JobCreateParameters.cluster = ResourceId(id=...)``) and mounts
name file servers by id (``FileServerReference.file_server``); the local backend resolves those
ids to its own rows with :func:`parse`.  ARM compares ids case-insensitively.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..base import PROVIDER, workspace_id

__all__ = [
    "RESOURCE_TYPES",
    "ParsedId",
    "child_id",
    "job_id",
    "parse",
    "resource_type",
    "workspace_id",
]

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
    ``fileservers``, ``experiments`` or ``jobs``."""

    subscription_id: str
    resource_group: str
    workspace: str
    kind: str
    name: str
    experiment: str | None = None


def resource_type(kind: str) -> str:
    return RESOURCE_TYPES[kind]


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


def parse(resource_id: str) -> ParsedId | None:
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

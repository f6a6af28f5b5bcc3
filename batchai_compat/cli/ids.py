"""ARM resource ids as az's commands read them (``msrestazure.tools.parse_resource_id``).

``--cluster``, ``--nfs`` and a job file's ``cluster.id`` take a name or an ARM id; ``--subnet``
and ``--custom-image`` must be ARM ids.  An id is
``/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}`` followed by
any ``/{child type}/{child name}`` pairs; :func:`parse` returns its parts, the last name as
``resource_name`` (a Batch AI cluster id gives ``name`` = the workspace and ``resource_name`` =
the cluster).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_ID = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<resource_group>[^/]+)"
    r"/providers/(?P<namespace>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)(?P<children>(?:/[^/]+/[^/]+)*)/?$",
    re.IGNORECASE,
)


class ResourceId(NamedTuple):
    subscription: str
    resource_group: str
    namespace: str
    type: str
    name: str
    #: The last name of the id (``name`` itself when there are no children).
    resource_name: str
    #: ``(type, name)`` of each child level after ``name``.
    children: tuple[tuple[str, str], ...]


def parse(text: str | None) -> ResourceId | None:
    """The parts of ARM id ``text``; None when it is not one (a plain name, say)."""
    match = _ID.match(text.strip()) if text else None
    if match is None:
        return None
    segments = [s for s in match["children"].split("/") if s]
    children = tuple(zip(segments[::2], segments[1::2], strict=True))
    return ResourceId(
        match["subscription"],
        match["resource_group"],
        match["namespace"],
        match["type"],
        match["name"],
        children[-1][1] if children else match["name"],
        children,
    )


def is_valid(text: str | None) -> bool:
    return parse(text) is not None


def resolve(name_or_id: str, resource_group: str, workspace: str) -> tuple[str, str, str]:
    """``(resource group, workspace, name)`` of a workspace child given by name or by id."""
    parsed = parse(name_or_id)
    if parsed is None:
        return resource_group, workspace, name_or_id
    return parsed.resource_group, parsed.name, parsed.resource_name

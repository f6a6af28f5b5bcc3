"""Resources a command names: by name or by ARM id, and which must not exist yet.

``--cluster``, ``--nfs`` and a job file's ``cluster.id`` take a workspace child's name or its
ARM id (another workspace's cluster needs the id), parsed by
:mod:`batchai_compat.domain.ids`; ``--custom-image`` must be an ARM id of any kind, checked as
az checked it (``msrestazure.tools.is_valid_resource_id``).  ``create`` commands refuse a name
that is taken, as ``az batchai`` did (the client itself returns the existing resource when the
parameters are identical).  ``--no-wait`` returns as soon as a long-running operation has
started (:func:`complete`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import CommandError

if TYPE_CHECKING:
    from .context import Context

_ARM_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+(?:/[^/]+/[^/]+)*/?$",
    re.IGNORECASE,
)


def is_arm_id(text: str | None) -> bool:
    return bool(text) and _ARM_ID.match(text.strip()) is not None  # type: ignore[union-attr]


def resolve(name_or_id: str, resource_group: str, workspace: str) -> tuple[str, str, str]:
    """``(resource group, workspace, name)`` of a workspace child given by name or by id."""
    from ..domain import ids

    parsed = ids.parse(name_or_id)
    if parsed is None or parsed.kind in ("workspaces", "jobs"):
        return resource_group, workspace, name_or_id
    return parsed.resource_group, parsed.workspace, parsed.name


def ensure_absent(get: Any, what: str, resource_group: str, workspace: str, name: str) -> None:
    """Raise when ``get(resource_group, workspace, name)`` finds the resource."""
    from ..exceptions import ResourceNotFoundError

    try:
        get(resource_group, workspace, name)
    except ResourceNotFoundError:
        return
    raise CommandError(
        f'{what} "{name}" already exists in workspace "{workspace}" of resource group '
        f'"{resource_group}".'
    )


def complete(context: Context, poller: Any, no_wait: bool) -> None:
    """Wait for a long-running operation unless ``--no-wait`` (it has started either way)."""
    if not no_wait:
        context.finish(poller)

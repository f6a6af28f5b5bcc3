"""``operations.list``: the Microsoft.BatchAI operations a backend serves (every backend).

The Batch AI resource provider listed its operations (``Microsoft.BatchAI/workspaces/clusters/
write``, ``.../jobs/terminate/action``, ...) for role definitions and the portal.  Rather than a
hand-typed list, the entries are derived from the methods of the
:class:`~batchai_compat.backends.base.Backend` protocol the local backend implements: each
``<verb>_<resource>`` method becomes ``Microsoft.BatchAI/<resource type>/<read|write|delete>``,
and every other verb becomes an ``<action>/action`` entry.  Adding a method to the protocol adds
its operation here.
"""

from __future__ import annotations

import types
from typing import Any, NamedTuple

from .base import PROVIDER, Backend

__all__ = ["ProviderOperation", "operation_models", "provider_operations"]

PROVIDER_DISPLAY = "Microsoft Batch AI"

# resource noun in method names -> (ARM resource type path, display name)
_RESOURCES = {
    "workspace": ("workspaces", "Workspaces"),
    "workspaces": ("workspaces", "Workspaces"),
    "experiment": ("workspaces/experiments", "Experiments"),
    "experiments": ("workspaces/experiments", "Experiments"),
    "cluster": ("workspaces/clusters", "Clusters"),
    "clusters": ("workspaces/clusters", "Clusters"),
    "file_server": ("workspaces/fileservers", "File Servers"),
    "file_servers": ("workspaces/fileservers", "File Servers"),
    "job": ("workspaces/experiments/jobs", "Jobs"),
    "jobs": ("workspaces/experiments/jobs", "Jobs"),
    "usages": ("locations/usages", "Usages"),
    "operations": ("operations", "Operations"),
}
_VERBS = {"create": "write", "update": "write", "get": "read", "list": "read", "delete": "delete"}
_VERB_WORDS = {"write": "Create or update", "read": "Read", "delete": "Delete"}


class ProviderOperation(NamedTuple):
    """One entry of ``operations.list``: ``name`` plus what the portal displayed."""

    name: str
    resource: str
    operation: str
    description: str
    origin: str = "user,system"
    provider: str = PROVIDER_DISPLAY


def _camel(words: list[str]) -> str:
    return words[0] + "".join(word.title() for word in words[1:])


def _entry(method: str) -> ProviderOperation | None:
    if method in ("close",) or method.startswith("_"):
        return None
    verb, _, rest = method.partition("_")
    if verb in _VERBS and rest in _RESOURCES:
        kind = _VERBS[verb]
        path, display = _RESOURCES[rest]
        singular = display[:-1] if display.endswith("s") else display
        what = display.lower() if verb == "list" else singular.lower()
        operation = f"{_VERB_WORDS[kind]} {what}"
        return ProviderOperation(
            name=f"{PROVIDER}/{path}/{kind}",
            resource=display,
            operation=operation,
            description=f"{operation} (Batch AI {display.lower()})",
        )
    # Actions: 'terminate_job', 'list_output_files', 'list_<resource>_remote_login_information'.
    words = method.split("_")
    for size in (2, 1):
        for start in range(len(words) - size + 1):
            noun = "_".join(words[start : start + size])
            if noun in _RESOURCES and noun not in ("usages", "operations"):
                action_words = words[:start] + words[start + size :]
                break
        else:
            continue
        break
    else:
        noun, action_words = "job", words  # list_output_files acts on a job
    if action_words[:2] == ["list", "remote"]:
        action_words = action_words[1:]  # list_remote_login_information -> remoteLoginInformation
    path, display = _RESOURCES[noun]
    action = _camel(action_words)
    readable = " ".join(action_words).capitalize()
    return ProviderOperation(
        name=f"{PROVIDER}/{path}/{action}/action",
        resource=display,
        operation=readable,
        description=f"{readable} (Batch AI {display.lower()})",
    )


def provider_operations(protocol: type = Backend) -> list[ProviderOperation]:
    """The operations the methods of ``protocol`` serve, sorted by name, without duplicates."""
    entries = {
        entry.name: entry
        for method, member in sorted(vars(protocol).items())  # its own methods, not inherited
        if isinstance(member, types.FunctionType) and (entry := _entry(method)) is not None
    }
    return sorted(entries.values())


def operation_models(protocol: type = Backend) -> list[Any]:
    """:func:`provider_operations` as the ``Operation`` models ``operations.list`` returns."""
    from .. import models

    return [
        models.Operation.from_service(
            name=entry.name,
            display=models.OperationDisplay.from_service(
                provider=entry.provider,
                resource=entry.resource,
                operation=entry.operation,
                description=entry.description,
            ),
            origin=entry.origin,
        )
        for entry in provider_operations(protocol)
    ]

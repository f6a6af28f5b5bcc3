"""Azure ML v2 answers back to Batch AI models (pure: no I/O, no azure-ai-ml).

What the service returned -- REST documents of workspaces, computes, nodes and jobs, blob
listings of the default datastore, azure-ai-ml ``Usage`` objects -- becomes the Batch AI read
model the operations layer returns.  The field rules the two Azure ML backends share are
:mod:`.._azureml_common.resources`'s; the v2 shapes of clusters and jobs are
:func:`.translate.cluster_fields` and :func:`.translate.job_fields`; this module applies them
and decides the few things only v2's answers need (is an existing compute the cluster asked
for, which blobs make up an output directory).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ...domain import ids
from ...domain.documents import get
from .._azureml_common import output_files as folders
from .._azureml_common import resources
from . import translate

__all__ = [
    "at",
    "cluster",
    "experiment",
    "group_of",
    "job",
    "output_files",
    "remote_logins",
    "same_cluster",
    "usage_entry",
    "workspace",
]


def at(document: Mapping[str, Any] | None, *path: str) -> Any:
    """The value at ``path`` in a REST document; None where a step is missing."""
    value: Any = document
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def workspace(subscription_id: str, resource_group: str, rest: Mapping[str, Any]) -> Any:
    """A workspace's REST object -> Batch AI ``Workspace`` (``deleting`` while ARM deletes it)."""
    return resources.model(
        "Workspace",
        resources.workspace_fields(
            subscription_id=subscription_id,
            resource_group=resource_group,
            name=rest["name"],
            location=rest.get("location"),
            tags=rest.get("tags"),
            created=at(rest, "systemData", "createdAt"),
            provisioning_state=at(rest, "properties", "provisioningState"),
        ),
    )


def group_of(rest: Mapping[str, Any]) -> str:
    """The resource group of an ARM resource's REST object, from its ``id``."""
    found = re.search(r"/resourceGroups/([^/]+)", str(rest.get("id") or ""), re.IGNORECASE)
    if found is None:
        raise ValueError(f"not the id of a resource in a resource group: {rest.get('id')!r}")
    return found.group(1)


def experiment(
    subscription_id: str, resource_group: str, workspace: str, name: str, created: Any
) -> Any:
    return resources.model(
        "Experiment",
        resources.experiment_fields(
            subscription_id=subscription_id,
            resource_group=resource_group,
            workspace=workspace,
            name=name,
            created=created,
        ),
    )


def cluster(
    subscription_id: str, resource_group: str, workspace: str, rest: Mapping[str, Any]
) -> Any:
    """A compute's REST object -> Batch AI ``Cluster`` (allocation state and node counts from
    the REST object: azure-ai-ml's entity drops them)."""
    cluster_id = ids.child_id(subscription_id, resource_group, workspace, "clusters", rest["name"])
    return resources.model("Cluster", translate.cluster_fields(rest, cluster_id))


def same_cluster(document: Mapping[str, Any], rest: Mapping[str, Any]) -> bool:
    """Whether an existing compute is the cluster an ``amlcompute`` document asks for (size,
    tier, node bounds and Batch AI's scale mode): Batch AI returned an identical cluster again
    and refused a different one."""
    inner = at(rest, "properties", "properties") or {}
    scale = inner.get("scaleSettings") or {}
    low_priority = str(inner.get("vmPriority", "")).lower() == "lowpriority"
    return (
        str(inner.get("vmSize", "")).lower() == str(document["size"]).lower()
        and ("low_priority" if low_priority else "dedicated") == document["tier"]
        and scale.get("minNodeCount") == document["min_instances"]
        and scale.get("maxNodeCount") == document["max_instances"]
        and (rest.get("tags") or {}).get(translate.TAG_SCALE)
        == document["tags"].get(translate.TAG_SCALE)
    )


def remote_logins(nodes: Iterable[Mapping[str, Any]], job_name: str | None = None) -> list[Any]:
    """A compute's nodes (those running Azure ML job ``job_name`` when given) -> Batch AI
    ``RemoteLoginInformation``."""
    return [
        resources.model("RemoteLoginInformation", resources.remote_login_fields(node))
        for node in nodes
        if job_name is None or node.get("runId") == job_name
    ]


def job(
    subscription_id: str, resource_group: str, workspace: str, rest: Mapping[str, Any]
) -> Any | None:
    """A command job's REST object -> Batch AI ``Job``; None for a job that is no Batch AI job."""
    fields = translate.job_fields(rest, subscription_id, resource_group, workspace)
    return None if fields is None else resources.model("Job", fields)


def output_files(
    blobs: Iterable[Any], prefix: str, options: Any, url: Callable[[str], str]
) -> list[Any]:
    """The blobs of an output directory (``name``, ``size``, ``last_modified``, under the
    folder ``prefix``) -> Batch AI ``File``\\ s of ``options.directory`` with Batch AI's names,
    at most ``options.max_results``; ``url(blob name)`` signs a file's download URL."""
    found = {blob.name[len(prefix) :]: blob for blob in blobs if blob.name != prefix}
    files = {name: folders.RunFile(blob.name, "") for name, blob in found.items()}
    entries = folders.directory_entries(
        files,
        getattr(options, "directory", None),
        getattr(options, "max_results", None) or 1000,
    )
    by_path = {blob.name: blob for blob in found.values()}
    result = []
    for entry in entries:
        listed = [by_path[f.path] for f in entry.files]
        times = [b.last_modified for b in listed if b.last_modified is not None]
        result.append(
            resources.model(
                "File",
                {
                    "name": entry.name,
                    "file_type": "directory" if entry.is_directory else "file",
                    "download_url": None if entry.is_directory else url(entry.files[0].path),
                    "last_modified": max(times) if times else None,
                    "content_length": None if entry.is_directory else listed[0].size,
                },
            )
        )
    return result


def usage_entry(usage: Any) -> dict[str, Any]:
    """An azure-ai-ml ``Usage`` as its REST entry (1.35 keeps the REST model's fields under
    their REST names, ``currentValue``, and ``name`` as a dict)."""
    fields = vars(usage)

    def pick(snake: str, camel: str) -> Any:
        value = fields.get(snake)
        return fields.get(camel) if value is None else value

    return {
        "type": fields.get("type"),
        "currentValue": pick("current_value", "currentValue"),
        "limit": fields.get("limit"),
        "name": {"value": get(fields.get("name"), "value")},
    }

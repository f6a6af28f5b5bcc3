"""The private azure-ai-ml attributes the v2 backend reads, in one place.

Checked against azure-ai-ml 1.35.2 (the ``azureml-v2`` extra pins it).  azure-ai-ml's entities
drop what Batch AI reports (a compute's allocation state, current node count and node state
counts; a job's start/end times and tags as sent), so the backend reads the REST objects through
the operation groups' own generated clients:

* ``ml_client.compute._operation`` -- the generated ``ComputeOperations`` (get / list);
* ``ml_client.jobs._operation_2023_02_preview`` -- the generated ``JobsOperations``
  (get / list);
* ``ml_client.workspaces._operation`` -- the generated ``WorkspacesOperations`` (get, the
  lists, and the ARM DELETE alone: ``workspaces.begin_delete`` polls it on azure-core's own
  thread and its ``Workspace`` entity drops the ARM ``provisioningState`` a deleting workspace
  is listed with);
* ``ml_client._code`` -- azure-ai-ml's ``CodeOperations`` and its ``Code`` entity
  (``azure.ai.ml.entities._assets._artifacts.code``): 1.35 does not export code assets, which
  the node app is registered as (get, and create from a blob folder already uploaded).

Each function returns the REST body as the service's JSON (camelCase) via msrest's
``serialize(keep_readonly=True)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

__all__ = [
    "code_id",
    "compute_nodes_rest",
    "compute_rest",
    "computes_rest",
    "job_rest",
    "jobs_rest",
    "register_code",
    "start_workspace_deletion",
    "workspace_rest",
    "workspaces_rest",
]


def _json(model: Any) -> dict[str, Any]:
    serialize = getattr(model, "serialize", None)
    body: dict[str, Any] = (
        serialize(keep_readonly=True) if callable(serialize) else model.as_dict()  # typespec models
    )
    return body


def _scope(ml_client: Any) -> dict[str, str]:
    return {
        "resource_group_name": ml_client.resource_group_name,
        "workspace_name": ml_client.workspace_name,
    }


def compute_rest(ml_client: Any, name: str) -> dict[str, Any]:
    return _json(ml_client.compute._operation.get(compute_name=name, **_scope(ml_client)))


def computes_rest(ml_client: Any) -> Iterator[dict[str, Any]]:
    for item in ml_client.compute._operation.list(**_scope(ml_client)):
        yield _json(item)


def compute_nodes_rest(ml_client: Any, name: str) -> Iterator[dict[str, Any]]:
    """The nodes of a compute as the service lists them (``nodeId``, ``privateIpAddress``,
    ``publicIpAddress``, ``port``, ``nodeState``, ``runId``).  azure-ai-ml 1.35's
    ``AmlComputeNodeInfo`` copies these camelCase names into its ``__dict__``, leaving its own
    ``node_id``... attributes None, hence the REST client."""
    for item in ml_client.compute._operation.list_nodes(compute_name=name, **_scope(ml_client)):
        yield _json(item)


def job_rest(ml_client: Any, name: str) -> dict[str, Any]:
    return _json(ml_client.jobs._operation_2023_02_preview.get(id=name, **_scope(ml_client)))


def jobs_rest(
    ml_client: Any, *, tag: str | None = None, archived: bool = False
) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"list_view_type": "All" if archived else "ActiveOnly"}
    if tag is not None:
        kwargs["tag"] = tag
    for item in ml_client.jobs._operation_2023_02_preview.list(**_scope(ml_client), **kwargs):
        yield _json(item)


def workspace_rest(ml_client: Any, resource_group: str, name: str) -> dict[str, Any]:
    return _json(
        ml_client.workspaces._operation.get(resource_group_name=resource_group, workspace_name=name)
    )


def workspaces_rest(ml_client: Any, resource_group: str | None) -> Iterator[dict[str, Any]]:
    """The workspaces of a resource group or, with None, of the subscription."""
    operations = ml_client.workspaces._operation
    pages = (
        operations.list_by_resource_group(resource_group)
        if resource_group
        else operations.list_by_subscription()
    )
    for item in pages:
        yield _json(item)


def start_workspace_deletion(ml_client: Any, resource_group: str, name: str) -> None:
    """Send the ARM DELETE of workspace ``name`` and return.  ``polling=False`` gives
    azure-core's ``NoPolling``, finished at once, so its ``LROPoller`` starts no thread (the
    workspace's dependent resources are kept, as ``delete_dependent_resources=False`` does)."""
    ml_client.workspaces._operation.begin_delete(
        resource_group_name=resource_group, workspace_name=name, polling=False
    )


def code_id(ml_client: Any, name: str, version: str) -> str | None:
    """The ARM id of code asset ``name:version``; None when the workspace has none."""
    try:
        return str(ml_client._code.get(name=name, version=version).id)
    except ResourceNotFoundError:
        return None


def register_code(ml_client: Any, name: str, version: str, uri: str) -> str:
    """Register the blob folder ``uri`` (already uploaded) as code asset ``name:version``: one
    PUT, nothing uploaded.  Returns its ARM id."""
    from azure.ai.ml.entities._assets._artifacts.code import Code

    return str(ml_client._code.create_or_update(Code(name=name, version=version, path=uri)).id)

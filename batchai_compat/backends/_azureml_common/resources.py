"""Azure ML workspaces, experiments and compute nodes back to Batch AI fields.

Shared by the Azure ML backends: each reads the values from its SDK's objects and builds the
Batch AI read model from these fields (:func:`model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain import ids

__all__ = ["SDK_TAGS", "experiment_fields", "model", "remote_login_fields", "workspace_fields"]

#: Tags Azure ML SDKs add to what they create (not the user's, not returned as Batch AI tags).
SDK_TAGS = frozenset({"createdByToolkit"})


def model(name: str, fields: Mapping[str, Any]) -> Any:
    """The Batch AI read model ``name`` (``"Cluster"``, ``"Job"``...) from its snake_case
    fields, read-only ones included; None values are left out."""
    from ... import models  # client side only (this package also ships to the nodes)

    return getattr(models, name).from_dict({k: v for k, v in fields.items() if v is not None})


def workspace_fields(
    *,
    subscription_id: str,
    resource_group: str,
    name: str,
    location: str | None,
    tags: Mapping[str, str] | None,
    created: Any = None,
    provisioning_state: str | None = None,
) -> dict[str, Any]:
    """A Batch AI ``Workspace``: the user's tags only, ``succeeded`` once it exists, ``creating``,
    ``deleting`` or ``failed`` while the Azure ML workspace's ARM ``provisioning_state`` says so
    (a workspace whose deletion runs is listed ``deleting``, as Batch AI's was)."""
    user_tags = {k: v for k, v in (tags or {}).items() if k not in SDK_TAGS}
    state = str(provisioning_state or "").lower()
    return {
        "id": ids.workspace_id(subscription_id, resource_group, name),
        "name": name,
        "type": ids.resource_type("workspaces"),
        "location": location,
        "tags": user_tags or None,
        "creation_time": created,
        "provisioning_state": state if state in ("creating", "deleting", "failed") else "succeeded",
        "provisioning_state_transition_time": created,
    }


def experiment_fields(
    *, subscription_id: str, resource_group: str, workspace: str, name: str, created: Any = None
) -> dict[str, Any]:
    """A Batch AI ``Experiment``."""
    return {
        "id": ids.child_id(subscription_id, resource_group, workspace, "experiments", name),
        "name": name,
        "type": ids.resource_type("experiments"),
        "creation_time": created,
        "provisioning_state": "succeeded",
        "provisioning_state_transition_time": created,
    }


def remote_login_fields(node: Mapping[str, Any]) -> dict[str, Any]:
    """An AmlCompute node (``nodeId``, public/private IP, ``port``) -> ``RemoteLoginInformation``."""
    return {
        "node_id": node.get("nodeId"),
        "ip_address": node.get("publicIpAddress") or node.get("privateIpAddress"),
        "port": node.get("port"),
    }

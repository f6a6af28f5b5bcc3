"""Batch AI clusters on AmlCompute: the request, what has no equivalent, and the way back.

Shared by the Azure ML backends.  :func:`cluster_request` reads a ``ClusterCreateParameters``
(model or mapping) into a :class:`ClusterRequest`:

* manual scale ``target_node_count`` -> ``min = max = target`` (AmlCompute autoscales by
  default; Batch AI manual clusters did not); auto scale -> ``min`` / ``max``; how it was scaled
  is kept in compute tags, so a GET gives back the Batch AI scale settings;
* ``vm_priority``, the admin user (name, password, SSH key) and the subnet
  (``vnet`` resource group / name / subnet name, of the workspace's subscription only).

``node_setup`` (setup task, cluster-wide mounts, performance counters) and custom VM images
raise :class:`~batchai_compat.exceptions.NoEquivalentError`.  :func:`cluster_fields` maps what
the service reports about a compute back to Batch AI ``Cluster`` fields.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import answers, ids
from ...domain import scale as domain_scale
from ...domain.documents import get, plain
from ...exceptions import NoEquivalentError, ValidationError
from . import AzureMLSemanticsWarning, naming

__all__ = [
    "IDLE_SECONDS_BEFORE_SCALEDOWN",
    "ClusterRequest",
    "cluster_fields",
    "cluster_request",
    "differences",
    "scale_bounds",
    "update_scale",
]

#: AmlCompute's own default; Batch AI clusters had no idle timeout (manual scale never shrank).
IDLE_SECONDS_BEFORE_SCALEDOWN = 1800


@dataclass(frozen=True)
class ClusterRequest:
    """What an AmlCompute for a Batch AI cluster is created with (secrets out of ``repr``)."""

    vm_size: str
    vm_priority: str
    min_nodes: int
    max_nodes: int
    tags: dict[str, str]
    admin_username: str | None = None
    subnet: ids.SubnetReference | None = None
    admin_password: str | None = field(default=None, repr=False)
    admin_ssh_key: str | None = field(default=None, repr=False)


def _value(item: Any) -> str | None:
    value = plain(item)
    return None if value is None else str(value)


def scale_bounds(scale_settings: Any, stacklevel: int = 3) -> tuple[int, int, dict[str, str]]:
    """(min_nodes, max_nodes, tags) of a Batch AI ``ScaleSettings`` (checked by
    :func:`batchai_compat.domain.scale.scale_bounds`); the tags record how it was scaled."""
    bounds = domain_scale.scale_bounds(scale_settings)
    if bounds is None:
        raise ValidationError("parameters.scale_settings", "is required (manual or auto_scale)")
    if bounds.mode == "manual":
        # Deallocation options only matter when a resize shrinks a busy cluster; a new cluster
        # has nothing to deallocate, so the option is not consulted here (see update_scale).
        return bounds.minimum, bounds.maximum, {naming.TAG_SCALE: "manual"}
    tags = {naming.TAG_SCALE: "auto"}
    if bounds.initial not in (0, bounds.minimum):
        warnings.warn(
            f"auto_scale.initial_node_count={bounds.initial} has no AmlCompute equivalent: the "
            f"cluster starts at minimum_node_count={bounds.minimum} and grows with queued jobs",
            AzureMLSemanticsWarning,
            stacklevel=stacklevel,
        )
        tags[naming.TAG_INITIAL_NODES] = str(bounds.initial)
    return bounds.minimum, bounds.maximum, tags


def _reject_node_setup(node_setup: Any, backend: str) -> None:
    if get(node_setup, "setup_task") is not None:
        raise NoEquivalentError(
            "ClusterCreateParameters.node_setup.setup_task",
            backend,
            "AmlCompute runs no per-node setup command; bake the setup into a Docker image "
            "(container_settings) or run it as JobCreateParameters.job_preparation.",
        )
    mounts = get(node_setup, "mount_volumes")
    if mounts is not None and any(
        get(mounts, group)
        for group in (
            "azure_file_shares",
            "azure_blob_file_systems",
            "file_servers",
            "unmanaged_file_systems",
        )
    ):
        raise NoEquivalentError(
            "ClusterCreateParameters.node_setup.mount_volumes (cluster-wide mounts)",
            backend,
            "AmlCompute mounts storage per run; declare the same volumes in "
            "JobCreateParameters.mount_volumes (they are mounted under "
            "$AZ_BATCHAI_JOB_MOUNT_ROOT).",
        )
    if get(node_setup, "performance_counters_settings") is not None:
        raise NoEquivalentError(
            "ClusterCreateParameters.node_setup.performance_counters_settings",
            backend,
            "Azure ML collects node metrics in the workspace's Application Insights and run "
            "history; remove the setting.",
        )


def cluster_request(
    parameters: Any, subscription_id: str, backend: str, stacklevel: int = 4
) -> ClusterRequest:
    """Batch AI ``ClusterCreateParameters`` -> :class:`ClusterRequest` (see the module doc)."""
    vm_size = get(parameters, "vm_size")
    if not vm_size or not str(vm_size).strip():
        raise ValidationError("parameters.vm_size", "is required")
    vm_configuration = get(parameters, "virtual_machine_configuration")
    image = get(vm_configuration, "image_reference") if vm_configuration is not None else None
    if image and not answers.is_default_image(image):
        raise NoEquivalentError(
            "ClusterCreateParameters.virtual_machine_configuration (custom VM image)",
            backend,
            "AmlCompute nodes run a managed OS image; put your software into a Docker image and "
            "name it in JobCreateParameters.container_settings.",
        )
    node_setup = get(parameters, "node_setup")
    if node_setup is not None:
        _reject_node_setup(node_setup, backend)
    min_nodes, max_nodes, tags = scale_bounds(get(parameters, "scale_settings"), stacklevel)

    subnet = None
    subnet_id = get(get(parameters, "subnet") or {}, "id")
    if subnet_id:
        subnet = ids.parse_subnet_id(subnet_id)
        if subnet.subscription_id.lower() != subscription_id.lower():
            raise NoEquivalentError(
                "ClusterCreateParameters.subnet in another subscription",
                backend,
                "AmlCompute joins virtual networks of the workspace's subscription only; peer the "
                "network or create the workspace in the network's subscription.",
            )
    admin = get(parameters, "user_account_settings") or {}
    return ClusterRequest(
        vm_size=str(vm_size),
        vm_priority=_value(get(parameters, "vm_priority")) or "dedicated",
        min_nodes=min_nodes,
        max_nodes=max_nodes,
        tags=tags,
        admin_username=get(admin, "admin_user_name"),
        subnet=subnet,
        admin_password=get(admin, "admin_user_password"),
        admin_ssh_key=get(admin, "admin_user_ssh_public_key"),
    )


def differences(request: ClusterRequest, existing: ClusterRequest) -> list[str]:
    """What a create request asks that the existing cluster of that name does not have (secrets
    aside: the service never returns them).  Empty: the same cluster, created again."""
    found = []
    if request.vm_size.lower() != existing.vm_size.lower():
        found.append(f"vm_size {existing.vm_size!r}")
    if request.vm_priority.lower() != existing.vm_priority.lower():
        found.append(f"vm_priority {existing.vm_priority!r}")
    if (request.min_nodes, request.max_nodes) != (existing.min_nodes, existing.max_nodes):
        found.append(f"nodes {existing.min_nodes}..{existing.max_nodes}")
    scale_tags = (naming.TAG_SCALE, naming.TAG_INITIAL_NODES)
    if {k: request.tags.get(k) for k in scale_tags} != {
        k: existing.tags.get(k) for k in scale_tags
    }:
        found.append("scale settings")
    if (request.admin_username or None) != (existing.admin_username or None):
        found.append(f"admin user {existing.admin_username!r}")
    ours = tuple(part.lower() for part in request.subnet) if request.subnet else None
    theirs = tuple(part.lower() for part in existing.subnet) if existing.subnet else None
    if ours != theirs:
        found.append("subnet")
    return found


def update_scale(scale_settings: Any, current_max_nodes: int | None = None) -> tuple[int, int]:
    """Batch AI ``clusters.update(scale_settings=...)`` -> AmlCompute (min_nodes, max_nodes).

    AmlCompute only ever removes idle nodes, which is Batch AI's ``waitforjobcompletion``; when
    the resize shrinks the cluster (or its current size is unknown), the other deallocation
    options (``requeue``, the default, and ``terminate``) are accepted with an
    :class:`~._azureml_common.AzureMLSemanticsWarning`.
    """
    min_nodes, max_nodes, _ = scale_bounds(scale_settings)
    bounds = domain_scale.scale_bounds(scale_settings)
    option = bounds.deallocation_option if bounds is not None else None
    shrinking = current_max_nodes is None or max_nodes < current_max_nodes
    if option in ("requeue", "terminate") and shrinking:
        warnings.warn(
            f"node_deallocation_option={option!r}: AmlCompute removes only idle nodes when it "
            "shrinks, so running jobs finish first (Batch AI's 'waitforjobcompletion')",
            AzureMLSemanticsWarning,
            stacklevel=3,
        )
    return min_nodes, max_nodes


def _lower(value: Any) -> str | None:
    return str(value).lower() if value is not None else None


def _errors(raw: Any) -> list[dict[str, Any]] | None:
    """AmlCompute ``errors`` / ``provisioningErrors`` -> Batch AI ``BatchAIError`` fields."""
    if not raw:
        return None
    result = []
    for item in raw:
        item = plain(item) if not isinstance(item, (Mapping, str)) else item
        error = item.get("error", item) if isinstance(item, Mapping) else {"message": str(item)}
        details = error.get("details") or []
        result.append(
            {
                "code": error.get("code"),
                "message": error.get("message"),
                "details": [
                    {
                        "name": d.get("code") or d.get("name"),
                        "value": d.get("message") or d.get("value"),
                    }
                    for d in details
                    if isinstance(d, Mapping)
                ]
                or None,
            }
        )
    return result


#: AmlCompute provisioning states -> Batch AI's (``creating``, ``succeeded``, ``failed``,
#: ``deleting``); others are not reported.
_PROVISIONING = {
    "creating": "creating",
    "succeeded": "succeeded",
    "updating": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "deleting": "deleting",
}
NODE_STATE_COUNTS = (
    "idle_node_count",
    "running_node_count",
    "preparing_node_count",
    "unusable_node_count",
    "leaving_node_count",
)


def cluster_fields(
    *,
    cluster_id: str,
    name: str,
    tags: Mapping[str, str] | None,
    vm_size: str | None,
    vm_priority: str | None,
    min_nodes: int | None,
    max_nodes: int | None,
    provisioning_state: str | None,
    allocation_state: str | None = None,
    allocation_state_transition_time: Any = None,
    current_node_count: int | None = None,
    node_state_counts: Mapping[str, int] | None = None,
    errors: Any = None,
    admin_username: str | None = None,
    subnet: ids.SubnetReference | None = None,
    created: Any = None,
    modified: Any = None,
) -> dict[str, Any]:
    """What the service reports about an AmlCompute -> Batch AI ``Cluster`` fields.

    ``scale_settings`` come back the way they were created (manual target or auto min/max),
    read from the tags :func:`cluster_request` set.  Secrets are never returned: the admin
    password and SSH key are None, as Batch AI's GET did.
    """
    tags = dict(tags or {})
    scale_settings: dict[str, Any] | None = None
    if max_nodes is not None:
        if tags.get(naming.TAG_SCALE) == "manual":
            scale_settings = {
                "manual": {"target_node_count": max_nodes, "node_deallocation_option": "requeue"}
            }
        else:
            initial = tags.get(naming.TAG_INITIAL_NODES)
            scale_settings = {
                "auto_scale": {
                    "minimum_node_count": min_nodes,
                    "maximum_node_count": max_nodes,
                    "initial_node_count": int(initial) if initial else 0,
                }
            }
    allocation = _lower(allocation_state)
    return {
        "id": cluster_id,
        "name": name,
        "type": ids.resource_type("clusters"),
        "vm_size": vm_size,
        "vm_priority": _lower(vm_priority) or "dedicated",
        "scale_settings": scale_settings,
        "user_account_settings": {"admin_user_name": admin_username} if admin_username else None,
        "subnet": {"id": ids.subnet_id(subnet)} if subnet is not None else None,
        "virtual_machine_configuration": {"image_reference": dict(answers.DEFAULT_IMAGE)},
        "creation_time": created,
        "provisioning_state": _PROVISIONING.get(_lower(provisioning_state) or ""),
        "provisioning_state_transition_time": modified,
        "allocation_state": allocation if allocation in ("steady", "resizing") else None,
        "allocation_state_transition_time": allocation_state_transition_time,
        "errors": _errors(errors),
        "current_node_count": current_node_count,
        "node_state_counts": {k: (node_state_counts or {}).get(k) or 0 for k in NODE_STATE_COUNTS}
        if node_state_counts is not None
        else None,
    }

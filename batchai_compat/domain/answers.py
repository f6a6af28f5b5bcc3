"""What the Batch AI service answered beyond echoing a request (API 2018-05-01).

Measured on the service's recorded traffic (the Azure SDK for Python's ``azure-mgmt-batchai``
test recordings and the az CLI ``batchai`` module's), written once for every backend:

* a missing resource is a 404 whose code names its kind (``ClusterNotFound``, ``JobNotFound``,
  ...) with the message ``The specified <kind> <name> is not found`` (:func:`not_found`);
* a failed job, a failed job preparation and a terminated job carry one error each, with the
  codes and opening words of :data:`JOB_FAILED`, :data:`JOB_PREPARATION_FAILED` and
  :data:`JOB_TERMINATED` (:func:`job_error`); errors had no ``details`` unless there were some;
* defaults the service filled in: the VM image of a cluster created without one
  (:data:`DEFAULT_IMAGE`), a file server's mount point (:data:`FILE_SERVER_MOUNT_POINT`) and
  the subnet of the virtual network it created for it (:func:`file_server_subnet_id`);
* ``usages.list``: the clusters count, then per VM priority the regional vCPUs and the vCPUs of
  each VM family, all ``Count`` (:func:`usage_entries`).

Standard library only, like the rest of :mod:`batchai_compat.domain`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import cloud_error

__all__ = [
    "CLUSTERS_QUOTA",
    "DEFAULT_IMAGE",
    "FILE_SERVER_MOUNT_POINT",
    "JOB_FAILED",
    "JOB_PREPARATION_FAILED",
    "JOB_TERMINATED",
    "RECORDED_FAMILIES",
    "file_server_subnet_id",
    "is_default_image",
    "job_error",
    "job_error_message",
    "not_found",
    "usage_entries",
]

_NOT_FOUND_CODES = {
    "workspace": "WorkspaceNotFound",
    "experiment": "ExperimentNotFound",
    "cluster": "ClusterNotFound",
    "job": "JobNotFound",
    "file server": "FileServerNotFound",
}


def not_found(kind: str, name: str) -> Exception:
    """The service's 404 for a missing ``kind`` (``workspace``, ``experiment``, ``cluster``,
    ``job``, ``file server``) called ``name``."""
    return cloud_error(404, _NOT_FOUND_CODES[kind], f"The specified {kind} {name} is not found")


#: (code, message) of a job whose task exited with a non-zero code.
JOB_FAILED = ("JobFailed", "Job failed with non-zero exit code")
#: (code, message) of a job whose job preparation task exited with a non-zero code.
JOB_PREPARATION_FAILED = (
    "JobPreparationFailed",
    "Job preparation task failed with non-zero exit code",
)
#: (code, message) of a job ended by ``jobs.terminate`` (queued or running).
JOB_TERMINATED = ("JobTerminated", "The specified job has been terminated by the user")


def job_error_message(kind: tuple[str, str], detail: str | None = None) -> str:
    """The service's message for one of the job errors above, then ``detail`` (what we know
    more, e.g. which task failed on which node)."""
    return f"{kind[1]}: {detail}" if detail else kind[1]


def job_error(
    kind: tuple[str, str], detail: str | None = None, details: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A BatchAIError REST body of one of the job errors above (:func:`job_error_message`);
    ``details`` only when given, as the service sent them."""
    body: dict[str, Any] = {"code": kind[0], "message": job_error_message(kind, detail)}
    if details:
        body["details"] = [{"name": k, "value": v} for k, v in details.items()]
    return body


#: ``virtualMachineConfiguration.imageReference`` of a cluster created without one.
DEFAULT_IMAGE = {
    "publisher": "Canonical",
    "offer": "UbuntuServer",
    "sku": "16.04-LTS",
    "version": "latest",
}


def is_default_image(image: Any) -> bool:
    """Whether ``image`` (an ``ImageReference``, model or snake_case mapping) is
    :data:`DEFAULT_IMAGE`, as a cluster's GET echoed it: asking for it is asking for no image.
    No version means the latest, as it did on Azure (az's ``-i UbuntuLTS`` gives none)."""
    from .documents import get  # (not at import: a read of the local backend imports this module)

    given = {key: get(image, key) for key in DEFAULT_IMAGE}
    given["version"] = given["version"] or "latest"
    return all(
        str(given[key] or "").lower() == value.lower() for key, value in DEFAULT_IMAGE.items()
    ) and not get(image, "virtual_machine_image_id")


#: ``FileServer.mount_settings.mount_point``: where the server's data disks were mounted.
FILE_SERVER_MOUNT_POINT = "/data"


def file_server_subnet_id(subscription_id: str, file_server_id: str) -> str:
    """The subnet of the virtual network the service created for a file server (in a resource
    group of its own); clusters that mount the file server join it.  The id is derived from
    the file server's ARM id, so it is the same every time it is asked for."""
    import uuid  # for file servers only: uuid costs every reader's start-up (benchmark 6)

    key = uuid.uuid5(uuid.NAMESPACE_URL, f"batchai-compat:{file_server_id.lower()}")
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/fileserverrg-{key}"
        f"/providers/Microsoft.Network/virtualNetworks/{key}vnet/subnets/Subnet-1"
    )


#: Clusters a subscription may have per location (the service's default quota).
CLUSTERS_QUOTA = 20

#: The VM families ``usages.list`` always listed, in its order.
RECORDED_FAMILIES = ("D", "Dv2", "NC", "NCv2", "NCv3", "ND", "NV")

_PRIORITIES = (
    ("dedicated", "Dedicated", "Dedicated"),
    ("lowpriority", "LowPriority", "Low Priority"),
)


def _usage(current: int, limit: int, value: str, localized: str) -> dict[str, Any]:
    return {
        "unit": "Count",
        "current_value": current,
        "limit": limit,
        "name": {"value": value, "localized_value": localized},
    }


def usage_entries(
    clusters: int,
    cluster_limit: int,
    cores: Mapping[str, Mapping[str, int]],
    limits: Mapping[str, int],
    family_limits: Mapping[str, Mapping[str, int]] | None = None,
    families: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """``usages.list`` of one location as the service listed it (snake_case ``Usage`` fields).

    ``cores[priority][family]``: vCPUs in use per VM priority (``dedicated``, ``lowpriority``)
    and family (``NC``, ``Dv2``, ...; ``""`` for sizes of no known family: they count in the
    regional total only); ``limits[priority]``: the regional vCPU quota; ``family_limits``
    (optional): a family's own quota, else the regional one.  ``families``: the families to
    list, in order; by default the recorded families, then others in use or given a limit.
    """
    entries = [_usage(clusters, cluster_limit, "Clusters", "Clusters")]
    for priority, value_word, localized_word in _PRIORITIES:
        used = cores.get(priority, {})
        own_limits = (family_limits or {}).get(priority, {})
        regional = "Total Cluster {} Regional vCPUs"
        entries.append(
            _usage(
                sum(used.values()),
                limits.get(priority, 0),
                regional.format(value_word),
                regional.format(localized_word),
            )
        )
        listed = families
        if listed is None:
            extra = sorted((set(used) | set(own_limits)) - set(RECORDED_FAMILIES) - {""})
            listed = (*RECORDED_FAMILIES, *extra)
        for family in listed:
            entries.append(
                _usage(
                    used.get(family, 0),
                    own_limits.get(family, limits.get(priority, 0)),
                    f"Standard {family} Family Cluster {value_word} vCPUs",
                    f"Standard {family} Family Cluster {localized_word} vCPUs",
                )
            )
    return entries

"""Creating a Batch AI cluster as an AmlCompute: once, whatever the replies.

``clusters.create`` of a cluster that exists already returns it when it answers the same request
(secrets aside: the service never returns them), and is ``409 Conflict`` otherwise, as on Batch
AI and the local backend.  When the create request fails in a way that may hide a compute the
service did create (no reply, a 5xx, 409), the compute is read back and judged the same way.
Each function makes one attempt; the backend's retry policy repeats them.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import cloud_error
from .._azureml_common import clusters
from . import translate
from .errors import describe

__all__ = ["create", "find", "same_or_conflict"]


def find(workspace: Any, name: str) -> Any | None:
    """The AmlCompute ``name`` of ``workspace`` (None: there is none)."""
    from azureml.core.compute import AmlCompute
    from azureml.exceptions import ComputeTargetException

    try:
        return AmlCompute(workspace, name)
    except ComputeTargetException as error:
        message = getattr(error, "message", None)
        if isinstance(message, str) and message.startswith("ComputeTargetNotFound"):
            return None
        raise


def same_or_conflict(
    compute: Any, request: clusters.ClusterRequest, cluster_id: str, workspace: str
) -> Any:
    """An existing cluster created again: itself when ``request`` is the same, else 409."""
    different = clusters.differences(request, translate.cluster_request_of(compute, cluster_id))
    if different:
        raise cloud_error(
            409,
            "Conflict",
            f"The cluster '{compute.name}' already exists in workspace '{workspace}' with other "
            f"parameters ({', '.join(different)}); delete it first or choose another name.",
        )
    return compute


def create(
    ws: Any, name: str, request: clusters.ClusterRequest, config: Any, cluster_id: str
) -> Any:
    """``ComputeTarget.create``, or the compute a lost reply hid (when it is the same)."""
    from azureml.core.compute import ComputeTarget

    try:
        return ComputeTarget.create(ws, name, config)
    except Exception as error:
        failure = describe(error)
        if failure is None or not (failure.transient or failure.status == 409):
            raise
        found = find(ws, name)
        if found is None:
            raise  # nothing was created (retried while transient)
        return same_or_conflict(found, request, cluster_id, ws.name)

"""The errors the local control plane answers with, as the Batch AI service (ARM) did.

* Getting or deleting a resource that does not exist is the service's 404 naming the kind
  (``WorkspaceNotFound``, ``ClusterNotFound``, ``JobNotFound``, ...: see
  :func:`batchai_compat.domain.answers.not_found`); creating a child of a missing parent is a
  404 ``ParentResourceNotFound`` (ARM's code).
* Creating a cluster, file server or job that exists with other parameters is a 409
  ``Conflict``; a workspace in another location a 409 ``InvalidResourceLocation``.
"""

from __future__ import annotations

from ....domain.answers import not_found
from ....exceptions import cloud_error

__all__ = ["conflict", "not_found", "parent_not_found"]


def parent_not_found(kind: str, name: str) -> Exception:
    return cloud_error(404, "ParentResourceNotFound", f"The parent {kind} '{name}' was not found.")


def conflict(message: str) -> Exception:
    return cloud_error(409, "Conflict", message)

"""The nine ``*Paged`` classes of azure.mgmt.batchai.models 2.0.0.

Each is what one family of list operations returns (``clusters.list_by_workspace`` →
:class:`ClusterPaged`, ``jobs.list_output_files`` → :class:`FilePaged`, ...).  They share the
pager machinery of :class:`batchai_compat.core.paging.Paged`; only the item type differs.
"""

from __future__ import annotations

from typing import Any

from ..core.paging import Paged

__all__ = [
    "ClusterPaged",
    "ExperimentPaged",
    "FilePaged",
    "FileServerPaged",
    "JobPaged",
    "OperationPaged",
    "RemoteLoginInformationPaged",
    "UsagePaged",
    "WorkspacePaged",
]


class OperationPaged(Paged[Any]):
    """Pages of :class:`Operation` (the Microsoft.BatchAI provider's REST operations)."""

    _item_type = "Operation"


class UsagePaged(Paged[Any]):
    """Pages of :class:`Usage` (core quota use in a region)."""

    _item_type = "Usage"


class WorkspacePaged(Paged[Any]):
    """Pages of :class:`Workspace`."""

    _item_type = "Workspace"


class ExperimentPaged(Paged[Any]):
    """Pages of :class:`Experiment`."""

    _item_type = "Experiment"


class JobPaged(Paged[Any]):
    """Pages of :class:`Job`."""

    _item_type = "Job"


class FilePaged(Paged[Any]):
    """Pages of :class:`File` (a job's output files and directories)."""

    _item_type = "File"


class RemoteLoginInformationPaged(Paged[Any]):
    """Pages of :class:`RemoteLoginInformation` (how to SSH to a node)."""

    _item_type = "RemoteLoginInformation"


class FileServerPaged(Paged[Any]):
    """Pages of :class:`FileServer`."""

    _item_type = "FileServer"


class ClusterPaged(Paged[Any]):
    """Pages of :class:`Cluster`."""

    _item_type = "Cluster"

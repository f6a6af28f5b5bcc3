"""The nine ``*Paged`` classes of azure.mgmt.batchai.models 2.0.0.

Each is what one family of list operations returns (``clusters.list_by_workspace`` →
:class:`ClusterPaged`, ``jobs.list_output_files`` → :class:`FilePaged`, ...).  They share the
pager machinery of :class:`batchai_compat.core.paging.Paged`; only the item type differs (a
string, so that loading the pagers does not load every family of models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.paging import Paged

if TYPE_CHECKING:  # the item types, named as strings below
    from .clusters import Cluster, RemoteLoginInformation  # noqa: F401
    from .file_servers import FileServer  # noqa: F401
    from .jobs import File, Job  # noqa: F401
    from .usages import Operation, Usage  # noqa: F401
    from .workspaces import Experiment, Workspace  # noqa: F401

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


class OperationPaged(Paged["Operation"]):
    """Pages of :class:`Operation` (the Microsoft.BatchAI provider's REST operations)."""

    _item_type = "Operation"


class UsagePaged(Paged["Usage"]):
    """Pages of :class:`Usage` (core quota use in a region)."""

    _item_type = "Usage"


class WorkspacePaged(Paged["Workspace"]):
    """Pages of :class:`Workspace`."""

    _item_type = "Workspace"


class ExperimentPaged(Paged["Experiment"]):
    """Pages of :class:`Experiment`."""

    _item_type = "Experiment"


class JobPaged(Paged["Job"]):
    """Pages of :class:`Job`."""

    _item_type = "Job"


class FilePaged(Paged["File"]):
    """Pages of :class:`File` (a job's output files and directories)."""

    _item_type = "File"


class RemoteLoginInformationPaged(Paged["RemoteLoginInformation"]):
    """Pages of :class:`RemoteLoginInformation` (how to SSH to a node)."""

    _item_type = "RemoteLoginInformation"


class FileServerPaged(Paged["FileServer"]):
    """Pages of :class:`FileServer`."""

    _item_type = "FileServer"


class ClusterPaged(Paged["Cluster"]):
    """Pages of :class:`Cluster`."""

    _item_type = "Cluster"

"""The 12 enums of Batch AI 2.0.0 (``batch_ai_management_client_enums``).

``str`` enums whose members keep 2.0.0's lower-case names; values are looked up
case-insensitively (``VmPriority('LowPriority') is VmPriority.lowpriority``).
"""

from __future__ import annotations

from ._base import BatchAIEnum

__all__ = [
    "UsageUnit",
    "CachingType",
    "StorageAccountType",
    "FileServerProvisioningState",
    "VmPriority",
    "DeallocationOption",
    "ProvisioningState",
    "AllocationState",
    "JobPriority",
    "ToolType",
    "ExecutionState",
    "FileType",
]


class UsageUnit(BatchAIEnum):
    """Unit of a subscription quota usage."""

    count = "Count"  # type: ignore[assignment]  # shadows str.count, as in 2.0.0


class CachingType(BatchAIEnum):
    """Host caching of a file server's data disks."""

    none = "none"
    readonly = "readonly"
    readwrite = "readwrite"


class StorageAccountType(BatchAIEnum):
    """Storage tier of a file server's data disks."""

    standard_lrs = "Standard_LRS"
    premium_lrs = "Premium_LRS"


class FileServerProvisioningState(BatchAIEnum):
    """Lifecycle state of a file server."""

    creating = "creating"
    updating = "updating"
    deleting = "deleting"
    succeeded = "succeeded"
    failed = "failed"


class VmPriority(BatchAIEnum):
    """Dedicated or low-priority (preemptible) cluster nodes."""

    dedicated = "dedicated"
    lowpriority = "lowpriority"


class DeallocationOption(BatchAIEnum):
    """What happens to running jobs when a cluster shrinks."""

    requeue = "requeue"
    terminate = "terminate"
    waitforjobcompletion = "waitforjobcompletion"


class ProvisioningState(BatchAIEnum):
    """Lifecycle state of a workspace, experiment, cluster or job resource."""

    creating = "creating"
    succeeded = "succeeded"
    failed = "failed"
    deleting = "deleting"


class AllocationState(BatchAIEnum):
    """Whether a cluster is resizing."""

    steady = "steady"
    resizing = "resizing"


class JobPriority(BatchAIEnum):
    """Scheduling priority of a job on its cluster."""

    low = "low"
    normal = "normal"
    high = "high"


class ToolType(BatchAIEnum):
    """The toolkit a job runs with (which ``*_settings`` field was given)."""

    cntk = "cntk"
    tensorflow = "tensorflow"
    caffe = "caffe"
    caffe2 = "caffe2"
    chainer = "chainer"
    horovod = "horovod"
    mpi = "mpi"
    custom = "custom"


class ExecutionState(BatchAIEnum):
    """Where a job is in its run: queued, running, terminating, succeeded or failed."""

    queued = "queued"
    running = "running"
    terminating = "terminating"
    succeeded = "succeeded"
    failed = "failed"


class FileType(BatchAIEnum):
    """Whether a listed output entry is a file or a directory."""

    file = "file"
    directory = "directory"

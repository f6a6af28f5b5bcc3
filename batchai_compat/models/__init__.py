"""The models of Azure Batch AI (azure-mgmt-batchai 2.0.0, REST API 2018-05-01).

``import batchai_compat.models as models`` replaces ``import azure.mgmt.batchai.models as models``:
the same 70 model classes, 9 ``*Paged`` classes and 12 enums, with the same constructor keywords.

Classes load lazily, one module per resource family, so building a ``ClusterCreateParameters``
does not define the job classes:

=================  ==========================================================================
``common``         ``Resource``, ``ProxyResource``, ``ResourceId``, environment variables, ...
``storage``        mounts (``MountVolumes``, file shares, blob containers) and their credentials
``clusters``       ``ClusterCreateParameters``, ``Cluster``, scale settings, ``NodeSetup``, ...
``toolkits``       ``TensorFlowSettings``, ``HorovodSettings``, ... (one per job toolkit)
``jobs``           ``JobCreateParameters``, ``Job``, containers, directories, ``File``, ...
``workspaces``     ``Workspace``, ``Experiment`` and their parameters and list options
``file_servers``   ``FileServerCreateParameters``, ``FileServer``, ``DataDisks``, ...
``usages``         ``Usage``, ``UsageName``, ``Operation``, ``OperationDisplay``
``enums``          the 12 ``str`` enums
``paged``          the 9 ``*Paged`` list results
=================  ==========================================================================

Besides the 2.0.0 names, :func:`strip_secrets` (not in ``__all__``) returns a deep copy of a model
with every secret value set to None.
"""

import importlib as _importlib
import typing as _typing

# module -> the public names it defines
_FAMILIES: dict[str, tuple[str, ...]] = {
    "common": (
        "Resource",
        "ProxyResource",
        "ResourceId",
        "KeyVaultSecretReference",
        "NameValuePair",
        "BatchAIError",
        "EnvironmentVariable",
        "EnvironmentVariableWithSecretValue",
        "UserAccountSettings",
    ),
    "storage": (
        "AzureStorageCredentialsInfo",
        "AzureFileShareReference",
        "AzureBlobFileSystemReference",
        "FileServerReference",
        "UnmanagedFileSystemReference",
        "MountVolumes",
    ),
    "clusters": (
        "ManualScaleSettings",
        "AutoScaleSettings",
        "ScaleSettings",
        "ImageReference",
        "VirtualMachineConfiguration",
        "SetupTask",
        "AppInsightsReference",
        "PerformanceCountersSettings",
        "NodeSetup",
        "NodeStateCounts",
        "ClusterCreateParameters",
        "ClusterUpdateParameters",
        "Cluster",
        "RemoteLoginInformation",
        "ClustersListByWorkspaceOptions",
    ),
    "toolkits": (
        "CNTKsettings",
        "PyTorchSettings",
        "TensorFlowSettings",
        "CaffeSettings",
        "Caffe2Settings",
        "ChainerSettings",
        "CustomToolkitSettings",
        "CustomMpiSettings",
        "HorovodSettings",
    ),
    "jobs": (
        "PrivateRegistryCredentials",
        "ImageSourceRegistry",
        "ContainerSettings",
        "JobPreparation",
        "InputDirectory",
        "OutputDirectory",
        "JobBasePropertiesConstraints",
        "JobPropertiesConstraints",
        "JobPropertiesExecutionInfo",
        "JobCreateParameters",
        "Job",
        "File",
        "JobsListByExperimentOptions",
        "JobsListOutputFilesOptions",
    ),
    "workspaces": (
        "Workspace",
        "WorkspaceCreateParameters",
        "WorkspaceUpdateParameters",
        "Experiment",
        "WorkspacesListOptions",
        "WorkspacesListByResourceGroupOptions",
        "ExperimentsListByWorkspaceOptions",
    ),
    "file_servers": (
        "SshConfiguration",
        "DataDisks",
        "MountSettings",
        "FileServer",
        "FileServerCreateParameters",
        "FileServersListByWorkspaceOptions",
    ),
    "usages": ("UsageName", "Usage", "OperationDisplay", "Operation"),
    "paged": (
        "OperationPaged",
        "UsagePaged",
        "WorkspacePaged",
        "ExperimentPaged",
        "JobPaged",
        "FilePaged",
        "RemoteLoginInformationPaged",
        "FileServerPaged",
        "ClusterPaged",
    ),
    "enums": (
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
    ),
}

_HELPERS = {"strip_secrets": "_base"}

_MODULE_OF: dict[str, str] = {name: module for module, names in _FAMILIES.items() for name in names}
_MODULE_OF.update(_HELPERS)

__all__ = [
    "Resource",
    "ProxyResource",
    "ResourceId",
    "KeyVaultSecretReference",
    "NameValuePair",
    "BatchAIError",
    "EnvironmentVariable",
    "EnvironmentVariableWithSecretValue",
    "UserAccountSettings",
    "AzureStorageCredentialsInfo",
    "AzureFileShareReference",
    "AzureBlobFileSystemReference",
    "FileServerReference",
    "UnmanagedFileSystemReference",
    "MountVolumes",
    "ManualScaleSettings",
    "AutoScaleSettings",
    "ScaleSettings",
    "ImageReference",
    "VirtualMachineConfiguration",
    "SetupTask",
    "AppInsightsReference",
    "PerformanceCountersSettings",
    "NodeSetup",
    "NodeStateCounts",
    "ClusterCreateParameters",
    "ClusterUpdateParameters",
    "Cluster",
    "RemoteLoginInformation",
    "ClustersListByWorkspaceOptions",
    "CNTKsettings",
    "PyTorchSettings",
    "TensorFlowSettings",
    "CaffeSettings",
    "Caffe2Settings",
    "ChainerSettings",
    "CustomToolkitSettings",
    "CustomMpiSettings",
    "HorovodSettings",
    "PrivateRegistryCredentials",
    "ImageSourceRegistry",
    "ContainerSettings",
    "JobPreparation",
    "InputDirectory",
    "OutputDirectory",
    "JobBasePropertiesConstraints",
    "JobPropertiesConstraints",
    "JobPropertiesExecutionInfo",
    "JobCreateParameters",
    "Job",
    "File",
    "JobsListByExperimentOptions",
    "JobsListOutputFilesOptions",
    "Workspace",
    "WorkspaceCreateParameters",
    "WorkspaceUpdateParameters",
    "Experiment",
    "WorkspacesListOptions",
    "WorkspacesListByResourceGroupOptions",
    "ExperimentsListByWorkspaceOptions",
    "SshConfiguration",
    "DataDisks",
    "MountSettings",
    "FileServer",
    "FileServerCreateParameters",
    "FileServersListByWorkspaceOptions",
    "UsageName",
    "Usage",
    "OperationDisplay",
    "Operation",
    "OperationPaged",
    "UsagePaged",
    "WorkspacePaged",
    "ExperimentPaged",
    "JobPaged",
    "FilePaged",
    "RemoteLoginInformationPaged",
    "FileServerPaged",
    "ClusterPaged",
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


def __getattr__(name: str) -> _typing.Any:
    try:
        module_name = _MODULE_OF[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(_importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))


if _typing.TYPE_CHECKING:
    from ._base import strip_secrets as strip_secrets
    from .clusters import (
        AppInsightsReference,
        AutoScaleSettings,
        Cluster,
        ClusterCreateParameters,
        ClustersListByWorkspaceOptions,
        ClusterUpdateParameters,
        ImageReference,
        ManualScaleSettings,
        NodeSetup,
        NodeStateCounts,
        PerformanceCountersSettings,
        RemoteLoginInformation,
        ScaleSettings,
        SetupTask,
        VirtualMachineConfiguration,
    )
    from .common import (
        BatchAIError,
        EnvironmentVariable,
        EnvironmentVariableWithSecretValue,
        KeyVaultSecretReference,
        NameValuePair,
        ProxyResource,
        Resource,
        ResourceId,
        UserAccountSettings,
    )
    from .enums import (
        AllocationState,
        CachingType,
        DeallocationOption,
        ExecutionState,
        FileServerProvisioningState,
        FileType,
        JobPriority,
        ProvisioningState,
        StorageAccountType,
        ToolType,
        UsageUnit,
        VmPriority,
    )
    from .file_servers import (
        DataDisks,
        FileServer,
        FileServerCreateParameters,
        FileServersListByWorkspaceOptions,
        MountSettings,
        SshConfiguration,
    )
    from .jobs import (
        ContainerSettings,
        File,
        ImageSourceRegistry,
        InputDirectory,
        Job,
        JobBasePropertiesConstraints,
        JobCreateParameters,
        JobPreparation,
        JobPropertiesConstraints,
        JobPropertiesExecutionInfo,
        JobsListByExperimentOptions,
        JobsListOutputFilesOptions,
        OutputDirectory,
        PrivateRegistryCredentials,
    )
    from .paged import (
        ClusterPaged,
        ExperimentPaged,
        FilePaged,
        FileServerPaged,
        JobPaged,
        OperationPaged,
        RemoteLoginInformationPaged,
        UsagePaged,
        WorkspacePaged,
    )
    from .storage import (
        AzureBlobFileSystemReference,
        AzureFileShareReference,
        AzureStorageCredentialsInfo,
        FileServerReference,
        MountVolumes,
        UnmanagedFileSystemReference,
    )
    from .toolkits import (
        Caffe2Settings,
        CaffeSettings,
        ChainerSettings,
        CNTKsettings,
        CustomMpiSettings,
        CustomToolkitSettings,
        HorovodSettings,
        PyTorchSettings,
        TensorFlowSettings,
    )
    from .usages import Operation, OperationDisplay, Usage, UsageName
    from .workspaces import (
        Experiment,
        ExperimentsListByWorkspaceOptions,
        Workspace,
        WorkspaceCreateParameters,
        WorkspacesListByResourceGroupOptions,
        WorkspacesListOptions,
        WorkspaceUpdateParameters,
    )

"""Clusters: the pool of VMs jobs run on (``clusters.create`` / ``get`` / ``update``).

On the local backend a cluster is a pool of local "nodes"; on Azure ML it is an AmlCompute target.
"""

from datetime import datetime

from ._base import Model, field, readonly
from .common import (
    BatchAIError,
    EnvironmentVariable,
    EnvironmentVariableWithSecretValue,
    KeyVaultSecretReference,
    ProxyResource,
    ResourceId,
    UserAccountSettings,
)
from .enums import AllocationState, DeallocationOption, ProvisioningState, VmPriority
from .storage import MountVolumes

__all__ = [
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
]


class ManualScaleSettings(Model):
    """A fixed node count (AmlCompute: min = max nodes)."""

    target_node_count: int = field("targetNodeCount", default=0, required=True)
    node_deallocation_option: DeallocationOption | None = field(
        "nodeDeallocationOption", default=DeallocationOption.requeue, wire="str"
    )


class AutoScaleSettings(Model):
    """Node count that follows the job queue between a minimum and a maximum."""

    minimum_node_count: int = field("minimumNodeCount")
    maximum_node_count: int = field("maximumNodeCount")
    initial_node_count: int | None = field("initialNodeCount", default=0)


class ScaleSettings(Model):
    """Either manual or auto scale settings of a cluster."""

    manual: ManualScaleSettings | None = field("manual", default=None)
    auto_scale: AutoScaleSettings | None = field("autoScale", default=None)


class ImageReference(Model):
    """The VM image of the cluster nodes (marketplace or custom)."""

    publisher: str = field("publisher")
    offer: str = field("offer")
    sku: str = field("sku")
    version: str | None = field("version", default=None)
    virtual_machine_image_id: str | None = field("virtualMachineImageId", default=None)


class VirtualMachineConfiguration(Model):
    """OS image settings of the cluster nodes."""

    image_reference: ImageReference | None = field("imageReference", default=None)


class SetupTask(Model):
    """A command run on every node when it joins the cluster."""

    command_line: str = field("commandLine")
    environment_variables: list[EnvironmentVariable] | None = field(
        "environmentVariables", default=None
    )
    secrets: list[EnvironmentVariableWithSecretValue] | None = field("secrets", default=None)
    std_out_err_path_prefix: str = field("stdOutErrPathPrefix")
    std_out_err_path_suffix: str | None = readonly("stdOutErrPathSuffix")


class AppInsightsReference(Model):
    """An Application Insights component receiving node performance counters."""

    component: ResourceId = field("component")
    instrumentation_key: str | None = field("instrumentationKey", default=None, secret=True)
    instrumentation_key_secret_reference: KeyVaultSecretReference | None = field(
        "instrumentationKeySecretReference", default=None
    )


class PerformanceCountersSettings(Model):
    """Where node performance counters are reported."""

    app_insights_reference: AppInsightsReference = field("appInsightsReference")


class NodeSetup(Model):
    """Node preparation: a setup task, cluster-level mounts, performance counters."""

    setup_task: SetupTask | None = field("setupTask", default=None)
    mount_volumes: MountVolumes | None = field("mountVolumes", default=None)
    performance_counters_settings: PerformanceCountersSettings | None = field(
        "performanceCountersSettings", default=None
    )


class NodeStateCounts(Model):
    """How many cluster nodes are idle, running, preparing, unusable or leaving."""

    idle_node_count: int | None = readonly("idleNodeCount")
    running_node_count: int | None = readonly("runningNodeCount")
    preparing_node_count: int | None = readonly("preparingNodeCount")
    unusable_node_count: int | None = readonly("unusableNodeCount")
    leaving_node_count: int | None = readonly("leavingNodeCount")


class ClusterCreateParameters(Model):
    """The body of ``clusters.create``."""

    vm_size: str = field("properties.vmSize")
    vm_priority: VmPriority | None = field("properties.vmPriority", default=VmPriority.dedicated)
    scale_settings: ScaleSettings | None = field("properties.scaleSettings", default=None)
    virtual_machine_configuration: VirtualMachineConfiguration | None = field(
        "properties.virtualMachineConfiguration", default=None
    )
    node_setup: NodeSetup | None = field("properties.nodeSetup", default=None)
    user_account_settings: UserAccountSettings = field("properties.userAccountSettings")
    subnet: ResourceId | None = field("properties.subnet", default=None)


class ClusterUpdateParameters(Model):
    """The body of ``clusters.update``: new scale settings."""

    scale_settings: ScaleSettings | None = field("properties.scaleSettings", default=None)


class Cluster(ProxyResource):
    """A cluster as the service returns it, with its allocation state and node counts."""

    vm_size: str | None = field("properties.vmSize", default=None)
    vm_priority: VmPriority | None = field("properties.vmPriority", default=VmPriority.dedicated)
    scale_settings: ScaleSettings | None = field("properties.scaleSettings", default=None)
    virtual_machine_configuration: VirtualMachineConfiguration | None = field(
        "properties.virtualMachineConfiguration", default=None
    )
    node_setup: NodeSetup | None = field("properties.nodeSetup", default=None)
    user_account_settings: UserAccountSettings | None = field(
        "properties.userAccountSettings", default=None
    )
    subnet: ResourceId | None = field("properties.subnet", default=None)
    creation_time: datetime | None = readonly("properties.creationTime")
    provisioning_state: ProvisioningState | None = readonly(
        "properties.provisioningState", wire="str"
    )
    provisioning_state_transition_time: datetime | None = readonly(
        "properties.provisioningStateTransitionTime"
    )
    allocation_state: AllocationState | None = readonly("properties.allocationState", wire="str")
    allocation_state_transition_time: datetime | None = readonly(
        "properties.allocationStateTransitionTime"
    )
    errors: list[BatchAIError] | None = readonly("properties.errors")
    current_node_count: int | None = readonly("properties.currentNodeCount")
    node_state_counts: NodeStateCounts | None = readonly("properties.nodeStateCounts")


class RemoteLoginInformation(Model):
    """How to SSH into one node of a cluster (``clusters.list_remote_login_information``)."""

    node_id: str | None = readonly("nodeId")
    ip_address: str | None = readonly("ipAddress")
    port: float | None = readonly("port")


class ClustersListByWorkspaceOptions(Model):
    """Query options of ``clusters.list_by_workspace``."""

    max_results: int | None = field("", default=1000)

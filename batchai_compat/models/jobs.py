"""Jobs: what runs on a cluster (``jobs.create`` / ``get`` / ``list_output_files``).

``JobCreateParameters`` is the body of ``jobs.create``; ``Job`` is what the service returns, with
its execution state.  Containers, input/output directories, job preparation, constraints and the
files of ``jobs.list_output_files`` live here too; toolkit settings are in
:mod:`batchai_compat.models.toolkits`.
"""

from datetime import datetime, timedelta

from ._base import Model, field, readonly
from .common import (
    BatchAIError,
    EnvironmentVariable,
    EnvironmentVariableWithSecretValue,
    KeyVaultSecretReference,
    ProxyResource,
    ResourceId,
)
from .enums import ExecutionState, FileType, JobPriority, ProvisioningState, ToolType
from .storage import MountVolumes
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

__all__ = [
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
]

#: 2.0.0's default wall clock limit, one week ('7.00:00:00'), held as a timedelta.
DEFAULT_MAX_WALL_CLOCK_TIME = timedelta(days=7)


class PrivateRegistryCredentials(Model):
    """Credentials of a private container registry (the password is a secret)."""

    username: str = field("username")
    password: str | None = field("password", default=None, secret=True)
    password_secret_reference: KeyVaultSecretReference | None = field(
        "passwordSecretReference", default=None
    )


class ImageSourceRegistry(Model):
    """A container image and the registry it comes from."""

    server_url: str | None = field("serverUrl", default=None)
    image: str = field("image")
    credentials: PrivateRegistryCredentials | None = field("credentials", default=None)


class ContainerSettings(Model):
    """Run the job inside a Docker container (Azure ML: the environment's base image)."""

    image_source_registry: ImageSourceRegistry = field("imageSourceRegistry")
    shm_size: str | None = field("shmSize", default=None)


class JobPreparation(Model):
    """A command run once on each node before the job's task."""

    command_line: str = field("commandLine")


class InputDirectory(Model):
    """An input path the job sees as ``$AZ_BATCHAI_INPUT_<ID>``."""

    id: str = field("id")
    path: str = field("path")


class OutputDirectory(Model):
    """An output location the job sees as ``$AZ_BATCHAI_OUTPUT_<ID>``."""

    id: str = field("id")
    path_prefix: str = field("pathPrefix")
    path_suffix: str | None = field("pathSuffix", default=None)


class JobBasePropertiesConstraints(Model):
    """Limits of a job to create: its maximum wall clock time (a ``timedelta``; Batch AI
    duration strings such as ``'7.00:00:00'`` and ISO 8601 ``'P7D'`` are accepted)."""

    max_wall_clock_time: timedelta | None = field(
        "maxWallClockTime", default=DEFAULT_MAX_WALL_CLOCK_TIME
    )


class JobPropertiesConstraints(Model):
    """Limits of an existing job: its maximum wall clock time (see
    ``JobBasePropertiesConstraints``)."""

    max_wall_clock_time: timedelta | None = field(
        "maxWallClockTime", default=DEFAULT_MAX_WALL_CLOCK_TIME
    )


class JobPropertiesExecutionInfo(Model):
    """When a job started and ended, its exit code and errors."""

    start_time: datetime | None = readonly("startTime")
    end_time: datetime | None = readonly("endTime")
    exit_code: int | None = readonly("exitCode")
    errors: list[BatchAIError] | None = readonly("errors")


class JobCreateParameters(Model):
    """The body of ``jobs.create``."""

    scheduling_priority: JobPriority | None = field(
        "properties.schedulingPriority", default=JobPriority.normal, wire="str"
    )
    cluster: ResourceId = field("properties.cluster")
    mount_volumes: MountVolumes | None = field("properties.mountVolumes", default=None)
    node_count: int = field("properties.nodeCount")
    container_settings: ContainerSettings | None = field(
        "properties.containerSettings", default=None
    )
    cntk_settings: CNTKsettings | None = field("properties.cntkSettings", default=None)
    py_torch_settings: PyTorchSettings | None = field("properties.pyTorchSettings", default=None)
    tensor_flow_settings: TensorFlowSettings | None = field(
        "properties.tensorFlowSettings", default=None
    )
    caffe_settings: CaffeSettings | None = field("properties.caffeSettings", default=None)
    caffe2_settings: Caffe2Settings | None = field("properties.caffe2Settings", default=None)
    chainer_settings: ChainerSettings | None = field("properties.chainerSettings", default=None)
    custom_toolkit_settings: CustomToolkitSettings | None = field(
        "properties.customToolkitSettings", default=None
    )
    custom_mpi_settings: CustomMpiSettings | None = field(
        "properties.customMpiSettings", default=None
    )
    horovod_settings: HorovodSettings | None = field("properties.horovodSettings", default=None)
    job_preparation: JobPreparation | None = field("properties.jobPreparation", default=None)
    std_out_err_path_prefix: str = field("properties.stdOutErrPathPrefix")
    input_directories: list[InputDirectory] | None = field(
        "properties.inputDirectories", default=None
    )
    output_directories: list[OutputDirectory] | None = field(
        "properties.outputDirectories", default=None
    )
    environment_variables: list[EnvironmentVariable] | None = field(
        "properties.environmentVariables", default=None
    )
    secrets: list[EnvironmentVariableWithSecretValue] | None = field(
        "properties.secrets", default=None
    )
    constraints: JobBasePropertiesConstraints | None = field("properties.constraints", default=None)


class Job(ProxyResource):
    """A job as the service returns it, with its provisioning and execution state."""

    scheduling_priority: JobPriority | None = field(
        "properties.schedulingPriority", default=JobPriority.normal, wire="str"
    )
    cluster: ResourceId | None = field("properties.cluster", default=None)
    mount_volumes: MountVolumes | None = field("properties.mountVolumes", default=None)
    job_output_directory_path_segment: str | None = readonly(
        "properties.jobOutputDirectoryPathSegment"
    )
    node_count: int | None = field("properties.nodeCount", default=None)
    container_settings: ContainerSettings | None = field(
        "properties.containerSettings", default=None
    )
    tool_type: ToolType | None = field("properties.toolType", default=None, wire="str")
    cntk_settings: CNTKsettings | None = field("properties.cntkSettings", default=None)
    py_torch_settings: PyTorchSettings | None = field("properties.pyTorchSettings", default=None)
    tensor_flow_settings: TensorFlowSettings | None = field(
        "properties.tensorFlowSettings", default=None
    )
    caffe_settings: CaffeSettings | None = field("properties.caffeSettings", default=None)
    caffe2_settings: Caffe2Settings | None = field("properties.caffe2Settings", default=None)
    chainer_settings: ChainerSettings | None = field("properties.chainerSettings", default=None)
    custom_toolkit_settings: CustomToolkitSettings | None = field(
        "properties.customToolkitSettings", default=None
    )
    custom_mpi_settings: CustomMpiSettings | None = field(
        "properties.customMpiSettings", default=None
    )
    horovod_settings: HorovodSettings | None = field("properties.horovodSettings", default=None)
    job_preparation: JobPreparation | None = field("properties.jobPreparation", default=None)
    std_out_err_path_prefix: str | None = field("properties.stdOutErrPathPrefix", default=None)
    input_directories: list[InputDirectory] | None = field(
        "properties.inputDirectories", default=None
    )
    output_directories: list[OutputDirectory] | None = field(
        "properties.outputDirectories", default=None
    )
    environment_variables: list[EnvironmentVariable] | None = field(
        "properties.environmentVariables", default=None
    )
    secrets: list[EnvironmentVariableWithSecretValue] | None = field(
        "properties.secrets", default=None
    )
    constraints: JobPropertiesConstraints | None = field("properties.constraints", default=None)
    creation_time: datetime | None = readonly("properties.creationTime")
    provisioning_state: ProvisioningState | None = readonly(
        "properties.provisioningState", wire="str"
    )
    provisioning_state_transition_time: datetime | None = readonly(
        "properties.provisioningStateTransitionTime"
    )
    execution_state: ExecutionState | None = readonly("properties.executionState", wire="str")
    execution_state_transition_time: datetime | None = readonly(
        "properties.executionStateTransitionTime"
    )
    execution_info: JobPropertiesExecutionInfo | None = field(
        "properties.executionInfo", default=None
    )


class File(Model):
    """One entry of ``jobs.list_output_files``: a file (with a download URL) or a directory."""

    name: str | None = readonly("name")
    file_type: FileType | None = readonly("fileType", wire="str")
    download_url: str | None = readonly("downloadUrl")
    last_modified: datetime | None = readonly("properties.lastModified")
    content_length: int | None = readonly("properties.contentLength", wire="long")


class JobsListByExperimentOptions(Model):
    """Query options of ``jobs.list_by_experiment``."""

    max_results: int | None = field("", default=1000)


class JobsListOutputFilesOptions(Model):
    """Query options of ``jobs.list_output_files``: which output directory, which
    subdirectory, how long download links live (minutes) and how many entries."""

    outputdirectoryid: str = field("")
    directory: str | None = field("", default=".")
    linkexpiryinminutes: int | None = field("", default=60)
    max_results: int | None = field("", default=1000)

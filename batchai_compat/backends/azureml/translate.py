"""Pure translation between Batch AI models and Azure ML v1 (azureml-core) objects.

The Batch AI -> Azure ML decisions both Azure ML backends share are in
:mod:`batchai_compat.backends._azureml_common` (job plans, cluster requests, run states and
names); this module turns them into azureml-core configuration objects
(``AmlComputeProvisioningConfiguration``, ``ScriptRunConfig`` with its distribution,
``Environment`` and data references) and maps azureml-core's answers (an ``AmlCompute``, a run's
details) back to Batch AI fields.  Nothing here talks to the network or touches the disk; tests
assert on the request bodies the SDK serializes from these objects.

Per-field decisions for settings Azure ML cannot express are listed in ``docs/azureml.md``;
each raises :class:`~batchai_compat.exceptions.NoEquivalentError` or emits
:class:`~batchai_compat.backends._azureml_common.AzureMLSemanticsWarning`, and tests pin which.

azureml-core is imported inside the functions that build its objects, so importing this module
stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import ids
from ...exceptions import ValidationError
from .._azureml_common import AzureMLSemanticsWarning, clusters, jobs, naming, runs

__all__ = [
    "BACKEND",
    "AzureMLSemanticsWarning",
    "JobSubmission",
    "cluster_fields",
    "cluster_request_of",
    "compute_configuration",
    "job_fields",
    "job_submission",
    "provisioning_configuration",
]

BACKEND = "azureml"


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------


def provisioning_configuration(parameters: Any, subscription_id: str) -> Any:
    """Batch AI ``ClusterCreateParameters`` -> ``AmlCompute.provisioning_configuration(...)``
    (the mapping: :func:`batchai_compat.backends._azureml_common.clusters.cluster_request`)."""
    return compute_configuration(
        clusters.cluster_request(parameters, subscription_id, BACKEND, stacklevel=5)
    )


def compute_configuration(request: clusters.ClusterRequest) -> Any:
    """A :class:`~batchai_compat.backends._azureml_common.clusters.ClusterRequest` ->
    ``AmlCompute.provisioning_configuration(...)``, checked by the SDK."""
    from azureml.core.compute import AmlCompute
    from azureml.exceptions import ComputeTargetException

    vnet: dict[str, str] = {}
    if request.subnet is not None:
        vnet = {
            "vnet_resourcegroup_name": request.subnet.resource_group,
            "vnet_name": request.subnet.vnet_name,
            "subnet_name": request.subnet.subnet_name,
        }
    try:
        config = AmlCompute.provisioning_configuration(
            vm_size=request.vm_size,
            vm_priority=request.vm_priority,
            min_nodes=request.min_nodes,
            max_nodes=request.max_nodes,
            idle_seconds_before_scaledown=clusters.IDLE_SECONDS_BEFORE_SCALEDOWN,
            admin_username=request.admin_username,
            admin_user_password=request.admin_password,
            admin_user_ssh_key=request.admin_ssh_key,
            tags=request.tags,
            **vnet,
        )
        config.validate_configuration()
    except ComputeTargetException as error:
        # The SDK's messages state the rule and never echo the password.
        message = getattr(error, "message", None)
        if not isinstance(message, str) or not message.strip():
            message = "rejected by AmlCompute"
        raise ValidationError("parameters.user_account_settings", message.strip()) from None
    return config


def _subnet_of(compute: Any, cluster_id: str) -> ids.SubnetReference | None:
    if not getattr(compute, "vnet_name", None):
        return None
    workspace = getattr(compute, "workspace", None)
    subscription = getattr(workspace, "subscription_id", None) or cluster_id.split("/")[2]
    return ids.SubnetReference(
        subscription, compute.vnet_resourcegroup_name, compute.vnet_name, compute.subnet_name
    )


def _scale_of(compute: Any) -> Any:
    status = getattr(compute, "status", None)
    return getattr(compute, "scale_settings", None) or getattr(status, "scale_settings", None)


def cluster_request_of(compute: Any, cluster_id: str) -> clusters.ClusterRequest:
    """An existing ``AmlCompute`` as the request it answers (no secrets: none are returned), to
    compare with a new create request."""
    scale = _scale_of(compute)
    return clusters.ClusterRequest(
        vm_size=str(getattr(compute, "vm_size", None) or ""),
        vm_priority=str(getattr(compute, "vm_priority", None) or "dedicated"),
        min_nodes=int(getattr(scale, "minimum_node_count", None) or 0),
        max_nodes=int(getattr(scale, "maximum_node_count", None) or 0),
        tags={k: v for k, v in (getattr(compute, "tags", None) or {}).items()},
        admin_username=getattr(compute, "admin_username", None),
        subnet=_subnet_of(compute, cluster_id),
    )


def cluster_fields(compute: Any, cluster_id: str) -> dict[str, Any]:
    """An azureml ``AmlCompute`` (as the service returned it) -> Batch AI ``Cluster`` fields."""
    status = getattr(compute, "status", None)
    scale = _scale_of(compute)
    counts = getattr(status, "node_state_counts", None) if status else None
    return clusters.cluster_fields(
        cluster_id=cluster_id,
        name=compute.name,
        tags=getattr(compute, "tags", None),
        vm_size=getattr(compute, "vm_size", None),
        vm_priority=getattr(compute, "vm_priority", None),
        min_nodes=getattr(scale, "minimum_node_count", None),
        max_nodes=getattr(scale, "maximum_node_count", None),
        provisioning_state=getattr(compute, "provisioning_state", None),
        allocation_state=getattr(status, "allocation_state", None) if status else None,
        allocation_state_transition_time=getattr(status, "allocation_state_transition_time", None)
        if status
        else None,
        current_node_count=getattr(status, "current_node_count", None) if status else None,
        node_state_counts={k: getattr(counts, k, None) or 0 for k in clusters.NODE_STATE_COUNTS}
        if counts is not None
        else None,
        errors=(getattr(status, "errors", None) if status else None)
        or getattr(compute, "provisioning_errors", None),
        admin_username=getattr(compute, "admin_username", None),
        subnet=_subnet_of(compute, cluster_id),
        created=getattr(compute, "created_on", None),
        modified=getattr(compute, "modified_on", None),
    )


# --------------------------------------------------------------------------------------------
# jobs -> ScriptRunConfig
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobSubmission:
    """Everything the backend needs to submit one Batch AI job to Azure ML v1.

    ``run_config`` is the ``ScriptRunConfig`` (its ``source_directory`` is filled in by the
    backend with the snapshot folder); the rest comes from the shared
    :class:`~batchai_compat.backends._azureml_common.jobs.JobPlan`: ``datastores`` must exist
    before submission, ``secrets`` (Key Vault secret name -> value) go to the workspace Key
    Vault and are excluded from ``repr``, ``manifest`` travels in the run configuration.
    """

    run_config: Any
    datastores: tuple[jobs.DatastoreSpec, ...]
    manifest: dict[str, Any]
    tags: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


def _distribution(plan: jobs.Distribution | None) -> Any:
    from azureml.core.runconfig import (
        MpiConfiguration,
        PyTorchConfiguration,
        TensorflowConfiguration,
    )

    if plan is None:
        return None
    if plan.kind == "tensorflow":
        return TensorflowConfiguration(
            worker_count=plan.workers, parameter_server_count=plan.parameter_servers
        )
    if plan.kind == "pytorch":
        return PyTorchConfiguration(
            communication_backend=plan.communication_backend,
            process_count=plan.process_count,
            node_count=plan.node_count,
        )
    return MpiConfiguration(
        process_count_per_node=plan.processes_per_node, node_count=plan.node_count
    )


def _environment(container: jobs.ContainerPlan) -> tuple[Any, Any]:
    """The job's image -> (azureml ``Environment``, ``DockerConfiguration``)."""
    from azureml.core import Environment
    from azureml.core.runconfig import DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE, DockerConfiguration

    image = container.image or (DEFAULT_GPU_IMAGE if container.gpu else DEFAULT_CPU_IMAGE)
    digest = hashlib.sha256(image.encode()).hexdigest()[:10]
    environment = Environment(f"batchai-{digest}")
    environment.docker.base_image = image
    # The image brings its own Python; Azure ML must not build a conda environment on top.
    environment.python.user_managed_dependencies = True
    if container.registry_address:
        environment.docker.base_image_registry.address = container.registry_address
        if container.registry_username:
            environment.docker.base_image_registry.username = container.registry_username
    docker = (
        DockerConfiguration(use_docker=True, shm_size=container.shm_size)
        if container.shm_size
        else DockerConfiguration(use_docker=True)
    )
    return environment, docker


def job_submission(
    parameters: Any,
    *,
    job_name: str,
    experiment: str,
    cluster_name: str,
    job_uuid: str,
    cluster_vm_size: str | None = None,
    source_directory: str = ".",
    identity: Mapping[str, str] | None = None,
) -> JobSubmission:
    """Batch AI ``JobCreateParameters`` -> :class:`JobSubmission` (a ``ScriptRunConfig`` and
    what it needs: datastores, Key Vault secrets, the node manifest, run tags).

    The run configuration carries the job's ``node_count`` (ScriptRunConfig sets it to the
    TensorFlow worker count; it is set back), the distribution (``TensorflowConfiguration`` /
    ``MpiConfiguration`` / ``PyTorchConfiguration``, or none), an ``Environment`` from
    ``container_settings``, the plain environment variables, ``max_run_duration_seconds``,
    ``DataReference`` mounts for every mounted volume and every input directory under one, and
    the node app as the command.  Secret values and storage keys never appear in it.
    """
    from azureml.core import ScriptRunConfig
    from azureml.core.runconfig import DataReferenceConfiguration

    plan = jobs.job_plan(
        parameters,
        backend=BACKEND,
        job_name=job_name,
        experiment=experiment,
        cluster_name=cluster_name,
        job_uuid=job_uuid,
        cluster_vm_size=cluster_vm_size,
        identity=identity,
    )
    if plan.scheduling_priority not in (None, "normal"):
        warnings.warn(
            "scheduling_priority has no Azure ML v1 equivalent: runs are queued in submission order",
            AzureMLSemanticsWarning,
            stacklevel=2,
        )
    environment, docker = _environment(plan.container)
    config = ScriptRunConfig(
        source_directory=source_directory,
        command=["python", naming.NODE_APP_NAME],
        compute_target=cluster_name,
        environment=environment,
        distributed_job_config=_distribution(plan.distribution),
        docker_runtime_config=docker,
        max_run_duration_seconds=plan.max_run_duration_seconds,
    )
    run_config = config.run_config
    # ScriptRunConfig sets node_count to TensorflowConfiguration.worker_count: Batch AI's
    # node_count is how many VMs the job takes, so it wins.
    run_config.node_count = plan.node_count
    run_config.environment_variables = {
        **plan.environment_variables,
        naming.MANIFEST_VARIABLE: json.dumps(plan.manifest, sort_keys=True, separators=(",", ":")),
    }
    for mount in plan.mounts:
        run_config.data_references[mount.name] = DataReferenceConfiguration(
            datastore_name=mount.datastore.name,
            mode="mount",
            path_on_datastore=mount.path_on_datastore,
        )
    return JobSubmission(
        run_config=config,
        datastores=plan.datastores,
        manifest=plan.manifest,
        tags=plan.tags,
        secrets=plan.secrets,
    )


# --------------------------------------------------------------------------------------------
# runs -> jobs
# --------------------------------------------------------------------------------------------


def job_fields(
    run_details: Mapping[str, Any],
    *,
    subscription_id: str,
    resource_group: str,
    workspace: str,
    experiment: str,
    run_id: str,
    tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A v1 run's details (``run._run_dto``, snake_case or camelCase keys) -> Batch AI ``Job``
    fields; ``tags`` the caller just set win over the fetched ones."""

    def value(snake: str, camel: str) -> Any:
        return run_details.get(snake, run_details.get(camel))

    known = dict(value("tags", "tags") or {})
    known.update(tags or {})
    return runs.job_fields(
        subscription_id=subscription_id,
        resource_group=resource_group,
        workspace=workspace,
        experiment=experiment,
        run_name=run_id,
        tags=known,
        status=value("status", "status"),
        created=value("created_utc", "createdUtc"),
        started=value("start_time_utc", "startTimeUtc"),
        ended=value("end_time_utc", "endTimeUtc"),
        error=value("error", "error"),
    )

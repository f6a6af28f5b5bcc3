"""Pure translation between Batch AI models and Azure ML v2 (azure-ai-ml) documents.

Nothing here touches the network, the disk or azure-ai-ml: the inputs are Batch AI parameter
models (ours, or anything with the same attribute names, such as the genuine
``azure.mgmt.batchai`` models) and the REST bodies the service returned; the outputs are plain
dicts in the shape of Azure ML's v2 YAML files (``az ml compute create --file``, ``az ml
datastore create --file``, ``az ml job create --file``), so they can be written out as they are
(``batchai export``) or turned into azure-ai-ml entities by :mod:`.entities`.

* cluster -> an ``amlcompute`` document (:func:`compute_document`);
* a mounted blob container / file share -> an ``azure_blob`` / ``azure_file`` datastore
  document under the same deterministic name as on the v1 backend (:func:`datastore_documents`);
* job -> a ``command`` job document (:func:`job_document`): the distribution, instance count,
  image, timeout, queue priority, environment variables, every mount as a read-write
  ``uri_folder`` output of its datastore, every input directory under a mount as a ``ro_mount``
  input, every output directory and the ``stdouterr`` folder as ``rw_mount`` outputs on the
  workspace's default datastore.  The command runs the node adapter (the same
  ``batchai_node.pyz`` as on the v1 backend) with the mount places Azure ML resolves
  (``name=${{outputs.name}}``); the job's parameters without secrets travel in
  ``$AZ_BATCHAI_COMPAT_JOB``.  Secret values never appear in it: they go to the workspace Key
  Vault (:attr:`JobDocument.secrets`).
* service answers -> Batch AI ``Cluster`` / ``Job`` fields (:func:`cluster_fields`,
  :func:`job_fields`, :func:`execution_state`).

The mapping the two Azure ML backends share (toolkits, role counts, mounts, datastore names,
output path segments, secrets, wall clock) is :mod:`batchai_compat.backends.azureml.translate`'s;
this module only shapes it for v2.  Settings with no v2 equivalent raise
:class:`~batchai_compat.exceptions.NoEquivalentError` (listed in ``docs/azureml-v2.md``).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import answers, ids
from ...domain.paths import output_path_segment
from ...exceptions import NoEquivalentError, ValidationError
from .._azureml_common import AzureMLSemanticsWarning, clusters, jobs, naming, runs
from .._azureml_common.jobs import DatastoreSpec
from .._azureml_common.naming import MANIFEST_VARIABLE, NODE_APP_NAME

__all__ = [
    "BACKEND",
    "DEFAULT_DATASTORE",
    "EXPERIMENT_MARKERS",
    "AzureMLSemanticsWarning",
    "DatastoreSpec",
    "JobDocument",
    "OutputPlace",
    "cluster_fields",
    "compute_document",
    "datastore_documents",
    "distribution_document",
    "environment_image",
    "execution_state",
    "job_document",
    "job_fields",
    "output_place",
    "queue_priority",
    "scale_update",
]

BACKEND = "azureml-v2"
#: The datastore every Azure ML workspace has; Batch AI outputs and logs are written there.
DEFAULT_DATASTORE = "workspaceblobstore"
#: Folder of the default datastore holding each job's outputs and logs (then the job's Batch AI
#: output path segment: ``{sub}/{rg}/workspaces/{ws}/experiments/{exp}/jobs/{job}/{uuid}``).
OUTPUT_ROOT = "batchai"
STDOUTERR = "stdouterr"
#: Folder of the default datastore holding one empty marker blob per Batch AI experiment (Azure
#: ML v2 has no experiment resource to create): ``batchai/experiments/<name>``.
EXPERIMENT_MARKERS = f"{OUTPUT_ROOT}/experiments"
#: Compute tags recording how the Batch AI cluster was scaled (AmlCompute only keeps min/max).
TAG_SCALE = naming.TAG_SCALE
TAG_PARAMETERS = naming.TAG_PARAMETERS
#: Batch AI scheduling priority -> Azure ML queue priority (v2 ``queue_settings.priority``).
_PRIORITIES = {"low": "low", "normal": "medium", "high": "high"}
IDLE_SECONDS_BEFORE_SCALEDOWN = clusters.IDLE_SECONDS_BEFORE_SCALEDOWN


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------


def compute_document(
    parameters: Any, name: str, subscription_id: str, *, with_secrets: bool = False
) -> dict[str, Any]:
    """Batch AI ``ClusterCreateParameters`` -> an ``amlcompute`` document.

    * ``vm_size`` -> ``size``; ``vm_priority`` -> ``tier`` (``dedicated`` / ``low_priority``);
    * manual scale ``target_node_count`` -> ``min_instances = max_instances = target`` (fixed
      size, as on Batch AI; AmlCompute autoscales by default); auto scale -> min / max;
    * ``user_account_settings`` -> ``ssh_settings`` (the password and SSH key only when
      ``with_secrets``: an exported file must not carry them);
    * ``subnet`` -> ``network_settings`` (``vnet_name``, ``subnet`` as the full id).

    ``node_setup``, a custom VM image and a subnet of another subscription raise
    :class:`~batchai_compat.exceptions.NoEquivalentError`.
    """
    request = clusters.cluster_request(parameters, subscription_id, BACKEND)
    document: dict[str, Any] = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json",
        "type": "amlcompute",
        "name": name,
        "size": request.vm_size,
        "tier": "low_priority" if request.vm_priority == "lowpriority" else "dedicated",
        "min_instances": request.min_nodes,
        "max_instances": request.max_nodes,
        "idle_time_before_scale_down": IDLE_SECONDS_BEFORE_SCALEDOWN,
        "tags": dict(request.tags),
    }
    if request.admin_username:
        ssh: dict[str, Any] = {"admin_username": request.admin_username}
        if with_secrets and request.admin_password:
            ssh["admin_password"] = request.admin_password
        if with_secrets and request.admin_ssh_key:
            ssh["ssh_key_value"] = request.admin_ssh_key
        document["ssh_settings"] = ssh
    if request.subnet is not None:
        document["network_settings"] = {
            "vnet_name": request.subnet.vnet_name,
            "subnet": ids.subnet_id(request.subnet),
        }
    return document


def scale_update(scale_settings: Any, current_max_nodes: int | None) -> tuple[int, int]:
    """Batch AI ``clusters.update(scale_settings)`` -> AmlCompute ``(min_instances,
    max_instances)``; the deallocation-option warning is the v1 backend's (same AmlCompute)."""
    return clusters.update_scale(scale_settings, current_max_nodes)


def _get(data: Mapping[str, Any] | None, *path: str) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def cluster_fields(rest: Mapping[str, Any], cluster_id: str) -> dict[str, Any]:
    """An AmlCompute REST body (``ComputeResource.as_dict()`` or the JSON) -> Batch AI
    ``Cluster`` fields.  The service's node counts and allocation state are read from the REST
    object: azure-ai-ml's ``AmlCompute`` entity drops them.  Secrets are never returned."""
    props = _get(rest, "properties") or {}
    inner = props.get("properties") or {}

    def pick(*names: str) -> Any:
        for name in names:
            for source in (inner, props):
                if source.get(name) is not None:
                    return source[name]
        return None

    scale = pick("scale_settings", "scaleSettings") or {}
    counts = pick("node_state_counts", "nodeStateCounts")
    ssh = pick("user_account_credentials", "userAccountCredentials") or {}
    subnet = pick("subnet")
    subnet_id = subnet.get("id") if isinstance(subnet, Mapping) else None
    return clusters.cluster_fields(
        cluster_id=cluster_id,
        name=str(rest.get("name")),
        tags=rest.get("tags") or {},
        vm_size=pick("vm_size", "vmSize"),
        vm_priority=str(pick("vm_priority", "vmPriority") or "dedicated"),
        min_nodes=scale.get("min_node_count", scale.get("minNodeCount")),
        max_nodes=scale.get("max_node_count", scale.get("maxNodeCount")),
        provisioning_state=pick("provisioning_state", "provisioningState"),
        allocation_state=pick("allocation_state", "allocationState"),
        allocation_state_transition_time=pick(
            "allocation_state_transition_time", "allocationStateTransitionTime"
        ),
        current_node_count=pick("current_node_count", "currentNodeCount"),
        node_state_counts={
            ours: int(counts.get(ours, counts.get(_camel(ours))) or 0)
            for ours in (
                "idle_node_count",
                "running_node_count",
                "preparing_node_count",
                "unusable_node_count",
                "leaving_node_count",
            )
        }
        if isinstance(counts, Mapping)
        else None,
        errors=pick("errors"),
        admin_username=ssh.get("admin_user_name") or ssh.get("adminUserName"),
        subnet=ids.parse_subnet_id(subnet_id) if subnet_id else None,
        created=pick("created_on", "createdOn"),
        modified=pick("modified_on", "modifiedOn"),
    )


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


# --------------------------------------------------------------------------------------------
# storage -> datastores
# --------------------------------------------------------------------------------------------


def datastore_documents(
    specs: tuple[DatastoreSpec, ...], *, with_secrets: bool = False
) -> list[dict[str, Any]]:
    """Registered datastores for the job's mounts: ``azure_blob`` / ``azure_file`` documents
    named as on the v1 backend (one datastore per container/share, reused by every job).  The
    account key is included only ``with_secrets`` (it goes to the datastore, nowhere else)."""
    documents = []
    for spec in specs:
        document: dict[str, Any] = {
            "$schema": "https://azuremlschemas.azureedge.net/latest/"
            + ("azureBlob" if spec.kind == "blob" else "azureFile")
            + ".schema.json",
            "type": "azure_blob" if spec.kind == "blob" else "azure_file",
            "name": spec.name,
            "account_name": spec.account_name,
            ("container_name" if spec.kind == "blob" else "file_share_name"): spec.container,
        }
        if with_secrets and spec.account_key:
            document["credentials"] = {"account_key": spec.account_key}
        documents.append(document)
    return documents


# --------------------------------------------------------------------------------------------
# jobs -> command jobs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputPlace:
    """Where a Batch AI output folder (an output directory id, or ``stdouterr``) is kept."""

    name: str  # the Azure ML output name
    datastore: str
    path: str  # folder inside the datastore, no leading or trailing slash

    @property
    def uri(self) -> str:
        return f"azureml://datastores/{self.datastore}/paths/{self.path}/"


def output_place(segment: str, output_id: str) -> OutputPlace:
    """The output of Batch AI folder ``output_id`` (``stdouterr`` or an output directory id)
    for a job whose Batch AI output path segment is ``segment``."""
    name = STDOUTERR if output_id == STDOUTERR else naming.reference_name("out", output_id)
    folder = STDOUTERR if output_id == STDOUTERR else f"outputs/{output_id}"
    return OutputPlace(name, DEFAULT_DATASTORE, f"{OUTPUT_ROOT}/{segment}/{folder}")


@dataclass(frozen=True)
class JobDocument:
    """One Batch AI job as an Azure ML v2 command job.

    ``document`` is the ``command`` job (``code`` is the folder holding :data:`NODE_APP_NAME`;
    the backend fills it in); ``datastores`` must be registered first; ``secrets`` (Key Vault
    secret name -> value) go to the workspace Key Vault and are excluded from ``repr``;
    ``manifest`` is what the node adapter reads (no secrets).
    """

    document: dict[str, Any]
    datastores: tuple[DatastoreSpec, ...]
    manifest: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


def distribution_document(plan: jobs.JobPlan) -> dict[str, Any] | None:
    """The v2 ``distribution`` of the shared plan (None: one process)."""
    shape = plan.distribution
    if shape is None:
        return None
    if shape.kind == "tensorflow":
        return {
            "type": "tensorflow",
            "worker_count": shape.workers,
            "parameter_server_count": shape.parameter_servers,
        }
    if shape.kind == "pytorch":
        if shape.process_count % shape.node_count:
            raise NoEquivalentError(
                f"py_torch_settings.process_count={shape.process_count} on "
                f"{shape.node_count} nodes",
                BACKEND,
                "Azure ML v2 runs process_count_per_instance processes on every node; use a "
                "process_count that is a multiple of node_count.",
            )
        return {
            "type": "pytorch",
            "process_count_per_instance": shape.process_count // shape.node_count,
        }
    return {"type": "mpi", "process_count_per_instance": shape.processes_per_node}


def environment_image(container: jobs.ContainerPlan) -> str:
    """The image a job runs in: its own (with its registry's address) or Azure ML's default."""
    if container.image:
        server = (container.registry_address or "").rstrip("/")
        image = container.image
        return image if not server or image.startswith(server + "/") else f"{server}/{image}"
    return DEFAULT_GPU_IMAGE if container.gpu else DEFAULT_CPU_IMAGE


#: Azure ML's curated base images (what a job without ``container_settings`` runs in).
DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
DEFAULT_GPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04:latest"


def queue_priority(scheduling_priority: str) -> str:
    """Batch AI ``scheduling_priority`` -> the Azure ML queue priority (``low``/``medium``/``high``)."""
    if scheduling_priority not in _PRIORITIES:
        raise ValidationError(
            "parameters.scheduling_priority", "must be low, normal or high", scheduling_priority
        )
    return _PRIORITIES[scheduling_priority]


def queue_settings(scheduling_priority: str) -> dict[str, Any]:
    """A job document's ``queue_settings`` for a Batch AI ``scheduling_priority``: none for
    ``normal``, whose Azure ML counterpart (``medium``) is the service's default."""
    queue = queue_priority(scheduling_priority)
    return {} if queue == "medium" else {"queue_settings": {"priority": queue}}


def job_document(
    parameters: Any,
    *,
    job_name: str,
    experiment: str,
    cluster_name: str,
    job_uuid: str,
    identity: Mapping[str, str],
    cluster_vm_size: str | None = None,
    code: str = ".",
) -> JobDocument:
    """Batch AI ``JobCreateParameters`` -> :class:`JobDocument` (a v2 ``command`` job).

    ``identity`` holds ``subscription``, ``resource_group`` and ``workspace`` (the job's Batch AI
    output path segment is built from them).  The job's ``name`` is ``job_name``'s Azure ML name
    (:func:`azureml_job_name`), unique per workspace like Azure ML's.
    """
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
    priority = str(plan.scheduling_priority or "normal")
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    places: list[str] = []
    for mount in plan.mounts:
        if mount.input_id is None:
            # Batch AI mounted storage read-write: a rw_mount output of the whole container
            outputs[mount.name] = {
                "type": "uri_folder",
                "path": f"azureml://datastores/{mount.datastore.name}/paths/",
                "mode": "rw_mount",
            }
            places.append(f"{mount.name}=${{{{outputs.{mount.name}}}}}")
        else:  # an input directory under a mount: that folder, read-only (the guide's as_mount)
            inputs[mount.name] = {
                "type": "uri_folder",
                "path": f"azureml://datastores/{mount.datastore.name}/paths/"
                f"{(mount.path_on_datastore or '').strip('/')}/",
                "mode": "ro_mount",
            }
            places.append(f"{mount.name}=${{{{inputs.{mount.name}}}}}")
    segment = output_path_segment(
        identity["subscription"],
        identity["resource_group"],
        identity["workspace"],
        experiment,
        job_name,
        job_uuid,
    )
    manifest = dict(plan.manifest)
    outputs_manifest = []
    for directory in manifest.get("output_directories") or ():
        place = output_place(segment, directory["id"])
        if place.name in outputs or directory["id"] == STDOUTERR:
            raise ValidationError(
                "parameters.output_directories.id", "must be unique within a job", directory["id"]
            )
        outputs[place.name] = {"type": "uri_folder", "path": place.uri, "mode": "rw_mount"}
        places.append(f"{place.name}=${{{{outputs.{place.name}}}}}")
        entry = {k: v for k, v in directory.items() if k != "run_history_folder"}
        outputs_manifest.append({**entry, "place": place.name})
    logs = output_place(segment, STDOUTERR)
    outputs[logs.name] = {"type": "uri_folder", "path": logs.uri, "mode": "rw_mount"}
    places.append(f"{logs.name}=${{{{outputs.{logs.name}}}}}")
    manifest.pop("stdouterr_folder", None)
    manifest.update({"output_directories": outputs_manifest, "stdouterr_place": logs.name})

    document: dict[str, Any] = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/commandJob.schema.json",
        "type": "command",
        "name": azureml_job_name(experiment, job_name),
        "display_name": job_name,
        "experiment_name": experiment,
        "compute": f"azureml:{cluster_name}",
        "code": code,
        "command": " ".join(["python", NODE_APP_NAME, *places]),
        "environment": {"image": environment_image(plan.container)},
        "resources": {"instance_count": plan.node_count},
        "environment_variables": {
            **plan.environment_variables,
            MANIFEST_VARIABLE: json.dumps(manifest, sort_keys=True, separators=(",", ":")),
        },
        "limits": {"timeout": plan.max_run_duration_seconds},
        **queue_settings(priority),
        "tags": dict(plan.tags),
        "inputs": inputs,
        "outputs": outputs,
    }
    if plan.container.shm_size:
        document["resources"]["shm_size"] = plan.container.shm_size
    distribution = distribution_document(plan)
    if distribution is not None:
        document["distribution"] = distribution
    if priority != "normal":
        warnings.warn(
            "scheduling_priority maps to the Azure ML queue priority, which orders jobs only "
            "within the workspace's queue for the cluster",
            AzureMLSemanticsWarning,
            stacklevel=2,
        )
    return JobDocument(
        document=document, datastores=plan.datastores, manifest=manifest, secrets=plan.secrets
    )


def azureml_job_name(experiment: str, job: str) -> str:
    """The Azure ML job name standing for Batch AI job ``job`` of ``experiment`` (the run id
    of the v1 backend: derived, so ``jobs.get`` is one GET and a resubmission finds its job)."""
    return naming.run_id(experiment, job)


# --------------------------------------------------------------------------------------------
# command jobs -> Batch AI jobs
# --------------------------------------------------------------------------------------------


def execution_state(status: str | None) -> str:
    """Azure ML v2 job status -> Batch AI ``ExecutionState`` (the v1 run states, same service;
    ``Canceled`` is ``failed``, as a terminated Batch AI job was)."""
    return runs.execution_state(status)


def job_fields(
    rest: Mapping[str, Any], subscription_id: str, resource_group: str, workspace: str
) -> dict[str, Any] | None:
    """A command job's REST body (JSON) -> Batch AI ``Job`` fields, or None when the job is not
    a Batch AI job (no Batch AI tags).  Start and end times are the service's
    ``StartTimeUtc`` / ``EndTimeUtc`` job properties; a failed job's error its
    ``azureml.runError`` property when the service gives one."""
    props = rest.get("properties") or {}
    tags = props.get("tags") or {}
    if not tags.get(naming.TAG_JOB_NAME):
        return None
    service = props.get("properties") or {}
    system = rest.get("systemData") or {}
    status = props.get("status")
    error: Any = None
    if execution_state(status) == "failed":
        try:
            error = json.loads(service.get("azureml.runError") or "{}").get("error")
        except ValueError:
            error = None
        error = error or {
            "code": answers.JOB_FAILED[0],
            "message": f"The Azure ML job ended {status}.",
        }
    return runs.job_fields(
        subscription_id=subscription_id,
        resource_group=resource_group,
        workspace=workspace,
        experiment=tags.get(naming.TAG_EXPERIMENT) or str(props.get("experimentName")),
        run_name=str(rest.get("name")),
        tags=tags,
        status=status,
        created=system.get("createdAt"),
        started=service.get("StartTimeUtc"),
        ended=service.get("EndTimeUtc"),
        error=error,
    )

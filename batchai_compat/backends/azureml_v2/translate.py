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

import functools
import json
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ...exceptions import NoEquivalentError, ValidationError
from ..azureml import translate as shared
from ..azureml.translate import (
    MANIFEST_VARIABLE,
    NODE_APP_NAME,
    TAG_CLUSTER,
    TAG_EXPERIMENT,
    TAG_JOB_NAME,
    TAG_JOB_UUID,
    AzureMLSemanticsWarning,
    DatastoreSpec,
)

__all__ = [
    "BACKEND",
    "DEFAULT_DATASTORE",
    "AzureMLSemanticsWarning",
    "DatastoreSpec",
    "JobDocument",
    "OutputPlace",
    "cluster_fields",
    "compute_document",
    "datastore_documents",
    "execution_state",
    "job_document",
    "job_fields",
    "output_place",
    "scale_update",
]

BACKEND = "azureml-v2"
#: The datastore every Azure ML workspace has; Batch AI outputs and logs are written there.
DEFAULT_DATASTORE = "workspaceblobstore"
#: Folder of the default datastore holding each job's outputs and logs (then the job's Batch AI
#: output path segment: ``{sub}/{rg}/workspaces/{ws}/experiments/{exp}/jobs/{job}/{uuid}``).
OUTPUT_ROOT = "batchai"
STDOUTERR = "stdouterr"
#: Compute tags recording how the Batch AI cluster was scaled (AmlCompute only keeps min/max).
TAG_SCALE = shared.TAG_SCALE
TAG_INITIAL_NODES = shared.TAG_INITIAL_NODES
#: Job tag with the Batch AI parameters (no secrets): ``jobs.get`` returns them as 2.0.0 did.
TAG_PARAMETERS = "batchai.parameters"
#: Batch AI scheduling priority -> Azure ML queue priority (v2 ``queue_settings.priority``).
_PRIORITIES = {"low": "low", "normal": "medium", "high": "high"}
IDLE_SECONDS_BEFORE_SCALEDOWN = shared.IDLE_SECONDS_BEFORE_SCALEDOWN

T = TypeVar("T")


def _v2(function: Callable[..., T]) -> Callable[..., T]:
    """Run a rule of the shared Azure ML mapping; its NoEquivalentError names this backend."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        except NoEquivalentError as error:
            raise NoEquivalentError(error.feature, BACKEND, error.instead) from None

    return wrapper


def _value(enum_or_str: Any) -> str | None:
    return shared._value(enum_or_str)


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
    if not getattr(parameters, "vm_size", None):
        raise ValidationError("parameters.vm_size", "is required")
    vm_configuration = getattr(parameters, "virtual_machine_configuration", None)
    if vm_configuration is not None and getattr(vm_configuration, "image_reference", None):
        raise NoEquivalentError(
            "ClusterCreateParameters.virtual_machine_configuration (custom VM image)",
            BACKEND,
            "AmlCompute nodes run a managed OS image; put your software into a Docker image and "
            "name it in JobCreateParameters.container_settings.",
        )
    node_setup = getattr(parameters, "node_setup", None)
    if node_setup is not None:
        _v2(shared._reject_node_setup)(node_setup)
    low, high, tags = shared._scale_bounds(getattr(parameters, "scale_settings", None))
    priority = _value(getattr(parameters, "vm_priority", None)) or "dedicated"
    document: dict[str, Any] = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json",
        "type": "amlcompute",
        "name": name,
        "size": parameters.vm_size,
        "tier": "low_priority" if priority == "lowpriority" else "dedicated",
        "min_instances": low,
        "max_instances": high,
        "idle_time_before_scale_down": IDLE_SECONDS_BEFORE_SCALEDOWN,
        "tags": tags,
    }
    admin = getattr(parameters, "user_account_settings", None)
    if admin is not None and getattr(admin, "admin_user_name", None):
        ssh: dict[str, Any] = {"admin_username": admin.admin_user_name}
        if with_secrets:
            if getattr(admin, "admin_user_password", None):
                ssh["admin_password"] = admin.admin_user_password
            if getattr(admin, "admin_user_ssh_public_key", None):
                ssh["ssh_key_value"] = admin.admin_user_ssh_public_key
        document["ssh_settings"] = ssh
    subnet = getattr(parameters, "subnet", None)
    if subnet is not None and getattr(subnet, "id", None):
        ref = shared.parse_subnet_id(subnet.id)
        if ref.subscription_id.lower() != subscription_id.lower():
            raise NoEquivalentError(
                "ClusterCreateParameters.subnet in another subscription",
                BACKEND,
                "AmlCompute joins virtual networks of the workspace's subscription only; peer the "
                "network or create the workspace in the network's subscription.",
            )
        document["network_settings"] = {"vnet_name": ref.vnet_name, "subnet": subnet.id}
    return document


def scale_update(scale_settings: Any, current_max_nodes: int | None) -> tuple[int, int]:
    """Batch AI ``clusters.update(scale_settings)`` -> AmlCompute ``(min_instances,
    max_instances)``; the deallocation-option warning is the v1 backend's (same AmlCompute)."""
    return shared.update_scale(scale_settings, current_max_nodes)


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
    tags = dict(rest.get("tags") or {})
    scale = inner.get("scale_settings") or inner.get("scaleSettings") or {}
    low = scale.get("min_node_count", scale.get("minNodeCount"))
    high = scale.get("max_node_count", scale.get("maxNodeCount"))
    scale_settings: dict[str, Any] | None = None
    if high is not None:
        if tags.get(TAG_SCALE) == "manual":
            scale_settings = {
                "manual": {"target_node_count": high, "node_deallocation_option": "requeue"}
            }
        else:
            initial = tags.get(TAG_INITIAL_NODES)
            scale_settings = {
                "auto_scale": {
                    "minimum_node_count": low or 0,
                    "maximum_node_count": high,
                    "initial_node_count": int(initial) if initial else 0,
                }
            }

    def pick(*names: str) -> Any:
        for name in names:
            if inner.get(name) is not None:
                return inner[name]
            if props.get(name) is not None:
                return props[name]
        return None

    counts = pick("node_state_counts", "nodeStateCounts")
    node_state_counts = (
        {
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
        else None
    )
    provisioning = str(pick("provisioning_state", "provisioningState") or "").lower()
    provisioning = {"updating": "succeeded", "canceled": "failed"}.get(provisioning, provisioning)
    allocation = str(pick("allocation_state", "allocationState") or "").lower()
    ssh = pick("user_account_credentials", "userAccountCredentials") or {}
    admin = ssh.get("admin_user_name") or ssh.get("adminUserName")
    subnet = pick("subnet")
    subnet_id = subnet.get("id") if isinstance(subnet, Mapping) else None
    errors = shared._errors(pick("errors"))
    priority = str(pick("vm_priority", "vmPriority") or "dedicated").lower()
    return {
        "id": cluster_id,
        "name": rest.get("name"),
        "type": "Microsoft.BatchAI/workspaces/clusters",
        "vm_size": pick("vm_size", "vmSize"),
        "vm_priority": "lowpriority"
        if priority in ("lowpriority", "low_priority")
        else "dedicated",
        "scale_settings": scale_settings,
        "user_account_settings": {"admin_user_name": admin} if admin else None,
        "subnet": {"id": subnet_id} if subnet_id else None,
        "creation_time": pick("created_on", "createdOn"),
        "provisioning_state": provisioning
        if provisioning in ("creating", "succeeded", "failed", "deleting")
        else None,
        "provisioning_state_transition_time": pick("modified_on", "modifiedOn"),
        "allocation_state": allocation if allocation in ("steady", "resizing") else None,
        "allocation_state_transition_time": pick(
            "allocation_state_transition_time", "allocationStateTransitionTime"
        ),
        "errors": errors,
        "current_node_count": pick("current_node_count", "currentNodeCount"),
        "node_state_counts": node_state_counts,
    }


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
    name = STDOUTERR if output_id == STDOUTERR else shared._reference_name("out", output_id)
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


def _distribution(toolkit_field: str, settings: Any, node_count: int) -> dict[str, Any] | None:
    """The v2 ``distribution`` of the shared toolkit mapping (None: one process)."""
    v1 = _v2(shared.distribution_plan)(toolkit_field, settings, node_count)
    if v1 is None:
        return None
    kind = v1["kind"]
    if kind == "tensorflow":
        return {
            "type": "tensorflow",
            "worker_count": v1["worker_count"],
            "parameter_server_count": v1["parameter_server_count"],
        }
    if kind == "pytorch":
        if v1["process_count"] % node_count:
            raise NoEquivalentError(
                f"py_torch_settings.process_count={v1['process_count']} on {node_count} nodes",
                BACKEND,
                "Azure ML v2 runs process_count_per_instance processes on every node; use a "
                "process_count that is a multiple of node_count.",
            )
        return {"type": "pytorch", "process_count_per_instance": v1["process_count_per_node"]}
    return {"type": "mpi", "process_count_per_instance": v1["process_count_per_node"]}


def _image(container_settings: Any, cluster_vm_size: str | None) -> str:
    """The job's image; a private registry password has no safe place in a v2 job either."""
    registry = (
        getattr(container_settings, "image_source_registry", None) if container_settings else None
    )
    if registry is not None:
        credentials = getattr(registry, "credentials", None)
        if credentials is not None and (
            getattr(credentials, "password", None)
            or getattr(credentials, "password_secret_reference", None)
        ):
            raise NoEquivalentError(
                "container_settings.image_source_registry.credentials.password",
                BACKEND,
                "Azure ML v2 pulls images with the workspace's identity: grant it AcrPull on the "
                "registry (or push the image to the workspace's registry) and drop the password.",
            )
        if getattr(registry, "image", None):
            server = re.sub(r"^https?://", "", getattr(registry, "server_url", None) or "")
            image = str(registry.image)
            server = server.rstrip("/")
            return image if not server or image.startswith(server + "/") else f"{server}/{image}"
    gpu = (cluster_vm_size or "").upper().startswith(("STANDARD_N", "N"))
    return DEFAULT_GPU_IMAGE if gpu else DEFAULT_CPU_IMAGE


#: Azure ML's curated base images (what a job without ``container_settings`` runs in).
DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
DEFAULT_GPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04:latest"


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
    toolkit_field, settings = shared._toolkit(parameters)
    node_count = getattr(parameters, "node_count", None) or 1
    if node_count < 1:
        raise ValidationError("parameters.node_count", "must be >= 1", node_count)
    priority = _value(getattr(parameters, "scheduling_priority", None)) or "normal"
    if priority not in _PRIORITIES:
        raise ValidationError(
            "parameters.scheduling_priority", "must be low, normal or high", priority
        )

    mounts = _v2(shared._job_mounts)(getattr(parameters, "mount_volumes", None))
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    places: list[str] = []
    mount_manifest = []
    for mount in mounts:
        # Batch AI mounted storage read-write: a rw_mount output of the whole container/share
        outputs[mount.reference_name] = {
            "type": "uri_folder",
            "path": f"azureml://datastores/{mount.datastore.name}/paths/",
            "mode": "rw_mount",
        }
        places.append(f"{mount.reference_name}=${{{{outputs.{mount.reference_name}}}}}")
        mount_manifest.append(
            {
                "relative_mount_path": mount.relative_mount_path,
                "data_reference": mount.reference_name,
            }
        )
    inputs_manifest = []
    for directory in getattr(parameters, "input_directories", None) or ():
        entry: dict[str, Any] = {"id": directory.id, "path": directory.path}
        found = shared._under_mount(directory.path, mounts)
        if found is not None and found[1]:
            mount, sub_path = found
            name = shared._reference_name("input", directory.id)
            inputs[name] = {
                "type": "uri_folder",
                "path": f"azureml://datastores/{mount.datastore.name}/paths/{sub_path}/",
                "mode": "ro_mount",
            }
            places.append(f"{name}=${{{{inputs.{name}}}}}")
            entry["data_reference"] = name
        inputs_manifest.append(entry)
    segment = (
        f"{identity['subscription']}/{identity['resource_group']}/workspaces/"
        f"{identity['workspace']}/experiments/{experiment}/jobs/{job_name}/{job_uuid}"
    )
    outputs_manifest = []
    seen_outputs: set[str] = set()
    for directory in getattr(parameters, "output_directories", None) or ():
        place = output_place(segment, directory.id)
        if place.name in seen_outputs or directory.id == STDOUTERR:
            raise ValidationError(
                "parameters.output_directories.id", "must be unique within a job", directory.id
            )
        seen_outputs.add(place.name)
        outputs[place.name] = {"type": "uri_folder", "path": place.uri, "mode": "rw_mount"}
        places.append(f"{place.name}=${{{{outputs.{place.name}}}}}")
        outputs_manifest.append(
            {
                "id": directory.id,
                "path_prefix": directory.path_prefix,
                "path_suffix": getattr(directory, "path_suffix", None),
                "place": place.name,
            }
        )
    logs = output_place(segment, STDOUTERR)
    outputs[logs.name] = {"type": "uri_folder", "path": logs.uri, "mode": "rw_mount"}
    places.append(f"{logs.name}=${{{{outputs.{logs.name}}}}}")

    environment_variables = {
        variable.name: variable.value
        for variable in getattr(parameters, "environment_variables", None) or ()
    }
    secrets: dict[str, str] = {}
    secret_manifest: dict[str, str] = {}
    for secret in getattr(parameters, "secrets", None) or ():
        if getattr(secret, "value", None) is None:
            raise NoEquivalentError(
                f"secrets[{secret.name!r}].value_secret_reference",
                BACKEND,
                "pass the value (the shim keeps it in the workspace Key Vault for the job's "
                "lifetime), or read your own Key Vault from the job with its identity.",
            )
        vault_name = shared._secret_name(job_uuid, secret.name)
        secrets[vault_name] = secret.value
        secret_manifest[secret.name] = vault_name

    job_parameters = shared._job_parameters_without_secrets(parameters)
    manifest = {
        "backend": BACKEND,
        "job": {
            **dict(identity),
            "experiment": experiment,
            "job": job_name,
            "uuid": job_uuid,
            "cluster": cluster_name,
        },
        "tool_type": shared._TOOL_TYPES[toolkit_field],
        "parameters": job_parameters,
        "mounts": mount_manifest,
        "input_directories": inputs_manifest,
        "output_directories": outputs_manifest,
        "stdouterr_place": logs.name,
        "secrets": secret_manifest,
    }
    duration = shared.max_run_duration_seconds(getattr(parameters, "constraints", None))
    container_settings = getattr(parameters, "container_settings", None)
    document: dict[str, Any] = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/commandJob.schema.json",
        "type": "command",
        "name": azureml_job_name(experiment, job_name),
        "display_name": job_name,
        "experiment_name": experiment,
        "compute": f"azureml:{cluster_name}",
        "code": code,
        "command": " ".join(["python", NODE_APP_NAME, *places]),
        "environment": {"image": _image(container_settings, cluster_vm_size)},
        "resources": {"instance_count": node_count},
        "environment_variables": {
            **{k: "" if v is None else str(v) for k, v in environment_variables.items()},
            MANIFEST_VARIABLE: json.dumps(manifest, sort_keys=True, separators=(",", ":")),
        },
        "limits": {"timeout": duration or shared.DEFAULT_MAX_WALL_CLOCK_SECONDS},
        "queue_settings": {"priority": _PRIORITIES[priority]},
        "tags": {
            TAG_JOB_NAME: job_name,
            TAG_EXPERIMENT: experiment,
            TAG_CLUSTER: cluster_name,
            TAG_JOB_UUID: job_uuid,
        },
        "inputs": inputs,
        "outputs": outputs,
    }
    shm_size = getattr(container_settings, "shm_size", None) if container_settings else None
    if shm_size:
        document["resources"]["shm_size"] = shm_size
    distribution = _distribution(toolkit_field, settings, node_count)
    if distribution is not None:
        document["distribution"] = distribution
    if priority != "normal":
        warnings.warn(
            "scheduling_priority maps to the Azure ML queue priority, which orders jobs only "
            "within a workspace's queue for the cluster",
            AzureMLSemanticsWarning,
            stacklevel=2,
        )
    return JobDocument(
        document=document,
        datastores=tuple({m.datastore.name: m.datastore for m in mounts}.values()),
        manifest=manifest,
        secrets=secrets,
    )


def azureml_job_name(experiment: str, job: str) -> str:
    """The Azure ML job name standing for Batch AI job ``job`` of ``experiment`` (the run id
    of the v1 backend: derived, so ``jobs.get`` is one GET and a resubmission finds its job)."""
    return shared.run_id(experiment, job)


# --------------------------------------------------------------------------------------------
# command jobs -> Batch AI jobs
# --------------------------------------------------------------------------------------------

_STATES = {
    "notstarted": "queued",
    "starting": "queued",
    "provisioning": "queued",
    "preparing": "queued",
    "queued": "queued",
    "running": "running",
    "cancelrequested": "terminating",
    "finalizing": "terminating",
    "completed": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "notresponding": "failed",
    "paused": "running",
}


def execution_state(status: str | None) -> str:
    """Azure ML v2 job status -> Batch AI ``ExecutionState`` (``Canceled`` is ``failed``, as a
    terminated Batch AI job was)."""
    return _STATES.get((status or "notstarted").replace(" ", "").lower(), "queued")


def job_fields(
    rest: Mapping[str, Any], workspace_id: str, segment_prefix: str
) -> dict[str, Any] | None:
    """A command job's REST body (JSON) -> Batch AI ``Job`` fields, or None when the job is not
    a Batch AI job (no Batch AI tags).  ``workspace_id`` is the Batch AI workspace id and
    ``segment_prefix`` ``{subscription}/{resource group}/workspaces/{workspace}``."""
    props = rest.get("properties") or {}
    tags = props.get("tags") or {}
    name = tags.get(TAG_JOB_NAME)
    if not name:
        return None
    try:
        parameters = json.loads(tags.get(TAG_PARAMETERS) or "{}")
    except ValueError:
        parameters = {}
    service = props.get("properties") or {}
    system = rest.get("systemData") or rest.get("system_data") or {}
    created = system.get("createdAt") or system.get("created_at")
    started = service.get("StartTimeUtc")
    ended = service.get("EndTimeUtc")
    state = execution_state(props.get("status"))
    errors = None
    if state == "failed":
        message = f"The Azure ML job ended {props.get('status')}."
        try:
            detail = json.loads(service.get("azureml.runError") or "{}").get("error") or {}
        except ValueError:
            detail = {}
        errors = [
            {
                "code": detail.get("code") or "JobFailed",
                "message": detail.get("message") or message,
            }
        ]
    experiment = tags.get(TAG_EXPERIMENT) or props.get("experimentName")
    job_uuid = tags.get(TAG_JOB_UUID)
    fields = dict(parameters)
    fields.update(
        {
            "id": f"{workspace_id}/experiments/{experiment}/jobs/{name}",
            "job_output_directory_path_segment": (
                f"{segment_prefix}/experiments/{experiment}/jobs/{name}/{job_uuid}"
                if job_uuid
                else None
            ),
            "name": name,
            "type": "Microsoft.BatchAI/workspaces/experiments/jobs",
            "tool_type": _tool_type(parameters),
            "creation_time": created,
            "provisioning_state": "succeeded",
            "provisioning_state_transition_time": created,
            "execution_state": state,
            "execution_state_transition_time": ended or started or created,
            "execution_info": {
                "start_time": started,
                "end_time": ended,
                "exit_code": None
                if state not in ("succeeded", "failed")
                else (0 if state == "succeeded" else 1),
                "errors": errors,
            }
            if started or ended or errors
            else None,
        }
    )
    return fields


def _tool_type(parameters: Mapping[str, Any]) -> str | None:
    return next(
        (shared._TOOL_TYPES[name] for name in shared._TOOLKITS if parameters.get(name) is not None),
        None,
    )

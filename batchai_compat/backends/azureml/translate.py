"""Pure translation between Batch AI models and Azure ML v1 (azureml-core) configuration objects.

Nothing here talks to the network or touches the disk: the inputs are Batch AI parameter models
(ours, or anything with the same attribute names, such as the genuine ``azure.mgmt.batchai``
models) and plain dicts the service returned; the outputs are azureml-core configuration objects
(``AmlComputeProvisioningConfiguration``, ``ScriptRunConfig``) or plain dicts/dataclasses that
:mod:`batchai_compat.backends.azureml.backend` acts on.

Per-field decisions for settings Azure ML cannot express are listed in ``docs/azureml.md``;
each raises :class:`~batchai_compat.exceptions.NoEquivalentError` or emits
:class:`AzureMLSemanticsWarning`, and tests pin which one.

azureml-core is imported inside the functions that build its objects, so importing this module
stays cheap (the backend module imports azureml-core anyway when the backend is selected).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ...exceptions import NoEquivalentError, ValidationError

__all__ = [
    "BACKEND",
    "MANIFEST_VARIABLE",
    "NODE_APP_NAME",
    "AzureMLSemanticsWarning",
    "DatastoreSpec",
    "JobSubmission",
    "SubnetReference",
    "batchai_log_name",
    "cluster_fields",
    "datastore_name",
    "execution_state",
    "job_submission",
    "max_run_duration_seconds",
    "parse_subnet_id",
    "provisioning_configuration",
    "update_scale",
]

BACKEND = "azureml"

#: Compute tags recording how the Batch AI cluster was scaled (AmlCompute only knows min/max).
TAG_SCALE = "batchai.scale"
TAG_INITIAL_NODES = "batchai.initial_node_count"
#: Run tags recording the Batch AI identity of a job.
TAG_JOB_NAME = "batchai.job"
TAG_EXPERIMENT = "batchai.experiment"
TAG_CLUSTER = "batchai.cluster"
TAG_JOB_UUID = "batchai.job_uuid"

#: The environment variable carrying the job manifest (no secrets) to the node adapter.
MANIFEST_VARIABLE = "AZ_BATCHAI_COMPAT_JOB"
#: The node adapter and runtime, as one zip application inside the run snapshot.
NODE_APP_NAME = "batchai_node.pyz"
#: Batch AI's default ``max_wall_clock_time`` (one week), used when a job sets none.
DEFAULT_MAX_WALL_CLOCK_SECONDS = 7 * 24 * 3600
#: Run-history folders the node runtime writes to: streamed logs and uploaded outputs.
STDOUTERR_FOLDER = "logs/stdouterr"
OUTPUTS_FOLDER = "outputs"

#: AmlCompute's own default; Batch AI clusters had no idle timeout (manual scale never shrank).
IDLE_SECONDS_BEFORE_SCALEDOWN = 1800


class AzureMLSemanticsWarning(UserWarning):
    """A Batch AI setting was accepted but behaves differently on Azure ML (see docs/azureml.md)."""


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubnetReference:
    """A Batch AI ``subnet`` ResourceId, split the way AmlCompute wants it."""

    subscription_id: str
    resource_group: str
    vnet_name: str
    subnet_name: str


_SUBNET_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.Network/virtualNetworks/(?P<vnet>[^/]+)/subnets/(?P<subnet>[^/]+)/?$",
    re.IGNORECASE,
)


def parse_subnet_id(resource_id: str) -> SubnetReference:
    """Split ``/subscriptions/../resourceGroups/../providers/Microsoft.Network/virtualNetworks/../subnets/..``."""
    match = _SUBNET_ID.match(resource_id or "")
    if match is None:
        raise ValidationError(
            "parameters.subnet.id",
            "must be a subnet resource id '/subscriptions/{sub}/resourceGroups/{rg}/providers/"
            "Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}'",
            resource_id,
        )
    return SubnetReference(match["sub"], match["rg"], match["vnet"], match["subnet"])


def _value(enum_or_str: Any) -> str | None:
    if enum_or_str is None:
        return None
    return str(getattr(enum_or_str, "value", enum_or_str))


def _scale_bounds(scale_settings: Any) -> tuple[int, int, dict[str, str]]:
    """(min_nodes, max_nodes, tags) for a Batch AI ``ScaleSettings``."""
    manual = getattr(scale_settings, "manual", None) if scale_settings is not None else None
    auto = getattr(scale_settings, "auto_scale", None) if scale_settings is not None else None
    if manual is not None and auto is not None:
        raise ValidationError(
            "parameters.scale_settings", "set either manual or auto_scale, not both"
        )
    if manual is not None:
        target = manual.target_node_count
        if target is None or target < 0:
            raise ValidationError(
                "parameters.scale_settings.manual.target_node_count",
                "must be an integer >= 0",
                target,
            )
        # Deallocation options only matter when a resize shrinks a busy cluster; a new cluster
        # has nothing to deallocate, so the option is not consulted here (see update_scale).
        return target, target, {TAG_SCALE: "manual"}
    if auto is not None:
        low, high = auto.minimum_node_count, auto.maximum_node_count
        if low is None or high is None or low < 0 or high < low:
            raise ValidationError(
                "parameters.scale_settings.auto_scale",
                "needs 0 <= minimum_node_count <= maximum_node_count",
            )
        initial = getattr(auto, "initial_node_count", None) or 0
        tags = {TAG_SCALE: "auto"}
        if initial not in (0, low):
            warnings.warn(
                f"auto_scale.initial_node_count={initial} has no AmlCompute equivalent: the cluster "
                f"starts at minimum_node_count={low} and grows with queued jobs",
                AzureMLSemanticsWarning,
                stacklevel=3,
            )
            tags[TAG_INITIAL_NODES] = str(initial)
        return low, high, tags
    raise ValidationError("parameters.scale_settings", "is required (manual or auto_scale)")


def provisioning_configuration(parameters: Any, subscription_id: str) -> Any:
    """Batch AI ``ClusterCreateParameters`` → ``AmlCompute.provisioning_configuration(...)``.

    * manual scale ``target_node_count`` → ``min_nodes = max_nodes = target`` (AmlCompute
      autoscales by default; Batch AI manual clusters did not);
      auto scale → ``min_nodes`` / ``max_nodes``;
    * ``vm_priority`` → ``vm_priority``; ``user_account_settings`` → ``admin_username`` /
      ``admin_user_password`` / ``admin_user_ssh_key``;
    * ``subnet`` ResourceId → ``vnet_resourcegroup_name`` / ``vnet_name`` / ``subnet_name``.

    ``node_setup`` and ``virtual_machine_configuration`` raise
    :class:`~batchai_compat.exceptions.NoEquivalentError`; so does a subnet in another
    subscription (AmlCompute builds the subnet id from the workspace's subscription).
    """
    from azureml.core.compute import AmlCompute
    from azureml.exceptions import ComputeTargetException

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
        _reject_node_setup(node_setup)

    min_nodes, max_nodes, tags = _scale_bounds(getattr(parameters, "scale_settings", None))

    admin = getattr(parameters, "user_account_settings", None)
    admin_name = getattr(admin, "admin_user_name", None) if admin is not None else None
    admin_password = getattr(admin, "admin_user_password", None) if admin is not None else None
    admin_key = getattr(admin, "admin_user_ssh_public_key", None) if admin is not None else None

    vnet: dict[str, str] = {}
    subnet = getattr(parameters, "subnet", None)
    if subnet is not None and getattr(subnet, "id", None):
        ref = parse_subnet_id(subnet.id)
        if ref.subscription_id.lower() != subscription_id.lower():
            raise NoEquivalentError(
                "ClusterCreateParameters.subnet in another subscription",
                BACKEND,
                "AmlCompute joins virtual networks of the workspace's subscription only; peer the "
                "network or create the workspace in the network's subscription.",
            )
        vnet = {
            "vnet_resourcegroup_name": ref.resource_group,
            "vnet_name": ref.vnet_name,
            "subnet_name": ref.subnet_name,
        }

    try:
        config = AmlCompute.provisioning_configuration(
            vm_size=parameters.vm_size,
            vm_priority=_value(getattr(parameters, "vm_priority", None)) or "dedicated",
            min_nodes=min_nodes,
            max_nodes=max_nodes,
            idle_seconds_before_scaledown=IDLE_SECONDS_BEFORE_SCALEDOWN,
            admin_username=admin_name,
            admin_user_password=admin_password,
            admin_user_ssh_key=admin_key,
            tags=tags,
            **vnet,
        )
        config.validate_configuration()
    except ComputeTargetException as error:
        # The SDK's messages state the rule and never echo the password.
        message = str(getattr(error, "message", "") or "").strip() or "rejected by AmlCompute"
        raise ValidationError("parameters.user_account_settings", message) from None
    return config


def _reject_node_setup(node_setup: Any) -> None:
    if getattr(node_setup, "setup_task", None) is not None:
        raise NoEquivalentError(
            "ClusterCreateParameters.node_setup.setup_task",
            BACKEND,
            "AmlCompute runs no per-node setup command; bake the setup into a Docker image "
            "(container_settings) or run it as JobCreateParameters.job_preparation.",
        )
    mounts = getattr(node_setup, "mount_volumes", None)
    if mounts is not None and any(_mount_references(mounts)):
        raise NoEquivalentError(
            "ClusterCreateParameters.node_setup.mount_volumes (cluster-wide mounts)",
            BACKEND,
            "AmlCompute mounts storage per run; declare the same volumes in "
            "JobCreateParameters.mount_volumes (they are mounted under "
            "$AZ_BATCHAI_JOB_MOUNT_ROOT).",
        )
    if getattr(node_setup, "performance_counters_settings", None) is not None:
        raise NoEquivalentError(
            "ClusterCreateParameters.node_setup.performance_counters_settings",
            BACKEND,
            "Azure ML collects node metrics in the workspace's Application Insights and run "
            "history; remove the setting.",
        )


def update_scale(scale_settings: Any, current_max_nodes: int | None = None) -> tuple[int, int]:
    """Batch AI ``clusters.update(scale_settings=...)`` → ``AmlCompute.update(min_nodes, max_nodes)``.

    AmlCompute only ever removes idle nodes, which is Batch AI's ``waitforjobcompletion``; when
    the resize shrinks the cluster (or its current size is unknown), the other deallocation
    options (``requeue``, the default, and ``terminate``) are accepted with an
    :class:`AzureMLSemanticsWarning`.
    """
    min_nodes, max_nodes, _ = _scale_bounds(scale_settings)
    manual = getattr(scale_settings, "manual", None)
    option = _value(getattr(manual, "node_deallocation_option", None)) if manual else None
    shrinking = current_max_nodes is None or max_nodes < current_max_nodes
    if option in ("requeue", "terminate") and shrinking:
        warnings.warn(
            f"node_deallocation_option={option!r}: AmlCompute removes only idle nodes when it "
            "shrinks, so running jobs finish first (Batch AI's 'waitforjobcompletion')",
            AzureMLSemanticsWarning,
            stacklevel=2,
        )
    return min_nodes, max_nodes


_NODE_STATES = {
    "idle_node_count": "idle_node_count",
    "running_node_count": "running_node_count",
    "preparing_node_count": "preparing_node_count",
    "unusable_node_count": "unusable_node_count",
    "leaving_node_count": "leaving_node_count",
}


def _lower(value: Any) -> str | None:
    return str(value).lower() if value is not None else None


def _errors(raw: Any) -> list[dict[str, Any]] | None:
    """AmlCompute ``errors`` / ``provisioningErrors`` → Batch AI ``BatchAIError`` fields."""
    if not raw:
        return None
    result = []
    for item in raw:
        error = item.get("error", item) if isinstance(item, Mapping) else {"message": str(item)}
        details = error.get("details") or []
        result.append(
            {
                "code": error.get("code"),
                "message": error.get("message"),
                "details": [
                    {
                        "name": d.get("code") or d.get("name"),
                        "value": d.get("message") or d.get("value"),
                    }
                    for d in details
                    if isinstance(d, Mapping)
                ]
                or None,
            }
        )
    return result


def cluster_fields(compute: Any, cluster_id: str) -> dict[str, Any]:
    """An azureml ``AmlCompute`` (as the service returned it) → Batch AI ``Cluster`` fields.

    ``scale_settings`` come back the way they were created (manual target or auto min/max),
    read from the tags :func:`provisioning_configuration` set.  Secrets are never returned: the
    admin password and SSH key are None, as Batch AI's GET did.
    """
    status = getattr(compute, "status", None)
    tags = dict(getattr(compute, "tags", None) or {})
    scale = getattr(compute, "scale_settings", None) or getattr(status, "scale_settings", None)
    scale_settings: dict[str, Any] | None = None
    if scale is not None:
        if tags.get(TAG_SCALE) == "manual":
            scale_settings = {
                "manual": {
                    "target_node_count": scale.maximum_node_count,
                    "node_deallocation_option": "requeue",
                }
            }
        else:
            initial = tags.get(TAG_INITIAL_NODES)
            scale_settings = {
                "auto_scale": {
                    "minimum_node_count": scale.minimum_node_count,
                    "maximum_node_count": scale.maximum_node_count,
                    "initial_node_count": int(initial) if initial else 0,
                }
            }
    provisioning = _lower(getattr(compute, "provisioning_state", None))
    # AmlCompute: Creating, Succeeded, Failed, Deleting, Updating, Canceled, Unknown
    provisioning = {"updating": "succeeded", "canceled": "failed"}.get(
        provisioning or "", provisioning
    )
    if provisioning not in ("creating", "succeeded", "failed", "deleting"):
        provisioning = None
    allocation = _lower(getattr(status, "allocation_state", None)) if status else None
    counts = getattr(status, "node_state_counts", None) if status else None
    node_state_counts = (
        {ours: getattr(counts, theirs, None) or 0 for ours, theirs in _NODE_STATES.items()}
        if counts is not None
        else None
    )
    admin = getattr(compute, "admin_username", None)
    subnet_id = None
    if getattr(compute, "vnet_name", None):
        workspace = getattr(compute, "workspace", None)
        subscription = getattr(workspace, "subscription_id", None) or cluster_id.split("/")[2]
        subnet_id = (
            f"/subscriptions/{subscription}/resourceGroups/{compute.vnet_resourcegroup_name}"
            f"/providers/Microsoft.Network/virtualNetworks/{compute.vnet_name}"
            f"/subnets/{compute.subnet_name}"
        )
    errors = _errors(getattr(status, "errors", None) if status else None) or _errors(
        getattr(compute, "provisioning_errors", None)
    )
    return {
        "id": cluster_id,
        "name": compute.name,
        "type": "Microsoft.BatchAI/workspaces/clusters",
        "vm_size": getattr(compute, "vm_size", None),
        "vm_priority": _lower(getattr(compute, "vm_priority", None)) or "dedicated",
        "scale_settings": scale_settings,
        "user_account_settings": {"admin_user_name": admin} if admin else None,
        "subnet": {"id": subnet_id} if subnet_id else None,
        "creation_time": getattr(compute, "created_on", None),
        "provisioning_state": provisioning,
        "provisioning_state_transition_time": getattr(compute, "modified_on", None),
        "allocation_state": allocation if allocation in ("steady", "resizing") else None,
        "allocation_state_transition_time": getattr(
            status, "allocation_state_transition_time", None
        )
        if status
        else None,
        "errors": errors,
        "current_node_count": getattr(status, "current_node_count", None) if status else None,
        "node_state_counts": node_state_counts,
    }


# --------------------------------------------------------------------------------------------
# storage → datastores
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatastoreSpec:
    """A Batch AI mounted container/share, as the Azure ML Datastore it is registered as.

    The account key travels only to ``Datastore.register_*`` (the workspace keeps it in its
    Key Vault); it is excluded from ``repr`` and never reaches a run configuration.
    """

    name: str
    kind: str  # "blob" | "file"
    account_name: str
    container: str
    account_key: str | None = field(default=None, repr=False, compare=False)


def datastore_name(kind: str, account_name: str, container: str) -> str:
    """Deterministic Datastore name for a storage container/share: the same volume in any job or
    process maps to the same registered datastore (registered once, reused)."""
    digest = hashlib.sha256(f"{kind}:{account_name}:{container}".encode()).hexdigest()[:8]
    readable = re.sub(r"[^0-9a-zA-Z]+", "_", f"{account_name}_{container}").strip("_").lower()
    return f"batchai_{kind}_{readable[:80]}_{digest}"


def _file_share_name(reference: Any) -> str:
    url = getattr(reference, "azure_file_url", None) or ""
    match = re.match(r"^https?://[^/]+/(?P<share>[^/?#]+)/?$", url)
    if match is None:
        raise ValidationError(
            "mount_volumes.azure_file_shares.azure_file_url",
            "must be 'https://{account}.file.core.windows.net/{share}'",
            url,
        )
    return match["share"]


def _account_key(reference: Any, where: str) -> str | None:
    credentials = getattr(reference, "credentials", None)
    if credentials is None:
        raise ValidationError(f"{where}.credentials", "is required")
    if getattr(credentials, "account_key_secret_reference", None) is not None and not getattr(
        credentials, "account_key", None
    ):
        raise NoEquivalentError(
            f"{where}.credentials.account_key_secret_reference",
            BACKEND,
            "register the storage account as an Azure ML datastore yourself (its key then lives "
            "in the workspace Key Vault) or pass account_key; the shim registers it for you.",
        )
    key: str | None = getattr(credentials, "account_key", None)
    return key


def _mount_references(mounts: Any) -> Iterable[tuple[str, Any]]:
    for reference in getattr(mounts, "azure_blob_file_systems", None) or ():
        yield "blob", reference
    for reference in getattr(mounts, "azure_file_shares", None) or ():
        yield "file", reference
    for reference in getattr(mounts, "file_servers", None) or ():
        yield "fileserver", reference
    for reference in getattr(mounts, "unmanaged_file_systems", None) or ():
        yield "unmanaged", reference


@dataclass(frozen=True)
class _Mount:
    relative_mount_path: str
    datastore: DatastoreSpec
    reference_name: str


def _job_mounts(mounts: Any) -> list[_Mount]:
    result: list[_Mount] = []
    seen: set[str] = set()
    for kind, reference in _mount_references(mounts):
        if kind == "fileserver":
            raise NoEquivalentError(
                "mount_volumes.file_servers (Batch AI NFS file servers)",
                BACKEND,
                "Azure ML has no managed NFS file server; move the data to an Azure file share or "
                "blob container and mount that instead.",
            )
        if kind == "unmanaged":
            raise NoEquivalentError(
                "mount_volumes.unmanaged_file_systems (custom mount commands)",
                BACKEND,
                "Azure ML mounts only registered datastores; copy the data to Azure Storage.",
            )
        where = (
            "mount_volumes.azure_blob_file_systems"
            if kind == "blob"
            else "mount_volumes.azure_file_shares"
        )
        relative = (getattr(reference, "relative_mount_path", None) or "").strip("/")
        if not relative or ".." in relative.split("/"):
            raise ValidationError(
                f"{where}.relative_mount_path", "must be a non-empty relative path", relative
            )
        if relative in seen:
            raise ValidationError(
                f"{where}.relative_mount_path", "must be unique within a job", relative
            )
        seen.add(relative)
        account = getattr(reference, "account_name", None)
        if not account:
            raise ValidationError(f"{where}.account_name", "is required")
        container = (
            getattr(reference, "container_name", None)
            if kind == "blob"
            else _file_share_name(reference)
        )
        if not container:
            raise ValidationError(f"{where}.container_name", "is required")
        spec = DatastoreSpec(
            datastore_name(kind, account, container),
            kind,
            account,
            container,
            _account_key(reference, where),
        )
        result.append(_Mount(relative, spec, _reference_name("mount", relative)))
    return result


def _reference_name(prefix: str, text: str) -> str:
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_")
    return f"{prefix}_{cleaned}".lower() if cleaned else prefix


_JOB_MOUNT_PREFIX = re.compile(
    r"^\$(?:\{AZ_BATCHAI_JOB_MOUNT_ROOT\}|AZ_BATCHAI_JOB_MOUNT_ROOT)(?=/|$)"
)


def _under_mount(path: str, mounts: list[_Mount]) -> tuple[_Mount, str] | None:
    """If ``path`` is ``$AZ_BATCHAI_JOB_MOUNT_ROOT/<relative_mount_path>/<rest>``: (mount, rest)."""
    match = _JOB_MOUNT_PREFIX.match(path or "")
    if match is None:
        return None
    rest = path[match.end() :].strip("/")
    for mount in sorted(mounts, key=lambda m: -len(m.relative_mount_path)):
        head = mount.relative_mount_path
        if rest == head or rest.startswith(head + "/"):
            return mount, rest[len(head) :].strip("/")
    return None


# --------------------------------------------------------------------------------------------
# jobs → ScriptRunConfig
# --------------------------------------------------------------------------------------------

_TOOLKITS = (
    "cntk_settings",
    "py_torch_settings",
    "tensor_flow_settings",
    "caffe_settings",
    "caffe2_settings",
    "chainer_settings",
    "custom_toolkit_settings",
    "custom_mpi_settings",
    "horovod_settings",
)
#: ``Job.tool_type`` per toolkit field; 2.0.0's ToolType has no PyTorch member: "custom".
_TOOL_TYPES = {
    "cntk_settings": "cntk",
    "py_torch_settings": "custom",
    "tensor_flow_settings": "tensorflow",
    "caffe_settings": "caffe",
    "caffe2_settings": "caffe2",
    "chainer_settings": "chainer",
    "custom_toolkit_settings": "custom",
    "custom_mpi_settings": "mpi",
    "horovod_settings": "horovod",
}


def run_id(experiment: str, job: str) -> str:
    """The Azure ML run id (v1) / job name (v2) standing for Batch AI job ``job`` of
    ``experiment``.

    Derived, not stored: ``jobs.get`` is one GET, and a resubmission after a lost reply finds
    its own run.  Azure ML run ids are workspace-unique, Batch AI job names only
    experiment-unique, hence the digest of both.
    """
    digest = hashlib.sha256(f"{experiment}/{job}".encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in job)[:200]
    return f"batchai_{safe}_{digest}"


def max_run_duration_seconds(constraints: Any) -> int | None:
    """``constraints.max_wall_clock_time`` (timedelta, or 2.0.0's default string ``'7.00:00:00'``)."""
    value = getattr(constraints, "max_wall_clock_time", None) if constraints is not None else None
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    else:
        match = re.fullmatch(r"(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2})", str(value).strip())
        if match is None:
            raise ValidationError(
                "parameters.constraints.max_wall_clock_time",
                "must be a timedelta or 'D.HH:MM:SS'",
                value,
            )
        days, hours, minutes, secs = (int(g or 0) for g in match.groups())
        seconds = days * 86400 + hours * 3600 + minutes * 60 + secs
    if seconds <= 0:
        raise ValidationError(
            "parameters.constraints.max_wall_clock_time", "must be positive", value
        )
    return int(seconds)


@dataclass(frozen=True)
class JobSubmission:
    """Everything the backend needs to submit one Batch AI job to Azure ML.

    ``run_config`` is the ``ScriptRunConfig`` (its ``source_directory`` is filled in by the
    backend with the snapshot folder); ``datastores`` must exist before submission;
    ``secrets`` (Key Vault secret name → value) go to the workspace Key Vault and are excluded
    from ``repr``; ``manifest`` (what the node adapter needs, no secrets) travels in the run
    configuration's :data:`MANIFEST_VARIABLE`.
    """

    run_config: Any
    datastores: tuple[DatastoreSpec, ...]
    manifest: dict[str, Any]
    tags: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


def _toolkit(parameters: Any) -> tuple[str, Any]:
    chosen = [(name, getattr(parameters, name, None)) for name in _TOOLKITS]
    chosen = [(name, value) for name, value in chosen if value is not None]
    if len(chosen) != 1:
        raise ValidationError(
            "parameters",
            "a job needs exactly one toolkit settings field (e.g. tensor_flow_settings)",
        )
    return chosen[0]


def _as_plain(value: Any) -> Any:
    """A model (ours or msrest) or a value → JSON-friendly data, snake_case keys, Nones dropped."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {k: _as_plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_as_plain(v) for v in value]
    attribute_map = getattr(type(value), "_attribute_map", None)
    if isinstance(attribute_map, Mapping):
        return {
            name: _as_plain(getattr(value, name, None))
            for name in attribute_map
            if getattr(value, name, None) is not None
        }
    return str(value)


def _secret_name(job_uuid: str, name: str) -> str:
    """Key Vault secret names allow ``[0-9a-zA-Z-]``, up to 127 characters."""
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "-", name).strip("-")[:60] or "value"
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"batchai-{job_uuid[:36]}-{cleaned}-{digest}"


def distribution_plan(toolkit_field: str, settings: Any, node_count: int) -> dict[str, Any] | None:
    """How Azure ML distributes a Batch AI toolkit (None: one process on one node), for both SDKs.

    ``{"kind": "tensorflow", "worker_count", "parameter_server_count"}``, ``{"kind": "pytorch",
    "communication_backend", "process_count", "process_count_per_node"}`` or ``{"kind": "mpi",
    "process_count_per_node"}``.  Azure ML starts one process per TensorFlow task / MPI rank /
    PyTorch rank and the node adapter (:mod:`.node`) runs that task's Batch AI command in it.
    """
    if toolkit_field == "tensor_flow_settings":
        workers = settings.worker_count
        ps = settings.parameter_server_count
        if workers is None and ps is None and node_count == 1:
            return None  # Batch AI ran a single, non-distributed task
        return {
            "kind": "tensorflow",
            "worker_count": node_count if workers is None else workers,
            "parameter_server_count": 1 if ps is None else ps,
        }
    backend = (_value(getattr(settings, "communication_backend", None)) or "").lower()
    if toolkit_field == "py_torch_settings" and backend != "mpi":
        processes = settings.process_count or node_count
        if processes <= 1:
            return None
        return {
            "kind": "pytorch",
            "communication_backend": backend or "gloo",
            "process_count": processes,
            "process_count_per_node": processes // node_count,
        }
    if toolkit_field in _MPI_TOOLKITS or toolkit_field == "py_torch_settings":
        processes = getattr(settings, "process_count", None) or node_count
        if processes % node_count:
            raise NoEquivalentError(
                f"{toolkit_field}.process_count={processes} on {node_count} nodes",
                BACKEND,
                "Azure ML MPI jobs run the same number of processes on every node; use a "
                "process_count that is a multiple of node_count.",
            )
        return {"kind": "mpi", "process_count_per_node": processes // node_count}
    if node_count > 1:
        # caffe2 runs one process per node; a custom toolkit runs on the first node while the
        # others stay allocated, as on Batch AI.  One MPI rank per node gives both.
        return {"kind": "mpi", "process_count_per_node": 1}
    return None


def _distribution(toolkit_field: str, settings: Any, node_count: int) -> Any:
    """The azureml-core distribution configuration of :func:`distribution_plan`."""
    from azureml.core.runconfig import (
        MpiConfiguration,
        PyTorchConfiguration,
        TensorflowConfiguration,
    )

    plan = distribution_plan(toolkit_field, settings, node_count)
    if plan is None:
        return None
    if plan["kind"] == "tensorflow":
        return TensorflowConfiguration(
            worker_count=plan["worker_count"], parameter_server_count=plan["parameter_server_count"]
        )
    if plan["kind"] == "pytorch":
        return PyTorchConfiguration(
            communication_backend=plan["communication_backend"],
            process_count=plan["process_count"],
            node_count=node_count,
        )
    return MpiConfiguration(
        process_count_per_node=plan["process_count_per_node"], node_count=node_count
    )


_MPI_TOOLKITS = frozenset(
    {
        "horovod_settings",
        "custom_mpi_settings",
        "cntk_settings",
        "chainer_settings",
        "caffe_settings",
    }
)


def _environment(container_settings: Any, cluster_vm_size: str | None) -> tuple[Any, Any]:
    """Batch AI ``ContainerSettings`` → (azureml ``Environment``, ``DockerConfiguration``)."""
    from azureml.core import Environment
    from azureml.core.runconfig import DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE, DockerConfiguration

    registry = (
        getattr(container_settings, "image_source_registry", None) if container_settings else None
    )
    if registry is not None and getattr(registry, "image", None):
        image = registry.image
    else:
        gpu = (cluster_vm_size or "").upper().startswith(("STANDARD_N", "N"))
        image = DEFAULT_GPU_IMAGE if gpu else DEFAULT_CPU_IMAGE
    digest = hashlib.sha256(image.encode()).hexdigest()[:10]
    environment = Environment(f"batchai-{digest}")
    environment.docker.base_image = image
    # The image brings its own Python; Azure ML must not build a conda environment on top.
    environment.python.user_managed_dependencies = True
    if registry is not None:
        credentials = getattr(registry, "credentials", None)
        if credentials is not None and (
            getattr(credentials, "password", None)
            or getattr(credentials, "password_secret_reference", None)
        ):
            raise NoEquivalentError(
                "container_settings.image_source_registry.credentials.password",
                BACKEND,
                "Azure ML v1 would send the registry password inside the run definition, which "
                "run history shows to anyone with read access; grant the workspace's managed "
                "identity AcrPull on the registry (or use the workspace's own registry) and drop "
                "the password.",
            )
        server = getattr(registry, "server_url", None)
        if server:
            environment.docker.base_image_registry.address = re.sub(
                r"^https?://", "", server
            ).rstrip("/")
            if credentials is not None and getattr(credentials, "username", None):
                environment.docker.base_image_registry.username = credentials.username
    shm_size = getattr(container_settings, "shm_size", None) if container_settings else None
    docker = (
        DockerConfiguration(use_docker=True, shm_size=shm_size)
        if shm_size
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
    """Batch AI ``JobCreateParameters`` → :class:`JobSubmission` (a ``ScriptRunConfig`` and what
    it needs: datastores, Key Vault secrets, the node manifest, run tags).

    The run configuration carries the job's ``node_count`` (ScriptRunConfig sets it to the
    TensorFlow worker count; it is set back), the distribution (``TensorflowConfiguration`` /
    ``MpiConfiguration`` / ``PyTorchConfiguration``, or none for custom toolkits), an
    ``Environment`` from ``container_settings``, the plain environment variables,
    ``max_run_duration_seconds``, ``DataReference`` mounts for every mounted volume and for
    every input directory under one, and the node runtime as the command.  Secret values and
    storage keys never appear in it.
    """
    from azureml.core import ScriptRunConfig
    from azureml.core.runconfig import DataReferenceConfiguration

    toolkit_field, settings = _toolkit(parameters)
    node_count = getattr(parameters, "node_count", None) or 1
    if node_count < 1:
        raise ValidationError("parameters.node_count", "must be >= 1", node_count)
    if _value(getattr(parameters, "scheduling_priority", None)) not in (None, "normal"):
        warnings.warn(
            "scheduling_priority has no Azure ML v1 equivalent: runs are queued in submission order",
            AzureMLSemanticsWarning,
            stacklevel=2,
        )

    mounts = _job_mounts(getattr(parameters, "mount_volumes", None))
    data_references: dict[str, Any] = {}
    mount_manifest = []
    for mount in mounts:
        data_references[mount.reference_name] = DataReferenceConfiguration(
            datastore_name=mount.datastore.name, mode="mount"
        )
        mount_manifest.append(
            {
                "relative_mount_path": mount.relative_mount_path,
                "data_reference": mount.reference_name,
            }
        )
    inputs_manifest = []
    for directory in getattr(parameters, "input_directories", None) or ():
        entry: dict[str, Any] = {"id": directory.id, "path": directory.path}
        found = _under_mount(directory.path, mounts)
        if found is not None and found[1]:
            mount, sub_path = found
            name = _reference_name("input", directory.id)
            data_references[name] = DataReferenceConfiguration(
                datastore_name=mount.datastore.name, mode="mount", path_on_datastore=sub_path
            )
            entry["data_reference"] = name
        inputs_manifest.append(entry)
    outputs_manifest = [
        {
            "id": directory.id,
            "path_prefix": directory.path_prefix,
            "path_suffix": getattr(directory, "path_suffix", None),
            "run_history_folder": f"{OUTPUTS_FOLDER}/{directory.id}",
        }
        for directory in getattr(parameters, "output_directories", None) or ()
    ]

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
                "put the value in the workspace Key Vault yourself and read it with "
                "Run.get_context().get_secret(), or pass the value; the shim stores it there.",
            )
        vault_name = _secret_name(job_uuid, secret.name)
        secrets[vault_name] = secret.value
        secret_manifest[secret.name] = vault_name

    environment, docker = _environment(
        getattr(parameters, "container_settings", None), cluster_vm_size
    )
    tags = {
        TAG_JOB_NAME: job_name,
        TAG_EXPERIMENT: experiment,
        TAG_CLUSTER: cluster_name,
        TAG_JOB_UUID: job_uuid,
    }
    manifest = {
        "backend": BACKEND,
        "job": {
            **(dict(identity) if identity else {}),
            "experiment": experiment,
            "job": job_name,
            "uuid": job_uuid,
            "cluster": cluster_name,
        },
        "tool_type": _TOOL_TYPES[toolkit_field],
        "parameters": _job_parameters_without_secrets(parameters),
        "mounts": mount_manifest,
        "input_directories": inputs_manifest,
        "output_directories": outputs_manifest,
        "stdouterr_folder": STDOUTERR_FOLDER,
        "secrets": secret_manifest,
    }
    duration = max_run_duration_seconds(getattr(parameters, "constraints", None))
    config = ScriptRunConfig(
        source_directory=source_directory,
        command=["python", NODE_APP_NAME],
        compute_target=cluster_name,
        environment=environment,
        distributed_job_config=_distribution(toolkit_field, settings, node_count),
        docker_runtime_config=docker,
        max_run_duration_seconds=duration or DEFAULT_MAX_WALL_CLOCK_SECONDS,
    )
    run_config = config.run_config
    # ScriptRunConfig sets node_count to TensorflowConfiguration.worker_count: Batch AI's
    # node_count is how many VMs the job takes, so it wins.
    run_config.node_count = node_count
    run_config.environment_variables = {
        **environment_variables,
        MANIFEST_VARIABLE: json.dumps(manifest, sort_keys=True, separators=(",", ":")),
    }
    for name, reference in data_references.items():
        run_config.data_references[name] = reference
    return JobSubmission(
        run_config=config,
        datastores=tuple({m.datastore.name: m.datastore for m in mounts}.values()),
        manifest=manifest,
        tags=tags,
        secrets=secrets,
    )


def _job_parameters_without_secrets(parameters: Any) -> dict[str, Any]:
    """The job's parameters as Batch AI's GET returned them: secret values and keys removed,
    the objects that held them kept (``credentials: {}``, secrets by name only)."""
    plain = _as_plain(parameters)
    if not isinstance(plain, dict):
        return {}
    if plain.get("secrets"):
        plain["secrets"] = [{"name": secret["name"]} for secret in plain["secrets"]]
    mounts = plain.get("mount_volumes") or {}
    for group in ("azure_file_shares", "azure_blob_file_systems"):
        for reference in mounts.get(group, ()):
            reference["credentials"] = {}
    registry = (plain.get("container_settings") or {}).get("image_source_registry") or {}
    if registry.get("credentials"):
        registry["credentials"] = {"username": registry["credentials"].get("username")}
    json.dumps(plain)  # the manifest must be JSON; fail here, not on the node
    return plain


# --------------------------------------------------------------------------------------------
# runs → jobs
# --------------------------------------------------------------------------------------------

_RUN_STATES = {
    "notstarted": "queued",
    "queued": "queued",
    "preparing": "queued",
    "starting": "queued",
    "provisioning": "queued",
    "running": "running",
    "cancelrequested": "terminating",
    "finalizing": "terminating",
    "completed": "succeeded",
    "failed": "failed",
    "canceled": "failed",
}


def execution_state(run_status: str | None) -> str:
    """Azure ML run status → Batch AI ``ExecutionState`` (``Canceled`` is ``failed``, as a
    terminated Batch AI job was)."""
    return _RUN_STATES.get((run_status or "notstarted").replace(" ", "").lower(), "queued")


_LOG_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:azureml-logs/70_driver_log|user_logs/std_log)\.txt$"), "stdout.txt"),
    (re.compile(r"^azureml-logs/70_driver_log_(?:worker_)?(\d+)\.txt$"), "stdout-{0}.txt"),
    (re.compile(r"^user_logs/std_log_process_(\d+)\.txt$"), "stdout-{0}.txt"),
    (re.compile(r"^azureml-logs/70_driver_log_ps_(\d+)\.txt$"), "stdout-ps-{0}.txt"),
    (
        re.compile(r"^azureml-logs/(?:55_azureml-execution|65_job_prep)-(.+)\.txt$"),
        "execution-{0}.log",
    ),
    (re.compile(r"^system_logs/lifecycler/execution-wrapper\.log$"), "execution.log"),
)


def batchai_log_name(run_file: str) -> str | None:
    """Name under Batch AI's ``stdouterr`` listing for an Azure ML run-history file.

    Files the node runtime wrote to ``logs/stdouterr/`` keep their Batch AI names
    (``stdout-wk-0.txt``, ``stderr.txt``, ``execution.log``...); Azure ML's own driver and
    execution logs are renamed to the nearest Batch AI name; anything else is not a log (None).
    """
    prefix = STDOUTERR_FOLDER + "/"
    if run_file.startswith(prefix):
        return run_file[len(prefix) :] or None
    for pattern, template in _LOG_NAMES:
        match = pattern.match(run_file)
        if match:
            return template.format(*match.groups())
    return None


def output_file_name(run_file: str, output_id: str) -> str | None:
    """Name of a run-history file inside Batch AI output directory ``output_id`` (or None)."""
    prefix = f"{OUTPUTS_FOLDER}/{output_id}/"
    return run_file[len(prefix) :] if run_file.startswith(prefix) else None

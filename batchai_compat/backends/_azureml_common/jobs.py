"""Batch AI ``JobCreateParameters`` -> a :class:`JobPlan`: what an Azure ML run of the job is.

Shared by the Azure ML backends; each turns the plan into its SDK's objects.  The decisions:

* **distribution** (:func:`distribution`, from the Batch AI launch rule of
  :func:`batchai_compat.domain.toolkits.task_layout`): distributed TensorFlow -> TensorFlow
  parameter-server distribution (``worker_count``, ``parameter_server_count``); MPI launches ->
  MPI with ``process_count / node_count`` processes per node (an uneven count has no
  equivalent); PyTorch ranks -> PyTorch distribution; one process per node (Caffe2) or a
  single process on a multi-node job (custom) -> MPI with one process per node; else none.
  Azure ML starts one process per task/rank and the node adapter runs that task's Batch AI
  command in it.
* **mounts**: every Azure blob container / file share of ``mount_volumes`` is a registered
  datastore (deterministic name) mounted for the run; an input directory under a mount
  (``$AZ_BATCHAI_JOB_MOUNT_ROOT/<mount>/<path>``) is mounted from the same datastore at its
  path.  File servers, unmanaged file systems and Key Vault references for account keys have
  no equivalent.
* **outputs** go to the run's ``outputs/<ID>`` folder (uploaded to run history); logs to
  ``logs/stdouterr``.
* **secrets** go to the workspace Key Vault under per-job names; the run only carries those
  names.  Storage keys travel only to datastore registration.
* **container**: the image, its registry address and user; a registry password has no
  equivalent (it would sit in the run definition).
* **wall clock**: ``max_wall_clock_time`` in seconds, one week when unset.

The node manifest (``$AZ_BATCHAI_COMPAT_JOB``) carries the job's parameters without secrets and
how mounts, inputs, outputs and secrets map onto the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import ids
from ...domain import mounts as domain_mounts
from ...domain.documents import get, snake_document
from ...domain.durations import DEFAULT_MAX_WALL_CLOCK_SECONDS, wall_clock_seconds
from ...domain.secrets import without_secrets
from ...domain.toolkits import Launch, TaskLayout, Toolkit, chosen_toolkit, task_layout
from ...exceptions import NoEquivalentError, ValidationError
from . import naming

__all__ = [
    "ContainerPlan",
    "DatastoreMount",
    "DatastoreSpec",
    "Distribution",
    "JobPlan",
    "compute_name",
    "distribution",
    "job_plan",
    "parameters_without_secrets",
    "volume_mounts",
]


def compute_name(
    parameters: Any, subscription_id: str, resource_group: str, workspace: str, backend: str
) -> str:
    """The AmlCompute a job runs on: the cluster its ``cluster.id`` names (the service's 400
    ``InvalidClusterId`` for anything else), which must be of the job's own workspace."""
    cluster = ids.job_cluster(get(get(parameters, "cluster"), "id"))
    owner = (cluster.subscription_id, cluster.resource_group, cluster.workspace)
    if tuple(part.lower() for part in owner) != (
        subscription_id.lower(),
        resource_group.lower(),
        workspace.lower(),
    ):
        raise NoEquivalentError(
            "a job on a cluster of another workspace",
            backend,
            "Azure ML jobs use compute of their own workspace; create the cluster in "
            f"workspace {workspace!r}.",
        )
    return cluster.name


@dataclass(frozen=True)
class Distribution:
    """How Azure ML starts a job's processes.

    ``kind`` ``tensorflow`` (``workers``, ``parameter_servers``), ``pytorch``
    (``process_count`` in all, ``communication_backend``) or ``mpi``
    (``processes_per_node``); ``node_count`` VMs in every case.
    """

    kind: str
    node_count: int
    workers: int = 0
    parameter_servers: int = 0
    process_count: int = 0
    processes_per_node: int = 0
    communication_backend: str | None = None


def distribution(layout: TaskLayout, settings: Any, backend: str) -> Distribution | None:
    """The Azure ML distribution of a Batch AI launch rule (None: one process on one node)."""
    nodes = layout.node_count
    if layout.launch == Launch.TENSORFLOW:
        return Distribution(
            "tensorflow", nodes, workers=layout.workers, parameter_servers=layout.parameter_servers
        )
    if layout.launch == Launch.RANKS:
        if layout.processes <= 1:
            return None
        backend = str(get(settings, "communication_backend", "")).lower() or "gloo"
        return Distribution(
            "pytorch", nodes, process_count=layout.processes, communication_backend=backend
        )
    if layout.launch == Launch.MPI:
        if layout.processes % nodes:
            raise NoEquivalentError(
                f"{layout.toolkit.field}.process_count={layout.processes} on {nodes} nodes",
                backend,
                "Azure ML MPI jobs run the same number of processes on every node; use a "
                "process_count that is a multiple of node_count.",
            )
        return Distribution("mpi", nodes, processes_per_node=layout.processes // nodes)
    if nodes > 1:
        # caffe2 runs one process per node; a custom toolkit runs on the first node while the
        # others stay allocated, as on Batch AI.  One MPI rank per node gives both.
        return Distribution("mpi", nodes, processes_per_node=1)
    return None


@dataclass(frozen=True)
class DatastoreSpec:
    """A Batch AI mounted container/share, as the Azure ML datastore it is registered as.

    ``kind`` is ``blob`` or ``file``.  The account key travels only to datastore registration
    (the workspace keeps it in its Key Vault); it is excluded from ``repr`` and never reaches a
    run configuration.
    """

    name: str
    kind: str
    account_name: str
    container: str
    account_key: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class DatastoreMount:
    """A datastore path mounted for the run under ``name`` (a data reference / input name).

    ``relative_mount_path`` is set for a mounted volume (the node links it there under
    ``$AZ_BATCHAI_JOB_MOUNT_ROOT``), ``input_id`` for an input directory under a volume.
    ``path_on_datastore`` None is the datastore's root.
    """

    name: str
    datastore: DatastoreSpec
    path_on_datastore: str | None = None
    relative_mount_path: str | None = None
    input_id: str | None = None


@dataclass(frozen=True)
class ContainerPlan:
    """The job's image: ``image`` None means the backend's default (GPU one when ``gpu``)."""

    image: str | None
    gpu: bool
    registry_address: str | None = None
    registry_username: str | None = None
    shm_size: str | None = None


@dataclass(frozen=True)
class JobPlan:
    """Everything an Azure ML backend needs to submit one Batch AI job.

    ``datastores`` must exist before submission; ``secrets`` (Key Vault secret name -> value)
    go to the workspace Key Vault and are excluded from ``repr``; ``manifest`` (no secrets)
    travels to the node in :data:`~.naming.MANIFEST_VARIABLE`; ``environment_variables`` are the
    job's plain variables.
    """

    toolkit: Toolkit
    node_count: int
    distribution: Distribution | None
    mounts: tuple[DatastoreMount, ...]
    datastores: tuple[DatastoreSpec, ...]
    environment_variables: dict[str, str]
    container: ContainerPlan
    max_run_duration_seconds: int
    tags: dict[str, str]
    manifest: dict[str, Any]
    scheduling_priority: str | None = None
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


def _account_key(reference: Any, where: str, backend: str) -> str:
    credentials = get(reference, "credentials")
    if credentials is None:
        raise ValidationError(f"{where}.credentials", "is required")
    key = get(credentials, "account_key")
    if key is None and get(credentials, "account_key_secret_reference") is not None:
        raise NoEquivalentError(
            f"{where}.credentials.account_key_secret_reference",
            backend,
            "register the storage account as an Azure ML datastore yourself (its key then lives "
            "in the workspace Key Vault) or pass account_key; the shim registers it for you.",
        )
    if key is None:
        raise ValidationError(f"{where}.credentials.account_key", "is required")
    return str(key)


def volume_mounts(mount_volumes: Any, backend: str) -> list[DatastoreMount]:
    """Datastore mounts of a job's ``mount_volumes`` (blob containers and file shares only)."""
    if get(mount_volumes or {}, "file_servers"):
        raise NoEquivalentError(
            "mount_volumes.file_servers (Batch AI NFS file servers)",
            backend,
            "Azure ML has no managed NFS file server; move the data to an Azure file share or "
            "blob container and mount that instead.",
        )
    if get(mount_volumes or {}, "unmanaged_file_systems"):
        raise NoEquivalentError(
            "mount_volumes.unmanaged_file_systems (custom mount commands)",
            backend,
            "Azure ML mounts only registered datastores; copy the data to Azure Storage.",
        )
    result = []
    for mount in domain_mounts.mounts(mount_volumes):
        kind = "blob" if mount.kind == domain_mounts.AZURE_BLOB else "file"
        account, container = str(mount.account_name), str(mount.container)
        spec = DatastoreSpec(
            naming.datastore_name(kind, account, container),
            kind,
            account,
            container,
            _account_key(mount.reference, mount.where, backend),
        )
        result.append(
            DatastoreMount(
                naming.reference_name("mount", mount.relative_mount_path),
                spec,
                mount.directory or None,
                relative_mount_path=mount.relative_mount_path,
            )
        )
    return result


def _input_mount(path: str, input_id: str, volumes: list[DatastoreMount]) -> DatastoreMount | None:
    """The datastore path behind an input directory under a mounted volume (None: elsewhere,
    or the volume itself, which is mounted already)."""
    by_path = {m.relative_mount_path: m for m in volumes if m.relative_mount_path is not None}
    found = domain_mounts.under_mount(path, by_path)
    if found is None or not found[1]:
        return None
    volume = by_path[found[0]]
    sub_path = "/".join(p for p in (volume.path_on_datastore, found[1]) if p)
    return DatastoreMount(
        naming.reference_name("input", input_id), volume.datastore, sub_path, input_id=input_id
    )


def _container(settings: Any, cluster_vm_size: str | None, backend: str) -> ContainerPlan:
    registry = get(settings or {}, "image_source_registry")
    gpu = (cluster_vm_size or "").upper().startswith(("STANDARD_N", "N"))
    if registry is None:
        return ContainerPlan(None, gpu, shm_size=get(settings or {}, "shm_size"))
    credentials = get(registry, "credentials")
    if credentials is not None and (
        get(credentials, "password") or get(credentials, "password_secret_reference")
    ):
        raise NoEquivalentError(
            "container_settings.image_source_registry.credentials.password",
            backend,
            "Azure ML would keep the registry password in the job's environment definition, "
            "which anyone with read access to the workspace sees; grant the workspace's managed "
            "identity AcrPull on the registry (or use the workspace's own registry) and drop "
            "the password.",
        )
    server = get(registry, "server_url")
    address = server.split("://", 1)[-1].rstrip("/") if server else None
    return ContainerPlan(
        get(registry, "image"),
        gpu,
        registry_address=address,
        registry_username=get(credentials, "username") if credentials is not None else None,
        shm_size=get(settings, "shm_size"),
    )


def _secrets(items: Any, job_uuid: str, backend: str) -> tuple[dict[str, str], dict[str, str]]:
    """(Key Vault name -> value, variable -> Key Vault name) of ``JobCreateParameters.secrets``."""
    values: dict[str, str] = {}
    names: dict[str, str] = {}
    for index, secret in enumerate(items or ()):
        name = get(secret, "name")
        if get(secret, "value") is None:
            raise NoEquivalentError(
                f"secrets[{index}] ({name!r}).value_secret_reference",
                backend,
                "put the value in the workspace Key Vault yourself and read it with "
                "Run.get_context().get_secret(), or pass the value; the shim stores it there.",
            )
        vault_name = naming.key_vault_secret_name(job_uuid, str(name))
        values[vault_name] = str(get(secret, "value"))
        names[str(name)] = vault_name
    return values, names


def parameters_without_secrets(document: Mapping[str, Any]) -> dict[str, Any]:
    """The job's parameters as Batch AI's GET returned them (no secret values), as JSON data."""
    stripped = without_secrets(document)
    json.dumps(stripped)  # the manifest must be JSON; fail here, not on the node
    return dict(stripped)


def job_plan(
    parameters: Any,
    *,
    backend: str,
    job_name: str,
    experiment: str,
    cluster_name: str,
    job_uuid: str,
    cluster_vm_size: str | None = None,
    identity: Mapping[str, str] | None = None,
) -> JobPlan:
    """Plan the Azure ML run of Batch AI job ``job_name`` (parameters: model or mapping)."""
    document = snake_document(parameters)
    toolkit, settings = chosen_toolkit(document)
    node_count = document.get("node_count", 1)
    layout = task_layout(toolkit, settings, node_count)

    volumes = volume_mounts(document.get("mount_volumes"), backend)
    mounts = list(volumes)
    inputs_manifest = []
    for directory in document.get("input_directories") or ():
        entry: dict[str, Any] = {"id": directory["id"], "path": directory["path"]}
        found = _input_mount(str(directory["path"]), str(directory["id"]), volumes)
        if found is not None:
            mounts.append(found)
            entry["data_reference"] = found.name
        inputs_manifest.append(entry)
    outputs_manifest = [
        {
            "id": directory["id"],
            "path_prefix": directory["path_prefix"],
            "path_suffix": directory.get("path_suffix"),
            "run_history_folder": f"{naming.OUTPUTS_FOLDER}/{directory['id']}",
        }
        for directory in document.get("output_directories") or ()
    ]
    secrets, secret_names = _secrets(document.get("secrets"), job_uuid, backend)
    tags = {
        naming.TAG_JOB_NAME: job_name,
        naming.TAG_EXPERIMENT: experiment,
        naming.TAG_CLUSTER: cluster_name,
        naming.TAG_JOB_UUID: job_uuid,
    }
    manifest = {
        "backend": backend,
        "job": {
            **(dict(identity) if identity else {}),
            "experiment": experiment,
            "job": job_name,
            "uuid": job_uuid,
            "cluster": cluster_name,
        },
        "tool_type": toolkit.tool_type,
        "parameters": parameters_without_secrets(document),
        "mounts": [
            {"relative_mount_path": m.relative_mount_path, "data_reference": m.name}
            for m in volumes
        ],
        "input_directories": inputs_manifest,
        "output_directories": outputs_manifest,
        "stdouterr_folder": naming.STDOUTERR_FOLDER,
        "secrets": secret_names,
    }
    wall_clock = wall_clock_seconds(get(document.get("constraints") or {}, "max_wall_clock_time"))
    return JobPlan(
        toolkit=toolkit,
        node_count=layout.node_count,
        distribution=distribution(layout, settings, backend),
        mounts=tuple(mounts),
        datastores=tuple({m.datastore.name: m.datastore for m in volumes}.values()),
        environment_variables={
            str(v["name"]): "" if v.get("value") is None else str(v["value"])
            for v in document.get("environment_variables") or ()
        },
        container=_container(document.get("container_settings"), cluster_vm_size, backend),
        max_run_duration_seconds=int(wall_clock or DEFAULT_MAX_WALL_CLOCK_SECONDS),
        tags=tags,
        manifest=manifest,
        scheduling_priority=document.get("scheduling_priority"),
        secrets=secrets,
    )

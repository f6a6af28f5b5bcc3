"""What the local backend's reads return: state records turned into Batch AI models.

The state package (:mod:`.state`) keeps each resource's create parameters as the REST body the
service stored (secrets already None) plus the read-only columns Batch AI computed.  A GET
deserializes that body into the response model (``Cluster``, ``Job``, ...) and sets the
read-only fields, so a ``Job`` carries every field of the ``JobCreateParameters`` it came from
(helpers rebuild one through ``_attribute_map`` and resubmit it), with mount credentials present
as objects whose secret values are None.  Lists of jobs are :class:`LazyModels`: read a page at a
time, as the service's ``nextLink`` pages were.

What the service filled in is filled in here too (:mod:`batchai_compat.domain.answers`): no
``errors`` / ``tags`` when there are none, a job's one-week ``max_wall_clock_time``, a cluster's
default VM image and its setup task's output suffix, a file server's ``/data`` mount point and
the subnet of its virtual network (which clusters mounting it join).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any, TypeVar, overload

from ... import models
from ...domain import answers, ids
from ...domain.durations import DEFAULT_MAX_WALL_CLOCK_SECONDS
from ...exceptions import cloud_error
from ...models._base import clone
from .scaling import to_datetime
from .state import ClusterRecord, ExperimentRecord, FileServerRecord, JobRecord, WorkspaceRecord

__all__ = [
    "JOB_TEMPLATE_CACHE_SIZE",
    "JobViews",
    "LazyModels",
    "cluster_model",
    "experiment_model",
    "file_server_model",
    "workspace_model",
]

_T = TypeVar("_T")

JOB_TEMPLATE_CACHE_SIZE = 20_000
"""Distinct deserialized job parameters kept per backend (see :class:`JobViews`)."""


def workspace_model(record: WorkspaceRecord) -> models.Workspace:
    return models.Workspace.from_service(
        id=ids.workspace_id(*record.key),
        name=record.name,
        type=ids.resource_type("workspaces"),
        location=record.location,
        tags=dict(record.tags) or None,
        creation_time=to_datetime(record.creation_time),
        provisioning_state=record.provisioning_state,
        provisioning_state_transition_time=to_datetime(record.provisioning_state_transition_time),
    )


def experiment_model(record: ExperimentRecord) -> models.Experiment:
    return models.Experiment.from_service(
        id=ids.child_id(*record.workspace, "experiments", record.name),
        name=record.name,
        type=ids.resource_type("experiments"),
        creation_time=to_datetime(record.creation_time),
        provisioning_state=record.provisioning_state,
        provisioning_state_transition_time=to_datetime(record.provisioning_state_transition_time),
    )


def cluster_model(record: ClusterRecord) -> models.Cluster:
    cluster = models.Cluster.deserialize(record.parameters)
    counts = record.node_state_counts()
    cluster.id = ids.child_id(*record.workspace, "clusters", record.name)
    cluster.name = record.name
    cluster.type = ids.resource_type("clusters")
    cluster.vm_priority = models.VmPriority(record.vm_priority)
    cluster.creation_time = to_datetime(record.creation_time)
    cluster.provisioning_state = models.ProvisioningState(record.provisioning_state)
    cluster.provisioning_state_transition_time = to_datetime(
        record.provisioning_state_transition_time
    )
    cluster.allocation_state = models.AllocationState(record.allocation_state)
    cluster.allocation_state_transition_time = to_datetime(record.allocation_state_transition_time)
    cluster.errors = _errors(record.errors)
    _fill_in_cluster_defaults(cluster, record)
    cluster.current_node_count = record.current_node_count
    cluster.node_state_counts = models.NodeStateCounts.from_service(
        idle_node_count=counts["idle"],
        running_node_count=counts["running"],
        preparing_node_count=counts["preparing"],
        unusable_node_count=counts["unusable"],
        leaving_node_count=counts["leaving"],
    )
    return cluster


def _errors(errors: list[dict[str, Any]]) -> list[models.BatchAIError] | None:
    return [models.BatchAIError.deserialize(error) for error in errors] or None


def _fill_in_cluster_defaults(cluster: models.Cluster, record: ClusterRecord) -> None:
    if cluster.virtual_machine_configuration is None:
        cluster.virtual_machine_configuration = models.VirtualMachineConfiguration(
            image_reference=models.ImageReference(**answers.DEFAULT_IMAGE)
        )
    setup = cluster.node_setup
    if setup is not None and setup.setup_task is not None:
        # read-only: where the service put the setup task's output (node_setup loads the
        # runtime: only clusters with a setup task pay for it)
        from .node_setup import setup_task_output_suffix

        setup.setup_task.std_out_err_path_suffix = setup_task_output_suffix(record)
    servers = setup.mount_volumes.file_servers if setup and setup.mount_volumes else None
    if cluster.subnet is None and servers:
        subnet = answers.file_server_subnet_id(
            record.workspace.subscription_id, servers[0].file_server.id
        )
        cluster.subnet = models.ResourceId(id=subnet)


def file_server_model(record: FileServerRecord) -> models.FileServer:
    """The file server as GET returns it."""
    server = models.FileServer.deserialize(record.parameters)
    server.id = ids.child_id(*record.workspace, "fileservers", record.name)
    server.name = record.name
    server.type = ids.resource_type("fileservers")
    server.creation_time = to_datetime(record.creation_time)
    server.provisioning_state = models.FileServerProvisioningState(record.provisioning_state)
    server.provisioning_state_transition_time = to_datetime(
        record.provisioning_state_transition_time
    )
    if server.subnet is None:
        subnet = answers.file_server_subnet_id(record.workspace.subscription_id, server.id)
        server.subnet = models.ResourceId(id=subnet)
    server.mount_settings = models.MountSettings.from_service(
        mount_point=answers.FILE_SERVER_MOUNT_POINT,
        file_server_public_ip="127.0.0.1",
        file_server_internal_ip="127.0.0.1",
    )
    return server


class JobViews:
    """Builds the ``Job`` models of job records.

    A job's parameters never change and its model is a function of their stored document
    alone, so the deserialized form is kept in a bounded LRU keyed by that document (jobs
    submitted with the same parameters, as helpers do from a loop, share one entry) and each
    read gets a copy: listing a large experiment then costs a copy per job rather than a full
    validation pass.
    """

    def __init__(self, cache_size: int = JOB_TEMPLATE_CACHE_SIZE) -> None:
        self._templates: OrderedDict[str, models.Job] = OrderedDict()
        self._lock = threading.Lock()
        self._cache_size = cache_size

    def _parameters(self, record: JobRecord) -> models.Job:
        """A fresh Job holding the job's create parameters (read-only fields still unset)."""
        key = record.parameters_json
        with self._lock:
            template = self._templates.get(key)
            if template is not None:
                self._templates.move_to_end(key)
        if template is None:
            template = models.Job.deserialize(record.parameters)
            if template.constraints is None:  # the service's default
                template.constraints = models.JobPropertiesConstraints(
                    max_wall_clock_time=timedelta(seconds=DEFAULT_MAX_WALL_CLOCK_SECONDS)
                )
            with self._lock:
                self._templates[key] = template
                while len(self._templates) > self._cache_size:
                    self._templates.popitem(last=False)
        return clone(template)

    def job(self, record: JobRecord) -> models.Job:
        job = self._parameters(record)
        # Values of the fields' own types, set without the per-assignment checks (a read sets
        # these on every job it returns).
        vars(job).update(
            id=ids.job_id(*record.workspace, record.experiment, record.name),
            name=record.name,
            type=ids.resource_type("jobs"),
            job_output_directory_path_segment=record.output_path_segment,
            tool_type=models.ToolType(record.tool_type),
            creation_time=to_datetime(record.creation_time),
            provisioning_state=models.ProvisioningState(record.provisioning_state),
            provisioning_state_transition_time=to_datetime(
                record.provisioning_state_transition_time
            ),
            execution_state=models.ExecutionState(record.execution_state),
            execution_state_transition_time=to_datetime(record.execution_state_transition_time),
        )
        if record.start_time is not None or record.end_time is not None or record.errors:
            job.execution_info = models.JobPropertiesExecutionInfo.from_service(
                start_time=to_datetime(record.start_time),
                end_time=to_datetime(record.end_time),
                exit_code=record.exit_code,
                errors=_errors(record.errors),
            )
        return job


class LazyModels(Sequence[_T]):
    """A list result read page by page, as Batch AI's ``nextLink`` pages were.

    Holds the keys (store row ids) of a snapshot taken when the list was requested; the models
    of a slice are loaded with one ``load(keys)`` call when first accessed and then kept.  An
    item deleted before its page was read is left out of that page (a service's next page
    would not have it either); indexing it directly raises 404.
    """

    def __init__(
        self, keys: Sequence[int], load: Callable[[list[int]], dict[int, _T]], *, batch: int = 200
    ) -> None:
        self._keys = list(keys)
        self._load = load
        self._batch = batch
        self._built: dict[int, _T] = {}
        self._tried: set[int] = set()

    def _ensure(self, keys: list[int]) -> None:
        missing = [key for key in keys if key not in self._tried]
        if missing:
            self._built.update(self._load(missing))
            self._tried.update(missing)

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> _T: ...
    @overload
    def __getitem__(self, index: slice) -> list[_T]: ...
    def __getitem__(self, index: int | slice) -> _T | list[_T]:
        if isinstance(index, slice):
            keys = self._keys[index]
            self._ensure(keys)
            return [self._built[key] for key in keys if key in self._built]
        key = self._keys[index]  # IndexError past the end, as a list
        position = index % len(self._keys)
        start = position - position % self._batch
        self._ensure(self._keys[start : start + self._batch])
        if key not in self._built:
            raise cloud_error(404, "ResourceNotFound", "The item was deleted after it was listed.")
        return self._built[key]

    def __iter__(self) -> Iterator[_T]:
        for start in range(0, len(self._keys), self._batch):
            yield from self[start : start + self._batch]

    def __repr__(self) -> str:
        return f"<LazyModels of {len(self._keys)}>"

"""Gang scheduling of local jobs and the topology their nodes get.

Batch AI gang-scheduled a job: it stayed ``queued`` until its cluster had ``node_count`` idle
nodes at once (an auto-scale cluster growing towards the demand of queued jobs, up to its
maximum), then ran on all of them.  A job does not take nodes while a queued job of the same
cluster has a higher ``scheduling_priority``; among equals, whoever asks first gets them.
:func:`wait_for_nodes` does that against the state store's node allocation API;
:func:`node_topologies` then lays out the job's folders and ports for the node runtime
(:class:`batchai_compat.runtime.Topology`).

Folders of a job run (``layout.job_run_dir``)::

    mounts/         AZ_BATCHAI_MOUNT_ROOT      (unless the cluster's folder gives one, see
                                               :mod:`.node_setup`)
    jobmounts/      AZ_BATCHAI_JOB_MOUNT_ROOT  links for the job's mount volumes
    shared/         AZ_BATCHAI_SHARED_JOB_TEMP
    nodes/<i>/home  HOME of node i's job user
    nodes/<i>/temp  AZ_BATCHAI_JOB_TEMP_DIR of node i
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from ...runtime import JobIdentity, Topology, job_spec, tensorflow_task_counts
from .state import JOB_PRIORITY_RANK, JobRecord, NodeRecord, StateStore

__all__ = ["free_ports", "node_topologies", "wait_for_nodes"]

_FIRST_WAIT = 0.02
_LONGEST_WAIT = 0.5


def wait_for_nodes(
    store: StateStore,
    job_row: int,
    should_stop: Callable[[], bool],
    pause: Callable[[float], None] = time.sleep,
) -> list[NodeRecord] | None:
    """Block until job ``job_row`` holds its nodes; None if it stopped being queued meanwhile
    (terminated, deleted) or ``should_stop()`` became true (the supervisor was asked to stop, its
    state database was removed...).  ``pause(seconds)`` waits between tries: a caller that can
    be woken up early (a signal) passes its own."""
    delay = _FIRST_WAIT
    while not should_stop():
        job = store.get_job_by_row(job_row)
        if job is None or job.execution_state != "queued":
            return None
        if not _outranked(store, job):
            nodes = store.allocate_nodes(job_row)
            if nodes is not None:
                return nodes
        wait = delay
        if job.cluster_row is not None:
            next_change = store.next_transition_at(job.cluster_row)
            if next_change is not None:
                wait = min(delay, max(0.0, next_change - store.now()) + 0.001)
        pause(wait)
        delay = min(delay * 2, _LONGEST_WAIT)
    return None


def _outranked(store: StateStore, job: JobRecord) -> bool:
    """True while a queued job of the same cluster has a higher ``scheduling_priority``."""
    mine = JOB_PRIORITY_RANK.get(job.scheduling_priority, 1)
    return any(
        JOB_PRIORITY_RANK.get(other.scheduling_priority, 1) > mine
        for other in store.queued_jobs(job.cluster_row)
        if other.row_id != job.row_id
    )


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports free on 127.0.0.1 right now (the OS picks them)."""
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            s = stack.enter_context(socket.socket())
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]


def node_topologies(
    job: JobRecord,
    nodes: list[NodeRecord],
    run_dir: Path,
    *,
    slots_per_node: int = 1,
    mount_root: Path | None = None,
) -> list[Topology]:
    """One :class:`Topology` per node of ``job`` (same hosts and ports, node-local folders)."""
    spec = job_spec(job.parameters)
    tf_ports: dict[str, list[int]] = {}
    counts = tensorflow_task_counts(spec)
    if counts is not None:
        ports = free_ports(counts[0] + counts[1])
        tf_ports = {"ps": ports[: counts[0]], "worker": ports[counts[0] :]}
    identity = JobIdentity(*job.workspace, job.experiment, job.name, job.job_uuid)
    hosts = tuple(node.ip_address for node in nodes)
    node_ids = tuple(node.node_id for node in nodes)
    return [
        Topology(
            identity=identity,
            hosts=hosts,
            node_ids=node_ids,
            node_index=index,
            mount_root=str(mount_root or run_dir / "mounts"),
            job_mount_root=str(run_dir / "jobmounts"),
            job_temp_dir=str(run_dir / "nodes" / str(index) / "temp"),
            shared_job_temp=str(run_dir / "shared"),
            home=str(run_dir / "nodes" / str(index) / "home"),
            slots_per_node=slots_per_node,
            num_gpus=0,  # what this machine has, whatever the cluster's VM size promised
            tf_ports=tf_ports,
        )
        for index in range(len(nodes))
    ]

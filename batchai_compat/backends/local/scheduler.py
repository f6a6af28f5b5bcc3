"""Batch AI's job queue rule, and the topology the nodes of a started job get.

Batch AI gang-scheduled a job: it stayed ``queued`` until its cluster had ``node_count`` idle
nodes at once (an auto-scale cluster growing towards the demand of queued jobs, up to its
maximum), then ran on all of them.  Queued jobs of a cluster are served in order: highest
``scheduling_priority`` first, then oldest first (``StateStore.queued_jobs``).
:func:`next_starts` applies that order: a job waiting for nodes holds up every job behind it
(a small job never overtakes a bigger one that came first, so the big one is never starved),
except a job the cluster cannot hold at all as configured (more nodes than its target, or than
its auto-scale maximum), which waits without holding anyone up.  The home's scheduler daemon
(:mod:`.daemon`) calls it whenever nodes may have freed and starts what it returns;
:func:`node_topologies` then lays out each job's folders and ports for the node runtime
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
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from ...runtime import JobIdentity, Topology, job_spec, tensorflow_task_counts
from .state import ClusterRecord, JobRecord, NodeRecord

__all__ = ["cluster_capacity", "free_ports", "next_starts", "node_topologies"]


def cluster_capacity(cluster: ClusterRecord) -> int:
    """The most nodes ``cluster`` may have as configured now: its manual target, or its
    auto-scale maximum."""
    if cluster.scale_mode == "auto":
        return cluster.maximum_node_count or 0
    return cluster.target_node_count


def next_starts(
    cluster: ClusterRecord,
    queue: Iterable[JobRecord],
    held: Callable[[JobRecord], bool] = lambda job: False,
) -> list[JobRecord]:
    """The queued jobs of a settled ``cluster`` to start now on its idle nodes.

    ``queue``: its queued jobs in serving order; ``held(job)``: True for a job that must not
    start yet though it is next (its submission is still being handed over, or its previous
    run is still stopping): like a job waiting for nodes, it holds up the jobs behind it.
    """
    idle = sum(1 for node in cluster.nodes if node.state == "idle")
    capacity = cluster_capacity(cluster)
    starts: list[JobRecord] = []
    for job in queue:
        if idle <= 0:
            break
        if job.node_count > capacity:
            continue  # never runs as the cluster is configured: it holds nobody up
        if job.node_count > idle or held(job):
            break
        starts.append(job)
        idle -= job.node_count
    return starts


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

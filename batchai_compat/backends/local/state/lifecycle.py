"""Batch AI's cluster and job life cycles, as pure functions of (record, time).

Nothing here touches SQLite: each function takes records (:mod:`.records`) and the time, and
returns new records.  The store (:mod:`.store`) loads a record, calls one of these inside the
transaction that writes the result back; tests drive them directly (moto style)::

    cluster = begin_resize(cluster, now, rules)              # 'resizing' towards its target
    settled = settle(cluster, now + 60, rules)               # due: nodes added, 'steady'

Clusters (``allocation_state`` resizing -> steady; nodes preparing -> idle -> running ->
leaving, see :mod:`..scaling` for the durations):

* :func:`begin_resize` starts resizing a steady cluster whose live node count is not its
  target (unless it is still out of core quota and says so);
* :func:`settle` applies every transition due by ``now``: node timers, the auto-scale target
  (demand of queued and running jobs between minimum and maximum, shrinking only after nodes
  have been idle ``idle_seconds_before_scale_down``), due resizes (new nodes within the core
  quota, or nodes leaving: preparing and idle first, then running ones if the deallocation
  option is ``requeue`` or ``terminate``: their jobs are *preempted*);
* :func:`rescale` applies ``clusters.update`` scale settings (and :func:`owe_resize_report` /
  :func:`report`: a resize over at once is still shown once); :func:`next_transition_at` says
  when the cluster next changes on its own; :func:`idle_nodes` picks nodes for a job.

Jobs (``execution_state`` queued -> running -> succeeded / failed, or terminating on the way):
:func:`start`, :func:`finish`, :func:`request_termination`, :func:`preempt`,
:func:`fail_for_deleted_cluster`.  Times a transition records are the ``now`` it is given, or
the time the transition was due (a late read gives the same history as a timely one).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ....domain import answers
from ..scaling import ScalingPolicy, autoscale_target
from ..values import Value, field, replace
from .records import ClusterRecord, JobRecord, NodeRecord

__all__ = [
    "ACTIVE_STATES",
    "DEFAULT_CORE_QUOTA",
    "FINAL_STATES",
    "JOB_PRIORITY_RANK",
    "Preemption",
    "Rules",
    "ScaleRequest",
    "Settlement",
    "begin_resize",
    "error_body",
    "fail_for_deleted_cluster",
    "finish",
    "idle_nodes",
    "next_transition_at",
    "owe_resize_report",
    "preempt",
    "report",
    "request_termination",
    "rescale",
    "settle",
    "start",
]

DEFAULT_CORE_QUOTA = 1000
"""Cores per location and VM priority a local subscription may use (``usages.list`` limit)."""

JOB_PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2}
ACTIVE_STATES = ("queued", "running", "terminating")
"""Execution states of a job that still wants (or holds) nodes."""
FINAL_STATES = ("succeeded", "failed")

_SETTLE_PASSES = 8
"""Each pass of :func:`settle` may make the next transition due; a few always suffice."""


def error_body(code: str, message: str, details: dict[str, str] | None = None) -> dict[str, Any]:
    """A BatchAIError REST body (``details`` as its name/value pairs, absent when there are
    none, as the service sent them)."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = [{"name": k, "value": v} for k, v in details.items()]
    return body


class Rules(Value):
    """What the life cycle depends on besides time: the durations of :class:`ScalingPolicy`
    and the subscription's core quota per location and VM priority."""

    policy: ScalingPolicy = field(default_factory=ScalingPolicy)
    core_quota: int = DEFAULT_CORE_QUOTA


class ScaleRequest(Value):
    """A cluster's scale settings, as the life cycle applies them.

    ``mode`` is ``manual`` (``initial_target`` nodes; ``deallocation_option`` says what happens
    to running jobs on a scale-down) or ``auto`` (between ``minimum`` and ``maximum``, starting
    at ``initial_target``).  ``rest_body`` is the ``scaleSettings`` REST body GET returns.
    """

    mode: str
    initial_target: int
    minimum: int | None = None
    maximum: int | None = None
    deallocation_option: str | None = None
    rest_body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in ("manual", "auto"):
            raise ValueError(f"unknown scale mode {self.mode!r}")


class Preemption(Value):
    """A running job a scale-down took nodes from, ``when`` the resize was due: ``option``
    ``requeue`` puts it back in the queue, ``terminate`` ends it."""

    job_row: int
    option: str
    when: float


class Settlement(Value):
    """What :func:`settle` made of a cluster: the cluster now, and the jobs it preempted."""

    cluster: ClusterRecord
    preempted: tuple[Preemption, ...] = ()


# -- clusters ------------------------------------------------------------------------------------


class _Draft:
    """A cluster being settled: the fields transitions change, and its nodes by index."""

    def __init__(self, cluster: ClusterRecord) -> None:
        self.cluster = cluster
        self.target = cluster.target_node_count
        self.state = cluster.allocation_state
        self.since = cluster.allocation_state_transition_time
        self.resize_due = cluster.resize_due
        self.errors = cluster.errors
        self.next_index = cluster.next_node_index
        self.nodes = {node.node_index: node for node in cluster.nodes}

    def live(self) -> list[NodeRecord]:
        return [n for _, n in sorted(self.nodes.items()) if n.state != "leaving"]

    def allowance(self, rules: Rules, cores_elsewhere: int) -> int:
        """How many more nodes the core quota allows (every node of the cluster counts)."""
        cores = max(1, self.cluster.cores_per_node)
        used = cores_elsewhere + len(self.nodes) * self.cluster.cores_per_node
        return max(0, (rules.core_quota - used) // cores)

    def start_resize(self, when: float, policy: ScalingPolicy) -> None:
        self.state, self.since = "resizing", when
        self.resize_due = when + policy.allocation_seconds

    def record(self) -> ClusterRecord:
        return replace(
            self.cluster,
            target_node_count=self.target,
            allocation_state=self.state,
            allocation_state_transition_time=self.since,
            resize_due=self.resize_due,
            errors=self.errors,
            next_node_index=self.next_index,
            nodes=tuple(node for _, node in sorted(self.nodes.items())),
        )


def begin_resize(
    cluster: ClusterRecord, now: float, rules: Rules, *, cores_elsewhere: int = 0
) -> ClusterRecord:
    """Start resizing ``cluster`` at ``now`` if it is steady and not at its target.

    ``cores_elsewhere``: cores the subscription's other clusters hold in the same location and
    VM priority.  A cluster that stopped short of its target for lack of quota stays steady with
    its ``InsufficientCoreQuota`` error until quota frees up, as Batch AI's did.
    """
    draft = _Draft(cluster)
    _begin_resize(draft, now, rules, cores_elsewhere)
    return draft.record()


def _begin_resize(draft: _Draft, now: float, rules: Rules, cores_elsewhere: int) -> None:
    if draft.state != "steady":
        return
    live = len(draft.live())
    if live == draft.target:
        return
    if live < draft.target and draft.errors and draft.allowance(rules, cores_elsewhere) <= 0:
        return
    draft.start_resize(now, rules.policy)


def settle(
    cluster: ClusterRecord,
    now: float,
    rules: Rules,
    *,
    demand: int = 0,
    cores_elsewhere: int = 0,
) -> Settlement:
    """Apply every transition of ``cluster`` due by ``now``.

    ``demand``: nodes its queued and running jobs ask for (drives auto-scale);
    ``cores_elsewhere``: as for :func:`begin_resize`.
    """
    draft = _Draft(cluster)
    preempted: list[Preemption] = []
    for _ in range(_SETTLE_PASSES):
        if not _settle_once(draft, now, rules, demand, cores_elsewhere, preempted):
            break
    return Settlement(draft.record(), tuple(preempted))


def _settle_once(
    draft: _Draft,
    now: float,
    rules: Rules,
    demand: int,
    cores_elsewhere: int,
    preempted: list[Preemption],
) -> bool:
    changed = False
    for index, node in list(draft.nodes.items()):  # node timers
        if node.ready_at is None or node.ready_at > now:
            continue
        if node.state == "preparing":
            draft.nodes[index] = replace(
                node, state="idle", state_since=node.ready_at, ready_at=None
            )
            changed = True
        elif node.state == "leaving" and node.job_row is None:
            del draft.nodes[index]
            changed = True
    if draft.cluster.scale_mode == "auto":
        changed |= _autoscale(draft, now, rules.policy, demand)
    if draft.state == "steady":
        _begin_resize(draft, now, rules, cores_elsewhere)
        changed |= draft.state != "steady"
    if draft.state == "resizing" and draft.resize_due is not None and draft.resize_due <= now:
        changed |= _apply_resize(draft, now, rules, cores_elsewhere, preempted)
    return changed


def _autoscale(draft: _Draft, now: float, policy: ScalingPolicy, demand: int) -> bool:
    """Move an auto-scale cluster's target towards the demand of its jobs.

    Growth is immediate (queued jobs wait for it); shrinking only takes nodes that have been
    idle for ``idle_seconds_before_scale_down``, and the resize starts when the last of them
    crossed that line.
    """
    cluster = draft.cluster
    wanted = autoscale_target(
        demand, cluster.minimum_node_count or 0, cluster.maximum_node_count or 0
    )
    if wanted == draft.target:
        return False
    if wanted > draft.target:
        draft.target = wanted
        return True
    if draft.state != "steady":  # a resize in flight is not cancelled
        return False
    timeout = policy.idle_seconds_before_scale_down
    expired = sorted(
        node.state_since + timeout
        for node in draft.nodes.values()
        if node.state == "idle" and node.state_since + timeout <= now
    )
    removable = min(draft.target - wanted, len(expired))
    if removable <= 0:
        return False
    draft.target -= removable
    draft.start_resize(expired[removable - 1], policy)
    return True


def _apply_resize(
    draft: _Draft, now: float, rules: Rules, cores_elsewhere: int, preempted: list[Preemption]
) -> bool:
    """Carry out the resize that is due: add nodes (within the core quota) or remove some."""
    policy, cluster = rules.policy, draft.cluster
    due = draft.resize_due
    assert due is not None
    live = draft.live()
    errors: list[dict[str, Any]] = []
    finished = due
    if len(live) < draft.target:
        missing = draft.target - len(live)
        allowed = min(missing, draft.allowance(rules, cores_elsewhere))
        stamp = datetime.fromtimestamp(due, tz=timezone.utc).strftime("%Y%m%dt%H%M%Sz")
        for index in range(draft.next_index, draft.next_index + allowed):
            # Batch AI node ids ended with their allocation time, e.g. 20180601t120000z
            draft.nodes[index] = NodeRecord(
                cluster_row=cluster.row_id,
                node_id=f"tvm-{cluster.row_id}-{index}_{stamp}",
                node_index=index,
                state="preparing",
                job_row=None,
                state_since=due,
                ready_at=due + policy.node_preparation_seconds,
            )
        draft.next_index += allowed
        if allowed < missing:
            errors.append(
                error_body(
                    "InsufficientCoreQuota",
                    f"The cluster could allocate {len(live) + allowed} of {draft.target} nodes: "
                    f"the core quota ({rules.core_quota} {cluster.vm_priority} cores in this "
                    "location) is used up.",
                )
            )
    else:
        surplus = len(live) - draft.target
        removable = [n for n in live if n.state in ("preparing", "idle", "unusable")]
        # preparing (and unusable) nodes first, then the longest idle
        removable.sort(key=lambda n: (n.state == "idle", n.state_since, -n.node_index))
        leaving = removable[:surplus]
        surplus -= len(leaving)
        victims: list[NodeRecord] = []
        option = cluster.deallocation_option
        if surplus > 0 and option in ("requeue", "terminate"):
            busy = sorted((n for n in live if n.state == "running"), key=lambda n: -n.node_index)
            victims = busy[:surplus]
            surplus -= len(victims)
        for node in [*leaving, *victims]:
            # a node freed by a job after the resize was due leaves when it was freed
            start = max(due, node.state_since) if node.state == "idle" else due
            finished = max(finished, start)
            draft.nodes[node.node_index] = replace(
                node,
                state="leaving",
                job_row=None,
                state_since=start,
                ready_at=start + policy.node_leaving_seconds,
            )
        jobs = sorted({n.job_row for n in victims if n.job_row is not None})
        if jobs:
            assert option is not None
            for index, node in list(draft.nodes.items()):  # their other nodes come back
                if node.job_row in jobs:
                    draft.nodes[index] = replace(
                        node, state="idle", job_row=None, state_since=now, ready_at=None
                    )
            preempted.extend(Preemption(job, option, due) for job in jobs)
        # 'waitforjobcompletion': running nodes leave when their job ends, and the cluster
        # stays 'resizing' until then.
        if surplus > 0:
            return bool(leaving or victims)
    draft.state, draft.since, draft.resize_due, draft.errors = "steady", finished, None, errors
    return True


def rescale(cluster: ClusterRecord, scale: ScaleRequest) -> ClusterRecord:
    """``clusters.update`` with new scale settings (settle before and after).

    A manual cluster resizes to its new target; an auto-scale one keeps its current size within
    the new bounds and follows its jobs from there, as Batch AI did.  The stored parameters'
    ``scaleSettings`` become the new settings (GET shows them); errors are cleared.
    """
    target = scale.initial_target
    if scale.mode == "auto":
        live = sum(1 for node in cluster.nodes if node.state != "leaving")
        target = autoscale_target(live, scale.minimum or 0, scale.maximum or 0)
    parameters = dict(cluster.parameters)
    parameters["properties"] = {
        **parameters.get("properties", {}),
        "scaleSettings": scale.rest_body,
    }
    return replace(
        cluster,
        parameters=parameters,
        scale_mode=scale.mode,
        target_node_count=target,
        minimum_node_count=scale.minimum,
        maximum_node_count=scale.maximum,
        deallocation_option=scale.deallocation_option,
        errors=[],
        unreported_resize_since=None,
    )


def owe_resize_report(asked: ClusterRecord, settled: ClusterRecord, now: float) -> ClusterRecord:
    """After ``clusters.update``: ``asked`` is the cluster with its new scale settings,
    ``settled`` what settling it at ``now`` made of it.  A resize that was needed but is already
    over (instant allocation) still owes readers one ``resizing``: scripts wait for ``steady``
    after seeing ``resizing``, as the service always showed it."""
    live = sum(1 for node in asked.nodes if node.state != "leaving")
    if live != asked.target_node_count and settled.allocation_state == "steady":
        return replace(settled, unreported_resize_since=now)
    return settled


def report(cluster: ClusterRecord) -> tuple[ClusterRecord, ClusterRecord]:
    """A reader's view of ``cluster`` and the cluster once read: a resize still owed (see
    :func:`owe_resize_report`) is shown as ``resizing`` since it started, then no more."""
    since = cluster.unreported_resize_since
    if since is None:
        return cluster, cluster
    shown = replace(cluster, allocation_state="resizing", allocation_state_transition_time=since)
    return shown, replace(cluster, unreported_resize_since=None)


def next_transition_at(cluster: ClusterRecord, now: float, policy: ScalingPolicy) -> float | None:
    """When a settled ``cluster`` will next change on its own (epoch seconds), or None."""
    candidates = [node.ready_at for node in cluster.nodes if node.ready_at is not None]
    if cluster.resize_due is not None and cluster.resize_due > now:
        candidates.append(cluster.resize_due)
    if (
        cluster.scale_mode == "auto"
        and cluster.allocation_state == "steady"
        and (cluster.minimum_node_count or 0) < len(cluster.nodes)
    ):
        idle = [node.state_since for node in cluster.nodes if node.state == "idle"]
        if idle:  # an idle node of an auto-scale cluster may be scaled down
            candidates.append(min(idle) + policy.idle_seconds_before_scale_down)
    return min(candidates) if candidates else None


def idle_nodes(cluster: ClusterRecord, count: int) -> list[NodeRecord] | None:
    """``count`` idle nodes of a settled ``cluster`` (lowest indexes first: the first is the
    job's master), or None when fewer are idle: Batch AI gang-scheduled jobs."""
    idle = [node for node in cluster.nodes if node.state == "idle"][:count]
    return idle if len(idle) == count else None


# -- jobs ----------------------------------------------------------------------------------------


def start(job: JobRecord, now: float) -> JobRecord:
    """A queued job got its nodes: ``running`` from ``now``."""
    return replace(
        job,
        execution_state="running",
        execution_state_transition_time=now,
        start_time=now,
        end_time=None,
        exit_code=None,
    )


def finish(
    job: JobRecord,
    now: float,
    *,
    succeeded: bool,
    exit_code: int | None,
    errors: list[dict[str, Any]] | None = None,
    from_states: tuple[str, ...] | None = None,
) -> JobRecord | None:
    """End ``job`` (``succeeded`` or ``failed``, ``errors`` added to what it has); None when it
    already ended or, with ``from_states``, is in none of those states (a run's result must
    not end a job a scale-down has put back in the queue)."""
    if job.execution_state in FINAL_STATES:
        return None
    if from_states is not None and job.execution_state not in from_states:
        return None
    return replace(
        job,
        execution_state="succeeded" if succeeded else "failed",
        execution_state_transition_time=now,
        end_time=now,
        exit_code=exit_code,
        errors=[*job.errors, *(errors or [])],
    )


def request_termination(job: JobRecord, now: float) -> JobRecord:
    """``jobs.terminate``: a queued job fails at once (started and ended at ``now``, with the
    service's ``JobTerminated``); a running one becomes ``terminating`` (whoever runs it
    finishes it); any other job is left as it is."""
    if job.execution_state == "queued":
        return replace(
            job,
            execution_state="failed",
            execution_state_transition_time=now,
            start_time=now,
            end_time=now,
            errors=[answers.job_error(answers.JOB_TERMINATED)],
        )
    if job.execution_state == "running":
        return replace(job, execution_state="terminating", execution_state_transition_time=now)
    return job


def preempt(job: JobRecord, preemption: Preemption) -> JobRecord:
    """A scale-down took the nodes of running ``job``: back to the queue (``requeue``), or
    ``terminating`` with ``JobPreempted`` (``terminate``); whoever runs it sees the change and
    stops."""
    if preemption.option == "requeue":
        return replace(
            job,
            execution_state="queued",
            execution_state_transition_time=preemption.when,
            start_time=None,
        )
    return replace(
        job,
        execution_state="terminating",
        execution_state_transition_time=preemption.when,
        errors=[error_body("JobPreempted", "The job's nodes were removed by a cluster resize.")],
    )


def fail_for_deleted_cluster(job: JobRecord, now: float, cluster: str) -> JobRecord:
    """The job's cluster was deleted: a queued job fails, a running one is ``terminating``
    (its runner stops it), both with ``ClusterDeleted``."""
    errors = [error_body("ClusterDeleted", f"The cluster '{cluster}' was deleted.")]
    if job.execution_state == "queued":
        return replace(
            job,
            execution_state="failed",
            execution_state_transition_time=now,
            end_time=now,
            errors=errors,
        )
    if job.execution_state == "running":
        return replace(
            job, execution_state="terminating", execution_state_transition_time=now, errors=errors
        )
    return job

"""The cluster and job life cycles as pure functions: records in, records out, no SQLite.

Each test drives a transition the way the store (or a future scheduling daemon) does: a record
and a time in, the record as Batch AI would then report it out.  The durations come from a
ScalingPolicy written here, so every expected time below is arithmetic on the test's numbers.
"""

from __future__ import annotations

import pytest

from batchai_compat.backends.local.scaling import ScalingPolicy
from batchai_compat.backends.local.state import lifecycle
from batchai_compat.backends.local.state.records import (
    ClusterRecord,
    JobRecord,
    NodeRecord,
    WorkspaceKey,
)
from batchai_compat.backends.local.values import replace

T0 = 1_800_000_000.0
POLICY = ScalingPolicy(
    allocation_seconds=60,
    node_preparation_seconds=30,
    node_leaving_seconds=10,
    idle_seconds_before_scale_down=300,
)
RULES = lifecycle.Rules(POLICY, core_quota=1000)
RULES0 = lifecycle.Rules(ScalingPolicy(), core_quota=1000)  # the default policy: instant
WS = WorkspaceKey("sub", "rg", "ws")


def cluster(
    target: int,
    *,
    mode: str = "manual",
    option: str | None = "requeue",
    minimum: int | None = None,
    maximum: int | None = None,
    cores: int = 1,
    nodes: tuple[NodeRecord, ...] = (),
) -> ClusterRecord:
    """A steady cluster created at T0 (as the store inserts it)."""
    return ClusterRecord(
        row_id=7,
        workspace=WS,
        location="eastus",
        name="c",
        parameters={},
        vm_size="STANDARD_D1",
        vm_priority="dedicated",
        cores_per_node=cores,
        gpus_per_node=0,
        scale_mode=mode,
        target_node_count=target,
        minimum_node_count=minimum,
        maximum_node_count=maximum,
        deallocation_option=option,
        allocation_state="steady",
        allocation_state_transition_time=T0,
        errors=[],
        creation_time=T0,
        provisioning_state="succeeded",
        provisioning_state_transition_time=T0,
        next_node_index=len(nodes),
        nodes=nodes,
    )


def node(index: int, state: str = "idle", job: int | None = None, since: float = T0) -> NodeRecord:
    return NodeRecord(7, f"tvm-7-{index}", index, state, job, since)


def job(state: str = "queued", **fields) -> JobRecord:
    values = dict(
        row_id=11,
        workspace=WS,
        experiment="exp",
        name="job",
        job_uuid="uuid",
        parameters_json="{}",
        cluster_id="/subscriptions/sub/.../clusters/c",
        cluster_row=7,
        node_count=1,
        scheduling_priority="normal",
        tool_type="custom",
        output_path_segment="sub/rg/workspaces/ws/experiments/exp/jobs/job/uuid",
        creation_time=T0,
        provisioning_state="succeeded",
        provisioning_state_transition_time=T0,
        execution_state=state,
        execution_state_transition_time=T0,
        start_time=None,
        end_time=None,
        exit_code=None,
        errors=[],
    )
    values.update(fields)
    return JobRecord(**values)


def states(record: ClusterRecord) -> dict[str, int]:
    return {state: n for state, n in record.node_state_counts().items() if n}


# -- clusters ------------------------------------------------------------------------------------


def test_a_new_cluster_resizes_then_its_nodes_prepare_then_idle():
    created = lifecycle.begin_resize(cluster(2), T0, RULES)
    assert created.allocation_state == "resizing" and created.resize_due == T0 + 60
    assert created.nodes == ()

    early = lifecycle.settle(created, T0 + 59, RULES).cluster
    assert early == created  # nothing is due yet

    allocated = lifecycle.settle(created, T0 + 60, RULES).cluster
    assert allocated.allocation_state == "steady"
    assert allocated.allocation_state_transition_time == T0 + 60
    assert states(allocated) == {"preparing": 2}
    # Batch AI's node ids end with the allocation time (T0 is 2027-01-15 08:00:00 UTC)
    assert [n.node_id for n in allocated.nodes] == [
        "tvm-7-0_20270115t080100z",
        "tvm-7-1_20270115t080100z",
    ]

    ready = lifecycle.settle(allocated, T0 + 90, RULES).cluster
    assert states(ready) == {"idle": 2}
    assert {n.state_since for n in ready.nodes} == {T0 + 90}


def test_a_late_settle_records_each_transition_when_it_was_due():
    late = lifecycle.settle(lifecycle.begin_resize(cluster(3), T0, RULES), T0 + 3600, RULES)
    assert late.cluster.allocation_state_transition_time == T0 + 60
    assert {n.state_since for n in late.cluster.nodes} == {T0 + 90}
    assert late.preempted == ()


def test_the_core_quota_stops_a_cluster_short_with_an_error_until_cores_free_up():
    rules = lifecycle.Rules(POLICY, core_quota=12)
    short = lifecycle.settle(
        lifecycle.begin_resize(cluster(3, cores=6), T0, rules), T0 + 60, rules
    ).cluster
    assert len(short.nodes) == 2 and short.allocation_state == "steady"
    assert [e["code"] for e in short.errors] == ["InsufficientCoreQuota"]

    # still out of quota (another cluster holds 6 more cores): stays steady, keeps its error
    held = lifecycle.settle(
        short, T0 + 600, lifecycle.Rules(POLICY, core_quota=18), cores_elsewhere=6
    ).cluster
    assert held.allocation_state == "steady" and held.errors == short.errors
    assert states(held) == {"idle": 2}

    # the other cluster went away: the missing node is allocated, the error cleared
    freed = lifecycle.settle(short, T0 + 600, lifecycle.Rules(POLICY, core_quota=18)).cluster
    assert freed.allocation_state == "resizing" and freed.resize_due == T0 + 660
    grown = lifecycle.settle(freed, T0 + 660, lifecycle.Rules(POLICY, core_quota=18)).cluster
    assert len(grown.nodes) == 3 and grown.errors == []


def test_a_scale_down_removes_preparing_then_longest_idle_nodes_and_they_leave():
    nodes = (node(0, since=T0 + 5), node(1, since=T0 + 1), node(2, "preparing"))
    shrinking = lifecycle.rescale(
        cluster(3, nodes=nodes), lifecycle.ScaleRequest("manual", 1, deallocation_option="requeue")
    )
    shrinking = lifecycle.begin_resize(shrinking, T0 + 100, RULES)
    done = lifecycle.settle(shrinking, T0 + 160, RULES).cluster
    assert done.allocation_state == "steady"
    assert [(n.node_index, n.state) for n in done.nodes] == [
        (0, "idle"),
        (1, "leaving"),
        (2, "leaving"),
    ]
    gone = lifecycle.settle(done, T0 + 170, RULES).cluster
    assert [n.node_index for n in gone.nodes] == [0]


@pytest.mark.parametrize("option", ["requeue", "terminate"])
def test_a_scale_down_below_the_running_jobs_preempts_them(option):
    nodes = (node(0, "running", job=11), node(1, "running", job=11))
    shrinking = lifecycle.begin_resize(
        replace(cluster(2, option=option, nodes=nodes), target_node_count=1), T0 + 100, RULES
    )
    settled = lifecycle.settle(shrinking, T0 + 165, RULES)  # before the node is gone
    assert settled.preempted == (lifecycle.Preemption(11, option, T0 + 160),)
    # the highest index leaves; the job's other node goes back to the cluster, idle
    assert [(n.state, n.job_row) for n in settled.cluster.nodes] == [
        ("idle", None),
        ("leaving", None),
    ]

    preempted = lifecycle.preempt(job("running", start_time=T0), settled.preempted[0])
    if option == "requeue":
        assert preempted.execution_state == "queued" and preempted.start_time is None
    else:
        assert preempted.execution_state == "terminating"
        assert [e["code"] for e in preempted.errors] == ["JobPreempted"]
    assert preempted.execution_state_transition_time == T0 + 160


def test_waitforjobcompletion_keeps_resizing_until_the_job_ends():
    nodes = (node(0, "running", job=11),)
    shrinking = lifecycle.begin_resize(
        replace(cluster(1, option="waitforjobcompletion", nodes=nodes), target_node_count=0),
        T0,
        RULES,
    )
    waiting = lifecycle.settle(shrinking, T0 + 600, RULES)
    assert waiting.preempted == ()
    assert waiting.cluster.allocation_state == "resizing" and states(waiting.cluster) == {
        "running": 1
    }
    freed = replace(waiting.cluster, nodes=(node(0, "idle", since=T0 + 700),))
    done = lifecycle.settle(freed, T0 + 700, RULES).cluster
    assert done.allocation_state == "steady" and states(done) == {"leaving": 1}
    assert done.allocation_state_transition_time == T0 + 700  # when the node was freed


def test_auto_scale_grows_with_demand_and_shrinks_after_the_idle_delay():
    auto = cluster(0, mode="auto", minimum=0, maximum=3)
    growing = lifecycle.settle(auto, T0, RULES, demand=5)  # capped at the maximum
    assert growing.cluster.target_node_count == 3
    assert growing.cluster.allocation_state == "resizing"

    idle = replace(
        auto,
        target_node_count=3,
        nodes=(node(0, since=T0), node(1, since=T0 + 10), node(2, since=T0 + 20)),
    )
    assert lifecycle.next_transition_at(idle, T0 + 20, POLICY) == T0 + 300
    assert lifecycle.settle(idle, T0 + 299, RULES).cluster == idle
    shrinking = lifecycle.settle(idle, T0 + 315, RULES).cluster
    # two nodes crossed the idle delay (at T0+300 and T0+310): the resize started at the later
    assert shrinking.target_node_count == 1
    assert shrinking.allocation_state_transition_time == T0 + 310
    assert shrinking.resize_due == T0 + 370


def test_rescale_to_auto_keeps_the_current_size_within_the_bounds():
    nodes = (node(0), node(1), node(2, "leaving"))
    rescaled = lifecycle.rescale(
        cluster(2, nodes=nodes),
        lifecycle.ScaleRequest("auto", 0, minimum=0, maximum=5, rest_body={"autoScale": {}}),
    )
    assert rescaled.target_node_count == 2 and rescaled.scale_mode == "auto"
    assert rescaled.parameters == {"properties": {"scaleSettings": {"autoScale": {}}}}


def test_idle_nodes_are_all_or_nothing_lowest_index_first():
    ready = cluster(3, nodes=(node(0, "running", job=1), node(1), node(2)))
    assert [n.node_index for n in lifecycle.idle_nodes(ready, 2)] == [1, 2]
    assert lifecycle.idle_nodes(ready, 3) is None


# -- jobs ----------------------------------------------------------------------------------------


def test_a_job_runs_and_finishes_once():
    running = lifecycle.start(job(), T0 + 5)
    assert (running.execution_state, running.start_time) == ("running", T0 + 5)
    failed = lifecycle.finish(
        running, T0 + 9, succeeded=False, exit_code=3, errors=[lifecycle.error_body("X", "y")]
    )
    assert failed is not None
    assert (failed.execution_state, failed.end_time, failed.exit_code) == ("failed", T0 + 9, 3)
    assert lifecycle.finish(failed, T0 + 10, succeeded=True, exit_code=0) is None


def test_a_run_result_does_not_end_a_job_put_back_in_the_queue():
    requeued = job("queued")
    assert (
        lifecycle.finish(
            requeued, T0, succeeded=True, exit_code=0, from_states=("running", "terminating")
        )
        is None
    )


def test_terminating_a_queued_job_fails_it_a_running_one_becomes_terminating():
    assert lifecycle.request_termination(job("queued"), T0).execution_state == "failed"
    assert lifecycle.request_termination(job("running"), T0).execution_state == "terminating"
    finished = job("succeeded")
    assert lifecycle.request_termination(finished, T0) is finished


def test_deleting_the_cluster_fails_queued_jobs_and_stops_running_ones():
    queued = lifecycle.fail_for_deleted_cluster(job("queued"), T0, "c")
    running = lifecycle.fail_for_deleted_cluster(job("running"), T0, "c")
    assert (queued.execution_state, running.execution_state) == ("failed", "terminating")
    assert {e["code"] for e in [*queued.errors, *running.errors]} == {"ClusterDeleted"}


def test_a_resize_over_at_once_is_still_reported_once():
    nodes = (node(0),)
    asked = lifecycle.rescale(cluster(1, nodes=nodes), lifecycle.ScaleRequest("manual", 2))
    settled = lifecycle.settle(lifecycle.begin_resize(asked, T0, RULES0), T0, RULES0).cluster
    assert settled.allocation_state == "steady" and len(settled.nodes) == 2  # instant
    owed = lifecycle.owe_resize_report(asked, settled, T0)
    shown, read = lifecycle.report(owed)
    assert (shown.allocation_state, shown.allocation_state_transition_time) == ("resizing", T0)
    assert read.unreported_resize_since is None
    assert lifecycle.report(read) == (read, read)  # the second reader sees it steady


def test_a_resize_still_in_flight_owes_nothing():
    asked = lifecycle.rescale(cluster(0), lifecycle.ScaleRequest("manual", 1))
    in_flight = lifecycle.begin_resize(asked, T0, RULES)  # 60 s allocation
    assert lifecycle.owe_resize_report(asked, in_flight, T0) == in_flight
    unchanged = lifecycle.rescale(cluster(0), lifecycle.ScaleRequest("manual", 0))
    assert lifecycle.owe_resize_report(unchanged, unchanged, T0).unreported_resize_since is None

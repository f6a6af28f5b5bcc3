"""Cluster life cycle on the local backend, driven by a ManualClock (no sleeping).

Batch AI semantics: ``allocation_state`` resizing -> steady, nodes preparing -> idle -> running
-> leaving, manual targets with a deallocation option, auto-scale between min and max following
the queued jobs, node counts limited by the core quota.
"""

from __future__ import annotations

import concurrent.futures

import pytest

from batchai_compat import BatchAIManagementClient, models
from batchai_compat.backends.local import vm_sizes
from batchai_compat.backends.local.scaling import ScalingPolicy

SUBSCRIPTION = "00000000-0000-0000-0000-00000000beef"
RG, WS, EXP = "rg-local", "ws1", "exp1"

POLICY = ScalingPolicy(
    allocation_seconds=60,
    node_preparation_seconds=30,
    node_leaving_seconds=10,
    idle_seconds_before_scale_down=300,
)


@pytest.fixture
def env(make_backend, clock):
    """(client, backend) with a slow, deterministic cluster life cycle."""
    backend = make_backend(clock=clock, policy=POLICY)
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=backend)
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()
    return client, backend


def manual(target, option=None):
    kwargs = {"target_node_count": target}
    if option is not None:
        kwargs["node_deallocation_option"] = option
    return models.ScaleSettings(manual=models.ManualScaleSettings(**kwargs))


def auto(minimum, maximum, initial=None):
    return models.ScaleSettings(
        auto_scale=models.AutoScaleSettings(
            minimum_node_count=minimum, maximum_node_count=maximum, initial_node_count=initial
        )
    )


def create_cluster(client, name, scale, vm_size="STANDARD_D1_V2", priority=None):
    params = models.ClusterCreateParameters(
        vm_size=vm_size,
        scale_settings=scale,
        user_account_settings=models.UserAccountSettings(admin_user_name="u"),
    )
    if priority is not None:
        params.vm_priority = priority
    return client.clusters.create(RG, WS, name, params).result()


def submit(client, cluster, name, node_count=1, priority="normal"):
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=node_count,
        scheduling_priority=priority,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
    )
    client.jobs.create(RG, WS, EXP, name, params).result()
    return name


def job_row(backend, name):
    from batchai_compat.backends.local.state import JobKey

    return backend.store.get_job(JobKey(SUBSCRIPTION, RG, WS, EXP, name)).row_id


def counts(cluster):
    c = cluster.node_state_counts
    return {
        "idle": c.idle_node_count,
        "running": c.running_node_count,
        "preparing": c.preparing_node_count,
        "leaving": c.leaving_node_count,
        "unusable": c.unusable_node_count,
    }


def nonzero(cluster):
    return {state: n for state, n in counts(cluster).items() if n}


# -- manual clusters ---------------------------------------------------------------------------


def test_manual_cluster_allocates_through_resizing_preparing_idle(env, clock):
    client, _ = env
    created = create_cluster(client, "c", manual(2))
    t0 = created.creation_time
    assert created.allocation_state == "resizing"
    assert created.current_node_count == 0 and nonzero(created) == {}

    clock.advance(59)
    assert client.clusters.get(RG, WS, "c").allocation_state == "resizing"

    clock.advance(1)
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "steady"
    assert (cluster.allocation_state_transition_time - t0).total_seconds() == 60
    assert cluster.current_node_count == 2 and nonzero(cluster) == {"preparing": 2}

    clock.advance(30)
    cluster = client.clusters.get(RG, WS, "c")
    assert nonzero(cluster) == {"idle": 2}
    logins = list(client.clusters.list_remote_login_information(RG, WS, "c"))
    assert len(logins) == 2
    assert {login.ip_address for login in logins} == {"127.0.0.1"}
    assert len({login.node_id for login in logins}) == 2
    assert len({login.port for login in logins}) == 2


def test_one_late_read_applies_every_transition_due(env, clock):
    client, _ = env
    create_cluster(client, "c", manual(3))
    clock.advance(3600)
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "steady" and nonzero(cluster) == {"idle": 3}


def test_manual_scale_down_nodes_leave_then_disappear(env, clock):
    client, _ = env
    create_cluster(client, "c", manual(3))
    clock.advance(90)
    updated = client.clusters.update(RG, WS, "c", scale_settings=manual(1))
    assert updated.allocation_state == "resizing"
    assert updated.scale_settings.manual.target_node_count == 1
    assert updated.scale_settings.auto_scale is None
    clock.advance(60)
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "steady"
    assert nonzero(cluster) == {"idle": 1, "leaving": 2} and cluster.current_node_count == 3
    clock.advance(10)
    cluster = client.clusters.get(RG, WS, "c")
    assert nonzero(cluster) == {"idle": 1} and cluster.current_node_count == 1
    assert len(list(client.clusters.list_remote_login_information(RG, WS, "c"))) == 1


def test_update_without_scale_settings_changes_nothing(env, clock):
    client, _ = env
    before = create_cluster(client, "c", manual(1))
    after = client.clusters.update(RG, WS, "c")
    assert after.scale_settings == before.scale_settings
    assert after.allocation_state_transition_time == before.allocation_state_transition_time


def _running_job_on_two_nodes(client, backend, clock, option):
    cluster = create_cluster(client, "c", manual(2, option))
    clock.advance(90)
    submit(client, cluster, "job", node_count=2)
    nodes = backend.store.allocate_nodes(job_row(backend, "job"))
    assert nodes is not None and len(nodes) == 2
    assert client.jobs.get(RG, WS, EXP, "job").execution_state == "running"
    assert nonzero(client.clusters.get(RG, WS, "c")) == {"running": 2}


def test_scale_down_waitforjobcompletion_waits_for_the_job(env, clock):
    client, backend = env
    _running_job_on_two_nodes(client, backend, clock, "waitforjobcompletion")
    client.clusters.update(RG, WS, "c", scale_settings=manual(0, "waitforjobcompletion"))
    clock.advance(600)
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "resizing" and nonzero(cluster) == {"running": 2}
    assert client.jobs.get(RG, WS, EXP, "job").execution_state == "running"

    assert backend.store.finish_job(job_row(backend, "job"), succeeded=True, exit_code=0)
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "steady" and nonzero(cluster) == {"leaving": 2}
    clock.advance(10)
    assert client.clusters.get(RG, WS, "c").current_node_count == 0


def test_scale_down_requeue_puts_the_job_back_in_the_queue(env, clock):
    client, backend = env
    _running_job_on_two_nodes(client, backend, clock, "requeue")
    client.clusters.update(RG, WS, "c", scale_settings=manual(1, "requeue"))
    clock.advance(60)
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "steady"
    assert nonzero(cluster) == {"idle": 1, "leaving": 1}
    job = client.jobs.get(RG, WS, EXP, "job")
    assert job.execution_state == "queued"
    assert backend.store.job_nodes(job_row(backend, "job")) == []


def test_scale_down_terminate_ends_the_job(env, clock):
    client, backend = env
    _running_job_on_two_nodes(client, backend, clock, "terminate")
    client.clusters.update(RG, WS, "c", scale_settings=manual(0, "terminate"))
    assert client.jobs.get(RG, WS, EXP, "job").execution_state == "running"
    clock.advance(60)  # the scale-down happens during this read
    assert nonzero(client.clusters.get(RG, WS, "c")) == {"leaving": 2}
    job = client.jobs.get(RG, WS, EXP, "job")
    # QueuedJobsExecutor has no process to stop: terminating -> failed at once
    assert job.execution_state == "failed"
    assert [e.code for e in job.execution_info.errors] == ["JobPreempted"]


# -- auto-scale ----------------------------------------------------------------------------------


def test_auto_scale_grows_for_queued_jobs_up_to_max_and_shrinks_when_idle(env, clock):
    client, backend = env
    cluster = create_cluster(client, "a", auto(0, 3))
    assert cluster.scale_settings.manual is None
    assert cluster.scale_settings.auto_scale.maximum_node_count == 3
    assert cluster.allocation_state == "steady" and cluster.current_node_count == 0

    submit(client, cluster, "big", node_count=2)
    row = job_row(backend, "big")
    assert backend.store.allocate_nodes(row) is None  # no node yet: the cluster grows
    growing = client.clusters.get(RG, WS, "a")
    assert growing.allocation_state == "resizing"
    assert backend.store.next_transition_at(growing_row(backend)) == clock.time() + 60

    clock.advance(90)
    nodes = backend.store.allocate_nodes(row)
    assert nodes is not None and [n.node_index for n in nodes] == [0, 1]
    assert nonzero(client.clusters.get(RG, WS, "a")) == {"running": 2}
    login = list(client.jobs.list_remote_login_information(RG, WS, EXP, "big"))
    assert sorted(x.node_id for x in login) == sorted(n.node_id for n in nodes)

    submit(client, cluster, "huge", node_count=5)  # demand 7, capped at max 3
    clock.advance(90)
    cluster_now = client.clusters.get(RG, WS, "a")
    assert cluster_now.current_node_count == 3
    assert backend.store.allocate_nodes(job_row(backend, "huge")) is None  # never fits

    client.jobs.delete(RG, WS, EXP, "huge").result()
    assert backend.store.finish_job(row, succeeded=True, exit_code=0)
    assert nonzero(client.clusters.get(RG, WS, "a")) == {"idle": 3}
    clock.advance(299)
    assert nonzero(client.clusters.get(RG, WS, "a")) == {"idle": 3}  # not idle long enough
    clock.advance(1)
    assert client.clusters.get(RG, WS, "a").allocation_state == "resizing"
    clock.advance(70)
    cluster_now = client.clusters.get(RG, WS, "a")
    assert cluster_now.allocation_state == "steady" and cluster_now.current_node_count == 0


def growing_row(backend):
    from batchai_compat.backends.local.state import ClusterKey

    return backend.store.get_cluster(ClusterKey(SUBSCRIPTION, RG, WS, "a")).row_id


def test_auto_scale_keeps_the_minimum_and_starts_at_initial(env, clock):
    client, _ = env
    create_cluster(client, "a", auto(1, 4, initial=3))
    clock.advance(90)
    assert nonzero(client.clusters.get(RG, WS, "a")) == {"idle": 3}
    clock.advance(300)  # idle past the scale-down delay: back to the minimum, never below
    clock.advance(70)
    cluster = client.clusters.get(RG, WS, "a")
    assert nonzero(cluster) == {"idle": 1} and cluster.allocation_state == "steady"
    clock.advance(10_000)
    assert client.clusters.get(RG, WS, "a").current_node_count == 1


def test_switching_a_cluster_between_manual_and_auto_scale(env, clock):
    client, _ = env
    create_cluster(client, "c", manual(2))
    clock.advance(90)
    switched = client.clusters.update(RG, WS, "c", scale_settings=auto(0, 5))
    assert switched.scale_settings.manual is None
    assert switched.scale_settings.auto_scale.maximum_node_count == 5
    assert switched.current_node_count == 2  # auto-scale starts from the current size
    back = client.clusters.update(RG, WS, "c", scale_settings=manual(4))
    assert back.scale_settings.auto_scale is None
    clock.advance(90)
    assert nonzero(client.clusters.get(RG, WS, "c")) == {"idle": 4}


# -- scheduling API --------------------------------------------------------------------------


def test_allocation_is_all_or_nothing(env, clock):
    client, backend = env
    cluster = create_cluster(client, "c", manual(1))
    clock.advance(90)
    submit(client, cluster, "two", node_count=2)
    assert backend.store.allocate_nodes(job_row(backend, "two")) is None
    assert nonzero(client.clusters.get(RG, WS, "c")) == {"idle": 1}
    assert client.jobs.get(RG, WS, EXP, "two").execution_state == "queued"


def test_queued_jobs_by_priority_then_age(env, clock):
    client, backend = env
    cluster = create_cluster(client, "c", manual(0))
    for name, priority in [("n1", "normal"), ("l1", "low"), ("h1", "high"), ("n2", "normal")]:
        submit(client, cluster, name, priority=priority)
        clock.advance(1)
    assert [job.name for job in backend.store.queued_jobs()] == ["h1", "n1", "n2", "l1"]


def test_concurrent_allocation_never_double_books_a_node(env, clock):
    client, backend = env
    cluster = create_cluster(client, "c", manual(3))
    clock.advance(90)
    rows = [job_row(backend, submit(client, cluster, f"j{i}")) for i in range(12)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(backend.store.allocate_nodes, rows))
    granted = [nodes for nodes in results if nodes is not None]
    assert len(granted) == 3
    assert len({nodes[0].node_id for nodes in granted}) == 3
    states = [client.jobs.get(RG, WS, EXP, f"j{i}").execution_state for i in range(12)]
    assert states.count("running") == 3 and states.count("queued") == 9


def test_finished_job_cannot_be_finished_twice_and_frees_its_nodes(env, clock):
    client, backend = env
    cluster = create_cluster(client, "c", manual(1))
    clock.advance(90)
    row = job_row(backend, submit(client, cluster, "j"))
    assert backend.store.allocate_nodes(row) is not None
    assert backend.store.finish_job(row, succeeded=False, exit_code=3)
    assert not backend.store.finish_job(row, succeeded=True, exit_code=0)
    job = client.jobs.get(RG, WS, EXP, "j")
    assert job.execution_state == "failed" and job.execution_info.exit_code == 3
    assert job.execution_info.start_time <= job.execution_info.end_time
    assert nonzero(client.clusters.get(RG, WS, "c")) == {"idle": 1}


# -- quota and usages ------------------------------------------------------------------------


def test_core_quota_limits_allocation_and_reports_an_error(make_backend, clock):
    backend = make_backend(clock=clock, core_quota=12)
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=backend)
    client.workspaces.create(RG, WS, "eastus").result()
    nc6 = vm_sizes.lookup("Standard_NC6")
    create_cluster(client, "gpu", manual(3), vm_size="Standard_NC6")
    cluster = client.clusters.get(RG, WS, "gpu")
    assert cluster.allocation_state == "steady"
    assert cluster.current_node_count == 12 // nc6.cores
    assert [e.code for e in cluster.errors] == ["InsufficientCoreQuota"]
    usage = {u.name.value: u for u in client.usages.list("eastus")}
    dedicated = usage["Total Cluster Dedicated Regional vCPUs"]
    assert dedicated.current_value == 12 and dedicated.limit == 12
    assert usage["Standard NC Family Cluster Dedicated vCPUs"].current_value == 12
    assert usage["Total Cluster LowPriority Regional vCPUs"].current_value == 0

    create_cluster(client, "cpu", manual(1), vm_size="Standard_D1_v2")
    assert client.clusters.get(RG, WS, "cpu").current_node_count == 0
    client.clusters.delete(RG, WS, "gpu").result()
    cpu = client.clusters.get(RG, WS, "cpu")
    assert cpu.current_node_count == 1 and cpu.errors is None


def test_usages_count_cores_by_vm_size_and_priority(env, clock):
    client, _ = env
    create_cluster(client, "gpu", manual(2), vm_size="Standard_NC24")
    create_cluster(client, "low", manual(3), vm_size="standard_d2_v2", priority="lowpriority")
    create_cluster(client, "odd", manual(2), vm_size="Standard_Unknown_Size")
    clock.advance(60)
    usage = {u.name.value: u for u in client.usages.list("EastUS")}
    nc24, d2_v2 = vm_sizes.lookup("Standard_NC24"), vm_sizes.lookup("standard_d2_v2")
    dedicated = 2 * nc24.cores + 2 * vm_sizes.UNKNOWN_SIZE.cores
    assert usage["Total Cluster Dedicated Regional vCPUs"].current_value == dedicated
    assert usage[f"Standard {nc24.family} Family Cluster Dedicated vCPUs"].current_value == (
        2 * nc24.cores
    )  # the unknown size counts in the regional total only
    low = usage["Total Cluster LowPriority Regional vCPUs"]
    assert low.current_value == 3 * d2_v2.cores
    assert low.name.localized_value == "Total Cluster Low Priority Regional vCPUs"
    assert usage[f"Standard {d2_v2.family} Family Cluster LowPriority vCPUs"].current_value == (
        3 * d2_v2.cores
    )
    assert usage["Clusters"].current_value == 3
    assert {u.unit for u in usage.values()} == {"Count"}
    assert {u.current_value for u in client.usages.list("westus")} == {0}


def test_core_quota_from_environment(make_backend, monkeypatch):
    from batchai_compat.exceptions import ValidationError

    monkeypatch.setenv("BATCHAI_COMPAT_CORE_QUOTA", "48")
    limits = {u.name.value: u.limit for u in make_backend().list_usages("eastus")}
    assert limits.pop("Clusters") == 20  # the service's cluster quota per location
    assert set(limits.values()) == {48}
    monkeypatch.setenv("BATCHAI_COMPAT_CORE_QUOTA", "lots")
    with pytest.raises(ValidationError, match="BATCHAI_COMPAT_CORE_QUOTA"):
        make_backend()


def test_vm_size_table_knows_the_recipe_sizes():
    assert vm_sizes.lookup("Standard_NC6") == vm_sizes.VmSize(6, 1, "NC")
    assert vm_sizes.lookup("STANDARD_D1") == vm_sizes.VmSize(1, 0, "D")  # the SDK tests' size
    assert vm_sizes.lookup("standard_nc24rs_v3").gpus == 4
    assert vm_sizes.is_known("STANDARD_D1_V2")
    assert not vm_sizes.is_known("Standard_Imaginary")
    assert vm_sizes.lookup("Standard_Imaginary") == vm_sizes.UNKNOWN_SIZE


def test_default_policy_is_quick_and_reports_resizing_first(make_backend):
    backend = make_backend()  # SystemClock, default ScalingPolicy
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=backend)
    client.workspaces.create(RG, WS, "eastus").result()
    created = create_cluster(client, "c", manual(2))
    assert created.allocation_state == "resizing"
    cluster = client.clusters.get(RG, WS, "c")
    assert cluster.allocation_state == "steady" and nonzero(cluster) == {"idle": 2}


def test_an_instant_resize_is_still_reported_to_the_next_read(make_backend):
    backend = make_backend()  # default policy: allocation is instant
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=backend)
    client.workspaces.create(RG, WS, "eastus").result()
    create_cluster(client, "c", manual(0))
    assert client.clusters.get(RG, WS, "c").allocation_state == "steady"
    updated = client.clusters.update(RG, WS, "c", scale_settings=manual(1))
    assert updated.allocation_state == "resizing" and updated.current_node_count == 1
    # reads that show no allocation state leave the report owed
    assert len(list(client.clusters.list_remote_login_information(RG, WS, "c"))) == 1
    seen = client.clusters.get(RG, WS, "c")
    assert seen.allocation_state == "resizing"
    assert seen.allocation_state_transition_time == updated.allocation_state_transition_time
    assert client.clusters.get(RG, WS, "c").allocation_state == "steady"
    listed = list(client.clusters.list_by_workspace(RG, WS))
    assert [c.allocation_state for c in listed] == ["steady"]

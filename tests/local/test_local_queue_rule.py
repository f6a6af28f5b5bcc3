"""Batch AI's queue rule (``scheduler.next_starts``) on real store records: priority first, then
submission order; a job waiting for nodes holds up the jobs behind it, except one the cluster
cannot hold at all."""

from __future__ import annotations

import batchai_compat.models as models
from batchai_compat.backends.local.scheduler import cluster_capacity, next_starts
from batchai_compat.backends.local.state import ClusterKey

from .conftest import EXP, RG, SUBSCRIPTION, WS


def _cluster(client, name: str, nodes: int) -> str:
    return (
        client.clusters.create(
            RG,
            WS,
            name,
            models.ClusterCreateParameters(
                vm_size="STANDARD_D1",
                scale_settings=models.ScaleSettings(
                    manual=models.ManualScaleSettings(target_node_count=nodes)
                ),
                user_account_settings=models.UserAccountSettings(admin_user_name="u"),
            ),
        )
        .result()
        .id
    )


def _job(client, cluster_id: str, name: str, nodes: int = 1, priority: str = "normal") -> None:
    client.jobs.create(
        RG,
        WS,
        EXP,
        name,
        models.JobCreateParameters(
            cluster=models.ResourceId(id=cluster_id),
            node_count=nodes,
            scheduling_priority=priority,
            std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
            custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
        ),
    ).result()


def _plan(backend, cluster: str, held=lambda job: False) -> list[str]:
    record = backend.store.get_cluster(ClusterKey(SUBSCRIPTION, RG, WS, cluster))
    queue = backend.store.queued_jobs(record.row_id)
    return [job.name for job in next_starts(record, queue, held)]


def test_priority_then_submission_order(client, backend, workspace):
    cluster_id = _cluster(client, "c", 3)
    for name, priority in [("l1", "low"), ("n1", "normal"), ("h1", "high"), ("n2", "normal")]:
        _job(client, cluster_id, name, priority=priority)
    assert [j.name for j in backend.store.queued_jobs()] == ["h1", "n1", "n2", "l1"]
    assert _plan(backend, "c") == ["h1", "n1", "n2"]  # three idle nodes


def test_a_waiting_job_holds_up_smaller_ones_behind_it(client, backend, workspace):
    cluster_id = _cluster(client, "c", 2)
    _job(client, cluster_id, "one", nodes=1)
    _job(client, cluster_id, "two", nodes=2)
    _job(client, cluster_id, "three", nodes=1)
    assert _plan(backend, "c") == ["one"]  # 'two' waits for both nodes; 'three' waits too


def test_a_job_larger_than_the_cluster_holds_nobody_up(client, backend, workspace):
    cluster_id = _cluster(client, "c", 1)
    _job(client, cluster_id, "huge", nodes=3)
    _job(client, cluster_id, "small", nodes=1)
    cluster = backend.store.get_cluster(ClusterKey(SUBSCRIPTION, RG, WS, "c"))
    assert cluster_capacity(cluster) == 1
    assert _plan(backend, "c") == ["small"]


def test_a_held_job_keeps_its_place(client, backend, workspace):
    cluster_id = _cluster(client, "c", 2)
    _job(client, cluster_id, "first")
    _job(client, cluster_id, "second")
    assert _plan(backend, "c", held=lambda job: job.name == "first") == []
    assert _plan(backend, "c", held=lambda job: job.name == "second") == ["first"]

"""The local control plane is shared: two backends, two processes, many threads, one SQLite file."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import textwrap

import pytest

from batchai_compat import BatchAIManagementClient, models
from batchai_compat.exceptions import CloudError

SUBSCRIPTION = "00000000-0000-0000-0000-00000000beef"
RG, WS, EXP = "rg-local", "ws1", "exp1"

# A second process: the public client on a LocalBackend whose jobs stay queued, driven by
# commands on argv; prints JSON.
CHILD = textwrap.dedent(
    """
    import json, sys, types
    from batchai_compat import BatchAIManagementClient, models
    from batchai_compat.backends.local.backend import LocalBackend, QueuedJobsExecutor

    config = types.SimpleNamespace(subscription_id=sys.argv[1], credentials=object(),
                                   base_url="", long_running_operation_timeout=30)
    backend = LocalBackend(config, executor=QueuedJobsExecutor)
    client = BatchAIManagementClient(object(), sys.argv[1], backend=backend)
    rg, ws, exp = "rg-local", "ws1", "exp1"
    command = sys.argv[2]
    out = {}
    if command == "create":
        client.workspaces.create(rg, ws, "eastus", tags={"by": "child"}).result()
        client.experiments.create(rg, ws, exp).result()
        client.clusters.create(rg, ws, "c1", models.ClusterCreateParameters(
            vm_size="Standard_NC6",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=2)),
            user_account_settings=models.UserAccountSettings(admin_user_name="u"),
        )).result()
    elif command == "read-job":
        job = client.jobs.get(rg, ws, exp, "from-parent")
        out = {"state": str(job.execution_state),
               "segment": job.job_output_directory_path_segment,
               "nodes": client.clusters.get(rg, ws, "c1").current_node_count}
    elif command == "jobs":
        cluster_id = client.clusters.get(rg, ws, "c1").id
        prefix, count = sys.argv[3], int(sys.argv[4])
        for i in range(count):
            client.jobs.create(rg, ws, exp, f"{prefix}-{i}", models.JobCreateParameters(
                cluster=models.ResourceId(id=cluster_id), node_count=1,
                std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
                custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
            )).result()
    elif command == "allocate":
        from batchai_compat.backends.local.state import JobKey
        granted = []
        for name in sys.argv[3:]:
            row = backend.store.get_job(JobKey(sys.argv[1], rg, ws, exp, name)).row_id
            nodes = backend.store.allocate_nodes(row)
            if nodes is not None:
                granted.append([name, [node.node_id for node in nodes]])
        out = {"granted": granted}
    backend.close()
    print(json.dumps(out))
    """
)


def run_child(*args: str, wait: bool = True):
    command = [sys.executable, "-c", CHILD, SUBSCRIPTION, *args]
    env = dict(os.environ)  # BATCHAI_COMPAT_HOME of this test
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def job_params(cluster_id: str) -> models.JobCreateParameters:
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
    )


def test_two_backends_in_one_process_share_state(make_backend):
    first = BatchAIManagementClient(object(), SUBSCRIPTION, backend=make_backend())
    second = BatchAIManagementClient(object(), SUBSCRIPTION, backend=make_backend())
    first.workspaces.create(RG, WS, "eastus").result()
    first.experiments.create(RG, WS, EXP).result()
    assert second.workspaces.get(RG, WS).location == "eastus"
    assert [e.name for e in second.experiments.list_by_workspace(RG, WS)] == [EXP]
    second.experiments.delete(RG, WS, EXP).result()
    with pytest.raises(CloudError) as caught:
        first.experiments.get(RG, WS, EXP)
    assert caught.value.response.status_code == 404


def test_state_survives_the_backend_and_is_seen_by_another_process(make_backend):
    # A child process creates; this process reads.
    run_child("create")
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=make_backend())
    assert client.workspaces.get(RG, WS).tags == {"by": "child"}
    cluster = client.clusters.get(RG, WS, "c1")
    assert cluster.vm_size == "Standard_NC6" and cluster.current_node_count == 2

    # This process creates a job; a new child process reads it.
    created = client.jobs.create(RG, WS, EXP, "from-parent", job_params(cluster.id)).result()
    seen = run_child("read-job")
    assert seen == {
        "state": "queued",
        "segment": created.job_output_directory_path_segment,
        "nodes": 2,
    }


def test_processes_create_jobs_concurrently(make_backend):
    run_child("create")
    children = [run_child("jobs", f"p{n}", "15", wait=False) for n in range(3)]
    for child in children:
        assert child.wait(timeout=120) == 0
        child.stdout.close()
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=make_backend())
    jobs = list(client.jobs.list_by_experiment(RG, WS, EXP))
    assert sorted(j.name for j in jobs) == sorted(f"p{n}-{i}" for n in range(3) for i in range(15))
    assert len({j.job_output_directory_path_segment for j in jobs}) == 45


def test_tens_of_jobs_from_a_thread_pool(client, backend):
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()
    cluster = client.clusters.create(
        RG,
        WS,
        "c1",
        models.ClusterCreateParameters(
            vm_size="Standard_NC6",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=1)
            ),
            user_account_settings=models.UserAccountSettings(admin_user_name="u"),
        ),
    ).result()

    def create(index: int) -> models.Job:
        return client.jobs.create(RG, WS, EXP, f"job-{index:02d}", job_params(cluster.id)).result()

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        created = list(pool.map(create, range(48)))
        # same-name creates racing each other: one job, the others get it back
        again = list(pool.map(lambda _: create(7), range(8)))
        # readers while writers work
        reads = list(pool.map(lambda i: client.jobs.get(RG, WS, EXP, f"job-{i:02d}"), range(48)))

    assert sorted(job.name for job in created) == [f"job-{i:02d}" for i in range(48)]
    assert {job.job_output_directory_path_segment for job in again} == {
        created[7].job_output_directory_path_segment
    }
    assert [job.execution_state for job in reads] == ["queued"] * 48
    listed = list(client.jobs.list_by_experiment(RG, WS, EXP))
    assert len(listed) == 48
    assert len({job.job_output_directory_path_segment for job in listed}) == 48
    assert len(backend.store.queued_jobs()) == 48


def test_racing_creates_of_one_workspace_make_one(make_backend):
    backends = [make_backend() for _ in range(4)]

    def create(index: int):
        backend = backends[index % 4]
        backend.create_workspace(RG, WS, "eastus", None)
        return backend.create_experiment(RG, WS, EXP)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        experiments = list(pool.map(create, range(16)))
    assert len({e.creation_time for e in experiments}) == 1
    assert len(backends[0].list_workspaces(None)) == 1


def test_database_runs_in_wal_mode(backend, batchai_home):
    import sqlite3

    conn = sqlite3.connect(batchai_home / "state.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_processes_allocating_nodes_never_share_one(make_backend):
    run_child("create")  # a 2-node cluster
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=make_backend())
    cluster_id = client.clusters.get(RG, WS, "c1").id
    names = [f"j{i}" for i in range(9)]
    for name in names:
        client.jobs.create(RG, WS, EXP, name, job_params(cluster_id)).result()
    children = [run_child("allocate", *names[i::3], wait=False) for i in range(3)]
    granted = []
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        granted += json.loads(out)["granted"]
    assert len(granted) == 2
    assert len({node for _, nodes in granted for node in nodes}) == 2
    running = [
        j.name
        for j in client.jobs.list_by_experiment(RG, WS, EXP)
        if j.execution_state == "running"
    ]
    assert sorted(running) == sorted(name for name, _ in granted)


def test_a_state_file_of_the_previous_schema_is_migrated_and_a_newer_one_refused(
    make_backend, batchai_home
):
    import sqlite3

    from batchai_compat.backends.local.state.schema import SCHEMA_VERSION

    backend = make_backend()
    client = BatchAIManagementClient(object(), SUBSCRIPTION, backend=backend)
    client.workspaces.create(RG, WS, "eastus").result()
    params = models.ClusterCreateParameters(
        vm_size="Standard_D1",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
        user_account_settings=models.UserAccountSettings(admin_user_name="u"),
    )
    client.clusters.create(RG, WS, "c1", params).result()
    path = backend.store.path
    backend.close()

    def rewrite(*statements):
        db = sqlite3.connect(path)
        try:
            for statement in statements:
                db.execute(statement)
            db.commit()
            return db.execute("PRAGMA user_version").fetchone()[0]
        finally:
            db.close()

    # as the first schema wrote it: no column for a resize owed to readers
    rewrite("ALTER TABLE clusters DROP COLUMN unreported_resize_since", "PRAGMA user_version = 1")
    reopened = make_backend()
    assert reopened.get_cluster(RG, WS, "c1").current_node_count == 1
    assert rewrite() == SCHEMA_VERSION
    reopened.update_cluster(
        RG, WS, "c1", models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=2))
    )
    assert reopened.get_cluster(RG, WS, "c1").allocation_state == "resizing"  # the new column
    reopened.close()

    rewrite(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer batchai_compat"):
        make_backend()

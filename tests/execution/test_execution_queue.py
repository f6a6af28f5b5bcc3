"""The local backend at the scale of a sweep (issue 14): a queued job is a row, the home's
scheduler daemon works the queue in Batch AI's order with no client alive, and the database
tells the truth without anyone reading jobs through the client.

Submitters run in child processes that exit before the queue drains; this process only reads
the state database with ``sqlite3`` and counts processes through ``/proc``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from batchai_compat.home.helpers import SCHEDULER, read_record
from batchai_compat.home.processes import find_supervisors

pytestmark = pytest.mark.slow

RG, WS, EXP = "rg", "ws", "exp"

_SUBMITTER = textwrap.dedent(
    """
    import json, sys
    import batchai_compat.models as models
    from batchai_compat import BatchAIManagementClient

    spec = json.loads(sys.argv[1])
    client = BatchAIManagementClient(object(), "sub-1", backend="local")
    client.workspaces.create("rg", "ws", "eastus").result()
    client.experiments.create("rg", "ws", "exp").result()
    cluster = client.clusters.create(
        "rg", "ws", spec["cluster"],
        models.ClusterCreateParameters(
            vm_size="STANDARD_D1",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=spec["nodes"])
            ),
            user_account_settings=models.UserAccountSettings(admin_user_name="u"),
        ),
    ).result()
    for name, command, priority in spec["jobs"]:
        client.jobs.create(
            "rg", "ws", "exp", name,
            models.JobCreateParameters(
                cluster=models.ResourceId(id=cluster.id),
                node_count=1,
                scheduling_priority=priority,
                std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
                custom_toolkit_settings=models.CustomToolkitSettings(command_line=command),
            ),
        ).result()
    """
)


def submit(
    home: Path, cluster: str, nodes: int, jobs: list[tuple[str, str, str]], **env: str
) -> None:
    """Submit ``jobs`` (name, command, priority) from a child process that then exits (its
    environment: ``env`` and no more)."""
    env = {"BATCHAI_COMPAT_HOME": str(home), "PATH": "/usr/bin:/bin", **env}
    spec = json.dumps({"cluster": cluster, "nodes": nodes, "jobs": jobs})
    done = subprocess.run(
        [sys.executable, "-c", _SUBMITTER, spec],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def states(home: Path) -> dict[str, int]:
    """Jobs per execution state, read straight from the state database (no client)."""
    with sqlite3.connect(home / "state.db", timeout=60) as db:
        rows = db.execute("SELECT execution_state, count(*) FROM jobs GROUP BY 1").fetchall()
    return dict(rows)


def test_a_few_hundred_queued_jobs_cost_no_process_and_all_run_with_no_client_alive(
    batchai_home: Path,
):
    jobs = [(f"sweep-{i:03d}", "true", "normal") for i in range(300)]
    submit(batchai_home, "pool", 2, jobs)  # the submitting process has exited

    seen: list[dict[str, int]] = []
    most_processes = 0
    deadline = time.monotonic() + 600
    while True:
        counts = states(batchai_home)
        seen.append(counts)
        # Helpers (at most 2) + per node the running job's supervisor and node runtime, and
        # the supervisor of the job that just ended there, still exiting: never a process
        # per queued job.
        processes = len(find_supervisors(batchai_home))
        most_processes = max(most_processes, processes)
        assert processes <= 2 + 3 * 2, (processes, counts)
        if counts.get("succeeded", 0) + counts.get("failed", 0) == len(jobs):
            break
        assert time.monotonic() < deadline, f"the queue did not drain: {counts}"
        time.sleep(0.05)

    assert seen[-1] == {"succeeded": len(jobs)}
    # Another process (this one) saw the states move while nobody called jobs.get.
    succeeded = [counts.get("succeeded", 0) for counts in seen]
    assert succeeded == sorted(succeeded) and len(set(succeeded)) > 3
    assert any(counts.get("queued", 0) > 0 for counts in seen)
    assert most_processes >= 1  # the daemon was seen working


def test_priority_first_then_submission_order_with_no_client_alive(batchai_home: Path):
    """One node; the first job holds it while the others queue.  They then run highest
    ``scheduling_priority`` first and, within a priority, in the order they were submitted."""
    gate = batchai_home / "gate"
    order = batchai_home / "order.txt"
    first = f"while [ ! -e {gate} ]; do sleep 0.02; done"
    submit(batchai_home, "one", 1, [("a-first", first, "normal")])
    deadline = time.monotonic() + 60
    while states(batchai_home) != {"running": 1}:
        assert time.monotonic() < deadline, states(batchai_home)
        time.sleep(0.05)
    jobs = [
        (name, f"echo {name} >> {order}", priority)
        for name, priority in [
            ("b-low", "low"),
            ("c-normal", "normal"),
            ("d-high", "high"),
            ("e-normal", "normal"),
            ("f-high", "high"),
            ("g-low", "low"),
        ]
    ]
    submit(batchai_home, "one", 1, jobs)  # (another process: the same cluster, found)
    while states(batchai_home) != {"running": 1, "queued": 6}:
        assert time.monotonic() < deadline, states(batchai_home)
        time.sleep(0.05)
    gate.write_text("")
    deadline = time.monotonic() + 120
    while states(batchai_home) != {"succeeded": 7}:
        assert time.monotonic() < deadline, states(batchai_home)
        time.sleep(0.05)
    assert order.read_text().split() == [
        "d-high",
        "f-high",
        "c-normal",
        "e-normal",
        "b-low",
        "g-low",
    ]


def test_a_job_the_cluster_cannot_hold_waits_without_holding_up_the_queue(
    client, make_cluster, wait_job
):
    import batchai_compat.models as models

    cluster = make_cluster("pair", nodes=1)
    wide = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=2,  # more than the cluster has, as configured
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
    )
    narrow = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
    )
    client.jobs.create(RG, WS, EXP, "wide", wide).result()
    client.jobs.create(RG, WS, EXP, "narrow", narrow).result()
    assert str(wait_job(client, "narrow").execution_state.value) == "succeeded"
    assert str(client.jobs.get(RG, WS, EXP, "wide").execution_state.value) == "queued"
    # Grown to two nodes, the cluster runs it.
    client.clusters.update(
        RG,
        WS,
        "pair",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=2)),
    )
    assert str(wait_job(client, "wide").execution_state.value) == "succeeded"


def test_cluster_state_advances_without_readers(client, batchai_home: Path):
    """A cluster resizing in the database becomes steady there with nobody reading it."""
    import batchai_compat.models as models

    client.clusters.create(
        RG,
        WS,
        "grow",
        models.ClusterCreateParameters(
            vm_size="STANDARD_D1",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=2)
            ),
            user_account_settings=models.UserAccountSettings(admin_user_name="u"),
        ),
    )  # the create answer says 'resizing', as Batch AI's did
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(batchai_home / "state.db") as db:
            (state,) = db.execute("SELECT allocation_state FROM clusters").fetchone()
            (nodes,) = db.execute("SELECT count(*) FROM nodes WHERE state = 'idle'").fetchone()
        if (state, nodes) == ("steady", 2):
            break
        assert time.monotonic() < deadline, (state, nodes)
        time.sleep(0.05)
    assert read_record(batchai_home, SCHEDULER) is not None


def test_each_job_runs_with_its_submitters_environment(batchai_home: Path):
    """Two processes submit to the same daemon; each job sees its own submitter's variables,
    as if that process had started it."""
    out = batchai_home / "seen.txt"
    for mark in ("first", "second"):
        submit(batchai_home, "one", 1, [(mark, f"echo $MARK >> {out}", "normal")], MARK=mark)
    deadline = time.monotonic() + 60
    while states(batchai_home) != {"succeeded": 2}:
        assert time.monotonic() < deadline, states(batchai_home)
        time.sleep(0.05)
    assert sorted(out.read_text().split()) == ["first", "second"]

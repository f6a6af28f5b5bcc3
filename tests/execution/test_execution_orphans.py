"""No job process outlives its home, and a cluster scale-down treats running jobs as its
``node_deallocation_option`` says (a real scheduler daemon, real supervisors and nodes)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from execution_jobs import custom

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.home.helpers import SCHEDULER, read_record
from batchai_compat.home.processes import (
    ProcessRef,
    find_supervisors,
    session_members,
    stop_supervisors,
)
from batchai_compat.runtime.launcher import workers_done_marker

RG, WS, EXP = "rg", "ws", "exp"
REPO = Path(__file__).resolve().parents[2]


def manual(target: int, option: str) -> models.ScaleSettings:
    return models.ScaleSettings(
        manual=models.ManualScaleSettings(target_node_count=target, node_deallocation_option=option)
    )


def supervisor_of(run_dir: Path, wait_until) -> ProcessRef:
    """The supervisor of a running job (the daemon records it just after the job starts)."""
    path = run_dir / "supervisor.json"
    wait_until(path.exists)
    return ProcessRef.from_dict(json.loads(path.read_text()))


def daemon_of(home: Path) -> ProcessRef:
    record = read_record(home, SCHEDULER)
    assert record is not None, "no scheduler daemon runs for this home"
    return record.ref


def live_sessions(refs: list[ProcessRef]) -> list[int]:
    """Processes still alive in the sessions of ``refs`` (same pid *and* start time)."""
    pids: list[int] = []
    for ref in refs:
        current = ProcessRef.of(ref.pid)
        if current is not None and current.start_ticks != ref.start_ticks:
            continue
        pids.extend(session_members(ref.pid))
        if ref.alive():
            pids.append(ref.pid)
    return pids


def started_nodes(run_dir: Path, wait_until) -> list[ProcessRef]:
    """The node runtimes of a job, once its task runs (their sessions hold more than them)."""
    nodes = run_dir / "nodes.json"

    def read() -> list[ProcessRef]:
        try:
            return [ProcessRef.from_dict(d) for d in json.loads(nodes.read_text())]
        except (OSError, ValueError):
            return []

    refs = wait_until(read)
    wait_until(lambda: all(len(session_members(ref.pid)) >= 2 for ref in refs))
    return refs


def test_a_queued_job_holds_no_process_and_the_daemon_exits_when_its_home_is_deleted(
    batchai_home: Path, wait_until, run_dir
):
    client = BatchAIManagementClient(object(), "sub-1", backend="local")
    try:
        client.workspaces.create(RG, WS, "eastus").result()
        client.experiments.create(RG, WS, EXP).result()
        empty = client.clusters.create(
            RG,
            WS,
            "empty",
            models.ClusterCreateParameters(
                vm_size="STANDARD_D1",
                scale_settings=manual(0, "requeue"),
                user_account_settings=models.UserAccountSettings(admin_user_name="u"),
            ),
        ).result()
        client.jobs.create(RG, WS, EXP, "never", custom(empty.id, "echo never")).result()
        job = client.jobs.get(RG, WS, EXP, "never")
        assert job.execution_state == "queued"
        assert not run_dir(job).exists()  # a row, nothing else
        daemon = daemon_of(batchai_home)
        assert find_supervisors(batchai_home) == [daemon]  # the home's one process

        shutil.rmtree(batchai_home)  # as pytest, or a user, discards a home with its jobs

        wait_until(lambda: not daemon.alive(), timeout=10)
        assert not batchai_home.exists()  # it recreated no folder, database or log
    finally:
        client.close()
    assert not batchai_home.exists()


def test_running_job_stops_quietly_when_its_database_is_replaced(
    client, cluster, batchai_home: Path, wait_job, wait_until, run_dir
):
    client.jobs.create(RG, WS, EXP, "busy", custom(cluster.id, "sleep 600 & sleep 600")).result()
    job = wait_job(client, "busy", ("running",))
    supervisor = supervisor_of(run_dir(job), wait_until)
    nodes = started_nodes(run_dir(job), wait_until)
    database = batchai_home / "state.db"
    copy = batchai_home / "copy.db"
    shutil.copyfile(database, copy)
    os.replace(copy, database)  # same path, another file: not the database it served

    wait_until(lambda: not live_sessions([supervisor, *nodes]), timeout=15)
    wait_until(lambda: not find_supervisors(batchai_home), timeout=10)  # the daemon too
    with sqlite3.connect(database) as db:  # the copy: the supervisor wrote nothing into it
        states = [state for (state,) in db.execute("SELECT execution_state FROM jobs")]
    assert states == ["running"]
    assert "failed" not in (run_dir(job) / "supervisor.log").read_text()


def test_stop_supervisors_ends_every_job_process_of_a_home(
    client, make_cluster, batchai_home: Path, wait_job, wait_until, run_dir
):
    busy = make_cluster("busy", nodes=1)
    empty = make_cluster("empty", nodes=0)
    client.jobs.create(RG, WS, EXP, "running", custom(busy.id, "sleep 600 & sleep 600")).result()
    client.jobs.create(RG, WS, EXP, "queued", custom(empty.id, "echo never")).result()
    running = wait_job(client, "running", ("running",))
    nodes = started_nodes(run_dir(running), wait_until)
    refs = [supervisor_of(run_dir(running), wait_until), daemon_of(batchai_home), *nodes]

    stopped = stop_supervisors(batchai_home)

    assert set(refs) <= set(stopped)
    assert not live_sessions(refs)
    assert not find_supervisors(batchai_home)
    job = client.jobs.get(RG, WS, EXP, "running")
    assert job.execution_state == "failed"
    assert [e.code for e in job.execution_info.errors] == ["JobTerminated"]
    assert client.jobs.get(RG, WS, EXP, "queued").execution_state == "queued"
    stop_supervisors(batchai_home)  # (the read above started a daemon again)


def test_a_test_session_leaves_no_supervisor_behind(tmp_path: Path):
    """The reproduction of the leak: these tests leave jobs queued on a cluster without nodes."""
    base = tmp_path / "session"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={base}",
            "tests/client/test_client_genuine_models.py",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert list(base.glob("batchai_home*/helpers")), "the reproduction no longer submits jobs"
    assert not find_supervisors(base)


# -- cluster scale-down: node_deallocation_option ----------------------------------------------


def _gated(home: Path, record: str = "echo run >> {runs}") -> tuple[str, Path, Path]:
    """A command that records each run (``record``; ``{runs}`` names the runs file), then waits
    for a gate file."""
    runs, gate = home / "runs.txt", home / "gate"
    command = f"{record.format(runs=runs)}; while [ ! -e {gate} ]; do sleep 0.02; done"
    return command, runs, gate


def test_requeue_scale_down_puts_the_running_job_back_and_runs_it_again(
    client, cluster, batchai_home: Path, wait_job, wait_until, run_dir
):
    command, runs, gate = _gated(batchai_home)
    client.jobs.create(RG, WS, EXP, "job", custom(cluster.id, command)).result()
    job = wait_job(client, "job", ("running",))
    first_run = started_nodes(run_dir(job), wait_until)
    supervisor = supervisor_of(run_dir(job), wait_until)
    wait_until(runs.exists)  # the first run recorded itself (its shell may start late under load)

    client.clusters.update(RG, WS, "nc6", scale_settings=manual(0, "requeue"))

    job = wait_job(client, "job", ("queued",))
    assert job.execution_info is None or not job.execution_info.errors
    wait_until(lambda: not live_sessions(first_run))  # the first run's processes are gone
    wait_until(lambda: not supervisor.alive())  # ... its supervisor too: queued, it is a row
    assert client.clusters.get(RG, WS, "nc6").current_node_count == 0

    gate.write_text("")
    client.clusters.update(RG, WS, "nc6", scale_settings=manual(1, "requeue"))
    job = wait_job(client, "job")
    assert job.execution_state == "succeeded", job.execution_info.errors
    assert runs.read_text().splitlines() == ["run", "run"]


def test_a_requeued_run_starts_without_the_previous_runs_coordination_files(
    client, cluster, batchai_home: Path, wait_job, wait_until
):
    """The node runtimes' ``workers-done-<i>`` markers (which let a node stop its ps tasks) are
    per run: a rerun after a requeue must not find the first run's."""
    marker = workers_done_marker(SimpleNamespace(shared_job_temp="$AZ_BATCHAI_SHARED_JOB_TEMP"), 0)
    command, runs, gate = _gated(
        batchai_home,
        f'if [ -e "{marker}" ]; then echo stale >> {{runs}}; else echo clean >> {{runs}}; fi; '
        f'mkdir -p "$(dirname "{marker}")"; touch "{marker}"',
    )
    client.jobs.create(RG, WS, EXP, "job", custom(cluster.id, command)).result()
    wait_job(client, "job", ("running",))
    wait_until(lambda: runs.exists())  # the first run wrote its marker
    client.clusters.update(RG, WS, "nc6", scale_settings=manual(0, "requeue"))
    wait_job(client, "job", ("queued",))
    gate.write_text("")
    client.clusters.update(RG, WS, "nc6", scale_settings=manual(1, "requeue"))
    job = wait_job(client, "job")
    assert job.execution_state == "succeeded", job.execution_info.errors
    assert runs.read_text().splitlines() == ["clean", "clean"]


def test_a_killed_supervisor_is_repaired_without_any_read(
    client, cluster, batchai_home: Path, wait_job, wait_until, run_dir
):
    """kill -9 of a job's supervisor: the daemon stops the job's nodes and fails it, saying so,
    with no client reading the job (the database is watched directly)."""
    command, _, _ = _gated(batchai_home)
    client.jobs.create(RG, WS, EXP, "job", custom(cluster.id, command)).result()
    job = wait_job(client, "job", ("running",))
    nodes = started_nodes(run_dir(job), wait_until)
    supervisor = supervisor_of(run_dir(job), wait_until)
    os.kill(supervisor.pid, signal.SIGKILL)

    def recorded() -> tuple[str, str] | None:
        with sqlite3.connect(batchai_home / "state.db") as db:
            state, errors = db.execute("SELECT execution_state, errors FROM jobs").fetchone()
        return (state, errors) if state != "running" else None

    state, errors = wait_until(recorded)
    assert state == "failed"
    (error,) = json.loads(errors)
    assert error["code"] == "SupervisorDied"
    assert f"pid {supervisor.pid}" in error["message"] and "signal 9" in error["message"]
    assert not live_sessions(nodes)
    nodes_left = client.clusters.get(RG, WS, "nc6").node_state_counts
    assert (nodes_left.idle_node_count, nodes_left.running_node_count) == (1, 0)


def test_terminate_scale_down_fails_the_running_job_as_preempted(
    client, cluster, batchai_home: Path, wait_job, wait_until, run_dir
):
    command, runs, _ = _gated(batchai_home)
    client.jobs.create(RG, WS, EXP, "job", custom(cluster.id, command)).result()
    job = wait_job(client, "job", ("running",))
    nodes = started_nodes(run_dir(job), wait_until)
    wait_until(runs.exists)  # the run recorded itself (its shell may start late under load)

    client.clusters.update(RG, WS, "nc6", scale_settings=manual(0, "terminate"))

    job = wait_job(client, "job")
    assert job.execution_state == "failed"
    assert [e.code for e in job.execution_info.errors] == ["JobPreempted"]
    wait_until(lambda: not live_sessions(nodes))
    assert runs.read_text().splitlines() == ["run"]


def test_waitforjobcompletion_scale_down_lets_the_running_job_finish(
    client, cluster, batchai_home: Path, wait_job, wait_until, run_dir
):
    command, runs, gate = _gated(batchai_home)
    client.jobs.create(RG, WS, EXP, "job", custom(cluster.id, command)).result()
    job = wait_job(client, "job", ("running",))
    started_nodes(run_dir(job), wait_until)

    client.clusters.update(RG, WS, "nc6", scale_settings=manual(0, "waitforjobcompletion"))

    resizing = client.clusters.get(RG, WS, "nc6")
    assert resizing.allocation_state == "resizing"
    assert resizing.node_state_counts.running_node_count == 1
    assert client.jobs.get(RG, WS, EXP, "job").execution_state == "running"
    gate.write_text("")
    job = wait_job(client, "job")
    assert job.execution_state == "succeeded"
    assert runs.read_text().splitlines() == ["run"]
    done = wait_until(
        lambda: (c := client.clusters.get(RG, WS, "nc6")).allocation_state == "steady" and c
    )
    assert done.current_node_count == 0


@pytest.mark.parametrize("option", ["requeue", "terminate"])
def test_scale_down_of_an_idle_node_leaves_a_queued_job_alone(
    client, make_cluster, option, run_dir
):
    """Only running jobs lose nodes: a job still waiting for nodes stays queued."""
    small = make_cluster("small", nodes=1)
    params = custom(small.id, "echo two")
    params.node_count = 2
    client.jobs.create(RG, WS, EXP, "wide", params).result()
    client.clusters.update(RG, WS, "small", scale_settings=manual(0, option))
    job = client.jobs.get(RG, WS, EXP, "wide")
    assert job.execution_state == "queued"
    assert job.execution_info is None or not job.execution_info.errors
    assert not (run_dir(job) / "supervisor.json").exists()
    client.jobs.terminate(RG, WS, EXP, "wide").result()
    assert client.jobs.get(RG, WS, EXP, "wide").execution_state == "failed"

"""kill -9 anywhere (issue 14 item 4, issue 13): no job stays ``running``, no process is left
behind, the queue moves on, and the job's errors say what happened.

A killed task and a killed node runtime end the job with the same exit code convention: the
shell's ``128 + signal`` (137 for ``kill -9``), as Batch AI reported for tasks run by bash.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from execution_jobs import custom

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.home.helpers import SCHEDULER, ensure, read_record
from batchai_compat.home.processes import ProcessRef, session_members

pytestmark = pytest.mark.slow

RG, WS, EXP = "rg", "ws", "exp"


def refs(path: Path, wait_until) -> list[ProcessRef]:
    wait_until(path.exists)
    data = json.loads(path.read_text())
    return [ProcessRef.from_dict(d) for d in (data if isinstance(data, list) else [data])]


def alive_in(sessions: list[ProcessRef]) -> list[int]:
    pids: list[int] = []
    for ref in sessions:
        current = ProcessRef.of(ref.pid)
        if current is None or current.start_ticks == ref.start_ticks:
            pids += session_members(ref.pid)
    return pids


def db_job(home: Path, name: str) -> dict:
    with sqlite3.connect(home / "state.db", timeout=60) as db:
        row = db.execute(
            "SELECT execution_state, exit_code, errors FROM jobs WHERE name = ?", (name,)
        ).fetchone()
    return {"state": row[0], "exit_code": row[1], "errors": json.loads(row[2])}


def test_kill_9_of_the_task_and_of_its_node_runtime_report_the_same_exit_code(
    client, make_cluster, wait_job, wait_until, run_dir
):
    cluster = make_cluster("two", nodes=2)
    client.jobs.create(RG, WS, EXP, "task", custom(cluster.id, "sleep 600")).result()
    client.jobs.create(RG, WS, EXP, "node", custom(cluster.id, "sleep 600")).result()
    task_job = wait_job(client, "task", ("running",))
    node_job = wait_job(client, "node", ("running",))
    (task_node,) = refs(run_dir(task_job) / "nodes.json", wait_until)
    (node_node,) = refs(run_dir(node_job) / "nodes.json", wait_until)
    task_pids = wait_until(
        lambda: [p for p in session_members(task_node.pid) if p != task_node.pid]
    )
    wait_until(lambda: len(session_members(node_node.pid)) >= 2)

    os.kill(task_pids[-1], signal.SIGKILL)  # the task (sleep), not its node runtime
    os.kill(node_node.pid, signal.SIGKILL)  # the node runtime, not its task

    task_job, node_job = wait_job(client, "task"), wait_job(client, "node")
    assert str(task_job.execution_state.value) == str(node_job.execution_state.value) == "failed"
    assert task_job.execution_info.exit_code == node_job.execution_info.exit_code == 137
    assert [e.code for e in task_job.execution_info.errors] == ["JobFailed"]
    assert "exited with code 137" in task_job.execution_info.errors[0].message
    assert [e.code for e in node_job.execution_info.errors] == ["NodeFailed"]
    assert "killed by signal 9" in node_job.execution_info.errors[0].message
    wait_until(lambda: not alive_in([task_node, node_node]))  # the orphaned sleep too


_SUBMIT = textwrap.dedent(
    """
    import sys
    import batchai_compat.models as models
    from batchai_compat import BatchAIManagementClient

    gate = sys.argv[1]
    client = BatchAIManagementClient(object(), "sub-1", backend="local")
    client.workspaces.create("rg", "ws", "eastus").result()
    client.experiments.create("rg", "ws", "exp").result()
    cluster = client.clusters.create(
        "rg", "ws", "one",
        models.ClusterCreateParameters(
            vm_size="STANDARD_D1",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=1)
            ),
            user_account_settings=models.UserAccountSettings(admin_user_name="u"),
        ),
    ).result()
    commands = [f"while [ ! -e {gate} ]; do sleep 0.02; done"] + ["true"] * 5
    for i, command in enumerate(commands):
        client.jobs.create(
            "rg", "ws", "exp", f"j{i}",
            models.JobCreateParameters(
                cluster=models.ResourceId(id=cluster.id),
                node_count=1,
                std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
                custom_toolkit_settings=models.CustomToolkitSettings(command_line=command),
            ),
        ).result()
    """
)


def _submit(home: Path) -> Path:
    gate = home / "gate"
    env = {**os.environ, "BATCHAI_COMPAT_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", _SUBMIT, str(gate)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return gate


def test_kill_9_of_the_daemon_leaves_running_jobs_running_and_the_queue_moves_on(
    batchai_home: Path, wait_until
):
    """No client is alive: the running job's supervisor, once its job ends, starts a new
    daemon, which runs the rest of the queue."""
    gate = _submit(batchai_home)
    wait_until(lambda: db_job(batchai_home, "j0")["state"] == "running")
    daemon = read_record(batchai_home, SCHEDULER)
    assert daemon is not None
    os.kill(daemon.ref.pid, signal.SIGKILL)
    wait_until(lambda: not daemon.ref.alive())
    assert db_job(batchai_home, "j0")["state"] == "running"

    gate.write_text("")
    for i in range(6):
        wait_until(lambda i=i: db_job(batchai_home, f"j{i}")["state"] == "succeeded", timeout=60)
    successor = read_record(batchai_home, SCHEDULER)
    assert successor is None or successor.ref != daemon.ref


def _kill_the_daemon_and_the_running_supervisor(
    home: Path, wait_until
) -> tuple[ProcessRef, ProcessRef]:
    """Six jobs queued on one node, the first running: kill -9 the daemon and that job's
    supervisor; (supervisor, node runtime)."""
    _submit(home)
    wait_until(lambda: db_job(home, "j0")["state"] == "running")
    daemon = read_record(home, SCHEDULER)
    assert daemon is not None
    run = next(home.glob("jobs/rg/ws/exp/j0/*"))
    (supervisor,) = refs(run / "supervisor.json", wait_until)
    (node,) = refs(run / "nodes.json", wait_until)
    wait_until(lambda: len(session_members(node.pid)) >= 2)
    os.kill(daemon.ref.pid, signal.SIGKILL)
    os.kill(supervisor.pid, signal.SIGKILL)
    wait_until(lambda: not daemon.ref.alive() and not supervisor.alive())
    return supervisor, node


def test_kill_9_of_the_daemon_and_a_supervisor_is_repaired_by_the_next_client_call(
    batchai_home: Path, wait_until
):
    supervisor, node = _kill_the_daemon_and_the_running_supervisor(batchai_home, wait_until)
    assert db_job(batchai_home, "j0")["state"] == "running"  # nobody left to notice...
    assert alive_in([node])  # ...and its node still runs its task

    with BatchAIManagementClient(object(), "sub-1", backend="local") as client:
        job = client.jobs.get(RG, WS, EXP, "j0")  # the next client call
        assert str(job.execution_state.value) == "failed"
        (error,) = job.execution_info.errors
        assert error.code == "SupervisorDied"
        assert f"pid {supervisor.pid}" in error.message
        assert not alive_in([node])  # no orphan left
        for i in range(1, 6):  # the queue moves on with the daemon that call started
            wait_until(
                lambda i=i: (
                    str(client.jobs.get(RG, WS, EXP, f"j{i}").execution_state.value) == "succeeded"
                ),
                timeout=60,
            )


def test_kill_9_of_the_daemon_at_start_repairs_with_the_reason(batchai_home: Path, wait_until):
    """A daemon started after one was killed along with a supervisor records the job's end
    itself, before any client reads the job, and says so."""
    _kill_the_daemon_and_the_running_supervisor(batchai_home, wait_until)

    ensure(batchai_home, SCHEDULER)  # what any process of the home does when it needs it
    job = db_job(batchai_home, "j0")  # read straight from the database
    assert job["state"] == "failed"
    (error,) = job["errors"]
    assert error["code"] == "SupervisorDied"
    assert "found by the local scheduler at its start" in error["message"]


def test_kill_9_of_the_daemon_loses_queued_secret_values_and_says_so(
    client, make_cluster, wait_job, wait_until, batchai_home: Path
):
    """Secret values live only in the daemon's memory: a queued job that needs them fails
    ``SecretsUnavailable`` after a crash; a queued job without secrets runs anyway."""
    empty = make_cluster("empty", nodes=0)
    secret = custom(empty.id, 'test -n "$TOKEN"')
    secret.secrets = [models.EnvironmentVariableWithSecretValue(name="TOKEN", value="v4lue")]
    client.jobs.create(RG, WS, EXP, "secret", secret).result()
    client.jobs.create(RG, WS, EXP, "plain", custom(empty.id, "true")).result()
    daemon = read_record(batchai_home, SCHEDULER)
    assert daemon is not None
    os.kill(daemon.ref.pid, signal.SIGKILL)
    wait_until(lambda: not daemon.ref.alive())

    client.clusters.update(  # a new daemon starts (it waits for handovers that never come)
        RG,
        WS,
        "empty",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
    )
    lost = wait_job(client, "secret")
    assert str(lost.execution_state.value) == "failed"
    (error,) = lost.execution_info.errors
    assert error.code == "SecretsUnavailable" and "create the job again" in error.message
    assert "v4lue" not in error.message
    assert str(wait_job(client, "plain").execution_state.value) == "succeeded"

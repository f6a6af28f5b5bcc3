"""The spare supervisor (``backends/local/spare.py``): while a job runs and another is queued,
the scheduler daemon keeps one process forked ahead of the next job.  It becomes that job's
supervisor, and it never outlives its use: not the daemon (kill -9), not its home (deleted),
not the queue (drained).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from execution_jobs import custom

from batchai_compat import BatchAIManagementClient
from batchai_compat.home.helpers import SCHEDULER, read_record
from batchai_compat.home.processes import ProcessRef, find_supervisors

pytestmark = pytest.mark.slow

RG, WS, EXP = "rg", "ws", "exp"


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            raw = stat.read().decode("ascii", "replace")
    except OSError:
        return None
    return int(raw[raw.rfind(")") + 2 :].split()[1])


def _supervisors(home: Path) -> dict[int, str]:
    """pid -> job name, from every run's ``supervisor.json``."""
    found = {}
    for path in home.glob("jobs/*/*/*/*/*/supervisor.json"):
        found[ProcessRef.from_dict(json.loads(path.read_text())).pid] = path.parts[-3]
    return found


def _spares(home: Path, daemon: ProcessRef) -> list[ProcessRef]:
    """The daemon's children that supervise no job."""
    supervising = _supervisors(home)
    return [
        ref
        for ref in find_supervisors(home)
        if _parent(ref.pid) == daemon.pid and ref.pid not in supervising
    ]


def _gated_queue(client, make_cluster, batchai_home: Path, wait_job, queued: int) -> Path:
    """One node: ``first`` runs until the gate file exists, ``q0``... wait behind it."""
    cluster = make_cluster("one", nodes=1)
    gate = batchai_home / "gate"
    command = f"while [ ! -e {gate} ]; do sleep 0.02; done"
    client.jobs.create(RG, WS, EXP, "first", custom(cluster.id, command)).result()
    for i in range(queued):
        client.jobs.create(RG, WS, EXP, f"q{i}", custom(cluster.id, "true")).result()
    wait_job(client, "first", ("running",))
    return gate


def _daemon(home: Path) -> ProcessRef:
    record = read_record(home, SCHEDULER)
    assert record is not None
    return record.ref


def test_the_spare_becomes_the_next_jobs_supervisor_and_none_is_left_after_the_queue(
    client, make_cluster, batchai_home: Path, wait_job, wait_until
):
    gate = _gated_queue(client, make_cluster, batchai_home, wait_job, queued=3)
    daemon = _daemon(batchai_home)
    (spare,) = wait_until(lambda: _spares(batchai_home, daemon))

    gate.write_text("")
    for i in range(3):
        assert str(wait_job(client, f"q{i}").execution_state.value) == "succeeded"
    assert _supervisors(batchai_home)[spare.pid] == "q0"  # the spare took the next job
    # Every job ended and none waits: no spare is kept (the daemon alone is left).
    wait_until(lambda: find_supervisors(batchai_home) == [daemon])


def test_a_spare_ends_with_a_daemon_killed_by_kill_9(
    client, make_cluster, batchai_home: Path, wait_job, wait_until
):
    gate = _gated_queue(client, make_cluster, batchai_home, wait_job, queued=2)
    daemon = _daemon(batchai_home)
    (spare,) = wait_until(lambda: _spares(batchai_home, daemon))

    os.kill(daemon.pid, signal.SIGKILL)
    wait_until(lambda: not spare.alive())  # its pipe closed with the daemon: no orphan
    assert spare.pid not in _supervisors(batchai_home)  # and it took no job

    gate.write_text("")  # the queue moves on (the running job's supervisor starts a daemon)
    for i in range(2):
        assert str(wait_job(client, f"q{i}").execution_state.value) == "succeeded"


def test_a_spare_ends_when_its_home_is_deleted(
    make_cluster, client: BatchAIManagementClient, batchai_home: Path, wait_job, wait_until
):
    _gated_queue(client, make_cluster, batchai_home, wait_job, queued=2)
    daemon = _daemon(batchai_home)
    (spare,) = wait_until(lambda: _spares(batchai_home, daemon))

    shutil.rmtree(batchai_home)

    wait_until(lambda: not spare.alive() and not daemon.alive(), timeout=15)
    assert not batchai_home.exists()  # nothing recreated it

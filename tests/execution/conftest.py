"""Fixtures for end-to-end local execution: a real client on the local backend, a workspace, an
experiment and a cluster, helpers to wait for jobs — and a teardown that proves nothing a job
started is still running (and stops it if it is, so one failure does not leak processes)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # execution_jobs.py, shared job parameters

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.home.processes import ProcessRef, session_members, stop_session

RG, WS, EXP = "rg", "ws", "exp"
FINAL = ("succeeded", "failed")


def _job_sessions(home: Path) -> list[ProcessRef]:
    refs: list[ProcessRef] = []
    for supervisor in home.glob("jobs/*/*/*/*/*/supervisor.json"):
        refs.append(ProcessRef.from_dict(json.loads(supervisor.read_text())))
        nodes = supervisor.with_name("nodes.json")
        if nodes.exists():
            refs.extend(ProcessRef.from_dict(d) for d in json.loads(nodes.read_text()))
    return refs


def _running(refs: list[ProcessRef]) -> list[int]:
    pids = []
    for ref in refs:
        current = ProcessRef.of(ref.pid)
        if current is not None and current.start_ticks != ref.start_ticks:
            continue  # pid reused by someone else: our session is long gone
        pids.extend(session_members(ref.pid))
        if ref.alive() and ref.pid not in pids:
            pids.append(ref.pid)
    return pids


@pytest.fixture
def no_leftover_processes(batchai_home: Path) -> Iterator[None]:
    """Fails a test whose jobs left any process behind (after stopping them)."""
    yield
    deadline = time.monotonic() + 10
    refs = _job_sessions(batchai_home)
    while _running(refs) and time.monotonic() < deadline:
        time.sleep(0.05)
    leftover = _running(refs)
    for ref in refs:
        stop_session(ref, grace=0.5)
    assert not leftover, f"processes still running after the test: {leftover}"


@pytest.fixture
def client(batchai_home: Path, no_leftover_processes: None) -> Iterator[BatchAIManagementClient]:
    with BatchAIManagementClient(object(), "sub-1", backend="local") as c:
        c.workspaces.create(RG, WS, "eastus").result()
        c.experiments.create(RG, WS, EXP).result()
        yield c


@pytest.fixture
def make_cluster(client: BatchAIManagementClient):
    def factory(name: str = "nc6", nodes: int = 1, **fields: object) -> models.Cluster:
        params = models.ClusterCreateParameters(
            vm_size="STANDARD_NC6",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=nodes)
            ),
            user_account_settings=models.UserAccountSettings(
                admin_user_name="u", admin_user_password="pw"
            ),
            **fields,
        )
        return client.clusters.create(RG, WS, name, params).result()

    return factory


@pytest.fixture
def cluster(make_cluster) -> models.Cluster:
    return make_cluster()


def wait_job(
    client: BatchAIManagementClient, name: str, states: tuple[str, ...] = FINAL, timeout: float = 60
) -> models.Job:
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        job = client.jobs.get(RG, WS, EXP, name)
        if str(job.execution_state.value) in states:
            return job
        assert time.monotonic() < deadline, (
            f"job {name} still {job.execution_state} after {timeout}s"
        )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


def wait_until(predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


@pytest.fixture(name="wait_job")
def _wait_job():
    return wait_job


@pytest.fixture(name="wait_until")
def _wait_until():
    return wait_until


@pytest.fixture
def run_dir(batchai_home: Path):
    """The run folder of a job (from its job_output_directory_path_segment's uuid)."""

    def find(job: models.Job) -> Path:
        uuid = job.job_output_directory_path_segment.rsplit("/", 1)[1]
        return batchai_home / "jobs" / RG / WS / EXP / job.name / uuid

    return find

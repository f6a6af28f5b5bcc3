"""Helpers submit tens of jobs at once from a thread pool through one client."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import EXP, FINAL_STATES, RG, WS, job_parameters, wait_until


def test_thread_pool_of_creates_through_one_client(client, experiment, cluster, backend):
    if not backend.has("jobs"):
        pytest.skip(f"{backend.name} runs no jobs")
    names = [f"job{i:02d}" for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        jobs = list(
            pool.map(
                lambda name: client.jobs.create(
                    RG, WS, EXP, name, job_parameters(cluster.id, "true")
                ).result(),
                names,
            )
        )
        experiments = list(
            pool.map(lambda i: client.experiments.create(RG, WS, f"e{i}").result(), range(12))
        )
    assert sorted(j.name for j in jobs) == names
    assert len({e.name for e in experiments}) == 12
    assert sorted(j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)) == names

    def all_final() -> bool:
        states = {str(j.execution_state.value) for j in client.jobs.list_by_experiment(RG, WS, EXP)}
        return states <= set(FINAL_STATES)

    wait_until(all_final, timeout=120)

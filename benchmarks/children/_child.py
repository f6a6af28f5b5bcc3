"""What every measuring child shares: report its own figures to the parent as JSON.

Children are started by :func:`benchmarks.harness.run_child` as
``python benchmarks/children/<name>.py <result-file> [args...]`` in a fresh interpreter; this
module is imported first and pulls in nothing but the standard library's ``json``/``sys``/``time``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any


def result_path() -> str:
    return sys.argv[1]


def args() -> list[str]:
    return sys.argv[2:]


def report(**figures: float) -> None:
    """Write the child's sample (metric -> value) where the parent reads it."""
    with open(result_path(), "w", encoding="utf-8") as out:
        json.dump(figures, out)


def report_two_submissions(
    submit: Callable[[int], Any],
    fake: Any,
    submitted: Callable[[], int],
    start: float,
    cpu_start: float,
) -> None:
    """Submit job 1 (timed from ``start`` / ``cpu_start``, the first import of the user's
    code), then job 2 in the same process; report wall and CPU time of the first, wall time of
    the second and the requests ``fake`` answered for each.  Fails when the fake answered
    something it does not know or ``submitted()`` does not count two jobs."""
    submit(1)
    first_wall, first_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    first_requests = len(fake.calls)
    fake.calls.clear()
    start = time.perf_counter()
    submit(2)
    second_wall = time.perf_counter() - start
    second_requests = len(fake.calls)
    if fake.unhandled:
        raise RuntimeError(f"requests the fake does not answer: {fake.unhandled}")
    if submitted() != 2:
        raise RuntimeError(f"expected 2 submitted jobs, the fake has {submitted()}")
    report(
        wall_s=first_wall,
        cpu_s=first_cpu,
        requests_first=first_requests,
        second_wall_s=second_wall,
        requests_second=second_requests,
    )

"""Measure 6: ``batchai`` start-up on the local backend, vs a bare ``python -c pass``.

``batchai job show`` (one finished job) and ``batchai job list -o table`` (five finished jobs),
each a whole process from start to exit, beside the interpreter doing nothing: the command line
is an argparse-level program that imports no SDK for local commands.  Ours runs the installed
``batchai`` console script (``python -m batchai_compat`` when it is not installed).  The
home's workspace, cluster and jobs are made once, before the clock starts.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..harness import Row, Target, interleave, run_child
from ..settings import Settings
from .client_setup import local_client, one_node_cluster

RG, WS, EXPERIMENT, CLUSTER = "bench-rg", "bench-ws", "bench-exp", "bench-cluster"
JOBS = 5


def batchai_argv() -> list[str]:
    script = Path(sys.executable).with_name("batchai")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "batchai_compat"]


def _prepare(home: Path) -> None:
    """A workspace, a one-node cluster and ``JOBS`` finished jobs in ``home``."""
    with local_client(home) as (client, models):
        cluster_id = one_node_cluster(client, models, RG, WS, EXPERIMENT, CLUSTER)
        for index in range(JOBS):
            client.jobs.create(
                RG,
                WS,
                EXPERIMENT,
                f"job-{index}",
                models.JobCreateParameters(
                    cluster=models.ResourceId(id=cluster_id),
                    node_count=1,
                    std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
                    custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
                ),
            ).result()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = {
                str(j.execution_state) for j in client.jobs.list_by_experiment(RG, WS, EXPERIMENT)
            }
            if states <= {"succeeded"}:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the benchmark's jobs did not finish: {states}")


def _side(argv: list[str], env: dict[str, str]) -> Any:
    return lambda: run_child("cli_command", [json.dumps(argv)], env=env)


def _rows(paired: Any, measure: str, title: str, command: str) -> Iterator[Row]:
    for metric, unit, key, target in (
        ("wall time", "s", "wall_s", Target(3.0)),
        ("CPU time", "s", "cpu_s", None),
    ):
        yield Row(
            measure=measure,
            title=title,
            metric=metric,
            unit=unit,
            baseline_label="`python -c pass`",
            ours_label=f"`{command}`",
            baseline=paired.summary("baseline", key),
            ours=paired.summary("ours", key),
            target=target,
            note="Whole process, interpreter start-up included, on a loaded 2-core machine.",
            if_missed=(
                "A read imports the command's module, the client, one operation group, the "
                "local backend's state package and the models it returns, and nothing else: "
                "no logging (configured when first imported, cli/messages.py), no dataclasses "
                "or inspect (frozen values are backends/local/values.py classes or "
                "NamedTuples), no uuid, shutil or pydantic-core (tests/cli/test_cli_startup.py "
                "guards the list). Look there first for what a change added."
            ),
        )


def run(settings: Settings) -> Iterator[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        home = Path(tmp) / "home"
        settings.progress("6. preparing a home with finished jobs")
        _prepare(home)
        env = {
            **os.environ,
            "BATCHAI_COMPAT_HOME": str(home),
            "BATCHAI_COMPAT_BACKEND": "local",
            "BATCHAI_CONFIG_DIR": str(Path(tmp) / "config"),
        }
        bare = [sys.executable, "-c", "pass"]
        cli = batchai_argv()
        try:
            for measure, title, words in (
                ("6a", "`batchai job show`", ["job", "show", "-n", "job-0"]),
                ("6b", "`batchai job list -o table`", ["job", "list", "-o", "table"]),
            ):
                settings.progress(f"{measure}. {title}")
                argv = [*cli, *words, "-g", RG, "-w", WS, "-e", EXPERIMENT]
                paired: Any = interleave(
                    settings.reps(15),
                    _side(bare, env),
                    _side(argv, env),
                    warmup=settings.warmup,
                    progress=settings.progress,
                )
                yield from _rows(paired, measure, title, "batchai " + " ".join(words))
        finally:
            from batchai_compat.home.processes import stop_supervisors

            stop_supervisors(home)

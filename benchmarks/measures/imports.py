"""Measure 1: import and first use, each in a fresh interpreter (wall/CPU time, peak RSS).

(a) bare ``import batchai_compat`` vs ``import azure.mgmt.batchai`` 2.0.0;
(b) importing the client and models and building the migration guide's
``ClusterCreateParameters`` and ``JobCreateParameters``, vs the same code on 2.0.0
(``benchmarks/guide.py`` holds the guide's code, run against either ``models`` module).
Times are taken inside the child around the measured code only; interpreter start-up is
common to both sides and excluded.  Peak RSS is the whole child's.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..harness import Paired, Row, Target, interleave, run_child
from ..settings import Settings

RSS_NOTE = "Whole child process, interpreter included."
FIRST_USE = "import client + models, build the guide's Cluster/JobCreateParameters"


def _modules_note(paired: Paired) -> str:
    baseline = paired.summary("baseline", "modules_imported").median
    ours = paired.summary("ours", "modules_imported").median
    return f"Modules newly imported: {baseline:.0f} (baseline), {ours:.0f} (ours)."


def _rows(
    paired: Paired,
    measure: str,
    title: str,
    labels: tuple[str, str],
    wall: Target,
    rss: Target | None,
    if_missed: str,
) -> Iterator[Row]:
    def row(metric: str, unit: str, key: str, target: Target | None, note: str) -> Row:
        return Row(
            measure=measure,
            title=title,
            metric=metric,
            unit=unit,
            baseline_label=labels[0],
            ours_label=labels[1],
            baseline=paired.summary("baseline", key),
            ours=paired.summary("ours", key),
            target=target,
            note=note,
            if_missed=if_missed,
        )

    yield row("wall time", "s", "wall_s", wall, _modules_note(paired))
    yield row("CPU time", "s", "cpu_s", None, "")
    yield row("peak RSS", "MB", "peak_rss_mb", rss, RSS_NOTE)


def run(settings: Settings) -> Iterator[Row]:
    settings.progress("1a. bare import")
    bare = interleave(
        settings.reps(9),
        lambda: run_child("import_root", ["baseline"]),
        lambda: run_child("import_root", ["ours"]),
        warmup=settings.warmup,
        progress=settings.progress,
    )
    yield from _rows(
        bare,
        "1a",
        "bare import",
        ("`import azure.mgmt.batchai`", "`import batchai_compat`"),
        wall=Target(0.3),
        rss=None,
        if_missed=(
            "`import batchai_compat` must stay a handful of small modules: anything it "
            "imports eagerly (models, client, azure-core) belongs behind its lazy `__getattr__`."
        ),
    )

    settings.progress("1b. client + models + the guide's parameters")
    first_use = interleave(
        settings.reps(9),
        lambda: run_child("guide_parameters", ["baseline"]),
        lambda: run_child("guide_parameters", ["ours"]),
        warmup=settings.warmup,
        progress=settings.progress,
    )
    yield from _rows(
        first_use,
        "1b",
        "first use",
        (f"2.0.0: {FIRST_USE}", "batchai_compat: same code"),
        wall=Target(0.4),
        rss=Target(0.8),
        if_missed=(
            "Import-time work dominates (time and memory follow the modules imported): "
            "loading only the model families the code touches and deferring the operation "
            "groups' and backends' imports to their first call would close it."
        ),
    )

"""Measure 1: import and first use, each in a fresh interpreter (wall time and peak RSS).

(a) bare ``import batchai_compat`` vs ``import azure.mgmt.batchai`` 2.0.0;
(b) importing the client and models and building the migration guide's
``ClusterCreateParameters`` and ``JobCreateParameters``, vs the same code on 2.0.0.
Times are taken inside the child around the measured code only; interpreter start-up is
common to both sides and excluded.  Peak RSS is the whole child's.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..harness import Paired, Row, Target, interleave, run_child
from ..settings import Settings

BASELINE = "azure-mgmt-batchai 2.0.0"
OURS = "batchai_compat"


def _modules_note(paired: Paired) -> str:
    baseline = paired.summary("baseline", "modules_imported").median
    ours = paired.summary("ours", "modules_imported").median
    return f"Modules newly imported: {baseline:.0f} (baseline), {ours:.0f} (ours)."


def run(settings: Settings) -> Iterator[Row]:

    settings.progress("1a. bare import")
    bare = interleave(
        settings.reps(9),
        lambda: run_child("import_root", ["baseline"]),
        lambda: run_child("import_root", ["ours"]),
        warmup=settings.warmup,
        progress=settings.progress,
    )
    yield (
        Row(
            measure="1a",
            title="bare import",
            metric="wall time",
            unit="s",
            baseline_label="`import azure.mgmt.batchai`",
            ours_label="`import batchai_compat`",
            baseline=bare.summary("baseline", "wall_s"),
            ours=bare.summary("ours", "wall_s"),
            target=Target(0.3),
            note=_modules_note(bare),
        )
    )
    yield (
        Row(
            measure="1a",
            title="bare import",
            metric="peak RSS",
            unit="MB",
            baseline_label="`import azure.mgmt.batchai`",
            ours_label="`import batchai_compat`",
            baseline=bare.summary("baseline", "peak_rss_mb"),
            ours=bare.summary("ours", "peak_rss_mb"),
            note="Whole child process, interpreter included.",
        )
    )

    settings.progress("1b. client + models + the guide's parameters")
    first_use = interleave(
        settings.reps(9),
        lambda: run_child("guide_parameters", ["baseline"]),
        lambda: run_child("guide_parameters", ["ours"]),
        warmup=settings.warmup,
        progress=settings.progress,
    )
    label = "import client + models, build guide's Cluster/JobCreateParameters"
    yield (
        Row(
            measure="1b",
            title="first use",
            metric="wall time",
            unit="s",
            baseline_label=f"2.0.0: {label}",
            ours_label="batchai_compat: same code",
            baseline=first_use.summary("baseline", "wall_s"),
            ours=first_use.summary("ours", "wall_s"),
            target=Target(0.4),
            note=_modules_note(first_use),
            if_missed=(
                "Import-time work dominates: every module the client and `models` pull in is "
                "loaded and executed; loading only the model families the code touches and "
                "deferring the operation groups' and backends' imports to their first call "
                "would close it."
            ),
        )
    )
    yield (
        Row(
            measure="1b",
            title="first use",
            metric="peak RSS",
            unit="MB",
            baseline_label=f"2.0.0: {label}",
            ours_label="batchai_compat: same code",
            baseline=first_use.summary("baseline", "peak_rss_mb"),
            ours=first_use.summary("ours", "peak_rss_mb"),
            target=Target(0.8),
            note="Whole child process, interpreter included.",
            if_missed=(
                "Resident memory follows the modules imported (see the wall-time row); the same "
                "lazy loading would close it."
            ),
        )
    )

"""Render the results as the Markdown page ``docs/benchmarks.md``."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

from .harness import REPO_ROOT, Row

COMMAND = ".venv/bin/python -m benchmarks"

#: Packages whose versions decide the figures.
VERSIONS = (
    "batchai-compat",
    "azure-mgmt-batchai",
    "pydantic",
    "azure-core",
    "azureml-core",
    "azureml-train-core",
    "azure-ai-ml",
    "azure-storage-blob",
)


def fmt(value: float, unit: str = "") -> str:
    if unit == "count" and value == int(value):
        return str(int(value))
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _pair(row: Row, attr: str) -> str:
    if row.baseline is None or row.ours is None:
        return "—"
    return (
        f"{fmt(getattr(row.baseline, attr), row.unit)} / {fmt(getattr(row.ours, attr), row.unit)}"
    )


def _versions() -> str:
    found = []
    for name in VERSIONS:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    commit = out.stdout.strip()
    changed = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "batchai_compat",
            "benchmarks",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{commit}` + uncommitted changes to `batchai_compat`/`benchmarks" if changed else commit


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| # | metric | baseline | ours | median (baseline / ours) | min | max "
        "| ratio ours/baseline | target | met? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = row.ratio
        met = {True: "yes", False: "**no**", None: "—"}[row.met]
        if row.skipped:
            met = "not measured"
        lines.append(
            f"| {row.measure} | {row.title}: {row.metric} ({row.unit}) "
            f"| {row.baseline_label} | {row.ours_label} "
            f"| {_pair(row, 'median')} "
            f"| {_pair(row, 'minimum')} "
            f"| {_pair(row, 'maximum')} "
            f"| {'—' if ratio is None else f'{ratio:.3g}×'} "
            f"| {row.target.describe() if row.target else '—'} | {met} |"
        )
    return "\n".join(lines)


def notes(rows: Sequence[Row]) -> str:
    out = []
    for row in rows:
        parts = []
        if row.skipped:
            parts.append(f"not measured: {row.skipped}")
        if row.note:
            parts.append(row.note)
        if row.met is False and row.if_missed:
            parts.append(f"**Target missed.** {row.if_missed}")
        if parts:
            out.append(f"* **{row.measure} {row.title}, {row.metric}:** " + " ".join(parts))
    return "\n".join(out)


METHOD = """\
What a user pays for the shim, measured against what they would run instead, in one run on one
machine.  These machines are shared and noisy: absolute figures drift between runs, the ratios
hold.  How every figure is taken:

* **Interleaved.** Baseline and `batchai_compat` alternate in ABBA order (baseline first on even
  repetitions, ours first on odd ones), after one discarded warm-up run of each that fills the
  page cache and compiles `.pyc` files.
* **Median, min, max** over the repetitions of each side; the ratio is ours / baseline of the
  medians, so lower is better everywhere (a "≥ 4× faster" target reads "≤ 0.25×").
* **Fresh interpreters** where the issue says so (measures 1 and 2): each repetition is a new
  `python` process; the child times only the measured code (interpreter start-up is common to
  both sides and left out), and its peak RSS is the kernel's `ru_maxrss` for that one process
  (`os.wait4`), interpreter included.  Children are started by a small, long-lived spawner
  process, because Linux charges a child with the resident size of the process it was forked
  from; forked from the growing benchmark process, every child would report that instead.
* **CPU time** rows sit beside wall-time rows where the measured work runs in one process:
  user + system CPU of the same measured code (`time.process_time`).  Unlike wall time they
  are not stretched by other load on the machine, so they check the wall-time ratio.
* **In process** for measures 3-5: both sides run in the benchmark process, against the same
  resources (the same local home, SQLite on the same disk, the same Azurite).
* **Never in tests.** `tests/benchmarks/` only runs every measure once on tiny sizes so that this
  code keeps working; no test asserts a time.
"""


def _markdown(docstring: str) -> str:
    """A measure module's docstring as Markdown (RST literals become code spans)."""
    return docstring.strip().replace("``", "`")


def descriptions(measures: Sequence[tuple[str, str]]) -> str:
    return "\n\n".join(f"### {title}\n\n{_markdown(doc)}" for title, doc in measures)


def page(rows: Sequence[Row], *, elapsed_s: float, measures: Sequence[tuple[str, str]] = ()) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    counts: dict[str, int] = {}
    for row in rows:
        if row.baseline is not None:
            counts.setdefault(row.measure, row.baseline.count)
    reps = ", ".join(f"{name}: {count}" for name, count in counts.items()) or "none"
    return f"""# Benchmarks: the cost of the shim, beside the baseline

<!-- Generated by `{COMMAND}`; edit benchmarks/, not this file. -->

{METHOD}
Regenerate this page (about ten minutes on 2 cores, much of it measure 5's 30,000 one-at-a-time
baseline uploads) with:

```bash
bash scripts/setup.sh && {COMMAND}
```

`scripts/setup.sh` sets up the package alone; the first `python -m benchmarks` installs what the
baselines need besides it (`benchmarks/requirements.py`): the `bench` extra -- the genuine
azure-mgmt-batchai 2.0.0, azure-storage-blob v12, the guide's TensorFlow estimator
`azureml-train-core` -- and Azurite (`scripts/install_azurite.sh`).

`python -m benchmarks --help` lists the options (`--only`, `--repetitions`, `--quick`,
`--no-install`).

## Results

Run {when} at commit `{_commit()}`, Python {platform.python_version()} on
{platform.system()} {platform.machine()}, {os.cpu_count()} cores; {_versions()}.
Repetitions per side: {reps}. Whole run: {elapsed_s:.0f} s.

{table(rows)}

## Notes

{notes(rows) or "None."}

## What each measure runs

{descriptions(measures) or "See benchmarks/measures/."}
"""


def write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"wrote {path}", file=sys.stderr)

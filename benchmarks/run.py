"""The one command: run every measure, baseline and ours interleaved, and write the table.

.venv/bin/python -m benchmarks                  # everything -> docs/benchmarks.md
.venv/bin/python -m benchmarks --only imports   # some measures, table on stdout
.venv/bin/python -m benchmarks --quick          # one tiny repetition each (smoke)

What the baselines need (the `bench` extra, Azurite) is installed first when missing, unless
--no-install says to only tell how (see benchmarks/requirements.py).
"""

from __future__ import annotations

import argparse
import time
import traceback
from collections.abc import Sequence

from . import report, requirements
from .harness import REPO_ROOT, Row, compile_package
from .measures import MEASURES, description, runner
from .settings import Settings

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"


def run_measures(names: Sequence[str], settings: Settings) -> tuple[list[Row], list[str]]:
    """Run the named measures in order; a failing measure is reported, the others still run."""
    rows: list[Row] = []
    failures: list[str] = []
    for name in names:
        settings.progress(f"== {MEASURES[name][1]}")
        try:
            for row in runner(name)(settings):
                rows.append(row)
        except Exception as exc:  # one broken measure must not hide the others' figures
            settings.progress(traceback.format_exc())
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    return rows, failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated measures to run (default: all): {', '.join(MEASURES)}",
    )
    parser.add_argument(
        "--repetitions", type=int, help="repetitions per side (default: per measure)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one repetition, tiny sizes, no warm-up (smoke run)"
    )
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="do not install missing baselines (the bench extra, Azurite): say how and stop",
    )
    parser.add_argument(
        "--output",
        help=f"Markdown file to write (default: {DEFAULT_OUTPUT.relative_to(REPO_ROOT)} for a "
        "full run of every measure; otherwise only the table is printed)",
    )
    options = parser.parse_args(argv)

    names = [n.strip() for n in options.only.split(",") if n.strip()] or list(MEASURES)
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        parser.error(f"unknown measure(s) {unknown}; choose from {list(MEASURES)}")
    if options.repetitions is not None and options.repetitions < 1:
        parser.error("--repetitions must be at least 1")

    settings = Settings(quick=options.quick, repetitions=options.repetitions)
    if not requirements.ensure(names, not options.no_install, settings.progress):
        return 2
    compile_package()
    started = time.perf_counter()
    rows, failures = run_measures(names, settings)
    elapsed = time.perf_counter() - started

    output = options.output
    if output is None and not options.only and not options.quick and options.repetitions is None:
        output = str(DEFAULT_OUTPUT)
    print(report.table(rows))
    if output:
        report.write(
            output,
            report.page(rows, elapsed_s=elapsed, measures=[description(n) for n in names]),
        )
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0

"""Every measure of ``python -m benchmarks`` still runs: once, on tiny sizes, no timing asserted.

Keeps the benchmark code from rotting as the library changes; the figures themselves are only
ever compared in docs/benchmarks.md, never here.
"""

from __future__ import annotations

import os
import shutil

import pytest

from benchmarks import requirements
from benchmarks.azurite import AZURITE_MAIN
from benchmarks.harness import Row
from benchmarks.measures import MEASURES, runner
from benchmarks.settings import Settings

QUICK = Settings(quick=True, progress=lambda line: None)


def _azurite_or_skip() -> None:
    if shutil.which("node") is None or not AZURITE_MAIN.is_file():
        message = "Azurite is not installed (run scripts/setup.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _baselines_or_skip(name: str) -> None:
    """The baselines are not test dependencies: ``python -m benchmarks`` installs them."""
    modules, _ = requirements.missing([name])
    if modules:
        pytest.skip(
            f"baseline of measure {name!r} not installed ({', '.join(modules)}); "
            "python -m benchmarks installs it (the bench extra)"
        )


@pytest.mark.parametrize("name", list(MEASURES))
def test_measure_runs_both_sides_once(name: str) -> None:
    if name == "upload":
        _azurite_or_skip()
    _baselines_or_skip(name)
    rows: list[Row] = list(runner(name)(QUICK))
    assert rows, f"measure {name} produced no row"
    for row in rows:
        assert not row.skipped
        assert row.baseline is not None and row.ours is not None
        assert row.baseline.count == row.ours.count == 1
        assert row.ratio is not None and row.ratio >= 0
        assert row.baseline_label and row.ours_label and row.unit

"""The measuring machinery measures what it claims (no timing assertions)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.harness import ChildFailed, Row, Summary, Target, interleave, run_child

ALLOCATING_CHILD = textwrap.dedent(
    """
    import json, sys
    block = bytearray(int(sys.argv[2]) * 1024 * 1024)
    for i in range(0, len(block), 4096):  # touch every page so it is resident
        block[i] = 1
    with open(sys.argv[1], "w") as out:
        json.dump({"allocated_mb": float(sys.argv[2])}, out)
    """
)


@pytest.fixture
def allocating_child(tmp_path: Path) -> Path:
    script = tmp_path / "allocate.py"
    script.write_text(ALLOCATING_CHILD)
    return script


def test_child_peak_rss_is_the_childs_own_not_the_parents(allocating_child: Path) -> None:
    # The parent holds 300 MB while the children run: Linux would charge that to a child
    # forked straight from it; the spawner keeps each child's figure its own.
    ballast = bytearray(300 * 1024 * 1024)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    small = run_child(allocating_child, ["1"])
    large = run_child(allocating_child, ["120"])
    del ballast
    assert small["allocated_mb"] == 1.0
    assert small["peak_rss_mb"] < 100
    assert large["peak_rss_mb"] > 120
    assert large["peak_rss_mb"] < 300


def test_failing_child_raises_with_its_stderr(tmp_path: Path) -> None:
    script = tmp_path / "boom.py"
    script.write_text("raise SystemExit('boom: no result')\n")
    with pytest.raises(ChildFailed, match="boom: no result"):
        run_child(script)


def test_interleave_alternates_order_after_one_warmup_each() -> None:
    calls: list[str] = []

    def side(name: str):
        def run() -> dict[str, float]:
            calls.append(name)
            return {"n": float(len(calls))}

        return run

    paired = interleave(3, side("b"), side("o"), warmup=True)
    assert calls == ["b", "o", "b", "o", "o", "b", "b", "o"]
    assert [s["n"] for s in paired.baseline] == [3.0, 6.0, 7.0]
    assert [s["n"] for s in paired.ours] == [4.0, 5.0, 8.0]
    assert paired.summary("ours", "n") == Summary(median=5.0, minimum=4.0, maximum=8.0, count=3)


def _row(baseline: float, ours: float, target: float | None) -> Row:
    return Row(
        measure="9",
        title="thing",
        metric="wall time",
        unit="s",
        baseline_label="old",
        ours_label="new",
        baseline=Summary.of([baseline]),
        ours=Summary.of([ours]),
        target=None if target is None else Target(target),
        if_missed="because of X; Y would close it",
    )


def test_ratio_and_target_verdict() -> None:
    assert _row(2.0, 1.0, 0.5).ratio == 0.5
    assert _row(2.0, 1.0, 0.5).met is True
    assert _row(2.0, 1.5, 0.5).met is False
    assert _row(2.0, 1.5, None).met is None


def test_page_shows_both_sides_and_explains_a_missed_target() -> None:
    met, missed = _row(2.0, 0.5, 0.3), _row(2.0, 1.5, 0.5)
    text = report.page([met, missed], elapsed_s=1.0)
    table_lines = [line for line in text.splitlines() if line.startswith("| 9 ")]
    assert len(table_lines) == 2
    assert "| 2 / 0.5 |" in table_lines[0] and "| yes |" in table_lines[0]
    assert "| 2 / 1.5 |" in table_lines[1] and "**no**" in table_lines[1]
    assert text.count("because of X; Y would close it") == 1
    assert report.COMMAND in text


def test_missing_baselines_are_named_with_the_command_that_installs_them(monkeypatch):
    from benchmarks import requirements

    monkeypatch.setitem(requirements.BASELINE_MODULES, "imports", ("no_such_baseline_module",))
    said: list[str] = []
    assert requirements.ensure(["imports"], install=False, say=said.append) is False
    assert said == [
        "the benchmark baselines are not installed (no_such_baseline_module); run: "
        + " ".join(requirements.PIP_INSTALL)
    ]
    assert requirements.PIP_INSTALL[-1].endswith("[bench]")


def test_every_measure_says_what_its_baseline_needs():
    from benchmarks import requirements
    from benchmarks.measures import MEASURES

    assert set(requirements.BASELINE_MODULES) == set(MEASURES)

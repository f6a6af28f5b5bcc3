"""The measuring machinery: fresh child interpreters, interleaved repetitions, robust summaries.

These machines are shared and noisy, so every measure runs the baseline and ``batchai_compat``
*interleaved* (ABBA order: baseline first on even repetitions, ours first on odd ones), reports
the median with min and max, and compares the two as a ratio: absolute times drift, ratios hold.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_test_module(path: Path, name: str) -> ModuleType:
    """The test helper at ``path`` (a fake service of ``tests/``, whose folders are not
    packages) as module ``name``, loaded once per process."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compile_package() -> None:
    """Write batchai_compat's bytecode, as ``pip install`` does for an installed package.

    The baselines are installed packages whose ``.pyc`` files exist; ours runs from the source
    tree (editable install), where ``PYTHONDONTWRITEBYTECODE`` or a fresh clone would leave every
    child compiling every module it imports.  Start-up measures (1, 6) compare installed code.
    """
    import compileall

    compileall.compile_dir(REPO_ROOT / "batchai_compat", quiet=1)


#: A sample: one run of one side, as metric name -> value (e.g. ``{"wall_s": 0.21}``).
Sample = dict[str, float]


@dataclass(frozen=True)
class Summary:
    """Median, min and max of one metric over the repetitions of one side."""

    median: float
    minimum: float
    maximum: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no samples to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Target:
    """A target on the ratio ours / baseline, e.g. ``Target(0.3)`` for "≤ 0.3×", and/or an
    absolute bound on ours' median in the row's unit (``max_ours``: "≤ 10 ms per job")."""

    max_ratio: float | None
    label: str = ""
    max_ours: float | None = None

    def met(self, ratio: float | None, ours: float | None = None) -> bool | None:
        checks: list[bool] = []
        for bound, value in ((self.max_ratio, ratio), (self.max_ours, ours)):
            if bound is not None:
                if value is None:
                    return None
                checks.append(value <= bound)
        return all(checks) if checks else None

    def describe(self) -> str:
        if self.label:
            return self.label
        parts = [f"≤ {self.max_ratio:g}×"] if self.max_ratio is not None else []
        if self.max_ours is not None:
            parts.append(f"ours ≤ {self.max_ours:g}")
        return ", ".join(parts)


@dataclass
class Row:
    """One line of the results table: one metric, baseline beside ours."""

    measure: str
    title: str
    metric: str
    unit: str
    baseline_label: str
    ours_label: str
    baseline: Summary | None
    ours: Summary | None
    target: Target | None = None
    note: str = ""
    #: Said in the notes when the target is missed: why, and what would close it.
    if_missed: str = ""
    #: Set instead of figures when a side could not be measured (with the reason).
    skipped: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.ours is None or self.baseline.median == 0:
            return None
        return self.ours.median / self.baseline.median

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.target.met(self.ratio, None if self.ours is None else self.ours.median)


@dataclass
class Paired:
    """The interleaved samples of both sides of one measure."""

    baseline: list[Sample] = field(default_factory=list)
    ours: list[Sample] = field(default_factory=list)

    def summary(self, side: str, metric: str) -> Summary:
        samples = self.baseline if side == "baseline" else self.ours
        return Summary.of([s[metric] for s in samples])


def interleave(
    repetitions: int,
    baseline: Callable[[], Sample],
    ours: Callable[[], Sample],
    *,
    warmup: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Paired:
    """Run both sides ``repetitions`` times each in ABBA order, after one discarded warm-up each.

    The warm-up fills the OS page cache and compiles ``.pyc`` files, which would otherwise be
    charged to whichever side happens to run first.
    """
    if warmup:
        baseline()
        ours()
    paired = Paired()
    for rep in range(repetitions):
        order = [("baseline", baseline), ("ours", ours)]
        if rep % 2:
            order.reverse()
        for side, run in order:
            sample = run()
            (paired.baseline if side == "baseline" else paired.ours).append(sample)
            if progress:
                shown = ", ".join(f"{k}={v:.4g}" for k, v in sample.items())
                progress(f"  rep {rep + 1}/{repetitions} {side:8s} {shown}")
    return paired


class ChildFailed(RuntimeError):
    """A measuring child process exited with an error; carries its stderr tail."""


# The spawner: a small, long-lived interpreter that starts every measuring child.  Linux charges
# a child's ``ru_maxrss`` with the resident size of the address space it was forked from (the
# high-water mark of the parent's memory is recorded at ``exec``), so children forked straight
# from this benchmark process -- which grows as measures import SDKs -- would report the
# parent's memory.  Forked from this ~10 MB process instead, a child's peak RSS is its own.
_SPAWNER_CODE = r"""
import json, os, subprocess, sys, threading
for line in sys.stdin:
    job = json.loads(line)
    with open(job["stderr"], "wb") as err:
        proc = subprocess.Popen(job["argv"], cwd=job["cwd"], env=job["env"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(job["timeout"], proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"returncode": proc.returncode, "maxrss_kib": usage.ru_maxrss}), flush=True)
"""


class _Spawner:
    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def run(
        self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str], stderr: str, timeout: float
    ) -> tuple[int, float]:
        """Run ``argv`` to completion; return its exit code and peak RSS in KiB."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    [sys.executable, "-S", "-c", _SPAWNER_CODE],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            assert self._proc.stdin is not None and self._proc.stdout is not None
            job = {
                "argv": list(argv),
                "cwd": cwd,
                "env": dict(env),
                "stderr": stderr,
                "timeout": timeout,
            }
            self._proc.stdin.write(json.dumps(job) + "\n")
            self._proc.stdin.flush()
            answer = json.loads(self._proc.stdout.readline())
        return int(answer["returncode"]), float(answer["maxrss_kib"])

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                assert self._proc.stdin is not None
                self._proc.stdin.close()
                self._proc.wait()
                if self._proc.stdout is not None:
                    self._proc.stdout.close()
                self._proc = None


_spawner = _Spawner()
atexit.register(_spawner.close)


def run_child(
    script: str | Path,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
) -> Sample:
    """Run a child script in a fresh interpreter and return its sample.

    ``script`` is the name of one in ``benchmarks/children/`` (``"import_root"``) or a path.

    The child reports what it timed itself (the measured code only, not interpreter start-up)
    as JSON in a result file; the parent adds the child's peak resident set size, read from the
    kernel's accounting of that one process (``wait4`` → ``ru_maxrss``), as ``peak_rss_mb``.
    """
    if isinstance(script, str):
        script = REPO_ROOT / "benchmarks" / "children" / f"{script}.py"
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        result_file = Path(tmp) / "result.json"
        stderr_file = Path(tmp) / "stderr.txt"
        child_env = dict(os.environ if env is None else env)
        child_env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), child_env.get("PYTHONPATH", "")) if p
        )
        child_env.setdefault("PYTHONWARNINGS", "ignore")
        returncode, maxrss_kib = _spawner.run(
            [sys.executable, str(script), str(result_file), *args],
            cwd=tmp,
            env=child_env,
            stderr=str(stderr_file),
            timeout=timeout,
        )
        if returncode != 0 or not result_file.exists():
            tail = stderr_file.read_text(errors="replace")[-3000:]
            raise ChildFailed(f"child {script.name} {list(args)} exited {returncode}:\n{tail}")
        sample: Sample = {k: float(v) for k, v in json.loads(result_file.read_text()).items()}
    sample["peak_rss_mb"] = maxrss_kib / 1024.0
    return sample

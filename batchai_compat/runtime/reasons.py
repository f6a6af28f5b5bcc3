"""Why a task failed, in one line: the end of a failed job's ``errors[0].message``.

Batch AI reported a failed task with its exit code; a person then opened ``stderr.txt`` to see
why.  The node runtime puts the reason in the message itself: the last *meaningful* line the
task wrote to stderr.  Not meaningful are the banners MPI launchers add after a rank fails
(blocks between lines of dashes: "Primary job terminated normally, but 1 process returned ...",
"mpirun detected that one or more processes exited with non-zero status ...", "MPI_ABORT was
invoked ...", and Open MPI's ``[host:pid] ...`` help aggregation lines).  Of a Python
traceback, the exception line (``ValueError: learning rate must be positive``) is the reason,
not the last line of the stack.  Secret values are masked and the line is kept short.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["failure_reason", "meaningful_line"]

#: How much of the end of a stderr file is read: a traceback plus MPI's banners fit in it.
TAIL_BYTES = 16384
#: The longest reason put in a message.
MAX_REASON = 500

_RULE = re.compile(r"^\s*-{8,}\s*$")
#: Words of the banners MPI launchers (Open MPI's mpirun/orterun/prterun, MPICH's hydra) print
#: between rules of dashes when a rank fails.
_LAUNCHER_WORDS = re.compile(
    r"mpirun|orterun|prterun|mpiexec|MPI_ABORT|Primary job|Process name:|Exit code:|"
    r"help message|Open MPI|PRRTE|ORTE",
    re.IGNORECASE,
)
#: Open MPI's own diagnostic lines: ``[hostname:12345] 1 more process has sent help message``.
_LAUNCHER_LINE = re.compile(r"^\[[^\]\s]+:\d+\] ")
_TRACEBACK = "Traceback (most recent call last):"


def _without_launcher_banners(lines: list[str]) -> list[str]:
    """``lines`` less MPI launcher banners (dash-ruled blocks that mention the launcher) and
    Open MPI's ``[host:pid]`` lines; a dash-ruled block of the task's own is kept."""
    kept: list[str] = []
    block: list[str] | None = None
    for line in lines:
        if _RULE.match(line):
            if block is None:
                block = []
                continue
            if not any(_LAUNCHER_WORDS.search(b) for b in block):
                kept += block
            block = None
            continue
        if block is not None:
            block.append(line)
        elif not _LAUNCHER_LINE.match(line):
            kept.append(line)
    if block is not None and not any(_LAUNCHER_WORDS.search(b) for b in block):
        kept += block  # a rule never closed: the task's own text
    return kept


def _exception_line(lines: list[str]) -> str | None:
    """The exception line of the last Python traceback in ``lines`` (None without one)."""
    starts = [i for i, line in enumerate(lines) if line.strip() == _TRACEBACK]
    if not starts:
        return None
    for line in lines[starts[-1] + 1 :]:
        if line.strip() and not line[0].isspace():
            return line.strip()  # frames and source lines are indented; the exception is not
    return None


def meaningful_line(text: str) -> str:
    """The line of ``text`` (a task's stderr) that says why it failed; "" when there is none."""
    lines = _without_launcher_banners(text.splitlines())
    reason = _exception_line(lines)
    if reason:
        return reason
    for line in reversed(lines):
        if line.strip():
            return line.strip()
    return ""


def failure_reason(path: Path, secrets: Mapping[str, str]) -> str:
    """The meaningful last line of the stderr file ``path``, secrets masked ("" if none)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - TAIL_BYTES))
            tail = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    reason = meaningful_line(tail)
    for value in secrets.values():
        if value:
            reason = reason.replace(value, "***")
    return reason[:MAX_REASON]

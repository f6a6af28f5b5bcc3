"""Whether this machine can run the ``local`` backend, checked when the backend is chosen.

Batch AI ran jobs on Linux nodes; the local backend runs them as Linux processes.  It forks a
warm node runtime per node (``os.fork``) and finds, stops and reaps a job's processes through
``/proc`` (sessions, start times, command lines).  Without either, a job would fail half-way
(a supervisor that cannot start its nodes, processes nobody can stop), so choosing the backend
fails at once instead, before anything is written, saying what is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

from ...exceptions import UnsupportedPlatformError

__all__ = ["PlatformFacts", "require_local_platform"]

#: Read to tell whether ``/proc`` (Linux's process file system) is mounted.
PROC_SELF_STAT = Path("/proc/self/stat")


class PlatformFacts(NamedTuple):
    """What the local backend needs to know about a platform."""

    system: str
    has_fork: bool
    has_proc: bool

    @classmethod
    def of_this_machine(cls) -> PlatformFacts:
        return cls(sys.platform, hasattr(os, "fork"), PROC_SELF_STAT.is_file())

    def missing(self) -> list[str]:
        """What of the backend's needs this platform lacks (empty when it can run)."""
        lacks = []
        if not self.has_fork:
            lacks.append("os.fork (POSIX process creation)")
        if not self.has_proc:
            lacks.append("/proc (Linux's process file system)")
        return lacks


def require_local_platform(facts: PlatformFacts | None = None) -> None:
    """Raise :class:`UnsupportedPlatformError` unless the local backend can run here."""
    facts = facts or PlatformFacts.of_this_machine()
    lacks = facts.missing()
    if not lacks:
        return
    raise UnsupportedPlatformError(
        f"The 'local' backend runs Batch AI jobs as Linux processes: it needs "
        f"{' and '.join(lacks)}, which this platform ({facts.system}) does not have. Run it "
        "on Linux (a Linux machine or VM, WSL 2 on Windows, or a Linux container such as "
        "`docker run -it python:3.11`), or choose a backend that runs jobs elsewhere: "
        "BatchAIManagementClient(..., backend='azureml') or BATCHAI_COMPAT_BACKEND=azureml."
    )

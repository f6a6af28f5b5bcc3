"""Process bookkeeping for local jobs: identify a process across pid reuse, stop a session,
find (and stop) every process serving a local home.

A running local job is a *supervisor* process in its own session and one *node runtime* per
node, each in a session of its own; tasks (and whatever they start, ``mpirun`` ranks included,
which Open MPI puts in process groups of their own) stay in their node's session.  Stopping a
node therefore means signalling every process of that session, found through ``/proc`` (Linux).

A pid alone is not an identity (pids are reused), so records pair it with the process start
time from ``/proc/<pid>/stat``.

The helpers of a home (:mod:`.helpers`: the scheduler daemon, the file service) are started as
``python -m <module> --database <home>/state.db`` (:data:`HELPER_MODULES`,
:data:`DATABASE_OPTION`); supervisors are forked from the scheduler daemon and node runtimes
from their supervisor, so they keep that command line too.  :func:`find_supervisors` tells
which processes serve a given home and :func:`stop_supervisors` stops them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DATABASE_OPTION",
    "FILE_SERVICE_MODULE",
    "HELPER_MODULES",
    "SCHEDULER_MODULE",
    "ProcessRef",
    "find_supervisors",
    "session_members",
    "stop_session",
    "stop_sessions",
    "stop_supervisors",
]

SCHEDULER_MODULE = "batchai_compat.backends.local.daemon"
"""What ``python -m`` runs for a home's scheduler daemon (supervisors are forked from it)."""
FILE_SERVICE_MODULE = "batchai_compat.home.fileservice_process"
"""What ``python -m`` runs for a home's loopback file service."""
HELPER_MODULES = (SCHEDULER_MODULE, FILE_SERVICE_MODULE)

DATABASE_OPTION = "--database"
"""Helper option naming the state database (``<home>/state.db``) it serves."""

_STOP_GRACE_SECONDS = 3.0


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (state is element 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("ascii", "replace")
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


@dataclass(frozen=True)
class ProcessRef:
    """A process identified by pid *and* start time (clock ticks since boot)."""

    pid: int
    start_ticks: int

    @classmethod
    def of(cls, pid: int) -> ProcessRef | None:
        fields = _stat_fields(pid)
        return None if fields is None else cls(pid, int(fields[19]))

    def alive(self) -> bool:
        """True while this very process exists and has not exited (zombies count as exited)."""
        fields = _stat_fields(self.pid)
        return (
            fields is not None
            and fields[0] not in ("Z", "X")
            and int(fields[19]) == self.start_ticks
        )

    def to_dict(self) -> dict[str, int]:
        return {"pid": self.pid, "start_ticks": self.start_ticks}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> ProcessRef:
        return cls(int(data["pid"]), int(data["start_ticks"]))


def session_members(session_id: int) -> list[int]:
    """Live (non-zombie) processes of session ``session_id``."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is not None and fields[0] not in ("Z", "X") and int(fields[3]) == session_id:
            members.append(int(entry))
    return members


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def stop_session(session: ProcessRef, grace: float = _STOP_GRACE_SECONDS) -> None:
    """SIGTERM every process of the session led by ``session``, SIGKILL what is left after
    ``grace`` seconds.  Safe to call when the leader is gone: its session id lives on in its
    descendants.  Linux never reuses a pid that is still some process's session id, so when the
    pid now belongs to another process (other start time) no member of ours can be left."""
    stop_sessions([session], grace)


def stop_sessions(sessions: Iterable[ProcessRef], grace: float = _STOP_GRACE_SECONDS) -> None:
    """:func:`stop_session` for several sessions at once: all are signalled first, then waited
    for together (one grace period in all, not one each)."""
    ours = [
        ref
        for ref in sessions
        if (current := ProcessRef.of(ref.pid)) is None or current.start_ticks == ref.start_ticks
    ]

    def members() -> list[int]:
        me = os.getpid()
        pids: set[int] = set()
        for ref in ours:
            pids.update(pid for pid in session_members(ref.pid) if pid != me)
            if ref.pid != me and ref.alive():
                pids.add(ref.pid)  # a leader that has not called setsid() yet
        return sorted(pids)

    left = members()
    if not left:
        return
    _signal_all(left, signal.SIGTERM)
    deadline = time.monotonic() + grace
    delay = 0.01
    while time.monotonic() < deadline:
        if not members():
            return
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    _signal_all(members(), signal.SIGKILL)


_MODULE_BYTES = b"batchai_compat."


def _served_database(pid: int) -> str | None:
    """The ``--database`` of a helper's command line (or of a process forked from one)."""
    try:  # os-level calls: this runs for every process of the machine
        fd = os.open(f"/proc/{pid}/cmdline", os.O_RDONLY)
    except OSError:
        return None
    try:
        raw = os.read(fd, 1 << 16)
    except OSError:
        return None
    finally:
        os.close(fd)
    if _MODULE_BYTES not in raw:
        return None
    argv = raw.decode("utf-8", "surrogateescape").split("\0")
    try:
        if not any(module in argv for module in HELPER_MODULES):
            return None
        return argv[argv.index(DATABASE_OPTION) + 1]
    except (ValueError, IndexError):
        return None


def find_supervisors(home: str | os.PathLike[str]) -> list[ProcessRef]:
    """Live helpers, supervisors and node runtimes whose state database lies under the folder
    ``home`` (a ``BATCHAI_COMPAT_HOME``, or any folder above several), found through their
    command lines in ``/proc``."""
    prefix = os.path.join(os.path.abspath(home), "")
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        database = _served_database(int(entry))
        if database is not None and os.path.abspath(database).startswith(prefix):
            ref = ProcessRef.of(int(entry))
            if ref is not None and ref.alive():
                found.append(ref)
    return found


def stop_supervisors(
    home: str | os.PathLike[str], grace: float = _STOP_GRACE_SECONDS
) -> list[ProcessRef]:
    """Stop every process serving the local home ``home``: its helpers (the scheduler daemon
    starts no job once signalled; the file service stops serving), the supervisors (SIGTERM: a
    running job is recorded ``failed``/``JobTerminated``, a queued one stays queued), the node
    runtimes and their tasks (each node's whole session).  Returns what was running.

    For a home about to be discarded (a test's temporary folder); ``jobs.terminate`` is the way
    to stop one job of a home that stays in use.  A job that ends while this runs may start a
    new scheduler daemon: the search is repeated until nothing is left.
    """
    stopped: list[ProcessRef] = []
    for _ in range(_STOP_ROUNDS):
        found = [ref for ref in find_supervisors(home) if ref not in stopped]
        if not found:
            break
        stop_sessions(found, grace)
        stopped += found
    return stopped


_STOP_ROUNDS = 5

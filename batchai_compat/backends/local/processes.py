"""Process bookkeeping for local jobs: identify a process across pid reuse, stop a session.

Every local job runs as a *supervisor* process in its own session and one *node launcher* per
node, each in a session of its own; tasks (and whatever they start, ``mpirun`` ranks included,
which Open MPI puts in process groups of their own) stay in their node's session.  Stopping a
node therefore means signalling every process of that session, found through ``/proc`` (Linux).

A pid alone is not an identity (pids are reused), so records pair it with the process start
time from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass

__all__ = ["ProcessRef", "session_members", "stop_session"]

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
    current = ProcessRef.of(session.pid)
    if current is not None and current.start_ticks != session.start_ticks:
        return
    members = [pid for pid in session_members(session.pid) if pid != os.getpid()]
    if current is not None and current.alive() and session.pid not in members:
        members.append(session.pid)  # a leader that has not called setsid() yet
    if not members:
        return
    _signal_all(members, signal.SIGTERM)
    deadline = time.monotonic() + grace
    delay = 0.01
    while time.monotonic() < deadline:
        members = [pid for pid in session_members(session.pid) if pid != os.getpid()]
        if not members and not session.alive():
            return
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    leftover = [pid for pid in session_members(session.pid) if pid != os.getpid()]
    if session.alive():
        leftover.append(session.pid)
    _signal_all(leftover, signal.SIGKILL)

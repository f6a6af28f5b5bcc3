"""A job supervisor forked ahead of its job, so that the next queued job starts without a fork.

Batch AI started a queued job on a node the moment the node was free.  Locally, starting a job
means forking its supervisor from the scheduler daemon (:mod:`.daemon`): on a shared 2-core
machine, the fork of a ~20 MB Python process and the first page faults of the child cost a few
milliseconds on the path from one job's end to the next job's task, for every job of a sweep.
So while jobs run and more wait, the daemon forks one *spare* at a quiet moment (after a job
has started): a process that holds no job and waits on a pipe.  When a node frees, the daemon
hands the next job to the spare (:meth:`SpareSupervisor.assign`) instead of forking, and the
spare becomes that job's supervisor: from then on it is any other supervisor (its identity is
written to ``supervisor.json`` by the daemon, it is the daemon's child, kill -9 of it fails
the job ``SupervisorDied``).

A spare is one process per home at most, only while a job runs and another is queued; it ends
when the daemon closes its pipe (the daemon has no more use for it, exits or is killed: the
kernel closes the pipe then), on SIGTERM (``stop_supervisors``), and is never given a job
whose assignment it could not have read whole.  The assignment is a pickle of the job's
records and its handover (secret values included) written on an anonymous pipe from the daemon
to its own child: it never touches disk and no other process can read it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
from collections.abc import Callable
from typing import Any, NoReturn

from ...home.processes import ProcessRef

__all__ = ["SpareSupervisor"]

_HEADER = struct.Struct("!I")
_MAX_ASSIGNMENT = 60 * 1024
"""An assignment is written in one go on an empty pipe (64 KiB on Linux) or not at all: the
daemon never blocks on its spare.  A bigger one (a huge environment) is run by a fresh fork."""


class SpareSupervisor:
    """The daemon's side of a spare: its process and the pipe its job is written to."""

    def __init__(self, ref: ProcessRef, assignments: int) -> None:
        self.ref = ref
        self._assignments: int | None = assignments

    @property
    def pid(self) -> int:
        return self.ref.pid

    @classmethod
    def fork(
        cls,
        enter_child: Callable[[], None],
        run: Callable[[tuple[Any, ...]], NoReturn],
        warm_up: Callable[[], None],
    ) -> SpareSupervisor:
        """Fork a spare.  In the child: ``enter_child()`` (leave the daemon's session,
        descriptors and signals), ``warm_up()`` (what can be done before knowing the job),
        then wait for an assignment and ``run(assignment)`` (never returns); it exits
        quietly when the pipe closes first."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(write_end)
            assignment = None
            try:
                enter_child()
                with contextlib.suppress(Exception):
                    warm_up()
                assignment = _receive(read_end)
                os.close(read_end)
            except BaseException:
                os._exit(0)
            if assignment is None:
                os._exit(0)  # retired before it had a job
            run(assignment)
        os.close(read_end)
        os.set_blocking(write_end, False)
        return cls(ProcessRef.of(pid) or ProcessRef(pid, 0), write_end)

    def assign(self, assignment: tuple[Any, ...]) -> bool:
        """Hand ``assignment`` over; False when the spare cannot take it (it is gone, or the
        assignment is too big): the spare is retired then, and the job needs a fresh fork."""
        if self._assignments is None:
            return False
        data = pickle.dumps(assignment, protocol=pickle.HIGHEST_PROTOCOL)
        message = _HEADER.pack(len(data)) + data
        written = 0
        if len(message) <= _MAX_ASSIGNMENT:
            with contextlib.suppress(OSError):  # (EPIPE: it died; EAGAIN: the pipe is small)
                written = os.write(self._assignments, message)
        self.retire()  # taken whole, or never: a partial message ends the spare
        return written == len(message)

    def retire(self) -> None:
        """Close its pipe: a spare still waiting exits; one that took a job runs on."""
        if self._assignments is not None:
            with contextlib.suppress(OSError):
                os.close(self._assignments)
            self._assignments = None

    def close_in_child(self) -> None:
        """In another process forked from the daemon: drop the pipe (only the daemon may keep
        the spare waiting)."""
        if self._assignments is not None:
            with contextlib.suppress(OSError):
                os.close(self._assignments)


def _receive(fd: int) -> tuple[Any, ...] | None:
    """The assignment, or None when the pipe closes before a whole one arrived."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    data = _read_exactly(fd, _HEADER.unpack(header)[0])
    if data is None:
        return None
    assignment: tuple[Any, ...] = pickle.loads(data)  # from the daemon, our parent, only
    return assignment


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)

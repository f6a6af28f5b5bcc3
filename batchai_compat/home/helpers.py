"""The long-lived helper processes of a local home: one of each, found by later processes,
started on demand, gone when idle.

Batch AI's service kept running whether or not a client was connected: it started queued jobs
as nodes freed, moved clusters through their states and served download URLs.  On this machine
that part is done by at most two helper processes per ``BATCHAI_COMPAT_HOME``:

* ``scheduler`` (:mod:`batchai_compat.backends.local.daemon`): the job queue and the cluster
  clock;
* ``files`` (:mod:`.fileservice`): the loopback file service behind download and SAS URLs.

Each helper is ``python -m <module> --database <home>/state.db --database-file <dev>:<inode>``
(the option :func:`.processes.find_supervisors` looks for) and is

* **single**: it holds an exclusive ``flock`` on ``<home>/helpers/<name>.lock`` for its whole
  life; the kernel releases it however the process ends (``kill -9`` included), so a second
  copy cannot run beside it and a new one can start as soon as the old one is gone;
* **found**: ``<home>/helpers/<name>.json`` says which process it is (pid and start time, see
  :class:`.processes.ProcessRef`), where it listens, and which state database file it serves;
* **started on demand**: :func:`ensure` returns the live helper, or starts one (detached: its
  own session, adopted by init, so it outlives the caller) under ``<name>.start.lock`` so that
  callers racing each other start one, and waits for its ``ready`` line;
* **gone when idle**, or as soon as the state database it serves disappears (its home was
  deleted or replaced): it then exits without writing anything.

``<home>/helpers/<name>.log`` receives a helper's standard error (start-up failures); no secret
value is ever written there.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.logs import LazyLogger
from . import layout
from .processes import DATABASE_OPTION, FILE_SERVICE_MODULE, SCHEDULER_MODULE, ProcessRef

__all__ = [
    "FILES",
    "HELPERS_DIR",
    "SCHEDULER",
    "DatabaseFile",
    "Helper",
    "HelperLife",
    "HelperRecord",
    "HelperUnavailable",
    "ensure",
    "idle_seconds",
    "read_record",
]

_log = LazyLogger(__name__)  # no logging import until a record needs it

HELPERS_DIR = "helpers"
ENV_IDLE_SECONDS = "BATCHAI_COMPAT_HELPER_IDLE_SECONDS"
"""How long a helper with nothing to do stays up (default 30 s), for both helpers."""
_DEFAULT_IDLE_SECONDS = 30.0
_START_TIMEOUT_SECONDS = 60.0
_PREDECESSOR_WAIT_SECONDS = 10.0


def idle_seconds() -> float:
    """``$BATCHAI_COMPAT_HELPER_IDLE_SECONDS`` (default 30): how long an idle helper waits."""
    raw = os.environ.get(ENV_IDLE_SECONDS, "")
    try:
        value = float(raw) if raw.strip() else _DEFAULT_IDLE_SECONDS
    except ValueError:
        value = _DEFAULT_IDLE_SECONDS
    return max(0.0, value)


@dataclass(frozen=True)
class DatabaseFile:
    """The state database a helper serves: its path and the file found there at start."""

    path: Path
    device: int
    inode: int

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> DatabaseFile | None:
        """The file now at ``path``; None if there is none."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return cls(Path(path), stat.st_dev, stat.st_ino)

    @classmethod
    def identified(cls, path: str | os.PathLike[str], file_id: str) -> DatabaseFile:
        """The file ``file_id`` (see :attr:`file_id`) was at ``path`` (it may be gone since)."""
        device, inode = (int(part) for part in file_id.split(":"))
        return cls(Path(path), device, inode)

    @property
    def file_id(self) -> str:
        """``device:inode``: which file this is, for ``--database-file``."""
        return f"{self.device}:{self.inode}"

    @property
    def home(self) -> Path:
        return self.path.parent

    def present(self) -> bool:
        """True while ``path`` still names this very file (not deleted, not replaced)."""
        return DatabaseFile.at(self.path) == self


@dataclass(frozen=True)
class Helper:
    """One kind of helper: its ``name`` (file names under ``helpers/``) and its program."""

    name: str
    module: str
    title: str
    """What log records call it."""

    def record_path(self, home: Path) -> Path:
        return home / HELPERS_DIR / f"{self.name}.json"

    def lock_path(self, home: Path) -> Path:
        return home / HELPERS_DIR / f"{self.name}.lock"

    def log_path(self, home: Path) -> Path:
        return home / HELPERS_DIR / f"{self.name}.log"


SCHEDULER = Helper("scheduler", SCHEDULER_MODULE, "local scheduler")
FILES = Helper("files", FILE_SERVICE_MODULE, "file service for download and SAS URLs")


@dataclass(frozen=True)
class HelperRecord:
    """A running helper as its record file tells it."""

    ref: ProcessRef
    address: str
    database: str

    def to_json(self) -> str:
        return json.dumps(
            {**self.ref.to_dict(), "address": self.address, "database": self.database}
        )

    @classmethod
    def from_json(cls, text: str) -> HelperRecord:
        data = json.loads(text)
        return cls(ProcessRef.from_dict(data), str(data["address"]), str(data["database"]))


class HelperUnavailable(RuntimeError):
    """A helper could not be started (its log file says why)."""


def read_record(home: Path, helper: Helper) -> HelperRecord | None:
    """The live helper of ``home`` serving its current state database, else None."""
    try:
        record = HelperRecord.from_json(helper.record_path(home).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    database = DatabaseFile.at(layout.state_db_path(home))
    if database is None or database.file_id != record.database or not record.ref.alive():
        return None
    return record


@contextlib.contextmanager
def _flocked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def ensure(home: Path, helper: Helper, timeout: float = _START_TIMEOUT_SECONDS) -> HelperRecord:
    """The running ``helper`` of ``home``, started first if there is none.

    The state database must exist (a backend opened it).  Raises :class:`HelperUnavailable`
    when a started helper does not report ready within ``timeout`` seconds.
    """
    record = read_record(home, helper)
    if record is not None:
        return record
    folder = home / HELPERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with _flocked(home / HELPERS_DIR / f"{helper.name}.start.lock"):
        record = read_record(home, helper)  # started by a racing caller meanwhile
        if record is not None:
            return record
        database = DatabaseFile.at(layout.state_db_path(home))
        if database is None:
            raise HelperUnavailable(f"{layout.state_db_path(home)} does not exist")
        _spawn(home, helper, database, timeout)
        record = read_record(home, helper)
        if record is None:
            raise HelperUnavailable(
                f"the {helper.name} helper of {home} did not start; see {helper.log_path(home)}"
            )
        _log.info(
            "%s of %s started (pid %d, at %s)", helper.title, home, record.ref.pid, record.address
        )
        return record


def _spawn(home: Path, helper: Helper, database: DatabaseFile, timeout: float) -> None:
    """Start ``helper`` detached and wait for its ``ready`` line (or its end).

    ``sh`` starts it in the background and exits at once: the helper is adopted by init (no
    zombie here, no tie to this process) and calls ``setsid()`` itself; its standard output is
    a pipe we read its ``ready`` line from, its standard error its log file.
    """
    read_end, write_end = os.pipe()
    log = os.open(helper.log_path(home), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        launcher = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                '"$@" </dev/null &',
                "sh",
                sys.executable,
                "-m",
                helper.module,
                DATABASE_OPTION,
                str(database.path),
                "--database-file",
                database.file_id,
            ],
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=log,
            close_fds=True,
            start_new_session=True,  # off the terminal (Ctrl-C) even before its setsid()
        )
    finally:
        os.close(write_end)
        os.close(log)
    try:
        launcher.wait()
        deadline = time.monotonic() + timeout
        received = b""
        while b"\n" not in received:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                break
            chunk = os.read(read_end, 256)
            if not chunk:
                break  # it exited (another copy runs, or it failed: see its log)
            received += chunk
    finally:
        os.close(read_end)


class HelperLife:
    """The helper's side: the single-instance lock, the record, the ``ready`` line.

    ``HelperLife(helper, database)`` takes the lock (waiting a few seconds for a predecessor
    still exiting); :attr:`acquired` is False when another copy runs.  :meth:`announce` writes
    the record and tells the starter; :meth:`retire` removes the record (if it is still ours).
    """

    @classmethod
    def begin(cls, helper: Helper, argv: list[str] | None = None) -> HelperLife | None:
        """The start of a helper's ``main``: its command line (``--database``,
        ``--database-file``), a session of its own, the lock.  None when there is nothing to
        do: its home is already gone, or another copy runs."""
        parser = argparse.ArgumentParser(prog=f"python -m {helper.module}")
        parser.add_argument(DATABASE_OPTION, dest="database", required=True)
        parser.add_argument("--database-file", help="device:inode of that database at start")
        options = parser.parse_args(argv)
        with contextlib.suppress(PermissionError):  # a session of our own (off the terminal)
            os.setsid()
        database = (
            DatabaseFile.identified(options.database, options.database_file)
            if options.database_file
            else DatabaseFile.at(options.database)
        )
        if database is None or not database.present():
            return None
        life = cls(helper, database)
        return life if life.acquired else None

    def __init__(self, helper: Helper, database: DatabaseFile) -> None:
        self.helper = helper
        self.database = database
        self.home = database.home
        self.me = ProcessRef.of(os.getpid()) or ProcessRef(os.getpid(), 0)
        self.lock_fd: int | None = None
        folder = self.home / HELPERS_DIR
        with contextlib.suppress(OSError):
            fd = os.open(helper.lock_path(self.home), os.O_RDWR | os.O_CREAT, 0o600)
            deadline = time.monotonic() + _PREDECESSOR_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if time.monotonic() >= deadline or not folder.is_dir():
                        os.close(fd)
                        break
                    time.sleep(0.05)
                    continue
                self.lock_fd = fd
                break

    @property
    def acquired(self) -> bool:
        return self.lock_fd is not None

    def announce(self, address: str) -> None:
        """Write the record (atomically) and print ``ready`` for the process that started us."""
        path = self.helper.record_path(self.home)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(
            HelperRecord(self.me, address, self.database.file_id).to_json(), encoding="utf-8"
        )
        os.replace(temporary, path)
        with contextlib.suppress(OSError):
            os.write(1, b"ready\n")
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)

    def retire(self) -> None:
        """Remove the record if it still names this process (never create anything)."""
        path = self.helper.record_path(self.home)
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            if HelperRecord.from_json(path.read_text()).ref == self.me:
                path.unlink()

    def close_in_child(self) -> None:
        """In a process forked from the helper: drop the lock descriptor (a child holding it
        would keep a new helper from starting after this one ended)."""
        if self.lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.lock_fd)
            self.lock_fd = None

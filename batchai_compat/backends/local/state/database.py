"""The SQLite plumbing of the local control plane: connections, WAL, transactions, schema.

The state file is what the Batch AI *service* was for the old client: the source of truth
several processes share (the user's scripts, job supervisors, a second notebook).  So:

* the database runs in WAL mode with a busy timeout: readers never block the writer, and
  writers queue instead of failing;
* every change is one ``BEGIN IMMEDIATE`` transaction (:meth:`Database.write`): the write lock
  is taken up front, so two processes never both read-then-write the same row, and checks
  ("does the parent exist?", "is this name free?") run inside the transaction that acts on them;
* a read of several statements runs in one snapshot (:meth:`Database.read`); a single
  statement is its own snapshot and needs no transaction (:meth:`Database.connection`);
* each thread gets its own connection (and a forked child never reuses its parent's), so one
  :class:`Database` is safe to share between threads; :meth:`Database.close` closes them all.

Rows come back as plain tuples: the record builders (:mod:`.records`) name the columns they read.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .schema import migrate

__all__ = ["BUSY_TIMEOUT_SECONDS", "Database"]

BUSY_TIMEOUT_SECONDS = 60.0


class Database:
    """The state file at ``path`` (created, or migrated to the current schema, on open)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection().execute("PRAGMA journal_mode = WAL")
        with self.write() as db:
            migrate(db, self.path)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, in autocommit mode (each statement its own snapshot)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        if self._closed:
            raise RuntimeError("this state database is closed")
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,  # used by one thread; closed by close() from any thread
        )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        self._local.conn = conn
        self._local.pid = os.getpid()
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the database's write lock is taken at BEGIN; an exception
        rolls everything back."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: a consistent snapshot, never blocking writers (WAL)."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this database opened (in any thread)."""
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

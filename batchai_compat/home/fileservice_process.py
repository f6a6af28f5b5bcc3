"""The file service of a local home: ``python -m batchai_compat.home.fileservice_process
--database <home>/state.db``.

One process per ``BATCHAI_COMPAT_HOME`` (the ``files`` helper of :mod:`.helpers`, started by
:func:`.fileservice.base_url` when a process of the home makes a URL) runs a
:class:`.fileserver.FileServer` on a loopback port recorded in ``<home>/helpers/files.json``.
It exits when no URL issued in its home is still valid and no request came for
:func:`.helpers.idle_seconds`, on SIGTERM, and at once when its state database disappears.
Started again (by the next process that makes a URL, or after a crash), it takes the port it
had if that is still free, so URLs issued earlier work again.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

from .file_grants import Tokens
from .fileserver import FileServer
from .helpers import FILES, DatabaseFile, HelperLife, HelperRecord, idle_seconds

__all__ = ["main"]

_CHECK_SECONDS = 0.5


def _previous_port(home: Path) -> int:
    """The port a previous service of this home had (0: none known)."""
    try:
        return int(HelperRecord.from_json(FILES.record_path(home).read_text()).address)
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _serve(database: DatabaseFile, life: HelperLife) -> None:
    home = database.home
    issuer = Tokens(home)
    server: FileServer | None = None
    previous = _previous_port(home)
    for port in dict.fromkeys((previous, 0)):
        try:
            server = FileServer(issuer, port=port).start()
            break
        except OSError:
            continue
    if server is None:
        return
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        life.announce(str(server.port))
        while not stopping.wait(_CHECK_SECONDS):
            if not database.present():
                return  # the home is gone: nothing left to serve
            quiet = time.monotonic() - server.last_request >= idle_seconds()
            latest = issuer.latest_expiry()
            if quiet and (latest is None or latest <= time.time()):
                return
    finally:
        server.close()
        if database.present():
            life.retire()
        issuer.close()


def main(argv: list[str] | None = None) -> int:
    life = HelperLife.begin(FILES, argv)
    if life is not None:  # (None: its home is already gone, or another service runs)
        _serve(life.database, life)
    return 0


if __name__ == "__main__":
    sys.exit(main())

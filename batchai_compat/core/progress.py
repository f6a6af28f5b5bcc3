"""Progress of long operations on a terminal -- uploads, waits -- and silence elsewhere.

``az batchai`` and ``az storage`` showed a progress line while a file uploaded or a job was
waited for, and printed nothing of the kind into a pipe or a log file.  :class:`TerminalProgress`
does that for the ``batchai`` command line (and any script):

* it *is* a legacy ``progress_callback(current, total)``: pass it to ``create_blob_from_path``,
  ``create_file_from_path`` or the bulk helpers of :mod:`batchai_compat.storage.bulk`, and it
  shows ``label: 12.0 MiB / 48.0 MiB  25%`` (or the bytes so far when the total is unknown);
* :meth:`TerminalProgress.status` shows a spinner and a short text for waits
  (``job tf_job: running``);
* it draws only when its stream is a terminal (``isatty()``, and ``TERM`` is not ``dumb``),
  redraws at most every ``interval`` seconds (always for the last step), is safe to call from
  the upload threads of one transfer, and ends its line on :meth:`close` (or leaving a ``with``).

Nothing here imports more than the standard library.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

__all__ = ["TerminalProgress", "is_terminal"]

_SPINNER = "|/-\\"


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal that can redraw a line."""
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # closed or detached
        return False


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class TerminalProgress:
    """A progress line on a terminal; nothing at all elsewhere (see the module docstring).

    :param label: what is in progress (``"train.py"``, ``"job tf_job"``).
    :param stream: where to draw (default ``sys.stderr``, so stdout stays the command's output).
    :param enabled: force drawing on or off; default: whether ``stream`` is a terminal.
    :param interval: least seconds between two redraws.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self._stream) if enabled is None else enabled
        self._interval = interval
        self._clock = clock
        self._last_draw: float | None = None
        self._width = 0
        self._spinner = itertools.cycle(_SPINNER)
        self._lock = threading.Lock()
        self._closed = False

    # the legacy progress_callback ---------------------------------------------------------------
    def __call__(self, current: int, total: int | None) -> None:
        if total:
            text = f"{_size(current)} / {_size(total)}  {min(100, current * 100 // total):3d}%"
        else:
            text = _size(current)
        self._draw(text, final=total is not None and current >= total)

    # waits --------------------------------------------------------------------------------------
    def status(self, text: str) -> None:
        """Show ``text`` after a spinner (each call turns it), e.g. a job's state while waiting."""
        self._draw(f"{next(self._spinner)} {text}", final=False)

    # drawing ------------------------------------------------------------------------------------
    def _draw(self, text: str, *, final: bool) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self._closed:
                return
            now = self._clock()
            if not final and self._last_draw is not None and now - self._last_draw < self._interval:
                return
            self._last_draw = now
            line = f"{self.label}: {text}"
            padding = " " * max(0, self._width - len(line))
            self._width = len(line)
            self._stream.write(f"\r{line}{padding}")
            self._stream.flush()

    def close(self, final: str | None = None) -> None:
        """End the progress line (with ``final`` in place of the last text, when given)."""
        if not self.enabled:
            return
        if final is not None:
            self._last_draw = None
            self._draw(final, final=True)
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._last_draw is not None:
                self._stream.write("\n")
                self._stream.flush()

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""Progress of long operations on a terminal -- uploads, waits -- and silence elsewhere.

``az batchai`` and ``az storage`` showed a progress line while a file uploaded or a job was
waited for, and printed nothing of the kind into a pipe or a log file.  :class:`TerminalProgress`
does that for the ``batchai`` command line (and any script):

* it *is* a legacy ``progress_callback(current, total)``: pass it to ``create_blob_from_path``,
  ``create_file_from_path`` or the bulk helpers of :mod:`batchai_compat.storage.bulk`, and it
  shows ``label: 12.0 MiB / 48.0 MiB  25%`` (or the bytes so far when the total is unknown);
* :meth:`TerminalProgress.status` shows a spinner and a short text for waits
  (``job tf_job: running``), and :meth:`TerminalProgress.pause` sleeps between two polls of a
  wait with the spinner turning, and ``with progress.spinning(text):`` turns it from a thread of
  its own while the body blocks (a long-running operation's ``result()``);
* :meth:`TerminalProgress.clear` erases the line so that a message (az's ``WARNING: Job state:
  running``) prints on a line of its own; the next step draws the line again;
* it draws only when its stream is a terminal (``isatty()``, and ``TERM`` is not ``dumb``),
  redraws at most every ``interval`` seconds (always for the last step), is safe to call from
  the upload threads of one transfer, and ends its line on :meth:`close` (or leaving a ``with``).

Nothing here imports more than the standard library.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
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

    def pause(self, seconds: float, text: str) -> None:
        """Sleep ``seconds`` (between two polls of a wait), turning the spinner beside ``text``
        on a terminal; elsewhere just sleep."""
        if not self.enabled:
            time.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        while True:
            self.status(text)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(self._interval, left))

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

    @contextlib.contextmanager
    def spinning(self, text: str) -> Iterator[None]:
        """``with progress.spinning("Running"):`` turns the spinner beside ``text`` from a thread
        of its own while the body blocks, and erases the line after it (nothing happens where
        nothing is drawn)."""
        if not self.enabled:
            yield
            return
        stop = threading.Event()

        def turn() -> None:
            while True:
                self.status(text)
                if stop.wait(self._interval):
                    return

        thread = threading.Thread(target=turn, name="progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.clear()

    def clear(self) -> None:
        """Erase the drawn line (the cursor back at its start), so that other output can be
        written; the next step draws the line again, at once."""
        if not self.enabled:
            return
        with self._lock:
            if self._closed or self._last_draw is None:
                return
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
            self._last_draw = None

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

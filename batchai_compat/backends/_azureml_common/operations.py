"""A long-running Azure ML operation (compute create/delete, workspace delete) as the Backend
protocol's ``Operation``: started already, polled when asked (``done()``) or waited for
(``result()``).  A Batch AI deletion is done when the resource's GET answers 404
(:func:`until_not_found`)."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["PolledOperation", "until_not_found"]


class PolledOperation:
    """``poll()`` returns ``(done, value)``; ``result()`` polls every ``interval`` seconds until
    done (or ``timeout``) and returns the value or raises what ``poll`` raised."""

    def __init__(
        self,
        poll: Callable[[], tuple[bool, Any]],
        interval: float,
        *,
        completes_on_wait: bool = False,
    ) -> None:
        self._poll = poll
        #: polled only when asked or waited for, never on a poller thread of its own (see
        #: :class:`batchai_compat.core.polling.LROPoller`)
        self.completes_on_wait = completes_on_wait
        # Polls run on the poller's thread: with the context of the call that started them
        # (logging_enable's HTTP logging).
        self._context = contextvars.copy_context()
        self._interval = interval
        self._done = False
        self._value: Any = None
        self._lock = threading.Lock()

    def done(self) -> bool:
        with self._lock:
            if not self._done:
                self._done, self._value = self._context.copy().run(self._poll)
            return self._done

    def result(self, timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done():
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError("the Azure ML operation did not finish in time")
            time.sleep(self._interval)
        return self._value


def until_not_found(
    read: Callable[[], Any], status_of: Callable[[BaseException], int | None]
) -> Callable[[], tuple[bool, Any]]:
    """The ``poll`` of a deletion the service carries on with: done (value None) once
    ``read()`` fails with 404 (``status_of`` the failure); any other failure is raised."""

    def poll() -> tuple[bool, Any]:
        try:
            read()
        except Exception as error:
            if status_of(error) == 404:
                return True, None
            raise
        return False, None

    return poll

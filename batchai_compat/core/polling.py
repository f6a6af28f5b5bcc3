"""Pollers for Batch AI's long-running operations (11 methods in 2.0.0).

2.0.0 returned ``msrest.polling.LROPoller``: the PUT/DELETE was sent when the method was called,
and a background thread polled the service.  Here the operations layer calls the backend when the
method is called (so ``client.jobs.delete(...)`` without ``.result()`` still deletes); the backend
returns either the final value or an :class:`Operation`, which a daemon thread waits on --
unless the operation says ``completes_on_wait``: it finishes when someone waits for it
(``result()`` / ``wait()``, in the caller's thread) or is found done (``done()``, ``status()``).
The poller keeps msrest's surface (``result(timeout=None)``, ``wait()``, ``done()``,
``status()``, ``add_done_callback()``, ``remove_done_callback()``) and azure-core's
``polling_method()``.

``polling`` is what callers passed: ``True`` (wait for the operation), ``False`` (msrest's
``NoPolling``: the operation is started and not waited for; ``result()`` returns what the backend
had at once, ``None`` while it is still running), or any polling object (recipes pass subclasses
of msrestazure's ``ARMPolling``).  There is no HTTP to poll, so a polling object is kept as
``poller.custom_polling`` and the backend's operation is waited on as with ``True``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

__all__ = ["BackendPolling", "LROPoller", "Operation"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

IN_PROGRESS = "InProgress"
SUCCEEDED = "Succeeded"
FAILED = "Failed"


@runtime_checkable
class Operation(Protocol[T_co]):
    """A long-running operation a backend has started (what a backend may return for one)."""

    def done(self) -> bool: ...

    def result(self, timeout: float | None = None) -> T_co:
        """Block until done (or ``timeout`` seconds) and return the final value or raise."""
        ...


class BackendPolling(Generic[T]):
    """The polling method handed to done callbacks: ``status()``, ``finished()``, ``resource()``."""

    def __init__(self) -> None:
        self._status = IN_PROGRESS
        self._resource: Any = None
        self._error: BaseException | None = None

    def status(self) -> str:
        return self._status

    def finished(self) -> bool:
        return self._status in (SUCCEEDED, FAILED)

    def resource(self) -> Any:
        return self._resource

    def _succeed(self, resource: Any) -> None:
        self._resource = resource
        self._status = SUCCEEDED

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self._status = FAILED


def _unchanged(value: Any) -> Any:
    return value


class LROPoller(Generic[T]):
    """Handle on a long-running Batch AI operation that the backend has already started.

    ``started`` is what the backend returned: the final value or an ``Operation``.  ``finish``
    turns the final value into what ``result()`` returns (``raw=True`` wraps it); ``T`` is the
    type of that result (``LROPoller[Job]``).
    """

    def __init__(
        self,
        started: Any,
        *,
        polling: Any = True,
        finish: Callable[[Any], T] | None = None,
        name: str = "operation",
    ) -> None:
        self._finish: Callable[[Any], T] = finish or _unchanged
        self._method: BackendPolling[T] = BackendPolling()
        self._callbacks: list[Callable[[BackendPolling[T]], Any]] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.custom_polling = polling if not isinstance(polling, bool) else None
        self._no_polling = polling is False or polling is None

        # (a returned model is no Operation: skip the slow runtime Protocol check for it)
        operation = started if hasattr(started, "done") and isinstance(started, Operation) else None
        self._on_wait: Operation[T] | None = None
        if operation is None:
            self._complete(started, None)
        elif getattr(operation, "completes_on_wait", False) and not self._no_polling:
            self._on_wait = operation
        elif self._no_polling:
            # NoPolling: report what the backend has now and do not wait for the rest.
            value = operation.result(timeout=0) if operation.done() else None
            self._complete(value, None)
        else:
            self._thread = threading.Thread(
                target=self._wait_for, args=(operation,), name=f"LROPoller({name})", daemon=True
            )
            self._thread.start()

    def _wait_for(self, operation: Operation[Any]) -> None:
        try:
            value = operation.result()
        except BaseException as exc:  # re-raised to the caller by wait()/result()
            self._complete(None, exc)
        else:
            self._complete(value, None)

    def _complete(self, value: Any, error: BaseException | None) -> None:
        if error is None:
            try:
                self._method._succeed(self._finish(value))
            except BaseException as exc:
                self._method._fail(exc)
        else:
            self._method._fail(error)
        with self._lock:
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self._method)

    # msrest LROPoller surface ---------------------------------------------------------------
    def _finish_on_wait(self, *, waiting: bool) -> None:
        """A ``completes_on_wait`` operation: finish it when waited for, or when it is done."""
        operation = self._on_wait
        if operation is None or self._done.is_set():
            return
        with self._lock:
            if self._on_wait is None:
                return
            if not waiting and not operation.done():
                return
            self._on_wait = None
        self._wait_for(operation)

    def status(self) -> str:
        """``'InProgress'``, ``'Succeeded'`` or ``'Failed'`` (ARM polling's status strings)."""
        self._finish_on_wait(waiting=False)
        return self._method.status()

    def done(self) -> bool:
        """Whether the operation has finished (successfully or not)."""
        self._finish_on_wait(waiting=False)
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` seconds (forever when None); re-raise the operation's error."""
        self._finish_on_wait(waiting=True)
        self._done.wait(timeout)
        if self._method._error is not None:
            raise self._method._error

    def result(self, timeout: float | None = None) -> T:
        """The operation's final value (None for deletes), or None if ``timeout`` ran out first
        (typed as azure-core types it: the value)."""
        self.wait(timeout)
        resource: T = self._method.resource()
        return resource

    def add_done_callback(self, func: Callable[[BackendPolling[T]], Any]) -> None:
        """Call ``func(polling_method)`` when done (at once if already done)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(func)
                return
        func(self._method)

    def remove_done_callback(self, func: Callable[[BackendPolling[T]], Any]) -> None:
        """Remove a callback; ``ValueError`` once the operation is complete (as msrest)."""
        with self._lock:
            if self._done.is_set():
                raise ValueError("Process is complete.")
            self._callbacks = [c for c in self._callbacks if c != func]

    # azure-core LROPoller surface -----------------------------------------------------------
    def polling_method(self) -> BackendPolling[T]:
        return self._method

    def __repr__(self) -> str:
        return f"<LROPoller status={self.status()!r}>"

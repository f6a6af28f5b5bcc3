"""Batch AI long-running operations over azure-ai-ml's azure-core pollers.

A workspace creation, a compute's creation or deletion, or a job cancellation that azure-ai-ml
started (``begin_*``) is handed to the operations layer as the Backend protocol's ``Operation``:
:class:`SdkOperation` waits for the SDK's poller and maps its result to the Batch AI model;
:class:`Finished` is an operation that needed no request (an identical cluster that exists).
A workspace deletion has no SDK poller (only its ARM DELETE is sent): it is a
:class:`.._azureml_common.operations.PolledOperation` reading the workspace until it is gone.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from .errors import translate_errors

__all__ = ["Finished", "SdkOperation"]


class SdkOperation:
    """A started azure-core operation whose result ``finish`` maps to a Batch AI model; its
    failures are ``CloudError``\\ s about ``kind``."""

    def __init__(self, poller: Any, finish: Callable[[Any], Any], kind: str) -> None:
        self._poller = poller
        self._finish = translate_errors(kind)(finish)
        self._result = translate_errors(kind)(poller.result)
        self._lock = threading.Lock()
        self._value: list[Any] = []
        # Waited for on the poller's thread: with the context of the call that started it
        # (logging_enable's HTTP logging).
        self._context = contextvars.copy_context()

    def done(self) -> bool:
        return bool(self._poller.done())

    def result(self, timeout: float | None = None) -> Any:
        with self._lock:
            if not self._value:
                value = self._context.copy().run(self._result, timeout)
                if not self._poller.done():
                    raise TimeoutError("the Azure ML operation did not finish in time")
                self._value.append(self._context.copy().run(self._finish, value))
            return self._value[0]


class Finished:
    """An operation that already finished."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def done(self) -> bool:
        return True

    def result(self, timeout: float | None = None) -> Any:
        return self._value

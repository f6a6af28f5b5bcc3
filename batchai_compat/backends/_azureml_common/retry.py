"""Bounded retries with backoff that honour ``Retry-After``, for the Azure ML backends.

A :class:`RetryPolicy` wraps one call the backend makes itself (datastore registration, Key
Vault secrets, run submission and tagging, artifact and blob listings): a failure the service
may not repeat (:attr:`~.errors.ServiceFailure.transient`: no reply, 408, 429, 5xx) is tried
again after ``Retry-After`` when the service sent one (429/503), else after an exponential
backoff, at most ``attempts`` times in all; anything else, or the last failure, is raised as
it came.  Each retry logs one INFO line (what the service answered, how long it waits);
``sleep`` is injectable so tests do not really wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ...core.logs import LazyLogger
from .errors import ServiceFailure

__all__ = ["RetryPolicy"]

T = TypeVar("T")
_log = LazyLogger(__name__)  # a read imports no logging
_LOGGED_MESSAGE = 300  # characters of the service's message in a retry's line


@dataclass
class RetryPolicy:
    """``attempts`` tries in all; waits ``backoff * 2**n`` seconds (at most ``max_delay``), or
    what ``Retry-After`` asked for (at most ``max_retry_after``)."""

    attempts: int = 4
    backoff: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, failure: ServiceFailure, attempt: int) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        if failure.retry_after is not None and failure.status in (429, 503):
            return min(failure.retry_after, self.max_retry_after)
        return min(self.backoff * (2 ** (attempt - 1)), self.max_delay)

    def call(
        self,
        function: Callable[[], T],
        describe: Callable[[BaseException], ServiceFailure | None],
        *,
        retry_if: Callable[[ServiceFailure], bool] | None = None,
    ) -> T:
        """``function()``, tried again while it fails transiently.

        ``describe`` says what an exception means (None: not a service failure, raised at
        once); ``retry_if`` narrows what is retried (default: every transient failure).
        """
        attempt = 1
        while True:
            try:
                return function()
            except Exception as error:
                failure = describe(error)
                if (
                    failure is None
                    or attempt >= self.attempts
                    or not (retry_if(failure) if retry_if else failure.transient)
                ):
                    raise
                delay = self.delay(failure, attempt)
                _log.info(
                    "Azure ML answered %s; trying again in %g s (attempt %d of %d)",
                    _answer(failure),
                    delay,
                    attempt + 1,
                    self.attempts,
                )
                self.sleep(delay)
                attempt += 1


def _answer(failure: ServiceFailure) -> str:
    """What the service answered, for a log line: status, code and the start of its message."""
    said = " ".join(str(part) for part in (failure.status, failure.code) if part is not None)
    message = failure.message[:_LOGGED_MESSAGE]
    return f"{said or 'no reply'}: {message}" if message else said or "no reply"

"""State transitions a client sees, logged once each: ``job rg/ws/exp/job: queued -> running``.

Batch AI reported a job's ``execution_state`` and a cluster's ``allocation_state`` on every GET;
a user following a run wants each change once, not every poll.  A backend keeps one
:class:`TransitionLog` per resource kind and tells it what each read returned; a change since
the last read of this process is an INFO record, the first sighting a DEBUG one.  Nothing is
kept or compared while the logger would drop INFO records (a read on the hot path pays one
``isEnabledFor`` call).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from ..core.logs import INFO

__all__ = ["TransitionLog", "resource_path"]

#: Resources remembered per kind; the least recently seen is forgotten first.
_REMEMBERED = 10_000


def resource_path(*names: str) -> str:
    """``rg/ws/exp/job``: how records name a resource (no subscription, no ARM noise)."""
    return "/".join(names)


class TransitionLog:
    """The last state seen of each resource of one kind, logging changes to ``logger``."""

    def __init__(self, logger: Any, kind: str) -> None:
        # a logging.Logger, or a core.logs.LazyLogger (a read imports no logging)
        self._logger = logger
        self._kind = kind
        self._states: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, key: Hashable, name: str, state: str) -> None:
        """Record that resource ``key`` (shown as ``name``) was read in ``state``."""
        if not self._logger.isEnabledFor(INFO):
            return
        with self._lock:
            previous = self._states.get(key)
            if previous == state:
                self._states.move_to_end(key)
                return
            self._states[key] = state
            self._states.move_to_end(key)
            while len(self._states) > _REMEMBERED:
                self._states.popitem(last=False)
        if previous is None:
            self._logger.debug("%s %s is %s", self._kind, name, state)
        else:
            self._logger.info("%s %s: %s -> %s", self._kind, name, previous, state)

    def forget(self, key: Hashable) -> None:
        """A deleted resource: a new one of the same name starts afresh."""
        with self._lock:
            self._states.pop(key, None)

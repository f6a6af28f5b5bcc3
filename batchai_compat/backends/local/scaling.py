"""How long a local Batch AI cluster takes to change, and the clock that measures it.

Batch AI clusters were not instant: after ``clusters.create`` or ``clusters.update`` the cluster
reported ``allocation_state == 'resizing'``; nodes then appeared in ``preparing`` (node setup,
mounts), became ``idle``, ran jobs (``running``) and went ``leaving`` when the cluster shrank.
Auto-scale clusters grew when jobs were queued and shrank after their nodes had been idle for a
while.

The local backend keeps that life cycle but makes its durations a :class:`ScalingPolicy` and
reads time from a :class:`Clock`, so tests drive every transition without sleeping (moto style)::

    clock = ManualClock()
    backend = LocalBackend(config, clock=clock, policy=ScalingPolicy(allocation_seconds=60))
    ...                      # cluster is 'resizing'
    clock.advance(60)        # now it is 'steady' with its nodes 'idle'

Transitions are *settled lazily*: whenever the store reads or changes a cluster it first applies
every transition whose time has come (see :func:`.state.lifecycle.settle`).  The defaults make
allocation immediate, so a cluster created with the default policy is ``resizing`` in the
``create`` response (as Batch AI's was) and ``steady`` from the next read on.

The policy is per process: processes that share a ``BATCHAI_COMPAT_HOME`` should use the same
policy (the default one unless a test says otherwise).
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

from .values import Value

__all__ = [
    "Clock",
    "ManualClock",
    "ScalingPolicy",
    "SystemClock",
    "autoscale_target",
    "to_datetime",
]


@runtime_checkable
class Clock(Protocol):
    """Where the local control plane reads the time: seconds since the epoch, UTC."""

    def time(self) -> float: ...


class SystemClock:
    """The wall clock (``time.time``)."""

    def time(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to: tests use it to drive cluster transitions."""

    def __init__(self, start: float | datetime | None = None) -> None:
        if isinstance(start, datetime):
            start = start.timestamp()
        self._now = float(start if start is not None else time.time())
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward and return the new time."""
        if seconds < 0:
            raise ValueError("a ManualClock only moves forward")
        with self._lock:
            self._now += seconds
            return self._now


class ScalingPolicy(Value):
    """Durations (seconds) of the cluster life cycle on the local backend.

    * ``allocation_seconds`` — a resize request stays ``resizing`` this long before nodes are
      added or start leaving;
    * ``node_preparation_seconds`` — a new node stays ``preparing`` (Batch AI ran node setup and
      mounted volumes then) before it is ``idle``;
    * ``node_leaving_seconds`` — a removed node stays ``leaving`` before it disappears;
    * ``idle_seconds_before_scale_down`` — an auto-scale cluster shrinks only after its demand
      has stayed below its size this long (Azure ML's AmlCompute default is 120 s; Batch AI's
      auto-scale also waited a few minutes).
    """

    allocation_seconds: float = 0.0
    node_preparation_seconds: float = 0.0
    node_leaving_seconds: float = 0.0
    idle_seconds_before_scale_down: float = 120.0

    def __post_init__(self) -> None:
        for name in (
            "allocation_seconds",
            "node_preparation_seconds",
            "node_leaving_seconds",
            "idle_seconds_before_scale_down",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"ScalingPolicy.{name} must be >= 0")


def autoscale_target(demand: int, minimum: int, maximum: int) -> int:
    """Nodes an auto-scale cluster wants: the nodes its queued and running jobs need, kept
    between ``minimum`` and ``maximum`` (Batch AI never went below or above them)."""
    return max(minimum, min(maximum, demand))


def to_datetime(seconds: float | None) -> datetime | None:
    """Epoch seconds (how the store keeps times) to an aware UTC datetime (what models carry)."""
    if seconds is None:
        return None
    return _utc(seconds)


@functools.lru_cache(maxsize=4096)
def _utc(seconds: float) -> datetime:
    # a listed job's times are converted on every read; datetimes are immutable, so shared
    return datetime.fromtimestamp(seconds, tz=timezone.utc)

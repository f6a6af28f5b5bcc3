"""Batch AI cluster scale settings: a fixed size (``manual``) or a range (``auto_scale``).

A ``ScaleSettings`` names exactly one of:

* ``manual`` — ``target_node_count`` nodes (0 or more), and what a shrink does to the jobs
  running on the nodes it takes (``node_deallocation_option``: ``requeue``, the default,
  ``terminate`` or ``waitforjobcompletion``);
* ``auto_scale`` — between ``minimum_node_count`` and ``maximum_node_count`` nodes (0 or more,
  minimum at most maximum), following the queued jobs; ``initial_node_count`` (0 or more) is the
  size on creation only.

:func:`scale_bounds` checks one (model or snake_case mapping) and reads it; every backend and the
operations layer take the rule from here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..exceptions import ValidationError
from .documents import get, plain

__all__ = ["ScaleBounds", "scale_bounds"]


class ScaleBounds(NamedTuple):
    """What a ``ScaleSettings`` asks for.

    ``mode`` is ``manual`` or ``auto``; a manual cluster has ``minimum == maximum == initial ==``
    its target.  ``deallocation_option`` is the manual option (None for auto-scale).
    """

    mode: str
    minimum: int
    maximum: int
    initial: int
    deallocation_option: str | None = None


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(where, f"must be an integer >= 0, got {value!r}")
    return value


def scale_bounds(settings: Any, where: str = "parameters.scale_settings") -> ScaleBounds | None:
    """The bounds ``settings`` asks for; None for no settings.  A ``ValidationError`` names the
    field when both or neither of ``manual`` / ``auto_scale`` is set or a count is out of range."""
    if settings is None:
        return None
    manual, auto = get(settings, "manual"), get(settings, "auto_scale")
    if manual is not None and auto is not None:
        raise ValidationError(where, "set either manual or auto_scale, not both")
    if manual is not None:
        target = _count(get(manual, "target_node_count"), f"{where}.manual.target_node_count")
        option = plain(get(manual, "node_deallocation_option"))
        return ScaleBounds(
            "manual", target, target, target, None if option is None else str(option)
        )
    if auto is None:
        raise ValidationError(where, "set manual or auto_scale")
    minimum = _count(get(auto, "minimum_node_count"), f"{where}.auto_scale.minimum_node_count")
    maximum = _count(get(auto, "maximum_node_count"), f"{where}.auto_scale.maximum_node_count")
    if minimum > maximum:
        raise ValidationError(
            f"{where}.auto_scale.minimum_node_count",
            f"must not exceed maximum_node_count ({maximum}), got {minimum}",
        )
    initial = _count(get(auto, "initial_node_count", 0), f"{where}.auto_scale.initial_node_count")
    return ScaleBounds("auto", minimum, maximum, initial)

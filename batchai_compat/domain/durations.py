"""``JobBasePropertiesConstraints.max_wall_clock_time``: how long a Batch AI job may run.

The 2.0.0 SDK declared a ``timedelta`` (sent as an ISO 8601 duration) but defaulted to the
string ``'7.00:00:00'`` (.NET ``TimeSpan`` text, one week), which its own serializer could not
send; stored REST bodies hold the ISO form and ``as_dict()`` mappings may hold seconds.  All of
them are accepted here.
"""

from __future__ import annotations

import re
from typing import Any

from ..exceptions import ValidationError

__all__ = ["DEFAULT_MAX_WALL_CLOCK_SECONDS", "wall_clock_seconds"]

#: Batch AI's default ``max_wall_clock_time`` (one week), used when a job sets none.
DEFAULT_MAX_WALL_CLOCK_SECONDS = 7 * 24 * 3600

_WHERE = "parameters.constraints.max_wall_clock_time"
_ISO = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_DOTNET = re.compile(r"(?:(\d+)[.])?(\d+):(\d+):(\d+(?:\.\d+)?)")
_PYTHON = re.compile(r"(\d+) days?, (\d+):(\d+):(\d+(?:\.\d+)?)")


def _seconds(value: Any) -> float:
    total_seconds = getattr(value, "total_seconds", None)
    if callable(total_seconds):
        return float(total_seconds())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    iso = _ISO.fullmatch(text)
    if iso and text not in ("P", "PT"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        return (
            parts.get("d", 0.0) * 86400
            + parts.get("h", 0.0) * 3600
            + parts.get("m", 0.0) * 60
            + parts.get("s", 0.0)
        )
    for pattern in (_DOTNET, _PYTHON):
        match = pattern.fullmatch(text)
        if match:
            days, hours, minutes, seconds = match.groups()
            return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    raise ValidationError(_WHERE, "must be a duration (a timedelta or 'D.HH:MM:SS')", value)


def wall_clock_seconds(value: Any) -> float | None:
    """``max_wall_clock_time`` (timedelta, ISO 8601, ``'D.HH:MM:SS'``, seconds) in seconds;
    None when not set.  It must be positive."""
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds <= 0:
        raise ValidationError(_WHERE, "must be positive", value)
    return seconds

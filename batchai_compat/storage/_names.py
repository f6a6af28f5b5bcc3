"""Name rules of Azure Storage, checked before any side effect on both implementations.

The service rejected bad names with HTTP 400; here they fail earlier, with a
:class:`~batchai_compat.exceptions.ValidationError` naming the parameter and the rule.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from ..exceptions import ValidationError

_CONTAINER = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_FORBIDDEN_FILE_CHARS = set('"\\:|<>*?')


def container_name(value: Any, parameter: str = "container_name") -> str:
    """3–63 characters: lower-case letters, digits and single hyphens, starting and ending alphanumeric."""
    if not isinstance(value, str) or not _CONTAINER.match(value):
        raise ValidationError(
            parameter,
            "must be 3-63 characters of lower-case letters, digits and single hyphens, "
            "starting and ending with a letter or digit",
            value,
        )
    return value


def share_name(value: Any) -> str:
    """Azure file share names follow the container rule."""
    return container_name(value, "share_name")


def blob_name(value: Any) -> str:
    """1–1024 characters, no NUL."""
    if not isinstance(value, str) or not 1 <= len(value) <= 1024 or "\x00" in value:
        raise ValidationError("blob_name", "must be a string of 1-1024 characters", value)
    return value


def directory_name(value: Any) -> str:
    """``None``/``''`` for the share root, else ``/``-separated names (no empty, ``.``, ``..``)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ValidationError("directory_name", "must be a string", value)
    parts = value.strip("/").split("/")
    for part in parts:
        _file_component(part, "directory_name")
    return "/".join(parts)


def file_name(value: Any) -> str:
    """One name (no ``/``) of 1–255 characters without ``"\\:|<>*?`` or control characters."""
    if not isinstance(value, str) or "/" in value:
        raise ValidationError("file_name", "must be a single name without '/'", value)
    return _file_component(value, "file_name")


def _file_component(part: str, parameter: str) -> str:
    if (
        not 1 <= len(part) <= 255
        or part in (".", "..")
        or any(ch in _FORBIDDEN_FILE_CHARS or ord(ch) < 32 for ch in part)
    ):
        raise ValidationError(
            parameter,
            "each name must be 1-255 characters, not '.' or '..', without \"\\:|<>*? or control characters",
            part,
        )
    return part


def sas_time(value: Any, parameter: str) -> datetime | None:
    """A SAS ``start``/``expiry``: a ``datetime`` (naive means UTC) or an ISO 8601 string."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    raise ValidationError(parameter, "must be a datetime or an ISO 8601 UTC string", value)


def sas_time_text(value: datetime) -> str:
    """The service's SAS time format: ``YYYY-MM-DDThh:mm:ssZ``."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def byte_range(start: Any, end: Any) -> None:
    """Legacy ``start_range`` / ``end_range``: both inclusive, ``end_range`` needs ``start_range``."""
    if start is None and end is not None:
        raise ValidationError("start_range", "is required when end_range is given", end)
    if start is not None and (not isinstance(start, int) or start < 0):
        raise ValidationError("start_range", "must be a non-negative integer", start)
    if end is not None and start is not None and (not isinstance(end, int) or end < start):
        raise ValidationError("end_range", "must be an integer >= start_range (inclusive)", end)


def metadata(value: Any) -> None:
    """User metadata: a dict of str to str (or None)."""
    if value is not None and not (
        isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise ValidationError("metadata", "must be a dict of str to str", value)


def positive_int(value: Any, parameter: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(parameter, "must be a positive integer", value)

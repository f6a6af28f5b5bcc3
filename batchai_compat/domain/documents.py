"""Batch AI parameter documents as plain data: one shape for models, dicts and REST bodies.

Batch AI parameters reach the domain rules in three forms: model objects (ours, or the genuine
``azure.mgmt.batchai`` msrest models, both with ``_attribute_map``), their ``as_dict()``
mappings (snake_case keys) and the REST bodies the service stored (camelCase keys under
``properties``).  :func:`snake_document` turns any of them into the second form, which every
rule in :mod:`batchai_compat.domain` reads; :func:`plain` does the same for models only and
leaves mapping keys as they are.

Standard library only: the node runtime ships this package inside its zip application.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

__all__ = ["get", "plain", "rest_to_snake", "snake_document"]


def plain(value: Any) -> Any:
    """A model (ours or msrest) or a value as JSON-friendly data: snake_case keys, Nones dropped.

    Enums become their values, ``timedelta`` its seconds, dates their ISO text; secret values
    are kept (callers strip them with :func:`batchai_compat.domain.secrets.without_secrets`).
    """
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    attribute_map = getattr(type(value), "_attribute_map", None)
    if isinstance(attribute_map, Mapping):
        result = {}
        for name in attribute_map:
            item = getattr(value, name, None)
            if item is not None:
                result[name] = plain(item)
        return result
    return str(value)


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _snake(key: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", key).lower()


def rest_to_snake(document: Any) -> Any:
    """A REST body (camelCase keys, ARM ``properties`` nesting) as ``as_dict()`` would give it.

    Only keys are rewritten; values (variable names, paths, command lines) stay as they are.
    snake_case keys pass unchanged, so an ``as_dict()`` mapping comes back as it went in.
    """
    if isinstance(document, Mapping):
        flat = dict(document)
        properties = flat.pop("properties", None)
        if isinstance(properties, Mapping):
            flat.update(properties)
        return {_snake(str(k)): rest_to_snake(v) for k, v in flat.items()}
    if isinstance(document, list):
        return [rest_to_snake(v) for v in document]
    return document


def snake_document(parameters: Any) -> dict[str, Any]:
    """Any form of Batch AI parameters (model, ``as_dict()`` mapping, REST body) as a snake_case
    dict without None values; anything else is a ``TypeError``."""
    document = rest_to_snake(plain(parameters))
    if not isinstance(document, dict):
        raise TypeError(f"expected Batch AI parameters, got {type(parameters).__name__}")
    return document


def get(item: Any, name: str, default: Any = None) -> Any:
    """Field ``name`` of a snake_case mapping or of a model object; ``default`` when None."""
    value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
    return default if value is None else value

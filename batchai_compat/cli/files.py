"""``--config-file``: a ``cluster.json`` / ``job.json`` / file server JSON of a Batch AI runbook.

az read the file into the SDK's ``*CreateParameters`` with msrest's deserializer.  Files in the
wild come in two shapes, both accepted: the REST body (``{"properties": {...}}``, often with
``"location"`` and a ``"$schema"``) and the bare properties (``{"vmSize": ...}``).  ``$schema``,
``location``, ``id``, ``name``, ``type`` and ``tags`` at the top are ignored; other unknown
fields are dropped with a warning naming them (files written for older API versions carry some,
``credentialsInfo`` for one).  Before the model is built, :mod:`.mounts` substitutes the
storage placeholders and fills missing mount credentials, as az did.

Errors name the file and the JSON path of the bad field
(``job.json: properties.mountVolumes.azureFileShares[0].relativeMountPath: ...``) and are
usage errors: nothing was created.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import UsageError

#: Top-level keys of an ARM resource body that carry nothing for the create parameters.
IGNORED_TOP = frozenset({"$schema", "location", "id", "name", "type", "tags"})

_PARAMETER_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+|'[^']*')\]")


class ConfigFile:
    """The parsed JSON of a ``--config-file``, its shape, and JSON paths for messages."""

    def __init__(self, path: str, data: dict[str, Any], model: Any) -> None:
        self.path = path
        self.data = data
        self.model = model
        props = get_ci(data, "properties")
        #: REST shape: the create parameters' properties sit under ``"properties"``.
        self.rest = isinstance(props, dict)

    @property
    def properties(self) -> dict[str, Any]:
        """The dict holding the properties (``data["properties"]`` or ``data`` itself)."""
        if self.rest:
            value: dict[str, Any] = get_ci(self.data, "properties")
            return value
        return self.data

    def json_path(self, *parts: str | int) -> str:
        """``properties.a.b[0].c`` (REST shape) or ``a.b[0].c`` (bare), for messages."""
        text = "properties" if self.rest else ""
        for part in parts:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text = f"{text}.{part}" if text else part
        return text

    def error(self, where: str, message: str) -> UsageError:
        return UsageError(f"{self.path}: {where + ': ' if where else ''}{message}")

    def drop_unknown(self, warn: Any) -> None:
        """Warn about each field the model does not have, by JSON path, and drop it."""
        top = [k for k in self.data if k.lower() not in IGNORED_TOP and k.lower() != "properties"]
        if self.rest:
            for key in top:
                warn(f"{self.path}: ignoring unknown field {key!r}")
                del self.data[key]
        for holder, key, where in _unknown_fields(self.properties, self.model, self.json_path()):
            warn(f"{self.path}: ignoring unknown field {where}")
            del holder[key]

    def build(self) -> Any:
        """The model, from the (patched) data; a bad value names its JSON path."""
        from ..exceptions import ValidationError

        body = {k: v for k, v in self.data.items() if k.lower() not in IGNORED_TOP}
        try:
            return self.model.deserialize(body)
        except ValidationError as error:
            raise self.error(self.model_path(error.parameter), error.rule) from None

    def model_path(self, parameter: str) -> str:
        """The JSON path of a model's parameter path (``node_setup.mount_volumes...[0].x``)."""
        cls: Any = self.model
        parts: list[str | int] = []
        for name, index in _PARAMETER_PART.findall(parameter):
            if index:
                parts.append(int(index) if index.isdigit() else index.strip("'"))
                continue
            spec = getattr(cls, "_attribute_map", {}).get(name)
            if spec is None:
                parts.append(name)
                cls = None
                continue
            key = spec["key"]
            parts.extend(key.split(".")[1:] if key.startswith("properties.") else [key])
            cls = _model_class(spec["type"])
        path = "properties" if self.rest else ""
        for part in parts:
            if isinstance(part, int):
                path += f"[{part}]"
            elif path:
                path += f".{part}"
            else:
                path = part
        return path


def load(path: str, model: Any) -> ConfigFile:
    """Read and parse ``path`` as the JSON of ``model`` (a ``*CreateParameters`` class)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as error:
        raise UsageError(f"{path}: cannot read the file: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{path}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: must hold a JSON object, not {type(data).__name__}")
    return ConfigFile(path, data, model)


def get_ci(data: Any, key: str) -> Any:
    """``data[key]`` matched case-insensitively (as msrest did), or None."""
    if not isinstance(data, dict):
        return None
    if key in data:
        return data[key]
    folded = key.lower()
    for candidate, value in data.items():
        if isinstance(candidate, str) and candidate.lower() == folded:
            return value
    return None


def set_ci(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` in ``data``, replacing a key that differs only in case."""
    for candidate in list(data):
        if isinstance(candidate, str) and candidate.lower() == key.lower():
            data[candidate] = value
            return
    data[key] = value


def _model_class(type_name: str) -> type | None:
    """The model class an ``_attribute_map`` type names (``'[Foo]'``, ``'{Foo}'``, ``'Foo'``)."""
    name = type_name.strip("[]{}")
    from .. import models

    cls = getattr(models, name, None)
    return cls if isinstance(cls, type) and hasattr(cls, "_attribute_map") else None


def _unknown_fields(data: Any, model: Any, where: str) -> list[tuple[dict[str, Any], str, str]]:
    """``(dict, key, JSON path)`` of each key of ``data`` that ``model`` does not have, recursively."""
    if model is None or not isinstance(data, dict):
        return []
    fields: dict[str, str] = {}
    for name, spec in model._attribute_map.items():
        fields[spec["key"].split(".")[-1].lower()] = spec["type"]
        fields[name.lower()] = spec["type"]
    found = []
    for key, value in data.items():
        here = f"{where}.{key}" if where else key
        wire_type = fields.get(key.lower())
        if wire_type is None:
            found.append((data, key, here))
            continue
        nested = _model_class(wire_type)
        if nested is None:
            continue
        if isinstance(value, list):
            for index, item in enumerate(value):
                found += _unknown_fields(item, nested, f"{here}[{index}]")
        else:
            found += _unknown_fields(value, nested, here)
    return found

"""What the node runtime needs to know about a job, read from Batch AI job parameters.

A Batch AI ``JobCreateParameters`` (or a ``Job``) arrives here either as a model object with an
``as_dict()`` method, as that dict (snake_case keys), or as its REST body (camelCase keys, as
the local state store keeps it).  :func:`job_spec` turns it into small frozen dataclasses that
hold exactly what a node needs: the toolkit and its settings, the input/output directories, the
stdout/stderr prefix, job preparation, environment variables and the *names* of the secrets.

Secret values never travel in a :class:`JobSpec`: the launcher receives them separately (a pipe
on the local backend), so a spec can be written to disk or shown in a run configuration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ValidationError

__all__ = [
    "TOOLKIT_FIELDS",
    "DirectorySpec",
    "JobSpec",
    "ToolkitSpec",
    "job_spec",
    "rest_to_snake",
]

#: ``JobCreateParameters`` field -> Batch AI ``ToolType`` value, in the service's order.
TOOLKIT_FIELDS: dict[str, str] = {
    "cntk_settings": "cntk",
    "py_torch_settings": "pytorch",
    "tensor_flow_settings": "tensorflow",
    "caffe_settings": "caffe",
    "caffe2_settings": "caffe2",
    "chainer_settings": "chainer",
    "custom_toolkit_settings": "custom",
    "custom_mpi_settings": "mpi",
    "horovod_settings": "horovod",
}


@dataclass(frozen=True)
class ToolkitSpec:
    """One of the nine ``*_settings`` of a Batch AI job, with its ``ToolType`` name.

    ``settings`` is the settings object as a snake_case dict (``python_script_file_path``,
    ``command_line_args``, ``process_count``, ...), exactly as Batch AI defined its fields.
    """

    tool_type: str
    settings: Mapping[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        value = self.settings.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class DirectorySpec:
    """``InputDirectory(id, path)`` or ``OutputDirectory(id, path_prefix, path_suffix)``."""

    id: str
    path: str
    suffix: str | None = None


@dataclass(frozen=True)
class JobSpec:
    """The node-relevant view of one Batch AI job (no secret values)."""

    node_count: int
    toolkit: ToolkitSpec
    std_out_err_path_prefix: str
    input_directories: tuple[DirectorySpec, ...] = ()
    output_directories: tuple[DirectorySpec, ...] = ()
    environment_variables: tuple[tuple[str, str], ...] = ()
    secret_names: tuple[str, ...] = ()
    job_preparation: str | None = None
    container_image: str | None = None
    max_wall_clock_seconds: float | None = None
    mount_volumes: Mapping[str, Any] = field(default_factory=dict)


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _snake(key: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", key).lower()


def rest_to_snake(document: Any) -> Any:
    """A REST body (camelCase keys, ARM ``properties`` nesting) as ``as_dict()`` would give it.

    Only keys are rewritten; values (variable names, paths, command lines) stay as they are.
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


def _as_dict(parameters: Any) -> dict[str, Any]:
    if isinstance(parameters, Mapping):
        return dict(parameters)
    as_dict = getattr(parameters, "as_dict", None)
    if callable(as_dict):
        result = as_dict()
        if isinstance(result, Mapping):
            return dict(result)
    raise ValidationError(
        "parameters", "must be a JobCreateParameters/Job model or its as_dict() mapping"
    )


def _duration_seconds(value: Any) -> float | None:
    """``max_wall_clock_time`` as seconds: a timedelta, an ISO 8601 duration or 'D.HH:MM:SS'."""
    if value is None:
        return None
    total_seconds = getattr(value, "total_seconds", None)
    if callable(total_seconds):
        return float(total_seconds())
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    iso = re.fullmatch(
        r"P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
        r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
        text,
    )
    if iso and text not in ("P", "PT"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        return (
            parts.get("d", 0.0) * 86400
            + parts.get("h", 0.0) * 3600
            + parts.get("m", 0.0) * 60
            + parts.get("s", 0.0)
        )
    dotnet = re.fullmatch(r"(?:(\d+)[.])?(\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if dotnet:
        days, hours, minutes, seconds = dotnet.groups()
        return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    days_form = re.fullmatch(r"(\d+) days?, (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if days_form:
        days, hours, minutes, seconds = days_form.groups()
        return int(days) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    raise ValidationError("constraints.max_wall_clock_time", "must be a duration", value)


def job_spec(parameters: Any) -> JobSpec:
    """Read a ``JobCreateParameters``/``Job`` (model or ``as_dict()``) into a :class:`JobSpec`.

    Raises :class:`~batchai_compat.exceptions.ValidationError` when the job names no toolkit or
    more than one, or misses a field Batch AI required.
    """
    data = rest_to_snake(_as_dict(parameters))
    chosen = [(name, data[name]) for name in TOOLKIT_FIELDS if data.get(name) is not None]
    if not chosen:
        raise ValidationError(
            "parameters",
            "a job needs exactly one toolkit settings field (e.g. custom_toolkit_settings)",
        )
    if len(chosen) > 1:
        names = ", ".join(name for name, _ in chosen)
        raise ValidationError(
            "parameters", f"a job takes exactly one toolkit settings field, got {names}"
        )
    field_name, settings = chosen[0]
    toolkit = ToolkitSpec(TOOLKIT_FIELDS[field_name], dict(_as_dict(settings)))

    node_count = data.get("node_count")
    if not isinstance(node_count, int) or isinstance(node_count, bool) or node_count < 1:
        raise ValidationError("parameters.node_count", "must be an integer >= 1", node_count)
    prefix = data.get("std_out_err_path_prefix")
    if not prefix:
        raise ValidationError("parameters.std_out_err_path_prefix", "is required")

    inputs = tuple(
        DirectorySpec(str(item["id"]), str(item["path"]))
        for item in (_as_dict(i) for i in data.get("input_directories") or ())
    )
    outputs = tuple(
        DirectorySpec(str(item["id"]), str(item["path_prefix"]), item.get("path_suffix"))
        for item in (_as_dict(o) for o in data.get("output_directories") or ())
    )
    env = tuple(
        (str(item["name"]), "" if item.get("value") is None else str(item["value"]))
        for item in (_as_dict(e) for e in data.get("environment_variables") or ())
    )
    secret_names = tuple(str(_as_dict(s)["name"]) for s in data.get("secrets") or ())
    preparation = data.get("job_preparation")
    prep_command = _as_dict(preparation).get("command_line") if preparation is not None else None
    container = data.get("container_settings")
    image = None
    if container is not None:
        registry = _as_dict(container).get("image_source_registry")
        if registry is not None:
            image = _as_dict(registry).get("image")
    constraints = data.get("constraints")
    wall_clock = (
        _duration_seconds(_as_dict(constraints).get("max_wall_clock_time"))
        if constraints is not None
        else None
    )
    mounts = data.get("mount_volumes")
    return JobSpec(
        node_count=node_count,
        toolkit=toolkit,
        std_out_err_path_prefix=str(prefix),
        input_directories=inputs,
        output_directories=outputs,
        environment_variables=env,
        secret_names=secret_names,
        job_preparation=prep_command or None,
        container_image=image,
        max_wall_clock_seconds=wall_clock,
        mount_volumes=_as_dict(mounts) if mounts is not None else {},
    )

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..domain.documents import snake_document
from ..domain.durations import wall_clock_seconds
from ..domain.toolkits import TaskLayout, Toolkit, chosen_toolkit, task_layout
from ..exceptions import ValidationError

__all__ = [
    "DirectorySpec",
    "JobSpec",
    "ToolkitSpec",
    "job_spec",
]


@dataclass(frozen=True)
class ToolkitSpec:
    """One of the nine ``*_settings`` of a Batch AI job (:data:`batchai_compat.domain.toolkits.
    TOOLKITS`), with its settings as a snake_case dict (``python_script_file_path``,
    ``command_line_args``, ``process_count``, ...), exactly as Batch AI defined its fields.
    """

    toolkit: Toolkit
    settings: Mapping[str, Any]

    @property
    def kind(self) -> str:
        """What the runtime dispatches on: ``tensorflow``, ``pytorch``, ``mpi``, ``custom``..."""
        return self.toolkit.kind

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
    """The node-relevant view of one Batch AI job (no secret values).

    ``layout`` is the toolkit's launch rule on ``node_count`` nodes
    (:func:`batchai_compat.domain.toolkits.task_layout`).
    """

    node_count: int
    toolkit: ToolkitSpec
    std_out_err_path_prefix: str
    layout: TaskLayout
    input_directories: tuple[DirectorySpec, ...] = ()
    output_directories: tuple[DirectorySpec, ...] = ()
    environment_variables: tuple[tuple[str, str], ...] = ()
    secret_names: tuple[str, ...] = ()
    job_preparation: str | None = None
    container_image: str | None = None
    max_wall_clock_seconds: float | None = None
    mount_volumes: Mapping[str, Any] = field(default_factory=dict)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(where, "must be an object", value)
    return dict(value)


def job_spec(parameters: Any) -> JobSpec:
    """Read a ``JobCreateParameters``/``Job`` (model, ``as_dict()`` or REST body) into a
    :class:`JobSpec`.

    Raises :class:`~batchai_compat.exceptions.ValidationError` when the job names no toolkit or
    more than one, or misses a field Batch AI required.
    """
    try:
        data = snake_document(parameters)
    except TypeError:
        raise ValidationError(
            "parameters", "must be a JobCreateParameters/Job model or its as_dict() mapping"
        ) from None
    chosen, settings = chosen_toolkit(data)
    toolkit = ToolkitSpec(chosen, _mapping(settings, f"parameters.{chosen.field}"))

    node_count = data.get("node_count")
    if not isinstance(node_count, int) or isinstance(node_count, bool) or node_count < 1:
        raise ValidationError("parameters.node_count", "must be an integer >= 1", node_count)
    prefix = data.get("std_out_err_path_prefix")
    if not prefix:
        raise ValidationError("parameters.std_out_err_path_prefix", "is required")

    inputs = tuple(
        DirectorySpec(str(item["id"]), str(item["path"]))
        for item in data.get("input_directories") or ()
    )
    outputs = tuple(
        DirectorySpec(str(item["id"]), str(item["path_prefix"]), item.get("path_suffix"))
        for item in data.get("output_directories") or ()
    )
    env = tuple(
        (str(item["name"]), "" if item.get("value") is None else str(item["value"]))
        for item in data.get("environment_variables") or ()
    )
    secret_names = tuple(str(s["name"]) for s in data.get("secrets") or ())
    prep_command = (data.get("job_preparation") or {}).get("command_line")
    registry = (data.get("container_settings") or {}).get("image_source_registry") or {}
    wall_clock = wall_clock_seconds((data.get("constraints") or {}).get("max_wall_clock_time"))
    return JobSpec(
        node_count=node_count,
        toolkit=toolkit,
        std_out_err_path_prefix=str(prefix),
        layout=task_layout(chosen, toolkit.settings, node_count),
        input_directories=inputs,
        output_directories=outputs,
        environment_variables=env,
        secret_names=secret_names,
        job_preparation=prep_command or None,
        container_image=registry.get("image"),
        max_wall_clock_seconds=wall_clock,
        mount_volumes=data.get("mount_volumes") or {},
    )

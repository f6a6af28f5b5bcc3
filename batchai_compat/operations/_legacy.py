"""Batch AI 1.0-era call shapes, still found in notebooks.

azure-mgmt-batchai 1.0.x had no workspaces or experiments: ``clusters.create(rg, name, params)``,
``jobs.create(rg, job, params)``, ``jobs.get(rg, job)``, ``jobs.list_output_files(rg, job,
options)``, ...  :func:`legacy_call_shape` decorates a 2.0.0 method: a call that binds to the
2.0.0 signature runs unchanged; one that does not, but binds to the 1.0 shape, gets a workspace
(and for jobs an experiment) by this rule:

* a creating call uses the resource group's *default workspace* ``default`` (and its *default
  experiment* ``default``), created on demand once every argument is validated;
* any other call finds the resource: in the default workspace (and experiment) first; else in
  the one workspace (for jobs: the one experiment of one workspace) of the resource group that
  holds that name, as when a notebook created it with 2.0.0 calls and deletes it with 1.0 ones;
  when several do, it fails with a ``ValidationError`` that lists them and says to pass the
  workspace (and experiment); when none does, the call goes to the defaults and gets the
  service's 404.

``inspect.signature`` of the method still shows 2.0.0's signature (``functools.wraps``).  The
rule uses only the ``Backend`` protocol, so it is the same on every backend.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .. import exceptions
from ._validation import check_resource_group, check_resource_name

if TYPE_CHECKING:
    from ..backends.base import Backend

__all__ = [
    "DEFAULT_EXPERIMENT",
    "DEFAULT_WORKSPACE",
    "ENV_DEFAULT_LOCATION",
    "ensure_default_experiment",
    "ensure_default_workspace",
    "ensure_legacy_defaults",
    "legacy_call_shape",
    "locate",
]

DEFAULT_WORKSPACE = "default"
DEFAULT_EXPERIMENT = "default"
ENV_DEFAULT_LOCATION = "BATCHAI_COMPAT_DEFAULT_LOCATION"
FALLBACK_LOCATION = "eastus"
LEGACY_DEFAULTS_FLAG = "_batchai_compat_legacy_defaults"

F = TypeVar("F", bound=Callable[..., Any])

#: Keyword arguments every 2.0.0 method took after its own parameters.
_TRAILING = ("custom_headers", "raw", "polling")


def default_location() -> str:
    """Region of an on-demand default workspace: ``$BATCHAI_COMPAT_DEFAULT_LOCATION`` or eastus."""
    return os.environ.get(ENV_DEFAULT_LOCATION, "").strip() or FALLBACK_LOCATION


def _finish(value: Any) -> Any:
    result = getattr(value, "result", None)
    if callable(result) and hasattr(value, "done"):
        return result()
    return value


def ensure_default_workspace(backend: Backend, resource_group: str) -> str:
    """The resource group's default workspace, created (in :func:`default_location`) if absent."""
    try:
        backend.get_workspace(resource_group, DEFAULT_WORKSPACE)
    except exceptions.ResourceNotFoundError:
        # ResourceExistsError: created meanwhile by another thread or process.
        with contextlib.suppress(exceptions.ResourceExistsError):
            _finish(
                backend.create_workspace(
                    resource_group, DEFAULT_WORKSPACE, default_location(), None
                )
            )
    return DEFAULT_WORKSPACE


def ensure_default_experiment(backend: Backend, resource_group: str) -> tuple[str, str]:
    """The default workspace and its default experiment, both created if absent."""
    workspace = ensure_default_workspace(backend, resource_group)
    try:
        backend.get_experiment(resource_group, workspace, DEFAULT_EXPERIMENT)
    except exceptions.ResourceNotFoundError:
        with contextlib.suppress(exceptions.ResourceExistsError):
            _finish(backend.create_experiment(resource_group, workspace, DEFAULT_EXPERIMENT))
    return workspace, DEFAULT_EXPERIMENT


def ensure_legacy_defaults(
    backend: Backend, resource_group: str, operation_config: dict[str, Any]
) -> None:
    """Create the default workspace/experiment a 1.0-shaped creating call needs (else nothing)."""
    wanted = operation_config.pop(LEGACY_DEFAULTS_FLAG, None)
    if wanted == "experiment":
        ensure_default_experiment(backend, resource_group)
    elif wanted == "workspace":
        ensure_default_workspace(backend, resource_group)


#: The backend read that finds each kind of resource a 1.0 call names.
_LOOKUPS = {
    "cluster_name": "get_cluster",
    "file_server_name": "get_file_server",
    "job_name": "get_job",
}
_KINDS = {"cluster_name": "cluster", "file_server_name": "file server", "job_name": "job"}


def _exists(lookup: Callable[..., Any], *names: str) -> bool:
    try:
        lookup(*names)
    except exceptions.ResourceNotFoundError:
        return False
    return True


def locate(
    backend: Backend, resource_group: str, parameter: str, name: str
) -> tuple[str, str | None]:
    """(workspace, experiment or None) of the resource a 1.0 read/delete call names.

    ``parameter`` is the 2.0.0 name of the resource's argument (``cluster_name``, ``job_name``,
    ``file_server_name``).  The default workspace (and experiment) first, then the one place of
    the resource group that holds ``name``; several: a ``ValidationError`` listing them.
    """
    jobs = parameter == "job_name"
    lookup = getattr(backend, _LOOKUPS[parameter])
    default = (DEFAULT_WORKSPACE, DEFAULT_EXPERIMENT if jobs else None)
    if _exists(lookup, resource_group, *_names(default), name):
        return default
    holders: list[tuple[str, str | None]] = []
    for workspace_model in backend.list_workspaces(resource_group):
        workspace = str(workspace_model.name)
        places: list[tuple[str, str | None]] = (
            [(workspace, str(e.name)) for e in backend.list_experiments(resource_group, workspace)]
            if jobs
            else [(workspace, None)]
        )
        holders += [
            place
            for place in places
            if place != default and _exists(lookup, resource_group, *_names(place), name)
        ]
    if len(holders) == 1:
        return holders[0]
    if holders:
        where = ", ".join("/".join(_names(place)) for place in holders)
        which = "workspace and experiment" if jobs else "workspace"
        raise exceptions.ValidationError(
            "workspace_name",
            f"the {_KINDS[parameter]} {name!r} exists in several "
            f"{'experiments' if jobs else 'workspaces'} of resource group {resource_group!r} "
            f"({where}); pass the {which} (the 2.0.0 call shape)",
        )
    return default


def _names(place: tuple[str, str | None]) -> tuple[str, ...]:
    return tuple(part for part in place if part is not None)


def legacy_call_shape(
    *names: str,
    experiment: bool = False,
    create_defaults: bool = False,
    model_params: tuple[str, ...] = (),
) -> Callable[[F], F]:
    """Also accept the 1.0 call ``method(*names)`` (``names`` are 2.0.0 parameter names).

    ``experiment`` says the 1.0 call also lacked ``experiment_name``; ``create_defaults`` asks
    the method (through the private ``operation_config`` key :data:`LEGACY_DEFAULTS_FLAG`, read by
    :func:`ensure_legacy_defaults` after validation) to create the default workspace/experiment; ``model_params`` name parameters that must
    hold a model (not a str) for the 1.0 reading to apply, so that a 2.0.0 call missing an
    argument still gets Python's own ``TypeError``.
    """

    def decorate(func: F) -> F:
        # Read from the code object: inspect costs start-up (benchmark 6); the signature is
        # built only for a call with fewer positional arguments than 2.0.0 requires.
        code = func.__code__
        parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        legacy_names = ("self", *names)
        # A 1.0 call lacks workspace_name (and experiment_name): with at least as many positional
        # arguments as 2.0.0 requires, the call is a 2.0.0 one and needs no binding.
        required = code.co_argcount - len(func.__defaults__ or ())
        signatures: list[Any] = []

        def bind_legacy(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
            if len(args) > len(legacy_names):
                return None
            bound = dict(zip(legacy_names, args, strict=False))
            for key, value in kwargs.items():
                if key in bound:
                    return None
                if key in names or key in _TRAILING or key not in parameters:
                    bound[key] = value
                else:
                    return None
            if any(name not in bound for name in legacy_names):
                return None
            if any(isinstance(bound[name], str) for name in model_params):
                return None
            return bound

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) >= required:
                return func(*args, **kwargs)
            if not signatures:
                import inspect

                signatures.append(inspect.signature(func))
            try:
                signatures[0].bind(*args, **kwargs)
            except TypeError:
                bound = bind_legacy(args, kwargs)
                if bound is None:
                    raise
            else:
                return func(*args, **kwargs)
            if create_defaults:
                bound["workspace_name"] = DEFAULT_WORKSPACE
                if experiment:
                    bound["experiment_name"] = DEFAULT_EXPERIMENT
                # The method creates them once every argument is validated.
                bound[LEGACY_DEFAULTS_FLAG] = "experiment" if experiment else "workspace"
                return func(**bound)
            resource = names[1]
            workspace, experiment_name = locate(
                bound["self"]._backend,
                check_resource_group(bound["resource_group_name"]),
                resource,
                check_resource_name(resource, bound[resource]),
            )
            bound["workspace_name"] = workspace
            if experiment:
                bound["experiment_name"] = experiment_name
            return func(**bound)

        return wrapper  # type: ignore[return-value]

    return decorate

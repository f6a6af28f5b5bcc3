"""The service's rules for request bodies, checked before any side effect, on every backend.

The Batch AI service refused a malformed cluster, file server or job when it was sent.  Here
every operation that sends one runs these checks after the model tree is complete
(:func:`._validation.prepare_model`) and before it calls the backend, so the answer is the same
on every backend: a :class:`~batchai_compat.exceptions.RequestValidationError` naming the
field, and nothing created (no row, no folder, no process, no request to Azure).

Rules of Batch AI's own model are called, not copied: exactly one toolkit and what it needs to
start (:mod:`batchai_compat.domain.toolkits`), node and process counts (``task_layout``), scale
settings (:mod:`batchai_compat.domain.scale`), mount paths inside the mount root
(:mod:`batchai_compat.domain.mounts`), a positive wall clock
(:mod:`batchai_compat.domain.durations`), subnet ids (:mod:`batchai_compat.domain.ids`).
Written here, because only requests need them:

* VM sizes and user names are not empty; data disks number and measure at least 1;
* environment variable and secret names are variable names (``[A-Za-z_][A-Za-z0-9_]*``); a
  secret has a value or a Key Vault reference;
* input and output directory ids are unique (ignoring case, as the service compared them);
* a job's ``std_out_err_path_prefix`` and output ``path_prefix`` are under a mount root or the
  job's own folders (``$AZ_BATCHAI_MOUNT_ROOT``, ``$AZ_BATCHAI_JOB_MOUNT_ROOT``,
  ``$AZ_BATCHAI_JOB_TEMP``, ``$AZ_BATCHAI_SHARED_JOB_TEMP``), a setup task's under the cluster's
  mount root, never leaving it with ``..``;
* command lines the job runs (job preparation, setup task) are not empty.

A required field passed as None at construction (accepted, as 2.0.0 did) is refused here too,
by the model tree's own ``validate()``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .. import exceptions
from ..domain import ids
from ..domain.durations import wall_clock_seconds
from ..domain.scale import scale_bounds
from ..domain.toolkits import check_launchable, chosen_toolkit, task_layout
from ..exceptions import ValidationError, request_error

__all__ = [
    "JOB_FOLDER_ROOTS",
    "check_cluster",
    "check_file_server",
    "check_job",
    "check_scale_settings",
]

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ROOTED = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)

#: The folders a job may write its logs and outputs under: the mount roots and its own folders.
JOB_FOLDER_ROOTS = (
    "AZ_BATCHAI_JOB_MOUNT_ROOT",
    "AZ_BATCHAI_MOUNT_ROOT",
    "AZ_BATCHAI_JOB_TEMP",
    "AZ_BATCHAI_SHARED_JOB_TEMP",
)
#: A cluster setup task runs before any job: it writes under the cluster's mounts.
SETUP_TASK_ROOTS = ("AZ_BATCHAI_MOUNT_ROOT",)


def _mounts(volumes: Any, where: str) -> Any:
    """:func:`batchai_compat.domain.mounts.mounts`, imported by the create calls that check
    mounts (its frozen dataclasses cost every reader's start-up: benchmark 6)."""
    from ..domain.mounts import mounts

    return mounts(volumes, where)


@contextlib.contextmanager
def _as_request() -> Iterator[None]:
    """A domain rule's ``ValidationError``, raised for a request: a ``RequestValidationError``."""
    try:
        yield
    except exceptions.RequestValidationError:  # evaluated only when an error is raised
        raise
    except ValidationError as error:
        raise request_error(error.parameter, error.rule) from None


def _text(value: Any, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise request_error(where, f"must be a non-empty string, got {value!r}")


def _at_least_one(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise request_error(where, f"must be an integer >= 1, got {value!r}")


def _variables(items: Iterable[Any] | None, where: str, *, secret: bool = False) -> None:
    for index, item in enumerate(items or ()):
        name = item.name
        if not isinstance(name, str) or not _VARIABLE_NAME.fullmatch(name):
            raise request_error(
                f"{where}[{index}].name",
                "must be an environment variable name (letters, digits and '_', not starting "
                f"with a digit), got {name!r}",
            )
        if secret and item.value is None and item.value_secret_reference is None:
            raise request_error(
                f"{where}[{index}]", "needs a value or a value_secret_reference (Key Vault)"
            )


def _under(path: Any, where: str, roots: tuple[str, ...]) -> None:
    """``path`` starts with ``$ROOT`` (or ``${ROOT}``) for one of ``roots`` and stays under it."""
    text = path if isinstance(path, str) else ""
    match = _ROOTED.match(text)
    root = (match["braced"] or match["plain"]) if match else None
    rest = text[match.end() :] if match else ""
    if root not in roots or (rest and not rest.startswith("/")):
        allowed = ", ".join(f"${name}" for name in roots)
        raise request_error(
            where, f"must be under a mount or the job's own folders ({allowed}), got {path!r}"
        )
    if ".." in rest.split("/"):
        raise request_error(where, f"must not leave ${root} with '..', got {path!r}")


def _unique_ids(items: Iterable[Any] | None, where: str) -> None:
    seen: dict[str, int] = {}
    for index, item in enumerate(items or ()):
        _text(item.id, f"{where}[{index}].id")
        key = item.id.lower()
        if key in seen:
            raise request_error(
                f"{where}[{index}].id",
                f"{item.id!r} is also the id of {where}[{seen[key]}] (ids ignore case)",
            )
        seen[key] = index


def _subnet(subnet: Any, where: str) -> None:
    if subnet is not None:
        with _as_request():
            ids.parse_subnet_id(subnet.id, f"{where}.id")


def check_scale_settings(settings: Any, where: str) -> None:
    """Scale settings of a cluster creation or ``clusters.update`` (see
    :mod:`batchai_compat.domain.scale`)."""
    with _as_request():
        scale_bounds(settings, where)


def check_cluster(params: Any, where: str = "parameters") -> None:
    """A ``ClusterCreateParameters`` the service would take."""
    _text(params.vm_size, f"{where}.vm_size")
    check_scale_settings(params.scale_settings, f"{where}.scale_settings")
    _subnet(params.subnet, f"{where}.subnet")
    _text(
        params.user_account_settings.admin_user_name,
        f"{where}.user_account_settings.admin_user_name",
    )
    setup = params.node_setup
    if setup is None:
        return
    task = setup.setup_task
    if task is not None:
        at = f"{where}.node_setup.setup_task"
        _text(task.command_line, f"{at}.command_line")
        _under(task.std_out_err_path_prefix, f"{at}.std_out_err_path_prefix", SETUP_TASK_ROOTS)
        _variables(task.environment_variables, f"{at}.environment_variables")
        _variables(task.secrets, f"{at}.secrets", secret=True)
    with _as_request():
        _mounts(setup.mount_volumes, f"{where}.node_setup.mount_volumes")


def check_file_server(params: Any, where: str = "parameters") -> None:
    """A ``FileServerCreateParameters`` the service would take."""
    _text(params.vm_size, f"{where}.vm_size")
    _text(
        params.ssh_configuration.user_account_settings.admin_user_name,
        f"{where}.ssh_configuration.user_account_settings.admin_user_name",
    )
    _at_least_one(params.data_disks.disk_count, f"{where}.data_disks.disk_count")
    _at_least_one(params.data_disks.disk_size_in_gb, f"{where}.data_disks.disk_size_in_gb")
    _subnet(params.subnet, f"{where}.subnet")


def check_job(params: Any, where: str = "parameters") -> None:
    """A ``JobCreateParameters`` the service would take."""
    with _as_request():
        toolkit, settings = chosen_toolkit(params)
        check_launchable(toolkit, settings)
        task_layout(toolkit, settings, params.node_count)
        if params.constraints is not None:
            wall_clock_seconds(params.constraints.max_wall_clock_time)
        _mounts(params.mount_volumes, f"{where}.mount_volumes")
    _under(params.std_out_err_path_prefix, f"{where}.std_out_err_path_prefix", JOB_FOLDER_ROOTS)
    _unique_ids(params.input_directories, f"{where}.input_directories")
    _unique_ids(params.output_directories, f"{where}.output_directories")
    for index, output in enumerate(params.output_directories or ()):
        at = f"{where}.output_directories[{index}]"
        _under(output.path_prefix, f"{at}.path_prefix", JOB_FOLDER_ROOTS)
        suffix = output.path_suffix
        if suffix is not None and (suffix.startswith("/") or ".." in suffix.split("/")):
            raise request_error(
                f"{at}.path_suffix", f"must be a relative path without '..', got {suffix!r}"
            )
    _variables(params.environment_variables, f"{where}.environment_variables")
    _variables(params.secrets, f"{where}.secrets", secret=True)
    if params.job_preparation is not None:
        _text(params.job_preparation.command_line, f"{where}.job_preparation.command_line")

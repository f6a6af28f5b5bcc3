"""Argument checks the Batch AI client made before sending a request, made before any side effect.

azure-mgmt-batchai 2.0.0 checked URL path segments (``msrest`` ``Serializer.url`` with
``min_length`` / ``max_length`` / ``pattern``), query options (``maximum`` / ``minimum``) and
request bodies (``Model.validate()``).  The same rules live here and raise
:class:`~batchai_compat.exceptions.ValidationError` naming the parameter and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, overload

from ..exceptions import ValidationError, request_error
from ..models._base import clone

__all__ = [
    "RESOURCE_GROUP_PATTERN",
    "RESOURCE_NAME_PATTERN",
    "check_int_range",
    "check_location",
    "check_required_str",
    "check_resource_group",
    "check_resource_name",
    "check_tags",
    "max_results_of",
    "prepare_model",
]

RESOURCE_GROUP_PATTERN = r"^[-\w\._]+$"
RESOURCE_NAME_PATTERN = r"^[-\w_]+$"
LOCATION_PATTERN = r"^[-\w\._]+$"

#: ARM's limit on resource group names (2.0.0 checked only the pattern).
RESOURCE_GROUP_MAX_LENGTH = 90

_RESOURCE_GROUP_RE = re.compile(RESOURCE_GROUP_PATTERN)
# Batch AI resource names are ASCII: ``\w`` would also take any Unicode letter or digit.
_RESOURCE_NAME_RE = re.compile(RESOURCE_NAME_PATTERN, re.ASCII)
_LOCATION_RE = re.compile(LOCATION_PATTERN)

MAX_RESULTS_RANGE = (1, 1000)
LINK_EXPIRY_MINUTES_RANGE = (5, 600)

M = TypeVar("M")


def _check_str(parameter: str, value: Any) -> str:
    if value is None:
        raise request_error(parameter, "must not be None")
    if not isinstance(value, str):
        raise request_error(parameter, f"must be a str, not {type(value).__name__}")
    return value


def check_resource_group(value: Any, parameter: str = "resource_group_name") -> str:
    """Resource group names: ``^[-\\w\\._]+$``, at most 90 characters (ARM's limit), and never
    ``.`` or ``..`` (they are path segments: of ARM ids, and of folders on the local backend)."""
    value = _check_str(parameter, value)
    if value in (".", ".."):
        raise request_error(parameter, f"must not be {value!r}")
    if len(value) > RESOURCE_GROUP_MAX_LENGTH:
        raise request_error(
            parameter,
            f"must be at most {RESOURCE_GROUP_MAX_LENGTH} characters long, got {len(value)}",
        )
    if not _RESOURCE_GROUP_RE.fullmatch(value):
        raise request_error(
            parameter,
            f"must match {RESOURCE_GROUP_PATTERN} (letters, digits, '-', '_', '.'), got {value!r}",
        )
    return value


def check_resource_name(parameter: str, value: Any) -> str:
    """Workspace, experiment, cluster, job and file server names: 1-64 chars of ``^[-\\w_]+$``."""
    value = _check_str(parameter, value)
    if not 1 <= len(value) <= 64:
        raise request_error(
            parameter, f"must be from 1 through 64 characters long, got {len(value)}"
        )
    if not _RESOURCE_NAME_RE.fullmatch(value):
        raise request_error(
            parameter,
            f"must match {RESOURCE_NAME_PATTERN} (ASCII letters, digits, '-' and '_'), "
            f"got {value!r}",
        )
    return value


def check_location(value: Any, parameter: str = "location") -> str:
    r"""A region in a URL path (``usages.list``): ``^[-\w\._]+$`` as 2.0.0 checked it."""
    value = _check_str(parameter, value)
    if not _LOCATION_RE.fullmatch(value):
        raise request_error(parameter, f"must match {LOCATION_PATTERN}, got {value!r}")
    return value


def check_required_str(parameter: str, value: Any) -> str:
    """A required, non-empty string body field (``WorkspaceCreateParameters.location``).

    ARM accepted display names such as ``'East US'`` in bodies, so no pattern applies.
    """
    value = _check_str(parameter, value)
    if not value.strip():
        raise request_error(parameter, "must be a non-empty str")
    return value


def check_int_range(parameter: str, value: Any, bounds: tuple[int, int]) -> int | None:
    """An optional integer query option within ``bounds`` (inclusive)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise request_error(parameter, f"must be an int, not {type(value).__name__}")
    low, high = bounds
    if not low <= value <= high:
        raise request_error(parameter, f"must be from {low} through {high}, got {value}")
    return value


def check_tags(value: Any, parameter: str = "tags") -> dict[str, str] | None:
    """ARM resource tags: a ``{str: str}`` mapping or None."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise request_error(parameter, f"must be a dict of str to str, not {type(value).__name__}")
    tags: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise request_error(parameter, "must be a dict of str to str")
        tags[key] = item
    return tags


def max_results_of(options: Any, parameter: str) -> int | None:
    """``max_results`` of a ``*ListOptions`` model (the page size), checked against 1-1000."""
    if options is None:
        return None
    if isinstance(options, Mapping):
        raw = options.get("max_results")
    elif hasattr(options, "max_results"):
        raw = options.max_results
    else:
        raise request_error(
            parameter,
            f"must be a list options model with max_results, not {type(options).__name__}",
        )
    return check_int_range(f"{parameter}.max_results", raw, MAX_RESULTS_RANGE)


def _is_msrest_twin(value: Any, model_class: type) -> bool:
    return (
        type(value).__name__ == model_class.__name__
        and type(value).__module__.startswith("azure.mgmt.batchai.")
        and callable(getattr(value, "as_dict", None))
    )


@overload
def prepare_model(
    parameter: str, value: Any, model_class: type[M], *, required: Literal[True] = ...
) -> M: ...
@overload
def prepare_model(
    parameter: str, value: Any, model_class: type[M], *, required: bool
) -> M | None: ...
def prepare_model(
    parameter: str, value: Any, model_class: type[M], *, required: bool = True
) -> M | None:
    """A private, validated copy of a request-body model.

    Accepts an instance of ``model_class``, the same-named model of the genuine
    ``azure.mgmt.batchai.models`` 2.0.0, or a dict (REST or attribute keys, as msrest's body
    serializer did), returns a deep copy so the backend never holds the caller's object, and runs
    the model's ``validate()`` (which returns a list of problems, empty when valid).
    """
    if value is None:
        if required:
            raise request_error(parameter, f"is required (a {model_class.__name__})")
        return None
    if not isinstance(value, model_class) and _is_msrest_twin(value, model_class):
        # The same model built with the genuine azure-mgmt-batchai 2.0.0 classes (a helper module
        # that still imports them): take its values through msrest's own as_dict().
        value = value.as_dict()
    if isinstance(value, Mapping):
        try:
            value = model_class.from_dict(dict(value))  # type: ignore[attr-defined]
        except ValidationError as exc:
            raise request_error(f"{parameter}.{exc.parameter}", exc.rule) from None
    if not isinstance(value, model_class):
        raise request_error(
            parameter, f"must be a {model_class.__name__}, not {type(value).__name__}"
        )
    copied = clone(value)
    problems: list[ValidationError] = copied.validate()  # type: ignore[attr-defined]
    if problems:
        raise _request_refused(parameter, problems)
    return copied


def _request_refused(parameter: str, problems: list[ValidationError]) -> ValidationError:
    """One error for every required field of a request body still None: the first named by its
    full path from the method's argument (``parameters.environment_variables[0].value``), the
    others listed after it."""
    first, *others = problems
    rule = first.rule
    if others:
        rule += "; also None: " + ", ".join(f"{parameter}.{p.parameter}" for p in others)
    return request_error(f"{parameter}.{first.parameter}", rule, getattr(first, "target", None))

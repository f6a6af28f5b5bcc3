"""The service's answer for a missing resource, from an Azure ML backend's call.

Azure ML answers a missing compute, run or workspace with its own 404; Batch AI answered
``<Kind>NotFound`` naming the resource (:func:`batchai_compat.domain.answers.not_found`).  A
backend method names its resource by a parameter called after its kind (``cluster``, ``job``,
``experiment``, ``workspace``): :func:`not_found_for` finds it in the call's arguments.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ...domain import answers

__all__ = ["not_found_for"]

Builder = Callable[[tuple[Any, ...], dict[str, Any]], "Exception | None"]


def not_found_for(function: Callable[..., Any], kind: str) -> Builder:
    """For a backend method about a ``kind``: ``build(args, kwargs)`` gives the service's 404
    for the resource the call named, or None when the method names none (a list, say)."""
    signature = inspect.signature(function)
    if kind not in signature.parameters:
        return lambda args, kwargs: None

    def build(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Exception | None:
        name = signature.bind(*args, **kwargs).arguments[kind]
        return answers.not_found(kind, str(name))

    return build

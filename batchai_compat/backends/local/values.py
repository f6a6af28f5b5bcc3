"""Frozen value classes for the local control plane, without code generation at import.

The control plane's records (:mod:`.state.records`), its life-cycle rules (:mod:`.state.lifecycle`)
and the scaling policy (:mod:`.scaling`) are frozen values.  As ``@dataclass(frozen=True)``
classes they cost the ``dataclasses`` import (with ``inspect``) and about a millisecond per class
to generate and compile their methods, paid by every process that reads a job, a ``batchai job
show`` included (benchmark 6).  :class:`Value` gives them the same behaviour from one base class:

* fields are the class's annotations (bases first), defaults its class attributes,
  ``field(default_factory=...)`` a default built per instance;
* ``__init__`` takes fields by position or keyword, then calls ``__post_init__`` if defined;
* instances are frozen (:class:`FrozenInstanceError`), compare equal and hash by their fields,
  and show them in ``repr``; :func:`replace` returns a copy with some fields changed.

Instances keep their fields in ``__dict__``: row readers may fill it directly (a defaulted field
left out reads its class attribute), and ``functools.cached_property`` works.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10
    from typing_extensions import dataclass_transform

__all__ = ["FrozenInstanceError", "Value", "field", "replace"]

V = TypeVar("V", bound="Value")


class FrozenInstanceError(AttributeError):
    """Raised on an attempt to change or delete a field of a :class:`Value`."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A field whose default is built by ``default_factory()`` for each instance (a dict, a
    policy...), as ``dataclasses.field(default_factory=...)``."""
    return _Factory(default_factory)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Value:
    """Base of a frozen value class (see the module docstring)."""

    _value_fields: ClassVar[tuple[str, ...]] = ()
    _value_defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        defaults: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                    continue
                if name not in fields:
                    fields.append(name)
                if name in vars(klass):
                    defaults[name] = vars(klass)[name]
        cls._value_fields = tuple(fields)
        cls._value_defaults = defaults

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        fields = cls._value_fields
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__}() takes {len(fields)} fields, got {len(args)}")
        values = self.__dict__
        values.update(zip(fields, args, strict=False))  # fewer args: the rest by keyword
        for name, value in kwargs.items():
            if name not in fields or name in values:
                why = "an unexpected" if name not in fields else "a repeated"
                raise TypeError(f"{cls.__name__}() got {why} argument {name!r}")
            values[name] = value
        if len(values) < len(fields):
            for name in fields:
                if name in values:
                    continue
                if name not in cls._value_defaults:
                    raise TypeError(f"{cls.__name__}() missing field {name!r}")
                default = cls._value_defaults[name]
                values[name] = default.make() if isinstance(default, _Factory) else default
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def _value_tuple(self) -> tuple[Any, ...]:
        # getattr: a row reader may leave a defaulted field to its class attribute
        return tuple(getattr(self, name) for name in self._value_fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self._value_tuple() == other._value_tuple()

    def __hash__(self) -> int:
        return hash(self._value_tuple())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._value_fields)
        return f"{type(self).__name__}({shown})"


def replace(value: V, **changes: Any) -> V:
    """A copy of ``value`` with ``changes`` (checked again by its ``__post_init__``)."""
    fields = value._value_fields
    unknown = [name for name in changes if name not in fields]
    if unknown:
        raise TypeError(f"{type(value).__name__} has no field {unknown[0]!r}")
    kept = {name: getattr(value, name) for name in fields if name not in changes}
    return type(value)(**kept, **changes)

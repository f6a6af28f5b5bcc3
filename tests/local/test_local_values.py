"""backends/local/values.py: frozen value classes that behave as frozen dataclasses.

Each behaviour is checked side by side with ``@dataclass(frozen=True)`` on the same fields.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from functools import cached_property

import pytest

from batchai_compat.backends.local.values import FrozenInstanceError, Value, field, replace


class Point(Value):
    x: int
    y: int = 0
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.x < 0:
            raise ValueError("x must be >= 0")

    @cached_property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@dataclasses.dataclass(frozen=True)
class DataPoint:
    x: int
    y: int = 0
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


class Point3(Point):
    z: int = 0


def test_construction_equality_hash_and_repr_match_a_frozen_dataclass():
    ours, theirs = Point(1, y=2), DataPoint(1, y=2)
    assert repr(ours) == repr(theirs).replace("DataPoint", "Point")
    assert ours == Point(1, 2) and ours != Point(1, 3) and ours != (1, 2, {})
    assert Point(1, 2, {}) == Point(x=1, y=2)
    assert hash(Point(1, 2, ())) == hash(Point(1, 2, ()))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hash(ours)  # a dict field: unhashable, as the dataclass
    with pytest.raises(TypeError):
        hash(theirs)
    assert Point(1).tags is not Point(1).tags  # a factory default per instance


def test_frozen_and_checked():
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x  # type: ignore[misc]
    assert issubclass(FrozenInstanceError, AttributeError)
    with pytest.raises(TypeError, match="missing field 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected argument 'w'"):
        Point(1, w=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="repeated argument 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point(1, 2, {}, 4)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="x must be"):
        Point(-1)


def test_replace_copy_pickle_inheritance_and_cached_properties():
    point = Point(1, 2)
    assert point.norm == 3 and point.norm == 3
    moved = replace(point, y=5)
    assert moved == Point(1, 5) and point == Point(1, 2) and moved.norm == 6
    with pytest.raises(ValueError):
        replace(point, x=-1)  # checked again, as dataclasses.replace
    with pytest.raises(TypeError):
        replace(point, w=1)
    assert copy.deepcopy(point) == point and pickle.loads(pickle.dumps(point)) == point
    assert Point3(1, 2, z=3) == Point3(1, 2, {}, 3) and Point3(1) != Point(1)
    assert repr(Point3(1)) == "Point3(x=1, y=0, tags={}, z=0)"


def test_a_row_reader_may_leave_a_defaulted_field_to_the_class():
    record = object.__new__(Point)
    record.__dict__.update(x=4, tags={})
    assert record.y == 0 and record == Point(4) and replace(record, x=5) == Point(5)

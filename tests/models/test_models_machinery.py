"""The declaration machinery of models/_base.py, exercised on models defined here."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from batchai_compat.exceptions import ValidationError
from batchai_compat.models._base import (
    Model,
    field,
    format_datetime,
    format_duration,
    parse_duration,
    readonly,
)
from batchai_compat.models.enums import VmPriority


class Leaf(Model):
    """A model declared in a module with ``from __future__ import annotations``."""

    name: str = field("name")
    count: int | None = field("properties.count", default=None, wire="long")


class Tree(Model):
    leaves: list[Leaf] | None = field("properties.leaves", default=None)
    labels: dict[str, str] | None = field("labels", default=None)
    priority: VmPriority | None = field("priority", default=VmPriority.dedicated, wire="str")
    born: dt.datetime | None = readonly("properties.born")


def test_string_annotations_are_resolved_in_the_defining_module():
    assert Tree._attribute_map == {
        "leaves": {"key": "properties.leaves", "type": "[Leaf]"},
        "labels": {"key": "labels", "type": "{str}"},
        "priority": {"key": "priority", "type": "str"},
        "born": {"key": "properties.born", "type": "iso-8601"},
    }
    assert Leaf._validation == {"name": {"required": True}}
    assert Tree._validation == {"born": {"readonly": True}}
    assert (
        str(inspect.signature(Tree))
        == "(*, leaves=None, labels=None, priority=<VmPriority.dedicated: 'dedicated'>, **kwargs)"
    )
    tree = Tree(
        leaves=[{"name": "a", "properties": {"count": "2"}}],
        labels={"k": "v"},
        priority="LOWPRIORITY",
    )
    assert tree.leaves == [Leaf(name="a", count=2)]
    assert tree.serialize() == {
        "properties": {"leaves": [{"name": "a", "properties": {"count": 2}}]},
        "labels": {"k": "v"},
        "priority": "lowpriority",
    }
    with pytest.raises(ValidationError) as info:
        Tree(labels={"k": 1})
    assert info.value.parameter == "labels['k']"


def test_errors_in_models_nested_in_lists_name_the_item():
    # The command line turns the parameter path into the JSON path of the bad field of a file.
    with pytest.raises(ValidationError) as info:
        Tree.deserialize({"properties": {"leaves": [{"name": "a"}, {"name": "b", "count": "x"}]}})
    assert info.value.parameter == "leaves[1].count"
    with pytest.raises(ValidationError) as info:
        Tree.deserialize({"properties": {"leaves": [{"name": "a"}, {"count": 1}]}})
    assert info.value.parameter == "leaves[1].name"


def test_annotations_must_say_optional_exactly_when_not_required():
    with pytest.raises(TypeError, match="Bad.name"):

        class Bad(Model):
            name: str | None = field("name")

    with pytest.raises(TypeError, match="Worse.name"):

        class Worse(Model):
            name: str = field("name", default="x")


def test_unsupported_annotations_are_refused_at_class_definition():
    with pytest.raises(TypeError, match="unsupported"):

        class Odd(Model):
            value: set[str] | None = field("value", default=None)


@pytest.mark.parametrize(
    ("delta", "iso"),
    [
        (dt.timedelta(0), "P0D"),
        (dt.timedelta(seconds=0.25), "PT0.25S"),
        (dt.timedelta(days=400, seconds=1), "P400DT1S"),
        (-dt.timedelta(hours=3), "-PT3H"),
    ],
)
def test_durations_round_trip_and_match_isodate(delta, iso):
    import isodate

    assert format_duration(delta) == iso == isodate.duration_isoformat(delta)
    assert parse_duration(iso) == delta


def test_batch_ai_duration_spellings():
    assert parse_duration("-1.00:00:00") == -dt.timedelta(days=1)
    assert parse_duration("00:00:01.1234567") == dt.timedelta(seconds=1, microseconds=123456)
    with pytest.raises(ValueError):
        parse_duration("tomorrow")


def test_datetimes_format_as_msrest_did():
    from msrest.serialization import Serializer

    moments = [
        dt.datetime(2018, 6, 1, 10, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2018, 6, 1, 10, 0, 0, 120000, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc),
    ]
    for moment in moments:
        assert format_datetime(moment) == Serializer.serialize_iso(moment)

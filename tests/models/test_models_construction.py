"""Construction semantics of the 2.0.0 models, compared with the genuine package class by class.

In azure-mgmt-batchai 2.0.0 an *omitted* required keyword is Python's own ``TypeError``; a
required field passed *explicitly as None* is accepted, ``validate()`` lists it (msrest
``ValidationError``: ``Parameter 'EnvironmentVariable.value' can not be None.``), ``serialize()``
leaves it out, and the client refuses it only when a request is made.  Unknown keywords are
ignored with a warning (a log record in 2.0.0; an ``IgnoredParameterWarning`` with "did you
mean" here).
"""

from __future__ import annotations

import inspect
import logging
import warnings

import azure.mgmt.batchai.models as genuine
import msrest.exceptions
import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import IgnoredParameterWarning, ValidationError


def _required_keywords(cls: type) -> list[str]:
    """The keyword-only parameters of the genuine constructor that have no default."""
    return [
        name
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    ]


WITH_REQUIRED = [
    name
    for name in genuine.__all__
    if inspect.isclass(getattr(genuine, name))
    and hasattr(getattr(genuine, name), "_attribute_map")
    and _required_keywords(getattr(genuine, name))
]


def test_the_comparison_covers_the_models_with_required_fields():
    assert len(WITH_REQUIRED) > 20
    assert {"JobCreateParameters", "EnvironmentVariable", "ClusterCreateParameters"} <= set(
        WITH_REQUIRED
    )


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_omitting_required_keywords_is_pythons_type_error_listing_all(name):
    with pytest.raises(TypeError) as theirs:
        getattr(genuine, name)()
    with pytest.raises(TypeError) as ours:
        getattr(models, name)()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_explicit_none_is_accepted_and_validate_reports_it(name):
    required = _required_keywords(getattr(genuine, name))
    theirs = getattr(genuine, name)(**dict.fromkeys(required))
    ours = getattr(models, name)(**dict.fromkeys(required))
    assert all(getattr(ours, field) is None for field in required)
    their_problems = theirs.validate()
    our_problems = ours.validate()
    assert [e.target for e in our_problems] == [e.target for e in their_problems]
    for problem in our_problems:
        assert isinstance(problem, msrest.exceptions.ValidationError)  # what 2.0.0 returned
        assert isinstance(problem, ValidationError)
        assert problem.parameter == problem.target.split(".", 1)[1]  # top-level: the field
        assert "can not be None" in str(problem)
    # serialize() leaves the None fields out instead of refusing, as msrest did
    assert ours.serialize() == theirs.serialize()


def test_a_template_filled_later_validates_with_full_paths():
    """The notebook pattern: a template with value=None, filled per job."""

    def template(m):
        return m.JobCreateParameters(
            cluster=m.ResourceId(id="/subscriptions/s/resourceGroups/rg/x"),
            node_count=1,
            std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/afs",
            environment_variables=[
                m.EnvironmentVariable(name="PARAM_LR", value="0.1"),
                m.EnvironmentVariable(name="PARAM_EPOCHS", value=None),
            ],
            custom_toolkit_settings=m.CustomToolkitSettings(command_line="echo"),
        )

    theirs, ours = template(genuine), template(models)
    assert (
        [e.target for e in ours.validate()]
        == [e.target for e in theirs.validate()]
        == ["EnvironmentVariable.value"]
    )
    assert ours.validate()[0].parameter == "environment_variables[1].value"
    ours.environment_variables[1].value = "10"
    assert ours.validate() == []


def test_explicit_none_then_a_value_later_on_nested_fields():
    params = models.JobCreateParameters(cluster=None, node_count=None, std_out_err_path_prefix="p")
    assert [e.parameter for e in params.validate()] == ["cluster", "node_count"]
    params.cluster = models.ResourceId(id="c")
    params.node_count = 2
    assert params.validate() == []


def test_unknown_keywords_are_ignored_as_2_0_0_did_with_a_suggestion(caplog):
    def build(m):
        return m.JobCreateParameters(
            cluster=m.ResourceId(id="c"),
            node_count=1,
            std_out_err_path_prefix="p",
            nodecount=4,
        )

    with caplog.at_level(logging.WARNING):
        theirs = build(genuine)
    assert any("nodecount" in record.getMessage() for record in caplog.records)
    with pytest.warns(IgnoredParameterWarning) as record:
        ours = build(models)
    message = str(record[0].message)
    assert "JobCreateParameters()" in message
    assert "did you mean 'node_count'?" in message
    assert ours.node_count == theirs.node_count == 1
    assert ours.serialize() == theirs.serialize()


@pytest.mark.parametrize(
    ("model", "keyword", "suggestion"),
    [
        ("ClusterCreateParameters", "vmsize", "vm_size"),
        ("ClusterCreateParameters", "vm_sise", "vm_size"),
        ("EnvironmentVariable", "Value", "value"),
        ("ManualScaleSettings", "target_nodes", "target_node_count"),
    ],
)
def test_did_you_mean(model, keyword, suggestion):
    cls = getattr(models, model)
    required = {
        name: None for name, f in cls._fields.items() if f.constructor_required and name != keyword
    }
    with pytest.warns(IgnoredParameterWarning, match=f"did you mean {suggestion!r}"):
        cls(**required, **{keyword: "x"})


def test_no_suggestion_for_keywords_unlike_any_parameter():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        models.ResourceId(id="x", location="eastus")
    (warning,) = record
    assert "did you mean" not in str(warning.message)
    assert "ResourceId()" in str(warning.message)


def test_positional_arguments_are_refused_as_2_0_0_did():
    with pytest.raises(TypeError):
        genuine.ResourceId("x")
    with pytest.raises(TypeError):
        models.ResourceId("x")

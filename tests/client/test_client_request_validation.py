"""Request-time validation, compared with the genuine 2.0.0 client.

The genuine client validated a request body when a request was made (``Serializer.body``), before
sending anything: a required field still None raised ``msrest.exceptions.ValidationError``
(``Parameter 'EnvironmentVariable.value' can not be None.``).  Ours raises a
``RequestValidationError``, which is that class too, names the full path from the method's
argument, and is raised before any side effect.  The genuine client here points at a closed
loopback port: it never gets as far as sending.
"""

from __future__ import annotations

import azure.mgmt.batchai.models as genuine_models
import msrest.exceptions
import pytest
from azure.mgmt.batchai import BatchAIManagementClient as GenuineClient
from msrest.authentication import BasicTokenAuthentication

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient
from batchai_compat.exceptions import RequestValidationError, ValidationError

CLUSTER_ID = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/c"
)


@pytest.fixture
def genuine():
    credentials = BasicTokenAuthentication({"access_token": "not-a-token"})
    return GenuineClient(credentials, "sub", base_url="http://127.0.0.1:9")


@pytest.fixture
def ours():
    with BatchAIManagementClient(object(), "sub", backend="local") as client:
        client.workspaces.create("rg", "ws", "eastus").result()
        client.experiments.create("rg", "ws", "exp").result()
        yield client


def _job_template(m):
    return m.JobCreateParameters(
        cluster=m.ResourceId(id=CLUSTER_ID),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        environment_variables=[
            m.EnvironmentVariable(name="PARAM_EPOCHS", value=None),
            m.EnvironmentVariable(name="PARAM_LR", value=None),
        ],
        custom_toolkit_settings=m.CustomToolkitSettings(command_line="echo"),
    )


def _cluster_with_none(m):
    return m.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        user_account_settings=m.UserAccountSettings(admin_user_name=None),
    )


CASES = [
    ("jobs", "create", ("rg", "ws", "exp", "job"), _job_template),
    ("clusters", "create", ("rg", "ws", "c"), _cluster_with_none),
    (
        "clusters",
        "update",
        ("rg", "ws", "c"),
        lambda m: m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=None)),
    ),
]


@pytest.mark.parametrize(("group", "method", "names", "body"), CASES)
def test_a_none_required_field_is_refused_at_request_time_as_2_0_0_did(
    genuine, ours, group, method, names, body
):
    with pytest.raises(msrest.exceptions.ValidationError) as theirs:
        getattr(getattr(genuine, group), method)(*names, body(genuine_models))
    with pytest.raises(msrest.exceptions.ValidationError) as caught:
        getattr(getattr(ours, group), method)(*names, body(models))
    error = caught.value
    assert isinstance(error, RequestValidationError)
    assert isinstance(error, ValidationError) and isinstance(error, ValueError)
    assert error.target == theirs.value.target
    assert error.parameter.startswith(("parameters.", "scale_settings."))
    assert "can not be None" in str(error)


def test_the_error_names_the_full_path_and_every_field_still_none(ours):
    with pytest.raises(RequestValidationError) as caught:
        ours.jobs.create("rg", "ws", "exp", "job", _job_template(models))
    error = caught.value
    assert error.parameter == "parameters.environment_variables[0].value"
    assert error.target == "EnvironmentVariable.value"
    assert "parameters.environment_variables[1].value" in str(error)  # the other one too
    with pytest.raises(Exception, match="ResourceNotFound|not found"):
        ours.jobs.get("rg", "ws", "exp", "job")  # nothing was created


def test_the_template_filled_in_runs(ours):
    """The notebook pattern end to end: a template with value=None, filled before each job."""
    cluster = models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
        user_account_settings=models.UserAccountSettings(admin_user_name="u"),
    )
    cluster_id = ours.clusters.create("rg", "ws", "c", cluster).result().id
    template = _job_template(models)
    template.cluster = models.ResourceId(id=cluster_id)
    for epochs in ("1", "2"):
        template.environment_variables[0].value = epochs
        template.environment_variables[1].value = "0.1"
        job = ours.jobs.create("rg", "ws", "exp", f"job{epochs}", template).result()
        assert [e.value for e in job.environment_variables] == [epochs, "0.1"]


@pytest.mark.parametrize(
    ("call", "their_target"),
    [
        (lambda c: c.jobs.get("rg", "ws", "exp", "bad name!"), "job_name"),
        (lambda c: c.clusters.get("rg", "ws", "x" * 65), "cluster_name"),
        (lambda c: c.workspaces.get("bad/rg", "ws"), "resource_group_name"),
    ],
)
def test_bad_names_are_msrest_validation_errors_too(genuine, ours, call, their_target):
    with pytest.raises(msrest.exceptions.ValidationError) as theirs:
        call(genuine)
    with pytest.raises(msrest.exceptions.ValidationError) as caught:
        call(ours)
    assert caught.value.target == theirs.value.target == their_target
    assert caught.value.parameter == their_target

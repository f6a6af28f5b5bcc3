"""Errors (CloudError family with status codes) and validation before any side effect."""

from __future__ import annotations

import inspect

import pytest

import batchai_compat.models as models
from batchai_compat import exceptions
from batchai_compat.exceptions import ValidationError

from .conftest import ADMIN_PASSWORD, EXP, LOCATION, RG, WS, cluster_parameters, job_parameters

GROUPS = ["operations", "usages", "workspaces", "experiments", "jobs", "file_servers", "clusters"]
NAME_PARAMETERS = [
    "workspace_name",
    "experiment_name",
    "cluster_name",
    "file_server_name",
    "job_name",
]


def _file_server_parameters():
    return models.FileServerCreateParameters(
        vm_size="STANDARD_D2",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(
                admin_user_name="u", admin_user_password="p"
            )
        ),
        data_disks=models.DataDisks(
            disk_size_in_gb=10, disk_count=1, storage_account_type="Standard_LRS"
        ),
    )


def _valid_arguments(group: str, method) -> dict:
    values = {
        "resource_group_name": RG,
        "workspace_name": WS,
        "experiment_name": EXP,
        "cluster_name": "nc6",
        "file_server_name": "nfs",
        "job_name": "job",
        "location": LOCATION,
        "jobs_list_output_files_options": models.JobsListOutputFilesOptions(
            outputdirectoryid="stdouterr"
        ),
    }
    parameters = {
        "clusters": cluster_parameters,
        "jobs": lambda: job_parameters(
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/nc6"
        ),
        "file_servers": _file_server_parameters,
    }
    arguments = {}
    for name, parameter in inspect.signature(method).parameters.items():
        if (
            parameter.default is not inspect.Parameter.empty
            or parameter.kind is parameter.VAR_KEYWORD
        ):
            continue
        arguments[name] = parameters[group]() if name == "parameters" else values[name]
    return arguments


def _every_method(client):
    for group in GROUPS:
        for name, method in inspect.getmembers(getattr(client, group), inspect.ismethod):
            if not name.startswith(("_", "begin_")):
                yield group, name, method


def _genuine_methods_taking(parameter: str) -> int:
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine

    genuine = Genuine(object(), "sub")
    return sum(
        parameter in inspect.signature(method).parameters
        for group in GROUPS
        for name, method in inspect.getmembers(getattr(genuine, group), inspect.ismethod)
        if not name.startswith("_")
    )


def _nothing_exists(client) -> bool:
    return list(client.workspaces.list()) == []


def test_not_found_is_a_cloud_error_of_every_family(client, workspace):
    from azure.core.exceptions import HttpResponseError
    from azure.core.exceptions import ResourceNotFoundError as CoreNotFound
    from msrestazure.azure_exceptions import CloudError as MsrestCloudError

    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        client.clusters.get(RG, WS, "missing")
    error = info.value
    assert isinstance(error, exceptions.CloudError)
    assert isinstance(error, CoreNotFound) and isinstance(error, HttpResponseError)
    assert isinstance(error, MsrestCloudError)
    assert error.status_code == 404 and error.response.status_code == 404
    assert error.error.error and error.error.message and error.message
    assert error.request_id
    for call in (
        lambda: client.workspaces.get(RG, "missing"),
        lambda: client.experiments.get(RG, WS, "missing"),
        lambda: client.jobs.get(RG, WS, EXP, "missing"),
        lambda: client.file_servers.get(RG, WS, "missing"),
        lambda: client.clusters.delete(RG, WS, "missing").result(),
    ):
        with pytest.raises(MsrestCloudError) as caught:
            call()
        assert caught.value.response.status_code == 404


def test_conflict_is_409(client, workspace):
    client.clusters.create(RG, WS, "nc6", cluster_parameters(nodes=1)).result()
    with pytest.raises(exceptions.CloudError) as info:
        client.clusters.create(
            RG, WS, "nc6", cluster_parameters(nodes=1, vm_priority="lowpriority")
        ).result()
    assert info.value.response.status_code == 409
    assert info.value.status_code == 409


def test_recipe_error_handling_pattern(client):
    from msrestazure.azure_exceptions import CloudError

    try:
        client.workspaces.get(RG, "nope")
    except CloudError as ce:
        assert ce.response.status_code == 404
    else:
        raise AssertionError("expected a CloudError")


@pytest.mark.parametrize(
    "bad", ["", "a" * 65, "has space", "slash/name", "dot.name", None, 42], ids=repr
)
def test_bad_resource_names_fail_every_method_before_any_side_effect(client, bad):
    checked = 0
    for group, name, method in _every_method(client):
        arguments = _valid_arguments(group, method)
        for parameter in NAME_PARAMETERS:
            if parameter not in arguments:
                continue
            with pytest.raises(ValidationError) as info:
                method(**{**arguments, parameter: bad})
            assert info.value.parameter == parameter, f"{group}.{name}"
            checked += 1
    assert checked >= 40
    assert _nothing_exists(client)


@pytest.mark.parametrize("bad", ["bad/rg", "", "white space", None], ids=repr)
def test_bad_resource_group_fails_every_method(client, bad):
    checked = 0
    for group, name, method in _every_method(client):
        arguments = _valid_arguments(group, method)
        if "resource_group_name" in arguments:
            with pytest.raises(ValidationError, match="resource_group_name") as info:
                method(**{**arguments, "resource_group_name": bad})
            assert info.value.parameter == "resource_group_name", f"{group}.{name}"
            checked += 1
    assert checked == _genuine_methods_taking("resource_group_name")
    assert _nothing_exists(client)


def test_resource_group_may_contain_dots(client):
    client.workspaces.create("my.rg_1-x", WS, LOCATION).result()
    assert client.workspaces.get("my.rg_1-x", WS).name == WS


def test_workspace_names_may_have_64_characters(client, backend):
    name = "w" * 64
    if not backend.has("long_names"):
        # Azure ML workspace names have 3-33 characters: refused before anything is created
        with pytest.raises(ValidationError) as info:
            client.workspaces.create(RG, name, LOCATION).result()
        assert info.value.parameter == "workspace_name"
        assert list(client.workspaces.list_by_resource_group(RG)) == []
        return
    client.workspaces.create(RG, name, LOCATION).result()
    assert client.workspaces.get(RG, name).name == name


@pytest.mark.parametrize(
    "options, parameter",
    [
        (models.ClustersListByWorkspaceOptions(max_results=0), "max_results"),
        (models.ClustersListByWorkspaceOptions(max_results=1001), "max_results"),
    ],
)
def test_list_option_ranges(client, options, parameter):
    with pytest.raises(ValidationError, match="1 through 1000") as info:
        client.clusters.list_by_workspace(RG, WS, options)
    assert info.value.parameter.endswith(parameter)


@pytest.mark.parametrize(
    "field, value, rule",
    [
        ("linkexpiryinminutes", 4, "5 through 600"),
        ("linkexpiryinminutes", 601, "5 through 600"),
        ("max_results", 0, "1 through 1000"),
        ("max_results", 1001, "1 through 1000"),
    ],
)
def test_output_file_option_ranges(client, field, value, rule):
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    setattr(options, field, value)
    with pytest.raises(ValidationError, match=rule) as info:
        client.jobs.list_output_files(RG, WS, EXP, "job", options)
    assert info.value.parameter == f"jobs_list_output_files_options.{field}"


def test_required_models_present_and_of_the_right_type(client, workspace):
    with pytest.raises(ValidationError, match="required") as info:
        client.clusters.create(RG, WS, "nc6", None)
    assert info.value.parameter == "parameters"
    with pytest.raises(ValidationError, match="ClusterCreateParameters") as info:
        client.clusters.create(RG, WS, "nc6", job_parameters("x"))
    with pytest.raises(ValidationError, match="JobsListOutputFilesOptions"):
        client.jobs.list_output_files(RG, WS, EXP, "job", None)
    params = cluster_parameters()
    params.vm_size = None  # fields stay mutable; the client validates before sending
    with pytest.raises(ValidationError) as info:
        client.clusters.create(RG, WS, "nc6", params)
    assert info.value.parameter == "parameters.vm_size"
    with pytest.raises(ValidationError, match="tags"):
        client.workspaces.update(RG, WS, tags=["not", "a", "dict"])
    assert list(client.clusters.list_by_workspace(RG, WS)) == []


def test_parameters_are_copied_before_reaching_the_backend(client, workspace):
    params = cluster_parameters(nodes=1)
    poller = client.clusters.create(RG, WS, "nc6", params)
    params.scale_settings.manual.target_node_count = 3  # caller keeps mutating its object
    poller.result()
    assert client.clusters.get(RG, WS, "nc6").scale_settings.manual.target_node_count == 1
    assert params.user_account_settings.admin_user_password == ADMIN_PASSWORD


def test_dict_parameters_are_accepted_like_msrest(client, workspace):
    body = cluster_parameters().as_dict()
    cluster = client.clusters.create(RG, WS, "fromdict", body).result()
    assert cluster.vm_size.lower() == "standard_nc6"


def test_location_rules(client):
    with pytest.raises(ValidationError) as info:
        client.workspaces.create(RG, WS, "")
    assert info.value.parameter == "location"
    with pytest.raises(ValidationError) as info:
        client.usages.list("west/us")
    assert info.value.parameter == "location"
    assert _nothing_exists(client)
    # ARM took display names in request bodies
    assert client.workspaces.create(RG, WS, "East US").result().name == WS


def test_a_template_with_a_none_value_is_refused_at_request_time(client, experiment, cluster):
    """Built with value=None (accepted, as 2.0.0 did), sent unfilled: refused, nothing made."""
    import msrest.exceptions

    params = job_parameters(cluster.id)
    params.environment_variables = [models.EnvironmentVariable(name="PARAM_EPOCHS", value=None)]
    with pytest.raises(msrest.exceptions.ValidationError) as info:
        client.jobs.create(RG, WS, EXP, "templated", params)
    assert isinstance(info.value, ValidationError)
    assert info.value.parameter == "parameters.environment_variables[0].value"
    assert list(client.jobs.list_by_experiment(RG, WS, EXP)) == []
    params.environment_variables[0].value = "3"
    job = client.jobs.create(RG, WS, EXP, "templated", params).result()
    assert job.environment_variables[0].value == "3"

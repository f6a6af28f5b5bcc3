"""The exception hierarchy old code catches: CloudError families, ValidationError, backend errors."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from azure.core import exceptions as core
from msrestazure.azure_exceptions import CloudError as MsrestCloudError

from batchai_compat import exceptions
from batchai_compat.exceptions import cloud_error


@pytest.mark.parametrize(
    "status, code, ours, theirs",
    [
        (404, "ResourceNotFound", "ResourceNotFoundError", core.ResourceNotFoundError),
        (409, "Conflict", "ResourceExistsError", core.ResourceExistsError),
        (409, "ClusterBusy", "ConflictError", core.HttpResponseError),
        (400, "InvalidClusterId", "CloudError", core.HttpResponseError),
    ],
)
def test_cloud_error_families(status, code, ours, theirs):
    error = cloud_error(status, code, f"{code} happened")
    assert type(error).__name__ == ours
    assert isinstance(error, getattr(exceptions, ours))
    assert isinstance(error, exceptions.CloudError)
    assert isinstance(error, theirs)
    assert isinstance(error, MsrestCloudError)  # the recipes' helpers catch this one
    assert isinstance(error, exceptions.BatchAICompatError)
    assert error.status_code == status
    assert error.response.status_code == status
    assert error.error.error == code
    assert error.error.message == error.message == f"{code} happened"
    assert error.response.json() == {"error": {"code": code, "message": f"{code} happened"}}
    assert error.request_id == error.response.headers["x-ms-request-id"]
    assert str(error) == f"({code}) {code} happened"


def test_validation_error_names_parameter_and_rule():
    error = exceptions.ValidationError("cluster_name", "must be from 1 through 64 characters long")
    assert isinstance(error, ValueError)
    assert isinstance(error, exceptions.BatchAICompatError)
    assert (error.parameter, error.rule) == (
        "cluster_name",
        "must be from 1 through 64 characters long",
    )
    assert "cluster_name" in str(error)


def test_backend_errors():
    assert issubclass(exceptions.UnknownBackendError, LookupError)
    assert issubclass(exceptions.BackendNotInstalledError, ImportError)
    assert issubclass(exceptions.NoEquivalentError, NotImplementedError)
    for cls in (exceptions.UnknownBackendError, exceptions.BackendNotInstalledError):
        assert issubclass(cls, exceptions.BackendError)


def test_client_raises_them(client):
    with pytest.raises(MsrestCloudError) as info:
        client.workspaces.get("rg", "ws")
    assert isinstance(info.value, core.ResourceNotFoundError)
    with pytest.raises(exceptions.ValidationError) as validation:
        client.workspaces.get("rg", "bad name")
    assert validation.value.parameter == "workspace_name"


def test_the_tree_is_fixed_class_statements():
    from batchai_compat import _sdk_errors

    assert exceptions.CloudError.__bases__ == (
        core.HttpResponseError,
        MsrestCloudError,
        exceptions.BatchAICompatError,
    )
    assert _sdk_errors.MsrestCloudError is MsrestCloudError  # msrestazure is installed here
    assert exceptions.ResourceNotFoundError.__bases__ == (
        exceptions.CloudError,
        core.ResourceNotFoundError,
    )
    assert exceptions.ResourceExistsError.__bases__ == (
        exceptions.CloudError,
        core.ResourceExistsError,
    )
    assert exceptions.ConflictError.__bases__ == (exceptions.CloudError,)
    for name in ("CloudError", "ResourceNotFoundError", "ResourceExistsError", "ConflictError"):
        cls = getattr(exceptions, name)
        assert cls.__module__ == "batchai_compat._sdk_errors"
        assert cls.__qualname__ == name  # a module-level class statement, not built in a function


def test_without_msrestazure_the_tree_keeps_its_shape():
    """msrestazure is optional: a placeholder takes its place, every other base is the same."""
    code = """
import sys
sys.modules["msrestazure"] = None  # makes "import msrestazure..." raise ImportError
from azure.core import exceptions as core
from batchai_compat import exceptions
from batchai_compat import _sdk_errors
cloud = exceptions.CloudError
assert cloud.__bases__ == (core.HttpResponseError, _sdk_errors.MsrestCloudError,
                           exceptions.BatchAICompatError), cloud.__bases__
assert _sdk_errors.MsrestCloudError.__module__ == "batchai_compat._sdk_errors"
error = exceptions.cloud_error(404, "ResourceNotFound", "gone")
assert isinstance(error, core.ResourceNotFoundError) and error.response.status_code == 404
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_importing_exceptions_loads_no_sdk():
    code = (
        "import sys; import batchai_compat.exceptions as e; "
        "e.ValidationError('x', 'y'); "
        "print([m for m in ('azure', 'msrest', 'msrestazure') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cloud_errors_survive_pickling():
    """A CloudError raised in a worker process or thread pool comes back whole."""
    error = cloud_error(409, "ClusterBusy", "the cluster is resizing")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.status_code, copy.error.error, copy.message, copy.request_id) == (
        409,
        "ClusterBusy",
        "the cluster is resizing",
        error.request_id,
    )
    assert str(copy) == str(error)


def test_validation_errors_survive_pickling():
    import msrest.exceptions

    for error in (
        exceptions.ValidationError("cluster_name", "must be 1-64 characters"),
        exceptions.request_error(
            "parameters.environment_variables[0].value",
            "can not be None",
            "EnvironmentVariable.value",
        ),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (copy.parameter, copy.rule, str(copy)) == (error.parameter, error.rule, str(error))
    assert isinstance(copy, msrest.exceptions.ValidationError)
    assert copy.target == "EnvironmentVariable.value"

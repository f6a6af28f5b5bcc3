"""The exception hierarchy old code catches: CloudError families, ValidationError, backend errors."""

from __future__ import annotations

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

"""Whatever Batch AI scripts authenticate with reaches Azure ML: an azure-identity credential, a
msrestazure ``ServicePrincipalCredentials`` (AAD faked on the same service) or an azureml
authentication object (``cloud="AzureCloud"``)."""

from __future__ import annotations

import pytest
from azureml.core.authentication import ArmTokenAuthentication, ServicePrincipalAuthentication
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_service import SUBSCRIPTION, TENANT, FakeAzureML, FakeCredential, fake_jwt
from msrestazure.azure_active_directory import ServicePrincipalCredentials

from batchai_compat import BatchAIManagementClient
from batchai_compat.exceptions import ValidationError

SP_SECRET = "service-principal-secret"


@pytest.mark.parametrize(
    "make",
    [
        FakeCredential,
        lambda: ServicePrincipalCredentials(client_id="app", secret=SP_SECRET, tenant=TENANT),
        lambda: ArmTokenAuthentication(fake_jwt(), cloud="AzureCloud"),
        lambda: ServicePrincipalAuthentication(TENANT, "app", SP_SECRET, cloud="AzureCloud"),
    ],
    ids=["azure-identity", "msrestazure", "azureml-arm-token", "azureml-service-principal"],
)
def test_credential_kinds(fake: FakeAzureML, make) -> None:
    with BatchAIManagementClient(make(), SUBSCRIPTION, backend="azureml") as client:
        assert client.workspaces.get(RG, WS).name == WS
    assert any("/workspaces/ws" in url for _, url in fake.calls)
    assert all(SP_SECRET not in url for _, url in fake.calls)


def test_an_unusable_credentials_object_is_a_validation_error(fake: FakeAzureML) -> None:
    with pytest.raises(ValidationError) as error:
        BatchAIManagementClient(object(), SUBSCRIPTION, backend="azureml")
    assert error.value.parameter == "credentials"
    assert fake.calls == []


def test_backend_repr_shows_no_credentials(fake: FakeAzureML) -> None:
    credentials = ServicePrincipalCredentials(client_id="app", secret=SP_SECRET, tenant=TENANT)
    client = BatchAIManagementClient(credentials, SUBSCRIPTION, backend="azureml")
    text = repr(client.backend) + repr(client)
    assert SUBSCRIPTION in text and SP_SECRET not in text and "token" not in text.lower()

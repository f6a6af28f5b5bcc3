"""Which implementation a legacy service uses: keyword › $BATCHAI_COMPAT_STORAGE › endpoint › backend."""

from __future__ import annotations

import pytest

from batchai_compat.exceptions import ValidationError
from batchai_compat.storage import select_implementation
from batchai_compat.storage.blob import BlockBlobService
from batchai_compat.storage.file import FileService

from .conftest import ACCOUNT, KEY


def test_default_follows_the_local_backend():
    assert BlockBlobService(ACCOUNT, KEY).storage == "local"
    assert FileService(ACCOUNT, KEY).storage == "local"


def test_a_non_local_backend_selects_azure(monkeypatch):
    monkeypatch.setenv("BATCHAI_COMPAT_BACKEND", "azureml")
    assert select_implementation(None) == "azure"
    service = BlockBlobService(ACCOUNT, KEY)
    assert service.storage == "azure"
    assert service._store._endpoint() == f"https://{ACCOUNT}.blob.core.windows.net"
    service.close()


def test_environment_variable_overrides_the_backend(monkeypatch):
    monkeypatch.setenv("BATCHAI_COMPAT_BACKEND", "azureml")
    monkeypatch.setenv("BATCHAI_COMPAT_STORAGE", "local")
    assert BlockBlobService(ACCOUNT, KEY).storage == "local"
    monkeypatch.setenv("BATCHAI_COMPAT_STORAGE", "Azure")
    monkeypatch.setenv("BATCHAI_COMPAT_BACKEND", "local")
    assert FileService(ACCOUNT, KEY).storage == "azure"


def test_keyword_overrides_everything(monkeypatch):
    monkeypatch.setenv("BATCHAI_COMPAT_STORAGE", "azure")
    assert BlockBlobService(ACCOUNT, KEY, storage="local").storage == "local"
    assert BlockBlobService(is_emulated=True, storage="local").storage == "local"


def test_explicit_endpoints_select_azure():
    emulated = BlockBlobService(is_emulated=True)
    assert (emulated.storage, emulated.account_name, emulated.protocol) == (
        "azure",
        "devstoreaccount1",
        "http",
    )
    custom = BlockBlobService(
        connection_string="AccountName=a;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/a"
    )
    assert custom.storage == "azure"
    plain = BlockBlobService(
        connection_string=f"DefaultEndpointsProtocol=https;AccountName={ACCOUNT};AccountKey={KEY}"
    )
    assert plain.storage == "local"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({}, "account_name"),
        ({"account_name": ACCOUNT, "storage": "s3"}, "storage"),
        ({"connection_string": "garbage"}, "connection_string"),
        ({"account_name": ACCOUNT, "token_credential": object()}, "token_credential"),
    ],
)
def test_bad_constructor_arguments(kwargs, parameter):
    with pytest.raises(ValidationError) as info:
        BlockBlobService(**kwargs)
    assert info.value.parameter == parameter


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("BATCHAI_COMPAT_STORAGE", "cloud")
    with pytest.raises(ValidationError) as info:
        FileService(ACCOUNT, KEY)
    assert info.value.parameter == "BATCHAI_COMPAT_STORAGE"


def test_connection_string_secret_stays_out_of_errors_and_repr():
    secret = "c3VwZXItc2VjcmV0LWtleQ=="
    with pytest.raises(ValidationError) as info:
        BlockBlobService(connection_string=f"AccountKey={secret};garbage")
    assert secret not in str(info.value)
    service = BlockBlobService(connection_string=f"AccountName={ACCOUNT};AccountKey={secret}")
    assert secret not in repr(service) and secret not in repr(service._store.account)


def test_connection_string_forms_resolve_the_legacy_way():
    dev = BlockBlobService(connection_string="UseDevelopmentStorage=true")
    assert (dev.account_name, dev.storage, dev.primary_endpoint) == (
        "devstoreaccount1",
        "azure",
        "127.0.0.1:10000/devstoreaccount1",
    )
    china = FileService(
        connection_string=f"DefaultEndpointsProtocol=https;AccountName={ACCOUNT};AccountKey={KEY};EndpointSuffix=core.chinacloudapi.cn",
        storage="azure",
    )
    assert china.primary_endpoint == f"{ACCOUNT}.file.core.chinacloudapi.cn"
    assert china.account_key == KEY
    sas_only = BlockBlobService(ACCOUNT, sas_token="?sv=2018&sig=abc", storage="local")
    assert sas_only.sas_token == "sv=2018&sig=abc" and sas_only.account_key is None
    for service in (dev, china):
        service.close()

"""Signature parity with the genuine azure-mgmt-batchai 2.0.0 client, introspected at test time."""

import inspect

import pytest

from batchai_compat import BatchAI, BatchAIManagementClient
from batchai_compat.backends.base import Backend

SUB = "00000000-0000-0000-0000-000000000000"


def _genuine_groups(genuine_client):
    from msrest.serialization import Deserializer, Serializer  # noqa: F401  (genuine deps)

    return {
        name: type(value)
        for name, value in vars(genuine_client).items()
        if not name.startswith("_")
        and type(value).__module__.startswith("azure.mgmt.batchai.operations")
    }


def _public_methods(cls):
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def _shape(function):
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def _lro_methods(genuine_cls):
    return {
        name
        for name, f in _public_methods(genuine_cls).items()
        if "polling" in inspect.signature(f).parameters
    }


def test_same_operation_groups_and_29_methods(genuine_client):
    ours = BatchAIManagementClient(object(), SUB, backend=_NullBackend())
    groups = _genuine_groups(genuine_client)
    assert len(groups) == 7
    total = 0
    for name, genuine_cls in groups.items():
        group = getattr(ours, name)
        assert type(group).__name__ == genuine_cls.__name__
        genuine_methods = _public_methods(genuine_cls)
        total += len(genuine_methods)
        ours_methods = _public_methods(type(group))
        track2 = {f"begin_{m}" for m in _lro_methods(genuine_cls)}
        assert set(ours_methods) == set(genuine_methods) | track2, name
    assert total == 29


@pytest.mark.parametrize(
    "group_name",
    ["operations", "usages", "workspaces", "experiments", "jobs", "file_servers", "clusters"],
)
def test_every_method_has_the_genuine_signature(genuine_client, group_name):
    ours = BatchAIManagementClient(object(), SUB, backend=_NullBackend())
    genuine_cls = type(getattr(genuine_client, group_name))
    group = getattr(ours, group_name)
    for name, genuine_method in _public_methods(genuine_cls).items():
        assert _shape(getattr(type(group), name)) == _shape(genuine_method), f"{group_name}.{name}"
        # bound methods too, as users see them
        assert _shape(getattr(group, name)) == _shape(
            getattr(getattr(genuine_client, group_name), name)
        )


def test_track2_aliases_are_the_same_methods(genuine_client):
    ours = BatchAIManagementClient(object(), SUB, backend=_NullBackend())
    for name, genuine_cls in _genuine_groups(genuine_client).items():
        group_cls = type(getattr(ours, name))
        for method in _lro_methods(genuine_cls):
            assert getattr(group_cls, f"begin_{method}") is getattr(group_cls, method)
    lro_count = sum(len(_lro_methods(c)) for c in _genuine_groups(genuine_client).values())
    assert lro_count == 11


def test_client_constructor_positional_parameters_match():
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine

    genuine = [p.name for p in inspect.signature(Genuine.__init__).parameters.values()]
    ours = [
        p.name
        for p in inspect.signature(BatchAIManagementClient.__init__).parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    assert ours == genuine
    ours_params = inspect.signature(BatchAIManagementClient.__init__).parameters
    assert (
        ours_params["base_url"].default
        is inspect.signature(Genuine.__init__).parameters["base_url"].default
    )
    assert ours_params["backend"].kind is inspect.Parameter.KEYWORD_ONLY


CONFIG_ATTRIBUTES = [
    "credentials",
    "subscription_id",
    "base_url",
    "long_running_operation_timeout",
    "accept_language",
    "generate_client_request_id",
]


@pytest.mark.parametrize("base_url", [None, "", "https://management.chinacloudapi.cn"])
def test_config_matches_the_genuine_config(base_url):
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine

    credentials = object()
    genuine = Genuine(credentials, SUB, base_url)
    ours = BatchAIManagementClient(credentials, SUB, base_url, backend=_NullBackend())
    for attribute in CONFIG_ATTRIBUTES:
        assert getattr(ours.config, attribute) == getattr(genuine.config, attribute), attribute
    assert ours.api_version == genuine.api_version
    assert ours.config.credentials is credentials


@pytest.mark.parametrize("args", [(None, SUB), (object(), None)])
def test_none_credentials_or_subscription_raise_value_error_like_2_0_0(args):
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine

    with pytest.raises(ValueError) as genuine_error:
        Genuine(*args)
    with pytest.raises(ValueError) as ours_error:
        BatchAIManagementClient(*args, backend=_NullBackend())
    assert str(ours_error.value) == str(genuine_error.value)


def test_batchai_is_the_same_class_and_takes_credential_keyword():
    assert BatchAI is BatchAIManagementClient
    credential = object()
    client = BatchAI(credential=credential, subscription_id=SUB, backend=_NullBackend())
    assert client.config.credentials is credential
    with pytest.raises(ValueError, match="credentials"):
        BatchAI(subscription_id=SUB, backend=_NullBackend())


def test_unknown_constructor_keywords_are_refused():
    with pytest.raises(TypeError, match="no_such_option"):
        BatchAIManagementClient(object(), SUB, backend=_NullBackend(), no_such_option=1)


def test_config_repr_does_not_show_credentials():
    class Secretive:
        def __repr__(self):
            return "Secretive(secret='hunter2')"

    client = BatchAIManagementClient(Secretive(), SUB, backend=_NullBackend())
    assert "hunter2" not in repr(client.config)
    assert "hunter2" not in repr(client)


def test_close_and_context_manager_close_the_backend():
    backend = _NullBackend()
    with BatchAIManagementClient(object(), SUB, backend=backend) as client:
        assert client.backend is backend
        assert backend.closed == 0
    assert backend.closed == 1
    BatchAIManagementClient(object(), SUB, backend=backend).close()
    assert backend.closed == 2


class _NullBackend(Backend):
    """A backend that only closes: enough to build a client and inspect it."""

    name = "null"

    def __init__(self):
        self.closed = 0

    def close(self):
        self.closed += 1

"""Fixtures for the local control-plane tests.

Jobs here are control-plane records: the backends are built with ``QueuedJobsExecutor`` so no
job process starts (the execution layer has its own tests), unless a test says otherwise.
"""

from __future__ import annotations

import types

import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-00000000beef"
RG = "rg-local"
WS = "ws1"
EXP = "exp1"


def _config(subscription_id: str = SUBSCRIPTION) -> types.SimpleNamespace:
    """What a backend reads from ``client.config``."""
    return types.SimpleNamespace(
        credentials=object(),
        subscription_id=subscription_id,
        base_url="https://management.azure.com",
        long_running_operation_timeout=30,
    )


@pytest.fixture
def make_config():
    return _config


@pytest.fixture
def clock():
    from batchai_compat.backends.local.scaling import ManualClock

    return ManualClock(1_800_000_000.0)


@pytest.fixture
def make_backend(batchai_home):
    """Build LocalBackends on this test's BATCHAI_COMPAT_HOME; all closed at the end."""
    from batchai_compat.backends.local.backend import LocalBackend, QueuedJobsExecutor

    built = []

    def make(**kwargs):
        config = kwargs.pop("config", None) or _config()
        kwargs.setdefault("executor", QueuedJobsExecutor)
        backend = LocalBackend(config, **kwargs)
        built.append(backend)
        return backend

    yield make
    for backend in built:
        backend.close()


@pytest.fixture
def backend(make_backend):
    return make_backend()


@pytest.fixture
def client(backend):
    """The public client on a local backend whose jobs stay queued."""
    from batchai_compat import BatchAIManagementClient

    with BatchAIManagementClient(object(), SUBSCRIPTION, backend=backend) as c:
        yield c


@pytest.fixture
def workspace(client):
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()
    return WS

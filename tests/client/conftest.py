"""Fixtures for the client-layer tests: the genuine 2.0.0 client to compare against."""

import pytest


@pytest.fixture(scope="session")
def genuine_client():
    """The genuine azure-mgmt-batchai 2.0.0 client (test-only dependency), built offline."""
    from azure.mgmt.batchai import BatchAIManagementClient as Genuine

    return Genuine(object(), "00000000-0000-0000-0000-000000000000")


@pytest.fixture
def client():
    """Our client on the local backend (its own BATCHAI_COMPAT_HOME, from tests/conftest.py)."""
    from batchai_compat import BatchAIManagementClient

    with BatchAIManagementClient(object(), "00000000-0000-0000-0000-000000000000") as c:
        yield c

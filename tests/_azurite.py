"""Azurite (the Azure Storage emulator, npm ``azurite``) for tests: a session fixture.

Usage from any test folder: request the ``azurite`` fixture (registered for the whole suite by
``tests/conftest.py`` through ``pytest_plugins``)::

    def test_upload(azurite):
        service = BlobServiceClient.from_connection_string(azurite.connection_string)

One blob-service process per test session, on 127.0.0.1 and a free port, with its data in a
temporary folder; stopped at session end.  The launcher is the benchmarks' one
(:mod:`benchmarks.azurite`; the repository root is on pytest's ``pythonpath``).  When Azurite is
not installed the tests that use it are skipped, except on CI (``CI=true``), where they fail:
``scripts/setup.sh`` installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from benchmarks.azurite import (
    ACCOUNT_KEY,
    ACCOUNT_NAME,
    Azurite,
    AzuriteUnavailable,
    find_node,
    running_azurite,
)

ACCOUNT = ACCOUNT_NAME
KEY = ACCOUNT_KEY

__all__ = ["ACCOUNT", "KEY", "Azurite", "azurite"]


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    try:
        node = find_node()
    except AzuriteUnavailable as missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    with running_azurite(node) as server:
        yield server

"""Fixtures of the Azure ML backend tests: a fake Azure ML service and a Batch AI client on it.

Every test gets a temporary HOME (azureml-core keeps caches under ``~/.azureml``), no SDK
retries, and a fake service that intercepts all HTTP made through ``requests``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# azureml-core reads it once, when it is first imported (test modules import it at collection):
# without it, its compute and run-start calls retry on their own, sleeping for real.
os.environ["AZUREML_DEFAULT_RETRIES"] = "0"

from fake_service import SUBSCRIPTION, FakeAzureML, FakeCredential  # noqa: E402

RESOURCE_GROUP = "rg"
WORKSPACE = "ws"


@pytest.fixture(autouse=True)
def azureml_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / ".azureml").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AZUREML_DEFAULT_RETRIES", "0")
    return home


@pytest.fixture
def fake() -> Iterator[FakeAzureML]:
    with FakeAzureML.running() as service:
        service.add_workspace(RESOURCE_GROUP, WORKSPACE)
        yield service


@pytest.fixture
def client(fake: FakeAzureML) -> Iterator[object]:
    from batchai_compat import BatchAIManagementClient

    with BatchAIManagementClient(FakeCredential(), SUBSCRIPTION, backend="azureml") as c:
        yield c

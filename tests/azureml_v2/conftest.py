"""Fixtures of the Azure ML v2 backend tests: the fake v2 service and a Batch AI client on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "azureml"))

from fake_v2_compute import execute_job  # noqa: E402
from fake_v2_service import SUBSCRIPTION, FakeAzureMLV2, FakeTokenCredential  # noqa: E402

RESOURCE_GROUP = "rg"
WORKSPACE = "ws1"


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeAzureMLV2]:
    """The fake service with one workspace; accepted jobs run on fake_v2_compute."""

    def executor(service: FakeAzureMLV2, rg: str, ws: str, name: str) -> None:
        execute_job(service, rg, ws, name, tmp_path / "compute")

    with FakeAzureMLV2.running(job_executor=executor, storage_root=tmp_path / "storage") as service:
        service.provisioning_polls = 0
        service.add_workspace(RESOURCE_GROUP, WORKSPACE)
        yield service
        for thread in service.executions:
            thread.join(timeout=120)


@pytest.fixture
def client(fake: FakeAzureMLV2) -> Iterator[object]:
    from batchai_compat import BatchAIManagementClient

    with BatchAIManagementClient(FakeTokenCredential(), SUBSCRIPTION, backend="azureml-v2") as c:
        yield c

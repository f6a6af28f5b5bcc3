"""The test-suite's fake Azure ML v2 service, prepared for measure 2b.

Both sides of measure 2b talk to the same in-memory service: ``tests/azureml_v2/fake_v2_service.py``
(the azureml-v2 backend's contract-test fake, behind ``responses``; the real azure-ai-ml runs
against it).  This module seeds what the guide assumes exists when its job is submitted: the
workspace (with its default datastore ``workspaceblobstore``), the ``nc6`` AmlCompute cluster
and the experiment.  The cluster goes through the fake's own HTTP endpoint, with the ARM body
azure-ai-ml builds (made by the parent, so neither child imports azure-ai-ml before its clock
starts); the request log is cleared afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from . import guide
from .harness import REPO_ROOT, load_test_module

FAKE_SERVICE = REPO_ROOT / "tests" / "azureml_v2" / "fake_v2_service.py"


def load_fake_service() -> ModuleType:
    """``tests/azureml_v2/fake_v2_service.py`` as a module."""
    return load_test_module(FAKE_SERVICE, "batchai_bench_fake_v2_service")


def compute_payload() -> dict[str, Any]:
    """The ARM body azure-ai-ml sends for the guide's cluster ("nc6", 2 fixed nodes)."""
    from azure.ai.ml.entities import AmlCompute

    compute = AmlCompute(
        name=guide.cluster_name,
        size="STANDARD_NC6",
        min_instances=guide.nodes_count,
        max_instances=guide.nodes_count,
        location=guide.CFG.location,
    )
    body: dict[str, Any] = compute._to_rest_object().as_dict()
    return json.loads(json.dumps(body))


def experiment_marker() -> str:
    """Where the azureml-v2 backend records the guide's experiment in the default datastore."""
    from batchai_compat.backends.azureml_v2 import translate

    return f"{translate.EXPERIMENT_MARKERS}/{guide.experiment_name}"


@contextmanager
def seeded_fake(compute: dict[str, Any], marker: str, storage: Path) -> Iterator[Any]:
    """The running fake (storage folders under ``storage``) with the guide's workspace, its
    ``nc6`` cluster and its experiment (the marker blob ``marker`` of the default datastore)."""
    import requests

    fs = load_fake_service()
    cfg = guide.CFG
    with fs.FakeAzureMLV2.running(subscription=cfg.subscription_id, storage_root=storage) as fake:
        fake.provisioning_polls = 0
        fake.add_workspace(cfg.resource_group, cfg.workspace)
        workspace = (
            f"https://management.azure.com/subscriptions/{cfg.subscription_id}/resourceGroups/"
            f"{cfg.resource_group}/providers/Microsoft.MachineLearningServices/workspaces/"
            f"{cfg.workspace}"
        )
        answer = requests.put(
            f"{workspace}/computes/{guide.cluster_name}?api-version=2024-10-01", json=compute
        )
        answer.raise_for_status()
        blob = fake.workspace_container(cfg.resource_group, cfg.workspace) / marker
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(b"")
        fake.calls.clear()
        yield fake

"""The test-suite's fake Azure ML service, prepared for measure 2.

Both sides of measure 2 talk to the same in-memory service: ``tests/azureml/fake_service.py``
(the azureml backend's contract-test fake, behind ``responses``).  This module seeds the state
the guide assumes already exists when a job is submitted: the workspace (created, as on Azure
ML, with its default blob datastore ``workspaceblobstore``), the ``nc6`` AmlCompute cluster and
the experiment.  Seeding goes through the fake's own HTTP endpoints before the clock starts;
the request log is cleared afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from . import guide
from .harness import REPO_ROOT, load_test_module

FAKE_SERVICE = REPO_ROOT / "tests" / "azureml" / "fake_service.py"


def load_fake_service() -> ModuleType:
    """``tests/azureml/fake_service.py`` as a module."""
    return load_test_module(FAKE_SERVICE, "batchai_bench_fake_service")


def _workspace_path(fs: ModuleType) -> str:
    return (
        f"/subscriptions/{fs.SUBSCRIPTION}/resourceGroups/{guide.CFG.resource_group}"
        f"/providers/Microsoft.MachineLearningServices/workspaces/{guide.CFG.workspace}"
    )


@contextmanager
def seeded_fake(compute_payload: dict[str, Any]) -> Iterator[Any]:
    """The running fake with the guide's workspace (and its default datastore), cluster and
    experiment.

    ``compute_payload`` is the ARM body azureml-core builds for the guide's AmlCompute cluster
    (made by the parent with ``AmlCompute._build_create_payload``, so neither child pays for it).
    """
    import requests

    fs = load_fake_service()

    with fs.FakeAzureML.running() as fake:
        workspace = _workspace_path(fs)
        fake.add_workspace(guide.CFG.resource_group, guide.CFG.workspace)
        answers = [
            requests.put(
                f"{fs.ARM}{workspace}/computes/{guide.cluster_name}?api-version=2021-01-01",
                json=compute_payload,
            ),
            requests.post(
                f"{fs.REGION}/history/v1.0{workspace}/experiments/{guide.experiment_name}"
            ),
        ]
        for answer in answers:
            answer.raise_for_status()
        fake.calls.clear()
        yield fake


def estimator_authentication() -> Any:
    """An azureml authentication object handing out the fake's tokens without HTTP.

    The shim side gets the same from the fake's azure-identity style ``FakeCredential``; neither
    side pays for AAD round trips, so the comparison is about the work after authentication.
    """
    from azureml.core.authentication import AbstractAuthentication, _SubscriptionInfo

    fs = load_fake_service()

    class FakeTokenAuthentication(AbstractAuthentication):
        def __init__(self) -> None:
            super().__init__(cloud="AzureCloud")

        def _get_arm_token(self) -> str:
            return str(fs.fake_jwt())

        def _get_graph_token(self) -> str:
            return str(fs.fake_jwt())

        def _get_azureml_client_token(self) -> str:
            return str(fs.fake_jwt())

        def _get_all_subscription_ids(self) -> tuple[list[Any], str]:
            return [_SubscriptionInfo("fake", fs.SUBSCRIPTION)], str(fs.TENANT)

    return FakeTokenAuthentication()


def compute_payload() -> dict[str, Any]:
    """The ARM body azureml-core sends for the guide's AmlCompute cluster ("nc6")."""
    from azureml.core.compute import AmlCompute

    fs = load_fake_service()
    config = AmlCompute.provisioning_configuration(
        vm_size="STANDARD_NC6",
        vm_priority="lowpriority",
        min_nodes=1,
        max_nodes=2,
        idle_seconds_before_scaledown="300",
    )
    payload: dict[str, Any] = AmlCompute._build_create_payload(config, fs.LOCATION, fs.SUBSCRIPTION)
    return json.loads(json.dumps(payload))

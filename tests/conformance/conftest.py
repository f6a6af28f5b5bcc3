"""The cross-backend conformance suite: ONE set of tests over the public client API.

Every test here talks only to ``BatchAIManagementClient`` and runs once per backend harness in
:data:`HARNESSES`.  A harness says how to build a client on its backend and which Batch AI
features the backend has (a backend without a feature must raise ``NoEquivalentError`` there).

Adding a backend is one entry in :data:`HARNESSES`: a context-manager function that starts
whatever the backend needs (e.g. the azureml fake service from ``tests/azureml/fake_service.py``
under ``responses``) and yields a :class:`BackendHarness`::

    @contextlib.contextmanager
    def _azureml(tmp_path):
        with FakeAzureML(...) as service:           # your fake service
            yield BackendHarness(
                name="azureml",
                client_factory=lambda: BatchAIManagementClient(service.credentials, SUB, backend="azureml"),
                features=frozenset({"jobs"}),         # no file servers on Azure ML
            )

    HARNESSES = {"local": _local, "azureml": _azureml}
"""

from __future__ import annotations

import contextlib
import os
import secrets
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient

SUB = "00000000-0000-0000-0000-0000000000c1"
RG = "conformance-rg"
WS = "ws1"  # Azure ML workspace names need 3-33 characters
EXP = "exp"
LOCATION = "eastus"

#: Features a backend may lack; tests of a missing feature expect ``NoEquivalentError``.
ALL_FEATURES = frozenset(
    {"file_servers", "jobs", "job_delete", "remote_login", "cross_process", "usages", "long_names"}
)


def _admin_password() -> str:
    """A cluster admin password made up per test session (never a committed credential).

    It meets AmlCompute's rule (three of: lowercase, uppercase, digit, special character) as
    much as Batch AI's, so the same cluster parameters are valid on every backend.
    """
    return secrets.choice(string.ascii_uppercase) + secrets.token_hex(6) + secrets.choice("!#%*")


ADMIN_PASSWORD = _admin_password()


@dataclass
class BackendHarness:
    """How the conformance suite gets clients of one backend."""

    name: str
    client_factory: Callable[[], BatchAIManagementClient]
    features: frozenset[str] = ALL_FEATURES
    #: environment a child process needs to reach the same backend state (cross_process tests)
    child_env: dict[str, str] = field(default_factory=dict)
    #: test name -> why the test's premise does not hold on this backend (skipped with that reason)
    not_applicable: dict[str, str] = field(default_factory=dict)

    def has(self, feature: str) -> bool:
        return feature in self.features


@contextlib.contextmanager
def _local(home: Path) -> Iterator[BackendHarness]:
    yield BackendHarness(
        name="local",
        client_factory=lambda: BatchAIManagementClient(object(), SUB, backend="local"),
        child_env={"BATCHAI_COMPAT_HOME": str(home), "BATCHAI_COMPAT_BACKEND": "local"},
    )


@contextlib.contextmanager
def _azureml(home: Path) -> Iterator[BackendHarness]:
    """Azure ML (azureml-core) against the in-memory service of tests/azureml/fake_service.py."""
    import importlib.util
    import sys

    def load(file: str) -> Any:
        name = f"azureml_{file}"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(
                name, Path(__file__).parent.parent / "azureml" / f"{file}.py"
            )
            assert spec is not None and spec.loader is not None
            sys.modules[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(sys.modules[name])
        return sys.modules[name]

    module, compute, relay = load("fake_service"), load("fake_compute"), load("fake_relay")
    storage = home / "azureml-storage"
    storage.mkdir(exist_ok=True)
    azureml_home = home / "azureml-home"
    (azureml_home / ".azureml").mkdir(parents=True, exist_ok=True)
    saved = {k: os.environ.get(k) for k in ("HOME", "AZUREML_DEFAULT_RETRIES")}
    os.environ.update({"HOME": str(azureml_home), "AZUREML_DEFAULT_RETRIES": "0"})
    try:
        # every accepted run is executed like AmlCompute would (real processes, see fake_compute)
        executor = lambda fake, rg, ws, run: compute.execute_run(fake, rg, ws, run, storage)  # noqa: E731
        with (
            module.FakeAzureML.running(
                subscription=SUB, location=LOCATION, run_executor=executor
            ) as fake,
            relay.serve(fake) as address,
        ):
            # a child process reaches the same service state over a loopback relay and signs
            # in with a service principal, as Batch AI scripts did (AAD is faked too)
            child_env = relay.child_environment(address, home / "azureml-relay")
            child_env["PYTHONPATH"] = os.pathsep.join(
                p for p in (child_env["PYTHONPATH"], os.environ.get("PYTHONPATH", "")) if p
            )
            child_env.update(
                {
                    "BATCHAI_COMPAT_BACKEND": "azureml",
                    "BATCHAI_TEST_SP_TENANT": module.TENANT,
                    "BATCHAI_TEST_SP_SECRET": secrets.token_urlsafe(16),
                }
            )
            yield BackendHarness(
                name="azureml",
                client_factory=lambda: BatchAIManagementClient(
                    module.FakeCredential(), SUB, backend="azureml"
                ),
                # no jobs.delete (runs stay in history), workspace names of 3-33 characters,
                # no file servers
                features=frozenset({"remote_login", "jobs", "cross_process", "usages"}),
                child_env=child_env,
            )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _load_test_module(folder: str, file: str) -> Any:
    """A module of tests/<folder> (the fakes are not a package: their folders go on sys.path)."""
    import importlib
    import sys

    for path in (Path(__file__).parent.parent / "azureml", Path(__file__).parent.parent / folder):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    return importlib.import_module(file)


@contextlib.contextmanager
def _azureml_v2(home: Path) -> Iterator[BackendHarness]:
    """Azure ML v2 (azure-ai-ml) against the in-memory service of
    tests/azureml_v2/fake_v2_service.py; jobs run on fake_v2_compute (real processes)."""
    module = _load_test_module("azureml_v2", "fake_v2_service")
    compute = _load_test_module("azureml_v2", "fake_v2_compute")
    relay = _load_test_module("azureml", "fake_relay")

    def executor(fake: Any, rg: str, ws: str, name: str) -> None:
        compute.execute_job(fake, rg, ws, name, home / "azureml-v2-compute")

    with module.FakeAzureMLV2.running(
        subscription=SUB,
        location=LOCATION,
        job_executor=executor,
        storage_root=home / "azureml-v2-storage",
    ) as fake:
        fake.provisioning_polls = 0

        class _Relayed:  # the relay calls the v1 fake's entry point name
            _dispatch = staticmethod(fake.dispatch)

        with relay.serve(_Relayed) as address:
            child_env = relay.child_environment(address, home / "azureml-v2-relay")
            child_env["PYTHONPATH"] = os.pathsep.join(
                p for p in (child_env["PYTHONPATH"], os.environ.get("PYTHONPATH", "")) if p
            )
            child_env.update(
                {
                    "BATCHAI_COMPAT_BACKEND": "azureml-v2",
                    "BATCHAI_TEST_SP_TENANT": module.TENANT,
                    "BATCHAI_TEST_SP_SECRET": secrets.token_urlsafe(16),
                }
            )
            yield BackendHarness(
                name="azureml-v2",
                client_factory=lambda: BatchAIManagementClient(
                    module.FakeTokenCredential(), SUB, backend="azureml-v2"
                ),
                # jobs.delete archives (the name stays taken), workspace names of 3-33
                # characters, no file servers
                features=frozenset(
                    {"remote_login", "jobs", "cross_process", "job_delete", "usages"}
                ),
                child_env=child_env,
            )
            for thread in fake.executions:
                thread.join(timeout=120)


HARNESSES: dict[str, Callable[[Path], contextlib.AbstractContextManager[BackendHarness]]] = {
    "local": _local,
    "azureml": _azureml,
    "azureml-v2": _azureml_v2,
}


@pytest.fixture(params=sorted(HARNESSES))
def backend(request: pytest.FixtureRequest, batchai_home: Path) -> Iterator[BackendHarness]:
    """The backend under test (one run of every conformance test per harness)."""
    with HARNESSES[request.param](batchai_home) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _skip_not_applicable(request: pytest.FixtureRequest) -> None:
    if "backend" not in request.fixturenames:
        return
    harness: BackendHarness = request.getfixturevalue("backend")
    reason = harness.not_applicable.get(request.node.originalname)
    if reason:
        pytest.skip(f"{harness.name}: {reason}")


@pytest.fixture
def client(backend: BackendHarness) -> Iterator[BatchAIManagementClient]:
    with backend.client_factory() as c:
        yield c


@pytest.fixture
def workspace(client: BatchAIManagementClient) -> Any:
    return client.workspaces.create(RG, WS, LOCATION).result()


@pytest.fixture
def experiment(client: BatchAIManagementClient, workspace: Any) -> Any:
    return client.experiments.create(RG, WS, EXP).result()


def cluster_parameters(nodes: int = 1, **fields: Any) -> models.ClusterCreateParameters:
    return models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(
            manual=models.ManualScaleSettings(target_node_count=nodes)
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="batchai", admin_user_password=ADMIN_PASSWORD
        ),
        **fields,
    )


def job_parameters(
    cluster_id: str, command_line: str = "echo conformance"
) -> models.JobCreateParameters:
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line=command_line),
    )


@pytest.fixture
def cluster(client: BatchAIManagementClient, workspace: Any) -> Any:
    return client.clusters.create(RG, WS, "nc6", cluster_parameters()).result()


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it is truthy (returns it) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def child_environment(backend: BackendHarness) -> dict[str, str]:
    env = dict(os.environ)
    env.update(backend.child_env)
    return env


FINAL_STATES = ("succeeded", "failed")

"""A batchai_compat client on the local backend, with its own ``BATCHAI_COMPAT_HOME``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


class _BenchCredentials:
    """Stands for the recipes' service-principal credentials; the local backend needs none."""


@contextmanager
def local_client(home: Path, *, execution: bool = True) -> Iterator[tuple[Any, Any]]:
    """``(client, models)`` on the local backend rooted at ``home``; closed on exit.

    ``execution=False`` builds the local backend with its ``QueuedJobsExecutor``: jobs are
    recorded and stay ``queued``, no process starts -- the control plane alone.
    """
    previous = {k: os.environ.get(k) for k in ("BATCHAI_COMPAT_HOME", "BATCHAI_COMPAT_BACKEND")}
    os.environ["BATCHAI_COMPAT_HOME"] = str(home)
    os.environ["BATCHAI_COMPAT_BACKEND"] = "local"
    try:
        import batchai_compat.models as models
        from batchai_compat import BatchAIManagementClient

        backend: Any = "local"
        if not execution:
            from batchai_compat.backends.local.backend import LocalBackend, QueuedJobsExecutor

            config = SimpleNamespace(subscription_id=SUBSCRIPTION, credentials=_BenchCredentials())
            backend = LocalBackend(config, home=home, executor=QueuedJobsExecutor)
        client = BatchAIManagementClient(_BenchCredentials(), SUBSCRIPTION, backend=backend)
        try:
            yield client, models
        finally:
            client.close()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def one_node_cluster(client: Any, models: Any, rg: str, ws: str, experiment: str, name: str) -> str:
    """A workspace, an experiment and a one-node manual cluster ``name``; the cluster's id."""
    client.workspaces.create(rg, ws, "eastus").result()
    client.experiments.create(rg, ws, experiment).result()
    cluster = client.clusters.create(
        rg,
        ws,
        name,
        models.ClusterCreateParameters(
            vm_size="STANDARD_D1",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=1)
            ),
            user_account_settings=models.UserAccountSettings(admin_user_name="bench"),
        ),
    ).result()
    return str(cluster.id)

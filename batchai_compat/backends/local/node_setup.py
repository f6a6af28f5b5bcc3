"""Cluster ``node_setup`` on local nodes: the cluster's mounts and its setup task.

Batch AI mounted ``NodeSetup.mount_volumes`` under ``$AZ_BATCHAI_MOUNT_ROOT`` and ran
``NodeSetup.setup_task.command_line`` (bash, with its ``environment_variables`` and
``secrets``) on every node when the node was allocated, before any job ran there.  Output went
to ``{std_out_err_path_prefix}/{std_out_err_path_suffix}/stdout-<node id>.txt`` (and
``stderr-<node id>.txt``), the suffix being
``{subscription}/{rg}/workspaces/{ws}/clusters/{cluster}/{uuid}``.

Locally a cluster keeps one folder per cluster incarnation
(``clusters/<rg>/<ws>/<cluster>/<uuid>/``: ``mounts/`` is ``$AZ_BATCHAI_MOUNT_ROOT`` for every
node and job of the cluster, ``nodes/<node id>/`` remembers which nodes ran the setup task).
The setup task runs once per node, just before the node's first job.  A failing setup task
fails that job (``NodeSetupFailed``) and is retried with the next job — a local job never waits
for a node that cannot become usable.  Setup-task secrets reach the task when the cluster was
created by the process that submits the job (values are kept in no file); otherwise the
variables are unset.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...domain import paths
from ...home import layout
from ...runtime import expand
from .mounts import link_mounts, mount_targets
from .state import ClusterRecord

__all__ = [
    "NodeSetupError",
    "cluster_folder",
    "prepare_cluster_mounts",
    "run_setup_task",
    "setup_task_output_suffix",
]


class NodeSetupError(Exception):
    """The setup task failed on a node; the message names the node, exit code and log file."""


def _uuid(cluster: ClusterRecord) -> str:
    """A stable id of this cluster incarnation (a re-created cluster of the same name differs)."""
    sub, rg, ws = cluster.workspace
    return str(
        uuid.uuid5(
            uuid.NAMESPACE_URL,
            f"batchai-compat:{sub}/{rg}/{ws}/{cluster.name}@{cluster.creation_time!r}",
        )
    )


def setup_task_output_suffix(cluster: ClusterRecord) -> str:
    """Batch AI's ``SetupTask.std_out_err_path_suffix`` of ``cluster``."""
    return paths.setup_task_output_suffix(*cluster.workspace, cluster.name, _uuid(cluster))


def cluster_folder(cluster: ClusterRecord, root: Path | None = None) -> Path:
    _, rg, ws = cluster.workspace
    return (root or layout.home()) / "clusters" / rg / ws / cluster.name / _uuid(cluster)


def prepare_cluster_mounts(
    cluster: ClusterRecord, node_setup: Mapping[str, Any], root: Path | None = None
) -> Path:
    """Link the cluster's mount volumes under its mount root; returns that root."""
    mount_root = cluster_folder(cluster, root) / "mounts"
    targets = mount_targets(node_setup.get("mount_volumes"), root, "node_setup.mount_volumes")
    for _ in range(3):  # two supervisors may link the same cluster at once
        try:
            link_mounts(mount_root, targets)
            break
        except FileExistsError:
            continue
    return mount_root


def run_setup_task(
    cluster: ClusterRecord,
    node_id: str,
    setup_task: Mapping[str, Any],
    mount_root: Path,
    secrets: Mapping[str, str],
    should_stop: Callable[[], bool],
    root: Path | None = None,
) -> None:
    """Run the setup task on node ``node_id`` unless it already succeeded there."""
    node_folder = cluster_folder(cluster, root) / "nodes" / node_id
    marker = node_folder / "setup-task-succeeded"
    if marker.exists():
        return
    home = node_folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    contract = {"AZ_BATCHAI_MOUNT_ROOT": str(mount_root)}
    env = dict(os.environ)
    env["HOME"] = str(home)
    env.update(contract)
    for variable in setup_task.get("environment_variables") or ():
        env[str(variable["name"])] = expand(str(variable.get("value") or ""), contract)
    env.update(secrets)
    prefix = expand(
        str(setup_task.get("std_out_err_path_prefix") or "$AZ_BATCHAI_MOUNT_ROOT"), contract
    )
    out_dir = Path(prefix) / setup_task_output_suffix(cluster)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        open(out_dir / f"stdout-{node_id}.txt", "wb") as out,
        open(out_dir / f"stderr-{node_id}.txt", "wb") as err,
    ):
        process = subprocess.Popen(
            ["bash", "-c", str(setup_task["command_line"])],
            env=env,
            cwd=home,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    delay = 0.01
    while process.poll() is None:
        if should_stop():
            process.kill()
            process.wait()
            raise NodeSetupError(f"The setup task on node {node_id} was stopped with the job.")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    if process.returncode != 0:
        raise NodeSetupError(
            f"The cluster's setup task failed on node {node_id} with exit code {process.returncode}; "
            f"see {out_dir / f'stderr-{node_id}.txt'}."
        )
    marker.write_text("")

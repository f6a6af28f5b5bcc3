"""Fixtures for the node runtime tests: the migration guide's TF-PS job built with the genuine
azure-mgmt-batchai 2.0.0 models (test-only dependency), and a node topology in a temp folder."""

from __future__ import annotations

import socket
from pathlib import Path

import azure.mgmt.batchai.models as genuine
import pytest

from batchai_compat.runtime import JobIdentity, Topology

ARGS_FMT = (
    "--job_name={0} --num_gpus=1 --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL "
    "--log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --data_dir=$AZ_BATCHAI_INPUT_DATASET "
    "--ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS "
    "--task_index=$AZ_BATCHAI_TASK_INDEX"
)


def guide_tf_job(**overrides: object) -> genuine.JobCreateParameters:
    """The migration guide's distributed TensorFlow job, as its Batch AI block writes it."""
    fields: dict[str, object] = dict(
        cluster=genuine.ResourceId(
            id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/nc6"
        ),
        node_count=2,
        input_directories=[
            genuine.InputDirectory(
                id="SCRIPT", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/bfs/tensorflow_samples"
            ),
            genuine.InputDirectory(
                id="DATASET", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/bfs/mnist_dataset"
            ),
        ],
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        output_directories=[
            genuine.OutputDirectory(
                id="MODEL", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs", path_suffix="Models"
            ),
            genuine.OutputDirectory(
                id="TENSORBOARD", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs", path_suffix="Logs"
            ),
        ],
        container_settings=genuine.ContainerSettings(
            image_source_registry=genuine.ImageSourceRegistry(
                image="tensorflow/tensorflow:1.8.0-gpu"
            )
        ),
        tensor_flow_settings=genuine.TensorFlowSettings(
            parameter_server_count=1,
            worker_count=2,
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/mnist_replica.py",
            master_command_line_args=ARGS_FMT.format("worker"),
            worker_command_line_args=ARGS_FMT.format("worker"),
            parameter_server_command_line_args=ARGS_FMT.format("ps"),
        ),
    )
    fields.update(overrides)
    return genuine.JobCreateParameters(**fields)


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def make_topology(root: Path, *, nodes: int = 1, index: int = 0, **extra: object) -> Topology:
    return Topology(
        identity=JobIdentity("sub-1", "rg", "ws", "exp", "job1", "0000-uuid"),
        hosts=tuple("127.0.0.1" for _ in range(nodes)),
        node_ids=tuple(f"node-{i}" for i in range(nodes)),
        node_index=index,
        mount_root=str(root / "mounts"),
        job_mount_root=str(root / "jobmounts"),
        job_temp_dir=str(root / f"temp-{index}"),
        shared_job_temp=str(root / "shared"),
        home=str(root / f"home-{index}"),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(name="guide_tf_job")
def _guide_tf_job():
    return guide_tf_job


@pytest.fixture(name="free_ports")
def _free_ports():
    return free_ports


@pytest.fixture(name="make_topology")
def _make_topology(tmp_path: Path):
    def factory(**kwargs: object) -> Topology:
        return make_topology(tmp_path, **kwargs)  # type: ignore[arg-type]

    return factory

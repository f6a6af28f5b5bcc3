"""The node adapter as Azure ML runs it: real processes started like Azure ML starts them.

Each test lays out what an Azure ML node has (the run's working directory holding the snapshot
``batchai_node.pyz``, mounted data references, ``TF_CONFIG`` / MPI rank variables, the run token
and service endpoint) and runs ``python batchai_node.pyz`` in a subprocess, with ``-S`` so that
azureml-core is not importable (images with user-managed dependencies do not have it): secrets
then come from the credential REST endpoint, served on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from guide import STORAGE_KEY, job_parameters

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming
from batchai_compat.backends._azureml_common.node import gpu_count
from batchai_compat.backends._azureml_common.node_app import node_app
from batchai_compat.backends.azureml import translate

SECRET = "secret-from-key-vault"
RUN_TOKEN = "run-token-123"
CLUSTER_ID = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/nc6"
)

SCRIPT = r"""
import json, os, sys
role = [a for a in sys.argv if a.startswith("--job_name=")][0].split("=", 1)[1]
index = os.environ["AZ_BATCHAI_TASK_INDEX"]
out = os.environ["AZ_BATCHAI_OUTPUT_MODEL"]
names = ["AZ_BATCHAI_MPI_HOST_FILE", "AZ_BATCHAI_NUM_GPUS", "AZ_BATCHAI_INPUT_SCRIPT", "AZ_BATCHAI_INPUT_DATASET", "AZ_BATCHAI_OUTPUT_MODEL",
         "AZ_BATCHAI_OUTPUT_TENSORBOARD", "AZ_BATCHAI_PS_HOSTS", "AZ_BATCHAI_WORKER_HOSTS",
         "AZ_BATCHAI_JOB_MOUNT_ROOT", "AZ_BATCHAI_STDOUTERR_DIR", "TF_CONFIG", "API_TOKEN", "MODE",
         "AZ_BATCHAI_COMPAT_JOB"]
with open(os.path.join(out, f"{role}-{index}.json"), "w") as f:
    json.dump({"argv": sys.argv[1:], "env": {n: os.environ.get(n) for n in names},
               "dataset": sorted(os.listdir(os.environ["AZ_BATCHAI_INPUT_DATASET"]))}, f)
print(f"{role} {index} training", flush=True)
"""


class _KeyVault(BaseHTTPRequestHandler):
    secrets: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        name = self.path.rsplit("/", 1)[-1]
        if self.headers.get("Authorization") != f"Bearer {RUN_TOKEN}" or name not in self.secrets:
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps({"name": name, "value": self.secrets[name]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def key_vault() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeyVault)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def prepare(
    tmp_path: Path, params: models.JobCreateParameters, key_vault: str
) -> tuple[Path, dict[str, str]]:
    submission = translate.job_submission(
        params,
        job_name="tf_job",
        experiment="exp",
        cluster_name="nc6",
        job_uuid="0b5e3a7c",
        identity={"subscription": "sub", "resource_group": "rg", "workspace": "ws"},
    )
    _KeyVault.secrets = {name: value for name, value in submission.secrets.items()}
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / naming.NODE_APP_NAME).write_bytes(node_app())
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "AZ_BATCHAI_COMPAT_SCRATCH": str(tmp_path / "scratch"),
        "AZUREML_SERVICE_ENDPOINT": key_vault,
        "AZUREML_ARM_SUBSCRIPTION": "sub",
        "AZUREML_ARM_RESOURCEGROUP": "rg",
        "AZUREML_ARM_WORKSPACE_NAME": "ws",
        "AZUREML_RUN_TOKEN": RUN_TOKEN,
        "AZ_BATCH_NODE_LIST": "10.0.0.4;10.0.0.5",
    }
    (tmp_path / "tmp").mkdir()
    config = submission.run_config.run_config
    env.update(config.environment_variables)
    # what Azure ML mounts for each data reference
    for name in config.data_references:
        mounted = tmp_path / "mounts" / name
        mounted.mkdir(parents=True)
        env[f"AZUREML_DATAREFERENCE_{name}"] = str(mounted)
    blob = tmp_path / "mounts" / "mount_bfs"
    if not blob.exists():
        return run_dir, env
    (blob / "tensorflow_samples").mkdir()
    (blob / "tensorflow_samples" / "mnist_replica.py").write_text(SCRIPT)
    (blob / "mnist_dataset").mkdir()
    (blob / "mnist_dataset" / "train.npz").write_bytes(b"digits")
    return run_dir, env


def run_node(run_dir: Path, env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", naming.NODE_APP_NAME],
        cwd=run_dir,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_parameter_server_job_on_azure_ml_processes(tmp_path: Path, key_vault: str) -> None:
    params = job_parameters(models, CLUSTER_ID)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET)]
    params.environment_variables = [
        models.EnvironmentVariable(name="MODE", value="$AZ_BATCHAI_OUTPUT_MODEL/mode")
    ]
    run_dir, env = prepare(tmp_path, params, key_vault)
    cluster = {"ps": ["10.0.0.4:2222"], "worker": ["10.0.0.4:2223", "10.0.0.5:2222"]}
    for role, index in (("ps", 0), ("worker", 0), ("worker", 1)):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": role, "index": index}})
        done = run_node(run_dir, env, TF_CONFIG=tf_config)
        assert done.returncode == 0, done.stderr

    model_dir = run_dir / "outputs" / "MODEL"
    seen = {p.stem: json.loads(p.read_text()) for p in model_dir.glob("*.json")}
    assert set(seen) == {"ps-0", "worker-0", "worker-1"}
    worker = seen["worker-1"]
    assert "--job_name=worker" in worker["argv"] and "--task_index=1" in worker["argv"]
    assert "--ps_hosts=10.0.0.4:2222" in worker["argv"]
    assert "--worker_hosts=10.0.0.4:2223,10.0.0.5:2222" in worker["argv"]
    assert f"--checkpoint_dir={model_dir}" in worker["argv"]
    assert "--job_name=ps" in seen["ps-0"]["argv"] and "--task_index=0" in seen["ps-0"]["argv"]
    env_seen = worker["env"]
    mount_root = Path(env_seen["AZ_BATCHAI_JOB_MOUNT_ROOT"])
    assert env_seen["AZ_BATCHAI_INPUT_DATASET"] == str(mount_root / "bfs" / "mnist_dataset")
    assert worker["dataset"] == ["train.npz"]  # the mounted datastore, seen at the Batch AI path
    assert env_seen["AZ_BATCHAI_STDOUTERR_DIR"] == str(run_dir / "logs" / "stdouterr")
    assert env_seen["AZ_BATCHAI_OUTPUT_TENSORBOARD"] == str(run_dir / "outputs" / "TENSORBOARD")
    assert env_seen["API_TOKEN"] == SECRET
    assert env_seen["MODE"] == f"{model_dir}/mode"
    assert json.loads(env_seen["TF_CONFIG"])["task"] == {"type": "worker", "index": 1}
    assert env_seen["AZ_BATCHAI_COMPAT_JOB"] is None  # the manifest is not passed on to the job
    assert (
        Path(env_seen["AZ_BATCHAI_MPI_HOST_FILE"]).read_text()
        == "10.0.0.4 slots=1\n10.0.0.5 slots=1\n"
    )
    assert env_seen["AZ_BATCHAI_NUM_GPUS"] == str(gpu_count())

    logs = run_dir / "logs" / "stdouterr"
    assert (logs / "stdout-wk-1.txt").read_text() == "worker 1 training\n"
    assert (logs / "stdout-ps-0.txt").read_text() == "ps 0 training\n"
    everything = "".join(p.read_text(errors="replace") for p in logs.iterdir())
    assert SECRET not in everything and STORAGE_KEY not in everything


def test_mpi_rank_runs_the_program_without_mpirun(tmp_path: Path, key_vault: str) -> None:
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id=CLUSTER_ID),
        node_count=2,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        job_preparation=models.JobPreparation(
            command_line="echo prepared >> $AZ_BATCHAI_JOB_TEMP/../prep.txt"
        ),
        custom_mpi_settings=models.CustomMpiSettings(
            command_line="echo rank $OMPI_COMM_WORLD_RANK of job", process_count=4
        ),
    )
    run_dir, env = prepare(tmp_path, params, key_vault)
    for rank in range(2):  # two ranks of node 0
        done = run_node(
            run_dir, env, OMPI_COMM_WORLD_RANK=str(rank), OMPI_COMM_WORLD_LOCAL_SIZE="2"
        )
        assert done.returncode == 0, done.stderr
    logs = run_dir / "logs" / "stdouterr"
    assert (logs / "stdout.txt").read_text() == "rank 0 of job\n"
    assert (logs / "stdout-1.txt").read_text() == "rank 1 of job\n"
    prep = list((tmp_path / "scratch").rglob("prep.txt"))
    assert [p.read_text() for p in prep] == ["prepared\n"]  # once per node


def _one_node_job(command_line: str, **fields: object) -> models.JobCreateParameters:
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=CLUSTER_ID),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line=command_line),
        **fields,
    )


def test_failing_task_exit_code_is_the_runs(tmp_path: Path, key_vault: str) -> None:
    params = _one_node_job("echo boom >&2; exit 3")
    run_dir, env = prepare(tmp_path, params, key_vault)
    done = run_node(run_dir, env)
    assert done.returncode == 3
    assert (run_dir / "logs" / "stdouterr" / "stderr.txt").read_text() == "boom\n"
    # Batch AI's words last on the process's stderr (Azure ML ends the run's error with them)
    assert done.stderr.splitlines()[-1] == (
        "Job failed with non-zero exit code: task task-0 on node node-0 exited with code 3: boom"
    )


def test_failing_job_preparation_says_so_in_batch_ais_words(tmp_path: Path, key_vault: str) -> None:
    preparation = models.JobPreparation(command_line="echo no disk >&2; exit 4")
    params = _one_node_job("echo never", job_preparation=preparation)
    run_dir, env = prepare(tmp_path, params, key_vault)
    done = run_node(run_dir, env)
    assert done.returncode == 4
    assert done.stderr.splitlines()[-1] == (
        "Job preparation task failed with non-zero exit code: it exited with code 4 on node "
        "node-0: no disk"
    )
    assert not (run_dir / "logs" / "stdouterr" / "stdout.txt").exists()


def test_gpu_count_reads_nvidia_devices(tmp_path: Path) -> None:
    for name in ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "null"):
        (tmp_path / name).write_text("")
    assert gpu_count(str(tmp_path)) == 2
    assert gpu_count(str(tmp_path / "missing")) == 0


def test_outside_a_batch_ai_run_it_refuses(tmp_path: Path) -> None:
    (tmp_path / naming.NODE_APP_NAME).write_bytes(node_app())
    done = subprocess.run(
        [sys.executable, "-S", naming.NODE_APP_NAME],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
        timeout=60,
    )
    assert done.returncode == 2 and naming.MANIFEST_VARIABLE in done.stderr


def test_every_module_of_the_node_app_imports_from_the_app_alone(tmp_path: Path) -> None:
    """An image has the standard library and the app: no SDK, not this package."""
    app = tmp_path / naming.NODE_APP_NAME
    app.write_bytes(node_app())
    with zipfile.ZipFile(app) as archive:
        modules = [
            name[: -len(".py")].replace("/", ".").removesuffix(".__init__")
            for name in archive.namelist()
            if name.startswith("batchai_compat/")
        ]
    assert "batchai_compat.backends._azureml_common.node" in modules
    code = f"import importlib; [importlib.import_module(m) for m in {sorted(modules)!r}]"
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", f"import sys; sys.path.insert(0, {str(app)!r}); {code}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def _as_old_python(tmp_path: Path, path: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / naming.NODE_APP_NAME).write_bytes(node_app())
    code = (
        "import runpy, sys; sys.version_info = (2, 7, 18); sys.version = '2.7.18 (old image)'; "
        f"sys.argv = [{naming.NODE_APP_NAME!r}]; "
        f"runpy.run_path({naming.NODE_APP_NAME!r}, run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": path},
        timeout=60,
    )


def test_an_image_whose_python_is_2_reruns_with_python3(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python3 = bin_dir / "python3"
    python3.write_text('#!/bin/sh\necho "python3 ran $*"\n')
    python3.chmod(0o755)
    done = _as_old_python(tmp_path, f"{bin_dir}:/usr/bin:/bin")
    assert done.stdout.strip() == f"python3 ran {naming.NODE_APP_NAME}"


def test_an_image_without_python3_gets_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _as_old_python(tmp_path, str(empty))
    assert done.returncode == 2
    assert "needs Python 3.8 or newer" in done.stderr and "2.7.18" in done.stderr

"""The migration guide's TF parameter-server job, submitted through the shim and executed by
``fake_compute`` the way AmlCompute starts it: snapshot → node adapter in every process → Batch
AI logs and outputs in run history → listed and downloaded (with Range) through the client."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import azure.mgmt.batchai.models as genuine
import requests
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_compute import execute_run
from fake_service import FakeAzureML
from guide import BLOB_CONTAINER, STORAGE_ACCOUNT, cluster_parameters, job_parameters

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming

SECRET = "token-for-the-training-script"

TRAINER = """
import hashlib, os, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
role, index = args["--job_name"], os.environ["AZ_BATCHAI_TASK_INDEX"]
print(f"{role} {index}: ps={args['--ps_hosts']} workers={args['--worker_hosts']}", flush=True)
print("data:", sorted(os.listdir(args["--data_dir"])), flush=True)
os.makedirs(args["--checkpoint_dir"], exist_ok=True)
with open(os.path.join(args["--checkpoint_dir"], f"model-{role}-{index}.txt"), "w") as f:
    f.write(hashlib.sha256(os.environ["API_TOKEN"].encode()).hexdigest())
"""


def test_guide_job_runs_end_to_end(client, fake: FakeAzureML, tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    blob = fake.storage_folder("blob", STORAGE_ACCOUNT, BLOB_CONTAINER)
    (blob / "tensorflow_samples").mkdir(parents=True)
    (blob / "tensorflow_samples" / "mnist_replica.py").write_text(TRAINER)
    (blob / "mnist_dataset").mkdir()
    (blob / "mnist_dataset" / "train-images.gz").write_bytes(b"\x1f\x8b")

    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "tensorflow_experiment").result()
    params = job_parameters(models, cluster.id)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET)]
    client.jobs.create(RG, WS, "tensorflow_experiment", "tf_job", params).result()

    codes = execute_run(fake, RG, WS, naming.run_id("tensorflow_experiment", "tf_job"), storage)
    assert sorted(codes.values()) == [0, 0]  # the two workers; the parameter server is stopped
    job = client.jobs.get(RG, WS, "tensorflow_experiment", "tf_job")
    assert job.execution_state == "succeeded"

    def listing(output: str) -> dict[str, models.File]:
        options = models.JobsListOutputFilesOptions(outputdirectoryid=output)
        return {
            f.name: f
            for f in client.jobs.list_output_files(
                RG, WS, "tensorflow_experiment", "tf_job", options
            )
        }

    logs = listing("stdouterr")
    assert {"stdout-wk-0.txt", "stdout-wk-1.txt", "stdout-ps-0.txt", "stderr-wk-0.txt"} <= set(logs)
    text = requests.get(logs["stdout-wk-1.txt"].download_url, timeout=10).text
    first = text.splitlines()[0]
    assert first.startswith("worker 1: ps=127.0.0.1:") and "workers=127.0.0.1:" in first
    assert "data: ['train-images.gz']" in text
    tail = requests.get(
        logs["stdout-wk-1.txt"].download_url, headers={"Range": "bytes=7-"}, timeout=10
    )
    assert tail.status_code == 206 and tail.text == text[7:]

    model = listing("MODEL")
    assert set(model) == {"model-worker-0.txt", "model-worker-1.txt", "model-ps-0.txt"}
    digest = requests.get(model["model-worker-0.txt"].download_url, timeout=10).text
    assert digest == hashlib.sha256(SECRET.encode()).hexdigest()
    everything = b"".join(
        fake.runs[(RG, WS, naming.run_id("tensorflow_experiment", "tf_job"))].files.values()
    )
    assert SECRET.encode() not in everything


def _custom_job(cluster_id: str, **toolkit: object) -> models.JobCreateParameters:
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=2,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        **toolkit,
    )


def _logs(client, job: str) -> dict[str, str]:
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    return {
        f.name: requests.get(f.download_url, timeout=10).text
        for f in client.jobs.list_output_files(RG, WS, "exp", job, options)
    }


def test_pytorch_and_mpi_jobs_run_one_batch_ai_task_per_azure_ml_process(
    client, fake: FakeAzureML, tmp_path: Path
) -> None:
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "exp").result()
    storage = tmp_path / "storage"
    storage.mkdir()
    script = tmp_path / "rank.py"
    script.write_text(
        "import os\n"
        "print(os.environ['AZ_BATCHAI_TASK_INDEX'], os.environ['AZ_BATCHAI_PYTORCH_INIT_METHOD'],"
        " os.environ['AZ_BATCHAI_PYTORCH_BACKEND'])\n"
    )
    client.jobs.create(
        RG,
        WS,
        "exp",
        "torch",
        _custom_job(
            cluster.id,
            py_torch_settings=models.PyTorchSettings(
                python_script_file_path=str(script), process_count=2, communication_backend="gloo"
            ),
        ),
    ).result()
    client.jobs.create(
        RG,
        WS,
        "exp",
        "horovod",
        _custom_job(
            cluster.id,
            custom_mpi_settings=models.CustomMpiSettings(
                command_line="echo rank $OMPI_COMM_WORLD_RANK of $OMPI_COMM_WORLD_SIZE",
                process_count=4,
            ),
        ),
    ).result()
    # 2.0.0 has no PyTorch ToolType: a PyTorch job reports "custom", as on the local backend
    assert "pytorch" not in {t.value for t in genuine.ToolType}
    assert client.jobs.get(RG, WS, "exp", "torch").tool_type == "custom"
    for job in ("torch", "horovod"):
        codes = execute_run(fake, RG, WS, naming.run_id("exp", job), storage)
        assert set(codes.values()) == {0}
        assert client.jobs.get(RG, WS, "exp", job).execution_state == "succeeded"

    torch = _logs(client, "torch")
    rank0, rank1 = torch["stdout-0.txt"].split(), torch["stdout-1.txt"].split()
    assert (rank0[0], rank1[0]) == ("0", "1")
    assert rank0[1] == rank1[1] and rank0[1].startswith("tcp://127.0.0.1:")  # one rendezvous
    assert rank0[2] == "gloo"

    mpi = _logs(client, "horovod")
    assert mpi["stdout.txt"] == "rank 0 of 4\n"  # rank 0 keeps Batch AI's single-task name
    assert [mpi[f"stdout-{r}.txt"] for r in (1, 2, 3)] == [f"rank {r} of 4\n" for r in (1, 2, 3)]


def test_terminate_stops_a_running_job(client, fake: FakeAzureML, tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    fake.run_executor = lambda f, rg, ws, run: execute_run(f, rg, ws, run, storage)
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "exp").result()
    params = _custom_job(
        cluster.id,
        custom_toolkit_settings=models.CustomToolkitSettings(
            command_line="echo started; sleep 600"
        ),
    )
    params.node_count = 1
    client.jobs.create(RG, WS, "exp", "long", params).result()

    def state() -> str:
        return str(client.jobs.get(RG, WS, "exp", "long").execution_state.value)

    deadline = time.monotonic() + 60
    while state() != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state() == "running"
    client.jobs.terminate(RG, WS, "exp", "long").result()
    (execution,) = fake.executions
    execution.join(timeout=120)  # far less than the sleep: the processes were stopped
    assert not execution.is_alive()
    assert state() == "failed"  # a terminated Batch AI job ended failed


def _recipe_utilities():
    """examples/utilities (the Batch AI recipes' helpers, our implementation) as a package."""
    import importlib.util
    import sys

    name = "_azureml_examples_utilities"
    if name not in sys.modules:
        root = Path(__file__).resolve().parents[2] / "examples" / "utilities"
        spec = importlib.util.spec_from_file_location(
            name, root / "__init__.py", submodule_search_locations=[str(root)]
        )
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
        # what ``import batchai_compat.install`` does for the recipes: their
        # ``azure.mgmt.batchai.models`` are batchai_compat's (here for this private copy only)
        for module in (sys.modules[name].job, sys.modules[name].cluster):
            if hasattr(module, "models"):
                module.models = models
    return sys.modules[name]


def test_recipe_helper_streams_the_guide_job(
    client, fake: FakeAzureML, tmp_path: Path, capsys
) -> None:
    """The guide's monitoring step, ``utils.job.wait_for_job_completion(..., 'stdouterr',
    'stdout-wk-0.txt')``, against a job Azure ML (fake_compute) runs in the background."""
    storage = tmp_path / "storage"
    blob = fake.storage_folder("blob", STORAGE_ACCOUNT, BLOB_CONTAINER)
    (blob / "tensorflow_samples").mkdir(parents=True)
    (blob / "tensorflow_samples" / "mnist_replica.py").write_text(TRAINER)
    (blob / "mnist_dataset").mkdir()
    fake.run_executor = lambda f, rg, ws, run: execute_run(f, rg, ws, run, storage)
    utils = _recipe_utilities()

    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "tensorflow_experiment").result()
    params = job_parameters(models, cluster.id)
    params.secrets = [models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET)]
    client.jobs.create(RG, WS, "tensorflow_experiment", "tf_job", params).result()
    utils.job.wait_for_job_completion(
        client, RG, WS, "tensorflow_experiment", "tf_job", "nc6", "stdouterr", "stdout-wk-0.txt"
    )
    printed = capsys.readouterr().out
    assert "worker 0: ps=127.0.0.1:" in printed
    assert "Job state: succeeded ExitCode: 0" in printed.replace("ExecutionState.", "")
    assert SECRET not in printed


def test_a_job_waits_queued_until_its_cluster_can_hold_it(
    client, fake: FakeAzureML, tmp_path: Path
) -> None:
    """AmlCompute keeps a run queued while its cluster cannot give it its nodes; a resize that
    makes room starts it.  The resize reads ``resizing`` first (``fake.resize_reads``)."""
    storage = tmp_path / "storage"
    storage.mkdir()
    fake.run_executor = lambda f, rg, ws, run: execute_run(f, rg, ws, run, storage)
    params = cluster_parameters(models)
    params.scale_settings = models.ScaleSettings(
        manual=models.ManualScaleSettings(target_node_count=1)
    )
    cluster = client.clusters.create(RG, WS, "small", params).result()
    client.experiments.create(RG, WS, "exp").result()
    job = _custom_job(
        cluster.id, custom_toolkit_settings=models.CustomToolkitSettings(command_line="echo ran")
    )
    client.jobs.create(RG, WS, "exp", "big", job).result()  # two nodes on a one-node cluster

    def state() -> str:
        return str(client.jobs.get(RG, WS, "exp", "big").execution_state.value)

    assert state() == "queued" and fake.executions == []
    assert client.jobs.get(RG, WS, "exp", "big").execution_info is None

    fake.resize_reads = 3
    two = models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=2))
    resized = client.clusters.update(RG, WS, "small", scale_settings=two)
    assert (resized.allocation_state, resized.current_node_count) == ("resizing", 1)
    reads = [client.clusters.get(RG, WS, "small") for _ in range(3)]
    assert [(c.allocation_state, c.current_node_count) for c in reads] == [
        ("resizing", 1),
        ("resizing", 1),
        ("steady", 2),
    ]
    (execution,) = fake.executions  # room now: the run started
    execution.join(timeout=120)
    assert state() == "succeeded"
    assert _logs(client, "big")["stdout.txt"] == "ran\n"

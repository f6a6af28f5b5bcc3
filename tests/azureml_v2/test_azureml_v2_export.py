"""``batchai export``'s files against the fake v2 service, sent by the real azure-ai-ml.

* the exported job (``load_job``) is the job the azureml-v2 backend submits for the same Batch
  AI job — same compute, distribution, instance count, image, limits, priority, datastore paths
  and modes — except that it runs the job's own command instead of the shim's node adapter;
* the YAML files and the Python script create the same entities (request bodies compared), and
  a YAML file dumped by azure-ai-ml and loaded again does too;
* the exported TensorFlow job runs on the fake AmlCompute (one process per task, ``TF_CONFIG``,
  datastores mounted) with a Python that cannot import batchai_compat.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from fake_v2_service import SUBSCRIPTION, WORKSPACE_STORAGE, FakeAzureMLV2, FakeTokenCredential
from guide import (
    ADMIN_PASSWORD,
    STORAGE_ACCOUNT,
    STORAGE_KEY,
    cluster_parameters,
    job_parameters,
)

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming
from batchai_compat.backends.azureml_v2 import native, render

RG, WS = "rg", "ws1"  # the workspace tests/azureml_v2/conftest.py's fake has
IDENTITY = {"subscription": SUBSCRIPTION, "resource_group": RG, "workspace": WS}


@pytest.fixture(autouse=True)
def _quiet_experimental_notices():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # azure-ai-ml flags queue_settings as experimental
        yield


def _ml_client():
    from azure.ai.ml import MLClient

    return MLClient(FakeTokenCredential(), SUBSCRIPTION, RG, WS)


def _uris(items: dict) -> set[tuple[str, str]]:
    return {(value["uri"], value["mode"]) for value in (items or {}).values()}


def test_exported_job_is_what_the_backend_submits_with_the_jobs_own_command(
    client, fake: FakeAzureMLV2, tmp_path
) -> None:
    from azure.ai.ml import load_job

    fake.job_executor = None  # compare what is sent; nothing runs
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "tensorflow_experiment").result()
    parameters = job_parameters(models, cluster.id)
    client.jobs.create(RG, WS, "tensorflow_experiment", "tf_job", parameters).result()
    (shim_body,) = fake.requests_to(
        "PUT", rf"/jobs/{naming.run_id('tensorflow_experiment', 'tf_job')}$"
    )
    shim = shim_body["properties"]

    exported = native.export_job(
        job_parameters(models, cluster.id),
        job_name="tf_job",
        experiment="tensorflow_experiment",
        cluster_name="nc6",
        identity=IDENTITY,
        job_uuid=shim["tags"][naming.TAG_JOB_UUID],  # the backend's: same output folders
        cluster_vm_size="STANDARD_NC6",
    )
    path = tmp_path / "job.yml"
    path.write_text(render.yaml_text(exported.job))
    submitted = _ml_client().jobs.create_or_update(load_job(path))
    (native_body,) = fake.requests_to("PUT", rf"/jobs/{submitted.name}$")
    ours = native_body["properties"]

    for key in ("computeId", "distribution", "resources", "limits", "queueSettings"):
        assert ours.get(key) == shim.get(key), key
    assert ours["environmentId"] == shim["environmentId"]  # the same image's environment
    assert _uris(ours["inputs"]) == _uris(shim["inputs"])
    # every mount and output directory where the backend puts it; the backend's extra output
    # is the folder its node adapter writes Batch AI's log files to
    assert _uris(ours["outputs"]) <= _uris(shim["outputs"])
    (logs,) = _uris(shim["outputs"]) - _uris(ours["outputs"])
    assert logs[0].endswith("/stdouterr/")
    # the job's own program, not the shim's node adapter; no code to upload
    assert naming.NODE_APP_NAME in shim["command"] and shim.get("codeId")
    assert naming.NODE_APP_NAME not in ours["command"] and not ours.get("codeId")
    assert "mnist_replica.py" in ours["command"] and "AZ_BATCHAI" not in ours["command"]
    text = json.dumps(native_body)
    assert STORAGE_KEY not in text and ADMIN_PASSWORD not in text


def _write_yaml(tmp_path: Path, compute, job) -> dict[str, Path]:
    files = {"compute": tmp_path / "compute.yml", "job": tmp_path / "job.yml"}
    files["compute"].write_text(render.yaml_text(compute))
    files["job"].write_text(render.yaml_text(job.job))
    for store in job.datastores:
        files[store.name] = tmp_path / f"{store.name}.yml"
        files[store.name].write_text(render.yaml_text(store))
    return files


def _bodies(fake: FakeAzureMLV2, since: int) -> list[tuple[str, str, dict]]:
    return [
        (method, path.rsplit("/", 1)[-1] if "/jobs/" not in path else "job", body)
        for method, path, body in fake.requests[since:]
        if method == "PUT" and ("/computes/" in path or "/datastores/" in path or "/jobs/" in path)
    ]


def test_yaml_files_and_python_script_create_the_same_entities(
    fake: FakeAzureMLV2, tmp_path
) -> None:
    from azure.ai.ml import load_compute, load_datastore, load_job

    fake.job_executor = None
    fake.provisioning_polls = 0
    cluster_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.BatchAI/workspaces/{WS}/clusters/nc6"
    compute = native.export_compute(cluster_parameters(models), "nc6", SUBSCRIPTION)
    job = native.export_job(
        job_parameters(models, cluster_id),
        job_name="tf_job",
        experiment="tensorflow_experiment",
        cluster_name="nc6",
        identity=IDENTITY,
    )
    files = _write_yaml(tmp_path, compute, job)
    ml = _ml_client()

    start = len(fake.requests)
    ml.compute.begin_create_or_update(load_compute(files["compute"])).result()
    for store in job.datastores:
        ml.datastores.create_or_update(load_datastore(files[store.name]))
    ml.jobs.create_or_update(load_job(files["job"]))
    from_yaml = _bodies(fake, start)

    # the script, run as a user would (its credential is the fake's)
    script = render.python_script(workspace=IDENTITY, compute=compute, job=job, header=["x"])
    namespace: dict = {"__name__": "exported"}
    exec(compile(script, str(tmp_path / "job.py"), "exec"), namespace)  # noqa: S102
    namespace["DefaultAzureCredential"] = FakeTokenCredential
    start = len(fake.requests)
    namespace["main"]()
    from_python = _bodies(fake, start)
    assert [name for _, name, _ in from_yaml] == ["nc6", *(d.name for d in job.datastores), "job"]
    assert from_python == from_yaml

    # azure-ai-ml's own dump of the loaded job reads back into the same job
    again = tmp_path / "again.yml"
    load_job(files["job"])._to_job().dump(again)  # the job (load_job gives its builder)
    start = len(fake.requests)
    ml.jobs.create_or_update(load_job(again))
    assert _bodies(fake, start) == from_yaml[-1:]


TRAIN = """\
import argparse, importlib.util, os, sys
assert importlib.util.find_spec("batchai_compat") is None, "batchai_compat on the node"
p = argparse.ArgumentParser()
p.add_argument("--job_name"); p.add_argument("--task_index", type=int)
p.add_argument("--ps_hosts"); p.add_argument("--data_dir"); p.add_argument("--output_dir")
a = p.parse_args()
names = sorted(os.listdir(a.data_dir)) if a.data_dir else []
with open(os.path.join(os.environ["RESULTS"], f"{a.job_name}-{a.task_index}.json"), "w") as f:
    f.write(__import__("json").dumps({"ps_hosts": a.ps_hosts, "data": names}))
if a.job_name == "worker" and a.task_index == 0:
    with open(os.path.join(a.output_dir, "model.txt"), "w") as f:
        f.write("trained on " + ",".join(names))
"""


def test_the_exported_tf_job_runs_on_amlcompute_without_batchai_compat(
    fake: FakeAzureMLV2, tmp_path
) -> None:
    from azure.ai.ml import load_compute, load_datastore, load_job

    scripts = fake.storage_folder(STORAGE_ACCOUNT, "scripts", kind="file")
    (scripts / "tf").mkdir()
    (scripts / "tf" / "train.py").write_text(TRAIN)
    data = fake.storage_folder(STORAGE_ACCOUNT, "data") / "mnist"
    data.mkdir()
    (data / "a.txt").write_text("1 2 3\n")
    args = (
        "--job_name={} --task_index=$AZ_BATCHAI_TASK_INDEX --ps_hosts=$AZ_BATCHAI_PS_HOSTS "
        "--data_dir=$AZ_BATCHAI_INPUT_DATASET --output_dir=$AZ_BATCHAI_OUTPUT_MODEL"
    )
    parameters = models.JobCreateParameters(
        cluster=models.ResourceId(id="nc6"),
        node_count=2,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/scripts",
        input_directories=[
            models.InputDirectory(id="DATASET", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/data/mnist")
        ],
        output_directories=[
            models.OutputDirectory(id="MODEL", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/scripts")
        ],
        environment_variables=[
            models.EnvironmentVariable(name="RESULTS", value="$AZ_BATCHAI_JOB_MOUNT_ROOT/scripts")
        ],
        mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name=STORAGE_ACCOUNT,
                    azure_file_url=f"https://{STORAGE_ACCOUNT}.file.core.windows.net/scripts",
                    credentials=models.AzureStorageCredentialsInfo(account_key=STORAGE_KEY),
                    relative_mount_path="scripts",
                )
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name=STORAGE_ACCOUNT,
                    container_name="data",
                    credentials=models.AzureStorageCredentialsInfo(account_key=STORAGE_KEY),
                    relative_mount_path="data",
                )
            ],
        ),
        tensor_flow_settings=models.TensorFlowSettings(
            python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/scripts/tf/train.py",
            worker_command_line_args=args.format("worker"),
            parameter_server_command_line_args=args.format("ps"),
            worker_count=2,
            parameter_server_count=1,
        ),
    )
    compute = native.export_compute(cluster_parameters(models), "nc6", SUBSCRIPTION)
    job = native.export_job(
        parameters, job_name="tf", experiment="exp", cluster_name="nc6", identity=IDENTITY
    )
    files = _write_yaml(tmp_path, compute, job)
    assert not any(STORAGE_KEY in path.read_text() for path in files.values())
    ml = _ml_client()
    ml.compute.begin_create_or_update(load_compute(files["compute"])).result()
    for store in job.datastores:
        ml.datastores.create_or_update(load_datastore(files[store.name]))
    submitted = ml.jobs.create_or_update(load_job(files["job"]))
    for thread in fake.executions:
        thread.join(timeout=120)
    assert fake.job(RG, WS, submitted.name)["properties"]["status"] == "Completed"

    results = {p.name: json.loads(p.read_text()) for p in scripts.glob("*-*.json")}
    assert sorted(results) == ["ps-0.json", "worker-0.json", "worker-1.json"]
    ps_hosts = {r["ps_hosts"] for r in results.values()}
    assert len(ps_hosts) == 1 and ps_hosts.pop().startswith("127.0.0.1:")  # from TF_CONFIG
    assert {tuple(r["data"]) for r in results.values()} == {("a.txt",)}
    segment = f"{SUBSCRIPTION}/{RG}/workspaces/{WS}/experiments/exp/jobs/tf/{submitted.name}"
    workspace_store = fake.workspaces[(RG, WS)].container
    model = fake.storage_folder(WORKSPACE_STORAGE, workspace_store) / "batchai" / segment
    assert (model / "outputs" / "MODEL" / "model.txt").read_text() == "trained on a.txt"

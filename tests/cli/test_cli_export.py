"""``batchai export job | cluster``: native Azure ML v2 files from a runbook's JSON files or from
existing resources on the local backend, read back with azure-ai-ml's ``load_*``.

The translation itself (per toolkit, against the azureml-v2 backend, run on the fake AmlCompute)
is tested in ``tests/azureml_v2/test_azureml_v2_export.py`` and ``test_azureml_v2_native.py``;
here: what the command reads, writes, refuses and reports.
"""

from __future__ import annotations

import json
import shutil
import warnings

import pytest

from .conftest import DATA

BASE = ("-g", "rg", "-w", "ws")
JOB_BASE = (*BASE, "-e", "exp")
MARKER_KEY = "bWFya2VyLWtleS1uZXZlci13cml0dGVu"  # a storage key that must reach no file


@pytest.fixture(autouse=True)
def _quiet_experimental_notices():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # azure-ai-ml flags queue_settings as experimental
        yield


@pytest.fixture
def job_json(tmp_path, monkeypatch):
    shutil.copy(DATA / "job.json", tmp_path / "job.json")
    shutil.copy(DATA / "cluster.json", tmp_path / "cluster.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AZURE_BATCHAI_STORAGE_KEY", MARKER_KEY)
    return tmp_path


def _all_text(folder) -> str:
    return "".join(p.read_text() for p in sorted(folder.iterdir()))


def test_job_json_exports_to_yaml_that_azure_ai_ml_loads(run_cli, job_json):
    from azure.ai.ml import load_datastore, load_job

    done = run_cli(
        "export", "job", *JOB_BASE, "-n", "tfjob", "-f", "job.json", "-c", "nc6",
        "--storage-account-name", "acct", "--output-dir", "out",
    )  # fmt: skip
    assert done.code == 0, done.err
    written = done.json()
    assert [(w["kind"], w["file"].split("/")[-1]) for w in written] == [
        ("datastore", f"datastore-{written[0]['name']}.yml"),
        ("datastore", f"datastore-{written[1]['name']}.yml"),
        ("datastore", f"datastore-{written[2]['name']}.yml"),
        ("job", "job.yml"),
    ]
    out = job_json / "out"
    assert MARKER_KEY not in _all_text(out)
    job = load_job(out / "job.yml")._to_job()
    assert job.compute == "nc6" and job.display_name == "tfjob" and job.experiment_name == "exp"
    assert "python ${{outputs.scripts}}/tensorflow_samples/train.py --job_name=ps" in job.command
    assert "--data_dir=${{inputs.DATASET}} --output_dir=${{outputs.MODEL}}" in job.command
    assert sorted(job.outputs) == ["MODEL", "data", "logs", "scripts"]
    for entry in written[:3]:
        store = load_datastore(entry["file"])
        assert store.account_name == "acct" and store.name == entry["name"]
    header = (out / "job.yml").read_text().splitlines()[0]
    assert header.startswith("# Exported by `batchai export` from Batch AI job file job.json")


def test_python_format_builds_the_job_the_yaml_describes(run_cli, job_json):
    from azure.ai.ml import load_job

    common = (
        *JOB_BASE,
        "-n",
        "tfjob",
        "-f",
        "job.json",
        "-c",
        "nc6",
        "--storage-account-name",
        "acct",
    )
    assert run_cli("export", "job", *common, "--output-dir", "yaml").code == 0
    done = run_cli("export", "job", *common, "--output-dir", "py", "--format", "python")
    assert done.code == 0, done.err
    assert [w["file"] for w in done.json()] == ["py/job.py"]
    namespace: dict = {"__name__": "exported"}
    script = (job_json / "py" / "job.py").read_text()
    exec(compile(script, "job.py", "exec"), namespace)  # noqa: S102
    from_script = namespace["job"]._to_job()._to_rest_object().as_dict()
    from_yaml = load_job(job_json / "yaml" / "job.yml")._to_job()._to_rest_object().as_dict()
    for body in (from_script, from_yaml):  # the anonymous environment's repr holds a path type
        assert "tensorflow/tensorflow:1.8.0-gpu" in str(body["properties"].pop("environmentId"))
    assert from_script == from_yaml
    assert MARKER_KEY not in script


def test_existing_files_are_kept_unless_overwrite(run_cli, job_json):
    common = (
        *JOB_BASE,
        "-n",
        "tfjob",
        "-f",
        "job.json",
        "-c",
        "nc6",
        "--storage-account-name",
        "acct",
    )
    (job_json / "job.yml").write_text("mine\n")
    refused = run_cli("export", "job", *common)
    assert refused.code == 1
    assert "job.yml exists already: remove it or pass --overwrite" in refused.err
    assert (job_json / "job.yml").read_text() == "mine\n"
    assert not list(job_json.glob("datastore-*.yml"))  # nothing half-written
    assert run_cli("export", "job", *common, "--overwrite").code == 0
    assert (job_json / "job.yml").read_text().startswith("# Exported")


def test_a_job_file_without_cluster_is_a_usage_error(run_cli, job_json):
    done = run_cli(
        "export", "job", *JOB_BASE, "-n", "j", "-f", "job.json", "--storage-account-name", "a"
    )
    assert done.code == 2
    assert "Please provide cluster information" in done.err
    assert not list(job_json.glob("*.yml"))


def test_cluster_json_drops_node_setup_with_a_comment_and_a_warning(run_cli, job_json):
    from azure.ai.ml import load_compute

    done = run_cli(
        "export", "cluster", *BASE, "-n", "lowpri", "-f", "cluster.json",
        "--storage-account-name", "acct",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert (
        "WARNING: compute.yml: dropped the cluster-wide mounts under $AZ_BATCHAI_MOUNT_ROOT"
        in done.err
    )
    text = (job_json / "compute.yml").read_text()
    assert "<not a real password>" not in text and MARKER_KEY not in text
    assert "# Dropped: the cluster-wide mounts under $AZ_BATCHAI_MOUNT_ROOT: afs" in text
    compute = load_compute(job_json / "compute.yml")
    assert (compute.name, compute.size, compute.tier) == ("lowpri", "STANDARD_NC6", "low_priority")
    assert (compute.min_instances, compute.max_instances) == (0, 2)
    assert compute.ssh_settings.admin_username == "demo"


def test_an_existing_job_exports_with_its_cluster(run_cli, tmp_path, monkeypatch):
    from azure.ai.ml import load_compute, load_job

    monkeypatch.chdir(tmp_path)
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    assert run_cli("experiment", "create", *BASE, "-n", "exp").code == 0
    assert run_cli("storage", "share", "create", "-n", "work", "--account-name", "acct1").code == 0
    cluster = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-s", "STANDARD_NC6", "-t", "0", "-u", "me",
        "-p", "Secret-Pw1", "--setup-task", "echo hi", "--setup-task-output", "$AZ_BATCHAI_MOUNT_ROOT",
    )  # fmt: skip
    assert cluster.code == 0, cluster.err
    job = {
        "properties": {
            "nodeCount": 1,
            "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
            "customToolkitSettings": {"commandLine": "ls $AZ_BATCHAI_JOB_MOUNT_ROOT/afs/in"},
            "secrets": [{"name": "TOKEN", "value": "s3cret-token"}],
        }
    }
    (tmp_path / "j.json").write_text(json.dumps(job))
    created = run_cli(
        "job", "create", *JOB_BASE, "-n", "j", "-c", "c", "-f", "j.json",
        "--storage-account-name", "acct1", "--afs-name", "work",
    )  # fmt: skip
    assert created.code == 0, created.err  # queued: the cluster has no nodes

    done = run_cli("export", "job", *JOB_BASE, "-n", "j", "--output-dir", "out", "-o", "tsv")
    assert done.code == 0, done.err
    rows = [line.split("\t") for line in done.out.splitlines()]  # file, kind, name
    assert [(file, kind) for file, kind, _ in rows] == [
        ("out/compute.yml", "compute"),
        (f"out/datastore-{rows[1][2]}.yml", "datastore"),
        ("out/job.yml", "job"),
    ]
    text = _all_text(tmp_path / "out")
    assert "s3cret-token" not in text and "Secret-Pw1" not in text
    assert "WARNING: job.yml: dropped the secret variables TOKEN" in done.err
    assert "WARNING: compute.yml: dropped the node setup task ('echo hi')" in done.err
    compute = load_compute(tmp_path / "out" / "compute.yml")
    assert (compute.name, compute.size, compute.min_instances, compute.max_instances) == (
        "c", "STANDARD_NC6", 0, 0,
    )  # fmt: skip
    loaded = load_job(tmp_path / "out" / "job.yml")._to_job()
    assert loaded.command == "ls ${{outputs.afs}}/in"
    assert loaded.compute == "c"
    # a GPU size: Azure ML's GPU image stands for the VM's own
    assert "cuda" in loaded.environment.image
    assert run_cli("job", "delete", *JOB_BASE, "-n", "j", "-y").code == 0


def test_a_missing_job_is_the_services_not_found(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    assert run_cli("experiment", "create", *BASE, "-n", "exp").code == 0
    done = run_cli("export", "job", *JOB_BASE, "-n", "nope")
    assert done.code == 1 and "(JobNotFound) The specified job nope is not found" in done.err
    assert not list(tmp_path.glob("*.yml"))


def test_an_existing_clusters_image_is_dropped_with_a_note_unless_it_is_the_default(
    run_cli, tmp_path, monkeypatch
):
    # A cluster created without -i reads back with Batch AI's default image (the service
    # filled it in): nobody asked for it, so the export has nothing to drop or to warn about.
    from azure.ai.ml import load_compute

    monkeypatch.chdir(tmp_path)
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    flags = ("-s", "STANDARD_NC6", "-t", "0", "-u", "me", "-p", "Secret-Pw1")
    for name, image in (
        ("plain", ()),
        ("lts", ("-i", "UbuntuLTS")),
        ("dsvm", ("-i", "UbuntuDSVM")),
    ):
        created = run_cli("cluster", "create", *BASE, "-n", name, *flags, *image)
        assert created.code == 0, created.err
    default = run_cli(
        "cluster", "show", *BASE, "-n", "plain", "--query", "virtualMachineConfiguration"
    )
    assert default.json()["imageReference"]["offer"] == "UbuntuServer"

    for name in ("plain", "lts"):  # (az's UbuntuLTS alias names the default, without version)
        plain = run_cli("export", "cluster", *BASE, "-n", name, "--output-dir", name)
        assert (plain.code, plain.err) == (0, "")
        assert "image" not in (tmp_path / name / "compute.yml").read_text()

    dsvm = run_cli("export", "cluster", *BASE, "-n", "dsvm", "--output-dir", "dsvm")
    assert dsvm.code == 0, dsvm.err
    image = "microsoft-ads:linux-data-science-vm-ubuntu:linuxdsvmubuntu"
    assert dsvm.err == (
        f"WARNING: compute.yml: dropped the VM image {image} (its comment there says what to do)\n"
    )
    text = (tmp_path / "dsvm" / "compute.yml").read_text()
    assert f"# Dropped: the VM image {image}" in text
    assert load_compute(tmp_path / "dsvm" / "compute.yml").size == "STANDARD_NC6"

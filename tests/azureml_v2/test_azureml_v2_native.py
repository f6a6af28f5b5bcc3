"""``batchai export``'s translation (backends/azureml_v2/native.py + render.py), toolkit by toolkit.

Each exported job is written as YAML and loaded with azure-ai-ml's own ``load_job``: the
command, distribution and inputs/outputs asserted are what azure-ai-ml read from the file.
What has no native equivalent must appear as a comment at its place and never as a value;
secrets must appear nowhere.
"""

from __future__ import annotations

import json
import warnings

import pytest
from guide import STORAGE_ACCOUNT, STORAGE_KEY, job_parameters

import batchai_compat.models as m
from batchai_compat.backends._azureml_common import naming
from batchai_compat.backends.azureml_v2 import native, render

IDENTITY = {"subscription": "sub-1", "resource_group": "rg", "workspace": "ws"}
CLUSTER_ID = (
    "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/c1"
)
SECRET = "top-secret-value"


def _blob(relative: str = "data") -> m.AzureBlobFileSystemReference:
    return m.AzureBlobFileSystemReference(
        account_name=STORAGE_ACCOUNT,
        container_name="datasets",
        credentials=m.AzureStorageCredentialsInfo(account_key=STORAGE_KEY),
        relative_mount_path=relative,
    )


def _job(**fields) -> m.JobCreateParameters:
    fields.setdefault("node_count", 1)
    fields.setdefault("std_out_err_path_prefix", "$AZ_BATCHAI_JOB_MOUNT_ROOT/data")
    fields.setdefault("mount_volumes", m.MountVolumes(azure_blob_file_systems=[_blob()]))
    return m.JobCreateParameters(cluster=m.ResourceId(id=CLUSTER_ID), **fields)


def _export(parameters, **kwargs) -> native.NativeJob:
    return native.export_job(
        parameters,
        job_name=kwargs.pop("job_name", "j1"),
        experiment="exp",
        cluster_name="c1",
        identity=IDENTITY,
        **kwargs,
    )


def _loaded(exported: native.NativeJob, tmp_path):
    """The job file as azure-ai-ml reads it (a ``CommandJob``)."""
    from azure.ai.ml import load_job

    path = tmp_path / "job.yml"
    path.write_text(render.yaml_text(exported.job))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # azure-ai-ml's experimental-field notices
        return load_job(path)._to_job()


def _comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))


def test_the_guide_tf_job_picks_each_roles_arguments_from_tf_config(tmp_path) -> None:
    parameters = job_parameters(m, CLUSTER_ID)
    exported = _export(parameters)
    job = _loaded(exported, tmp_path)
    command = job.command
    assert "AZ_BATCHAI" not in command and "batchai_compat" not in command
    lines = command.splitlines()
    assert lines[0].startswith('eval "$(python -c "') and "TF_CONFIG" in lines[0]
    assert lines[1] == 'if [ "$TF_ROLE" = ps ]; then'
    assert lines[2].startswith("  python ${{inputs.SCRIPT}}/mnist_replica.py --job_name=ps ")
    assert lines[3] == "else"
    assert lines[4].startswith("  python ${{inputs.SCRIPT}}/mnist_replica.py --job_name=worker ")
    for role_line in (lines[2], lines[4]):
        assert "--checkpoint_dir=${{outputs.MODEL}}" in role_line
        assert "--data_dir=${{inputs.DATASET}}" in role_line
        assert "--ps_hosts=$TF_PS_HOSTS --worker_hosts=$TF_WORKER_HOSTS" in role_line
        assert role_line.endswith("--task_index=$TF_INDEX")
    assert lines[5] == "fi"
    assert job.distribution.parameter_server_count == 1
    assert job.distribution.worker_count == 2
    assert job.resources.instance_count == 2
    assert job.environment.image == "tensorflow/tensorflow:1.8.0-gpu"
    assert job.limits.timeout == 7 * 24 * 3600
    store = naming.datastore_name("blob", STORAGE_ACCOUNT, "batchaisample")
    assert job.inputs["DATASET"].path == f"azureml://datastores/{store}/paths/mnist_dataset/"
    assert job.inputs["DATASET"].mode == "ro_mount"
    assert job.outputs["bfs"].path == f"azureml://datastores/{store}/paths/"
    assert job.outputs["bfs"].mode == "rw_mount"
    segment = "sub-1/rg/workspaces/ws/experiments/exp/jobs/j1/${{name}}"
    assert job.outputs["MODEL"].path == (
        f"azureml://datastores/workspaceblobstore/paths/batchai/{segment}/outputs/MODEL/"
    )
    assert job.compute == "c1" and job.experiment_name == "exp" and job.display_name == "j1"


def test_a_job_whose_roles_share_arguments_runs_them_as_they_are(tmp_path) -> None:
    settings = m.TensorFlowSettings(
        python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/data/train.py",
        master_command_line_args="--steps 10",
        worker_command_line_args="--steps 10",
        parameter_server_command_line_args="--steps 10",
        worker_count=2,
        parameter_server_count=1,
    )
    job = _loaded(_export(_job(node_count=2, tensor_flow_settings=settings)), tmp_path)
    assert job.command == "python ${{outputs.data}}/train.py --steps 10"


def test_master_arguments_go_to_worker_zero(tmp_path) -> None:
    settings = m.TensorFlowSettings(
        python_script_file_path="train.py",
        master_command_line_args="--chief",
        worker_command_line_args="--worker $AZ_BATCHAI_TASK_INDEX",
        worker_count=2,
    )
    job = _loaded(_export(_job(node_count=2, tensor_flow_settings=settings)), tmp_path)
    assert job.command.splitlines()[1:] == [
        'if [ "$TF_ROLE" = ps ]; then',
        "  python train.py",
        'elif [ "$TF_INDEX" = 0 ]; then',
        "  python train.py --chief",
        "else",
        "  python train.py --worker $TF_INDEX",
        "fi",
    ]


@pytest.mark.parametrize(
    ("fields", "command", "distribution"),
    [
        (
            {
                "node_count": 2,
                "horovod_settings": m.HorovodSettings(
                    python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/data/hvd.py",
                    command_line_args="--rank $AZ_BATCHAI_TASK_INDEX",
                    process_count=4,
                ),
            },
            "python ${{outputs.data}}/hvd.py --rank ${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}",
            {"type": "mpi", "process_count_per_instance": 2},
        ),
        (
            {
                "node_count": 2,
                "py_torch_settings": m.PyTorchSettings(
                    python_script_file_path="train.py",
                    command_line_args="--init $AZ_BATCHAI_PYTORCH_INIT_METHOD "
                    "--backend $AZ_BATCHAI_PYTORCH_BACKEND --rank $AZ_BATCHAI_TASK_INDEX",
                    process_count=2,
                    communication_backend="nccl",
                ),
            },
            "python train.py --init env:// --backend nccl --rank $RANK",
            {"type": "pytorch", "process_count_per_instance": 1},
        ),
        (
            {
                "custom_mpi_settings": m.CustomMpiSettings(
                    command_line="python $AZ_BATCHAI_INPUT_D/x.py", process_count=2
                ),
                "input_directories": [
                    m.InputDirectory(id="D", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/data/in")
                ],
            },
            "python ${{inputs.D}}/x.py",
            {"type": "mpi", "process_count_per_instance": 2},
        ),
        (
            {
                "cntk_settings": m.CNTKsettings(
                    language_type="BrainScript",
                    config_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/data/cifar.cntk",
                    command_line_args="DataDir=$AZ_BATCHAI_OUTPUT_OUT",
                ),
                "output_directories": [
                    m.OutputDirectory(id="OUT", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/data")
                ],
            },
            "cntk configFile=${{outputs.data}}/cifar.cntk DataDir=${{outputs.OUT}}",
            {"type": "mpi", "process_count_per_instance": 1},
        ),
        (
            {"caffe_settings": m.CaffeSettings(config_file_path="solver.prototxt")},
            "caffe train --solver=solver.prototxt",
            {"type": "mpi", "process_count_per_instance": 1},
        ),
        (
            {
                "node_count": 2,
                "caffe2_settings": m.Caffe2Settings(
                    python_script_file_path="c2.py",
                    command_line_args="--shard $AZ_BATCHAI_TASK_INDEX",
                ),
            },
            "python c2.py --shard ${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}",
            {"type": "mpi", "process_count_per_instance": 1},
        ),
        (
            {
                "custom_toolkit_settings": m.CustomToolkitSettings(
                    command_line="echo $AZ_BATCHAI_TASK_INDEX > $AZ_BATCHAI_STDOUTERR_DIR/x"
                )
            },
            "echo 0 > ${{outputs.stdouterr}}/x",
            None,
        ),
    ],
    ids=["horovod", "pytorch", "custom-mpi", "cntk", "caffe", "caffe2", "custom"],
)
def test_each_toolkit_runs_its_own_program(fields, command, distribution, tmp_path) -> None:
    exported = _export(_job(**fields))
    assert exported.job.document.get("distribution") == distribution
    job = _loaded(exported, tmp_path)
    assert job.command == command


def test_a_multi_node_custom_command_runs_on_the_first_node_only(tmp_path) -> None:
    exported = _export(
        _job(node_count=3, custom_toolkit_settings=m.CustomToolkitSettings(command_line="run.sh"))
    )
    job = _loaded(exported, tmp_path)
    assert job.command.splitlines() == [
        'if [ "${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}" = 0 ]; then',
        "  run.sh",
        "fi",
    ]
    assert job.distribution.process_count_per_instance == 1
    assert job.resources.instance_count == 3
    assert "on rank 0 only" in render.yaml_text(exported.job)


def test_variables_referencing_batch_ai_places_are_set_by_the_command(tmp_path) -> None:
    exported = _export(
        _job(
            custom_toolkit_settings=m.CustomToolkitSettings(command_line="python a.py"),
            environment_variables=[
                m.EnvironmentVariable(name="PLAIN", value="1"),
                m.EnvironmentVariable(name="DATA", value='$AZ_BATCHAI_JOB_MOUNT_ROOT/data/"x"'),
            ],
        )
    )
    job = _loaded(exported, tmp_path)
    assert job.environment_variables == {"PLAIN": "1"}
    assert job.command == 'export DATA="${{outputs.data}}/\\"x\\""\npython a.py'


def test_what_has_no_equivalent_is_a_comment_at_its_place_and_secrets_go_nowhere(
    tmp_path,
) -> None:
    file_server = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/fileServers/nfs1"
    parameters = _job(
        custom_toolkit_settings=m.CustomToolkitSettings(
            command_line="ls $AZ_BATCHAI_MOUNT_ROOT/shared $AZ_BATCHAI_JOB_MOUNT_ROOT/nfs"
        ),
        job_preparation=m.JobPreparation(command_line="pip install -r req.txt"),
        secrets=[m.EnvironmentVariableWithSecretValue(name="TOKEN", value=SECRET)],
        mount_volumes=m.MountVolumes(
            azure_blob_file_systems=[_blob()],
            file_servers=[
                m.FileServerReference(
                    file_server=m.ResourceId(id=file_server), relative_mount_path="nfs"
                )
            ],
        ),
        container_settings=m.ContainerSettings(
            image_source_registry=m.ImageSourceRegistry(
                server_url="myregistry.azurecr.io",
                image="myregistry.azurecr.io/train:1",
                credentials=m.PrivateRegistryCredentials(username="u", password=SECRET),
            )
        ),
    )
    exported = _export(parameters)
    text = render.yaml_text(exported.job)
    stores = [render.yaml_text(d) for d in exported.datastores]
    assert SECRET not in text and STORAGE_KEY not in text + "".join(stores)
    lines = text.splitlines()

    def comments_before(key: str) -> str:
        index = lines.index(next(line for line in lines if line.startswith(f"{key}:")))
        block = []
        for line in reversed(lines[:index]):
            if not line.startswith("#"):
                break
            block.append(line)
        return " ".join(reversed(block))

    command_notes = comments_before("command")
    assert "job preparation ('pip install -r req.txt')" in command_notes
    assert "$AZ_BATCHAI_MOUNT_ROOT is left as written" in command_notes
    assert "$AZ_BATCHAI_JOB_MOUNT_ROOT is left as written" in command_notes  # nfs: dropped
    environment_notes = comments_before("environment")
    assert "secret variables TOKEN" in environment_notes and "Key Vault" in environment_notes
    assert "registry credentials of myregistry.azurecr.io" in environment_notes
    assert "AcrPull" in environment_notes
    assert "file server nfs1" in comments_before("outputs")
    job = _loaded(exported, tmp_path)
    assert job.environment.image == "myregistry.azurecr.io/train:1"
    assert set(job.outputs) == {"data"}  # the file server is not mounted
    assert "TOKEN" not in (job.environment_variables or {})
    for store in stores:  # written without credentials (a comment says how to add them)
        assert not [line for line in store.splitlines() if line.startswith("credentials")]
        assert "account_key" in _comments(store)


def test_outputs_land_where_the_backend_puts_them_for_the_same_job_uuid() -> None:
    exported = _export(job_parameters(m, CLUSTER_ID), job_uuid="u-1")
    from batchai_compat.backends.azureml_v2 import translate

    backend = translate.job_document(
        job_parameters(m, CLUSTER_ID),
        job_name="j1",
        experiment="exp",
        cluster_name="c1",
        job_uuid="u-1",
        identity=IDENTITY,
    ).document
    ours = {(v["path"], v["mode"]) for v in exported.job.document["outputs"].values()}
    theirs = {(v["path"], v["mode"]) for v in backend["outputs"].values()}
    assert theirs - ours == {(translate.output_place(_segment("u-1"), "stdouterr").uri, "rw_mount")}
    assert ours <= theirs
    ours_in = {(v["path"], v["mode"]) for v in exported.job.document["inputs"].values()}
    assert ours_in == {(v["path"], v["mode"]) for v in backend["inputs"].values()}


def _segment(uuid: str) -> str:
    return f"sub-1/rg/workspaces/ws/experiments/exp/jobs/j1/{uuid}"


def test_cluster_export_drops_node_setup_and_secrets_with_notes(tmp_path) -> None:
    from azure.ai.ml import load_compute

    parameters = m.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        vm_priority="lowpriority",
        scale_settings=m.ScaleSettings(
            auto_scale=m.AutoScaleSettings(
                minimum_node_count=0, maximum_node_count=4, initial_node_count=2
            )
        ),
        user_account_settings=m.UserAccountSettings(
            admin_user_name="demo", admin_user_password=SECRET
        ),
        virtual_machine_configuration=m.VirtualMachineConfiguration(
            image_reference=m.ImageReference(publisher="p", offer="o", sku="s")
        ),
        node_setup=m.NodeSetup(
            setup_task=m.SetupTask(
                command_line="apt-get install -y x", std_out_err_path_prefix="/t"
            ),
            mount_volumes=m.MountVolumes(azure_blob_file_systems=[_blob("shared")]),
        ),
    )
    exported = native.export_compute(parameters, "c1", "sub-1")
    text = render.yaml_text(exported)
    assert SECRET not in text and STORAGE_KEY not in text
    head = _comments(text.split("$schema", 1)[0])
    assert "setup task ('apt-get install -y x')" in head
    assert "cluster-wide mounts under $AZ_BATCHAI_MOUNT_ROOT: shared" in head
    assert "initial_node_count=2" in head
    assert "Dropped: the VM image p:o:s." in _comments(text)
    path = tmp_path / "compute.yml"
    path.write_text(text)
    compute = load_compute(path)
    assert (compute.size, compute.tier) == ("STANDARD_NC6", "low_priority")
    assert (compute.min_instances, compute.max_instances) == (0, 4)
    assert compute.ssh_settings.admin_username == "demo"
    assert compute.ssh_settings.admin_password is None


def test_export_leaves_its_input_untouched() -> None:
    parameters = job_parameters(m, CLUSTER_ID)
    before = json.dumps(parameters.as_dict(), sort_keys=True)
    _export(parameters)
    assert json.dumps(parameters.as_dict(), sort_keys=True) == before

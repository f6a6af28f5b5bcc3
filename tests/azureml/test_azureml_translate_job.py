"""JobCreateParameters → ScriptRunConfig, asserted on the serialized run configuration (the
``Configuration`` body azureml-core sends when it starts the run)."""

from __future__ import annotations

import json
from datetime import timedelta

import azure.mgmt.batchai.models as genuine
import pytest
from azureml.core._serialization_utils import _serialize_to_dict
from azureml.core.script_run_config import get_run_config_from_script_run
from guide import ADMIN_PASSWORD, STORAGE_KEY, job_parameters

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming, runs
from batchai_compat.backends.azureml import translate
from batchai_compat.exceptions import NoEquivalentError, ValidationError

CLUSTER_ID = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/nc6"
)
SECRET_VALUE = "token-value-never-in-run-config"


def submit(params: object, **kwargs: object) -> translate.JobSubmission:
    return translate.job_submission(
        params, job_name="job1", experiment="exp", cluster_name="nc6", job_uuid="6f1c", **kwargs
    )


def run_configuration(submission: translate.JobSubmission) -> dict:
    return _serialize_to_dict(get_run_config_from_script_run(submission.run_config))


def job(**fields: object) -> models.JobCreateParameters:
    fields.setdefault("node_count", 1)
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=CLUSTER_ID),
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        **fields,
    )


@pytest.mark.parametrize("m", [models, genuine], ids=["ours", "genuine-2.0.0"])
def test_guide_tensorflow_job(m) -> None:
    submission = submit(job_parameters(m, CLUSTER_ID))
    config = run_configuration(submission)
    assert config["nodeCount"] == 2
    assert (config["framework"], config["communicator"]) == ("TensorFlow", "ParameterServer")
    assert config["tensorflow"] == {"workerCount": 2, "parameterServerCount": 1}
    assert config["target"] == "nc6"
    assert config["environment"]["docker"]["baseImage"] == "tensorflow/tensorflow:1.8.0-gpu"
    assert config["environment"]["python"]["userManagedDependencies"] is True
    assert config["command"] == ["python", naming.NODE_APP_NAME]
    # one mount per volume plus the input directories under them
    refs = {
        (r["dataStoreName"], r["pathOnDataStore"], r["mode"])
        for r in config["dataReferences"].values()
    }
    blob = naming.datastore_name("blob", "guidestorage", "batchaisample")
    share = naming.datastore_name("file", "guidestorage", "batchaisample")
    assert refs == {
        (blob, None, "mount"),
        (share, None, "mount"),
        (blob, "tensorflow_samples", "mount"),
        (blob, "mnist_dataset", "mount"),
    }
    assert {d.name for d in submission.datastores} == {blob, share}
    assert submission.tags == {
        naming.TAG_JOB_NAME: "job1",
        naming.TAG_EXPERIMENT: "exp",
        naming.TAG_CLUSTER: "nc6",
        naming.TAG_JOB_UUID: "6f1c",
    }
    manifest = json.loads(config["environmentVariables"][naming.MANIFEST_VARIABLE])
    assert manifest == submission.manifest
    assert manifest["tool_type"] == "tensorflow"
    assert manifest["parameters"]["tensor_flow_settings"][
        "parameter_server_command_line_args"
    ].startswith("--job_name=ps")


def test_node_count_wins_over_worker_count() -> None:
    params = job(
        node_count=2,
        tensor_flow_settings=models.TensorFlowSettings(
            python_script_file_path="train.py", worker_count=4, parameter_server_count=2
        ),
    )
    config = run_configuration(submit(params))
    assert config["nodeCount"] == 2
    assert config["tensorflow"] == {"workerCount": 4, "parameterServerCount": 2}


def test_storage_keys_and_secrets_never_reach_the_run_configuration() -> None:
    params = job_parameters(models, CLUSTER_ID)
    params.secrets = [
        models.EnvironmentVariableWithSecretValue(name="API_TOKEN", value=SECRET_VALUE)
    ]
    params.environment_variables = [models.EnvironmentVariable(name="MODE", value="train")]
    submission = submit(params)
    text = (
        json.dumps(run_configuration(submission))
        + json.dumps(submission.manifest)
        + repr(submission)
    )
    for secret in (SECRET_VALUE, STORAGE_KEY, ADMIN_PASSWORD):
        assert secret not in text
    (vault_name,) = submission.secrets
    assert submission.secrets[vault_name] == SECRET_VALUE
    assert submission.manifest["secrets"] == {"API_TOKEN": vault_name}
    assert run_configuration(submission)["environmentVariables"]["MODE"] == "train"
    assert all(spec.account_key == STORAGE_KEY for spec in submission.datastores)
    assert STORAGE_KEY not in repr(submission.datastores)


def test_horovod_is_mpi_with_processes_per_node() -> None:
    params = job(
        node_count=2,
        horovod_settings=models.HorovodSettings(
            python_script_file_path="train.py", process_count=4
        ),
    )
    config = run_configuration(submit(params))
    assert (config["nodeCount"], config["communicator"]) == (2, "IntelMpi")
    assert config["mpi"] == {"processCountPerNode": 2, "nodeCount": 2}


def test_uneven_mpi_process_count_has_no_equivalent() -> None:
    params = job(
        node_count=2,
        custom_mpi_settings=models.CustomMpiSettings(command_line="python x.py", process_count=3),
    )
    with pytest.raises(NoEquivalentError, match="multiple of node_count"):
        submit(params)


def test_pytorch_distribution() -> None:
    params = job(
        node_count=2,
        py_torch_settings=models.PyTorchSettings(
            python_script_file_path="train.py", process_count=2, communication_backend="gloo"
        ),
    )
    config = run_configuration(submit(params))
    assert (config["framework"], config["nodeCount"]) == ("PyTorch", 2)
    assert config["pytorch"] == {"communicationBackend": "gloo", "processCount": 2, "nodeCount": 2}


def test_custom_toolkit_runs_one_process() -> None:
    config = run_configuration(
        submit(job(custom_toolkit_settings=models.CustomToolkitSettings(command_line="echo hi")))
    )
    assert config["nodeCount"] == 1
    assert config["communicator"] == "None"


def test_max_wall_clock_time() -> None:
    def duration(constraints: object) -> int:
        params = job(
            custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
            constraints=constraints,
        )
        return run_configuration(submit(params))["maxRunDurationSeconds"]

    assert (
        duration(models.JobBasePropertiesConstraints(max_wall_clock_time=timedelta(hours=2)))
        == 7200
    )
    # 2.0.0's own default string (which it could not serialize) is accepted
    default = genuine.JobBasePropertiesConstraints().max_wall_clock_time
    assert (
        duration(models.JobBasePropertiesConstraints(max_wall_clock_time=default)) == 7 * 24 * 3600
    )
    assert duration(None) == 7 * 24 * 3600  # Batch AI's default: one week


def test_private_registry_password_has_no_equivalent_but_address_and_user_map() -> None:
    def with_registry(credentials: object) -> models.JobCreateParameters:
        return job(
            custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
            container_settings=models.ContainerSettings(
                image_source_registry=models.ImageSourceRegistry(
                    server_url="https://myreg.azurecr.io",
                    image="myreg.azurecr.io/train:1",
                    credentials=credentials,
                )
            ),
        )

    with pytest.raises(NoEquivalentError, match="password"):
        submit(
            with_registry(models.PrivateRegistryCredentials(username="u", password="registry-pw"))
        )
    config = run_configuration(
        submit(with_registry(models.PrivateRegistryCredentials(username="u")))
    )
    registry = config["environment"]["docker"]["baseImageRegistry"]
    assert (registry["address"], registry["username"], registry["password"]) == (
        "myreg.azurecr.io",
        "u",
        None,
    )


@pytest.mark.parametrize(
    "mounts",
    [
        models.MountVolumes(
            file_servers=[
                models.FileServerReference(
                    file_server=models.ResourceId(id="/fs"), relative_mount_path="nfs"
                )
            ]
        ),
        models.MountVolumes(
            unmanaged_file_systems=[
                models.UnmanagedFileSystemReference(
                    mount_command="mount x", relative_mount_path="u"
                )
            ]
        ),
    ],
    ids=["file_server", "unmanaged"],
)
def test_mounts_without_datastore_equivalent(mounts: models.MountVolumes) -> None:
    with pytest.raises(NoEquivalentError):
        submit(
            job(
                custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
                mount_volumes=mounts,
            )
        )


def test_bad_job_input() -> None:
    with pytest.raises(ValidationError, match="exactly one toolkit"):
        submit(job())
    bad_url = models.MountVolumes(
        azure_file_shares=[
            models.AzureFileShareReference(
                account_name="a",
                azure_file_url="not a url",
                relative_mount_path="afs",
                credentials=models.AzureStorageCredentialsInfo(account_key="k"),
            )
        ]
    )
    with pytest.raises(ValidationError, match="azure_file_url"):
        submit(
            job(
                custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
                mount_volumes=bad_url,
            )
        )


def test_a_share_folder_is_mounted_at_that_folder_and_inputs_under_it() -> None:
    share = models.MountVolumes(
        azure_file_shares=[
            models.AzureFileShareReference(
                account_name="acct",
                azure_file_url="https://acct.file.core.windows.net/share/runs/2018",
                relative_mount_path="afs",
                credentials=models.AzureStorageCredentialsInfo(account_key="k"),
            )
        ]
    )
    params = job(
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="true"),
        mount_volumes=share,
        input_directories=[
            models.InputDirectory(id="DATA", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs/data")
        ],
    )
    references = run_configuration(submit(params))["dataReferences"]
    name = naming.datastore_name("file", "acct", "share")
    assert {(r["dataStoreName"], r["pathOnDataStore"]) for r in references.values()} == {
        (name, "runs/2018"),
        (name, "runs/2018/data"),
    }


def test_datastore_names_are_deterministic_and_distinct() -> None:
    a = naming.datastore_name("blob", "acct", "data-set")
    assert a == naming.datastore_name("blob", "acct", "data-set")
    assert a != naming.datastore_name("blob", "acct", "data_set")
    assert a != naming.datastore_name("file", "acct", "data-set")
    assert a.replace("_", "").isalnum()


@pytest.mark.parametrize(
    "status, expected",
    [
        ("NotStarted", "queued"),
        ("Queued", "queued"),
        ("Preparing", "queued"),
        ("Starting", "queued"),
        ("Running", "running"),
        ("CancelRequested", "terminating"),
        ("Finalizing", "terminating"),
        ("Completed", "succeeded"),
        ("Failed", "failed"),
        ("Canceled", "failed"),
    ],
)
def test_run_states_follow_the_design_table(status: str, expected: str) -> None:
    assert runs.execution_state(status) == expected
    assert expected in {state.value for state in genuine.ExecutionState}


@pytest.mark.parametrize(
    "run_file, name",
    [
        ("logs/stdouterr/stdout-wk-0.txt", "stdout-wk-0.txt"),
        ("logs/stdouterr/stderr-ps-0.txt", "stderr-ps-0.txt"),
        ("azureml-logs/70_driver_log.txt", "stdout.txt"),
        ("azureml-logs/70_driver_log_1.txt", "stdout-1.txt"),
        ("azureml-logs/70_driver_log_ps_0.txt", "stdout-ps-0.txt"),
        ("user_logs/std_log_process_3.txt", "stdout-3.txt"),
        ("azureml-logs/55_azureml-execution-tvmps_abc.txt", "execution-tvmps_abc.log"),
        ("outputs/MODEL/model.ckpt", None),
    ],
)
def test_run_history_log_names(run_file: str, name: str | None) -> None:
    assert runs.batchai_log_name(run_file) == name


def test_output_file_names() -> None:
    assert runs.output_file_name("outputs/MODEL/ckpt/1.index", "MODEL") == "ckpt/1.index"
    assert runs.output_file_name("outputs/MODELS/x", "MODEL") is None

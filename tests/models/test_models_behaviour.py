"""Behaviour old Batch AI code relies on: construction rules, bad input, mutation, copies,
equality, enums, durations, service-side (read-only) fields."""

import copy
import datetime as dt
import json
import pickle
import uuid
import warnings

import azure.mgmt.batchai.models as genuine
import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import IgnoredParameterWarning, ValidationError


def guide_cluster_parameters(m=models, **extra):
    """The migration guide's ClusterCreateParameters."""
    return m.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=2)),
        user_account_settings=m.UserAccountSettings(
            admin_user_name="demoUser",
            admin_user_password="Pa55word!",
            admin_user_ssh_public_key="",
        ),
        **extra,
    )


def guide_job_parameters(m=models):
    """The migration guide's JobCreateParameters (TensorFlow, file share + blob mounts)."""
    credentials = m.AzureStorageCredentialsInfo(account_key="c2VjcmV0LWtleQ==")
    return m.JobCreateParameters(
        cluster=m.ResourceId(
            id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/w/clusters/nc6"
        ),
        node_count=2,
        input_directories=[
            m.InputDirectory(id="SCRIPT", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/bfs/scripts"),
            m.InputDirectory(id="DATASET", path="$AZ_BATCHAI_JOB_MOUNT_ROOT/bfs/mnist"),
        ],
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        output_directories=[
            m.OutputDirectory(
                id="MODEL", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs", path_suffix="Models"
            ),
        ],
        mount_volumes=m.MountVolumes(
            azure_file_shares=[
                m.AzureFileShareReference(
                    account_name="acct",
                    credentials=credentials,
                    azure_file_url="https://acct.file.core.windows.net/share",
                    relative_mount_path="afs",
                )
            ],
            azure_blob_file_systems=[
                m.AzureBlobFileSystemReference(
                    account_name="acct",
                    credentials=credentials,
                    container_name="c",
                    relative_mount_path="bfs",
                )
            ],
        ),
        container_settings=m.ContainerSettings(
            image_source_registry=m.ImageSourceRegistry(image="tensorflow/tensorflow:1.8.0-gpu")
        ),
        tensor_flow_settings=m.TensorFlowSettings(
            parameter_server_count=1,
            worker_count=2,
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/mnist_replica.py",
            master_command_line_args="--job_name=worker",
            worker_command_line_args="--job_name=worker",
            parameter_server_command_line_args="--job_name=ps",
        ),
    )


def test_guide_parameters_serialize_like_genuine():
    assert guide_cluster_parameters().serialize() == guide_cluster_parameters(genuine).serialize()
    assert guide_job_parameters().serialize() == guide_job_parameters(genuine).serialize()
    assert guide_job_parameters().as_dict() == guide_job_parameters(genuine).as_dict()


# --- construction and bad input ------------------------------------------------------------


def test_positional_arguments_are_rejected_like_genuine():
    with pytest.raises(TypeError):
        genuine.ResourceId("x")
    with pytest.raises(TypeError, match="keyword arguments only"):
        models.ResourceId("x")


@pytest.mark.parametrize(
    ("kwargs", "parameter", "fragment"),
    [
        ({"node_count": "two"}, "node_count", "integer"),
        ({"node_count": 1.5}, "node_count", "integer"),
        ({"cluster": 42}, "cluster", "ResourceId"),
        ({"scheduling_priority": "urgent"}, "scheduling_priority", "'low', 'normal', 'high'"),
        (
            {"input_directories": [models.InputDirectory(id="A", path="p"), "B"]},
            "input_directories[1]",
            "InputDirectory",
        ),
        ({"input_directories": "A"}, "input_directories", "list"),
        ({"std_out_err_path_prefix": ["a"]}, "std_out_err_path_prefix", "string"),
        ({"cluster": {"id": 7}}, "cluster.id", "string"),
    ],
)
def test_wrong_types_and_unknown_enum_values(kwargs, parameter, fragment):
    args = {
        "cluster": models.ResourceId(id="c"),
        "node_count": 1,
        "std_out_err_path_prefix": "p",
        **kwargs,
    }
    with pytest.raises(ValidationError) as info:
        models.JobCreateParameters(**args)
    assert info.value.parameter == parameter
    assert fragment in str(info.value)
    assert "pydantic" not in type(info.value).__module__


def test_lax_coercion_of_plain_values():
    job = models.JobCreateParameters(
        cluster={"id": "c"}, node_count="3", std_out_err_path_prefix="p"
    )
    assert job.node_count == 3
    assert job.cluster == models.ResourceId(id="c")
    cluster = models.Cluster.from_service(creation_time="2018-06-01T10:00:00Z")
    assert cluster.creation_time == dt.datetime(2018, 6, 1, 10, tzinfo=dt.timezone.utc)


def test_unknown_keywords_are_ignored_with_one_warning_per_class_and_keyword():
    keyword = f"location_{uuid.uuid4().hex}"
    with pytest.warns(IgnoredParameterWarning, match=keyword) as record:
        first = models.ClusterCreateParameters(
            vm_size="STANDARD_NC6",
            user_account_settings=models.UserAccountSettings(admin_user_name="demoUser"),
            **{keyword: "eastus"},
        )
    assert len(record) == 1
    assert record[0].filename == __file__  # points at the caller's line
    assert keyword not in vars(first)
    assert first.serialize() == {
        "properties": {
            "vmSize": "STANDARD_NC6",
            "vmPriority": "dedicated",
            "userAccountSettings": {"adminUserName": "demoUser"},
        }
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        guide_cluster_parameters(**{keyword: "westus"})  # same class + keyword: silent
    with pytest.warns(IgnoredParameterWarning):
        models.ResourceId(id="x", **{keyword: 1})  # another class warns again


def test_the_recipes_location_keyword_can_be_silenced_by_category():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", IgnoredParameterWarning)
        params = guide_cluster_parameters(location="eastus")
    assert params.vm_size == "STANDARD_NC6"


def test_read_only_keywords_are_ignored_by_the_public_constructor():
    from batchai_compat.models import _base

    _base._WARNED.discard(
        (models.Experiment, "id")
    )  # once per process: other tests may have warned
    with pytest.warns(IgnoredParameterWarning, match="read-only"):
        experiment = models.Experiment(id="/x")
    assert experiment.id is None


def test_empty_strings_are_accepted_where_genuine_accepted_them():
    settings = models.UserAccountSettings(admin_user_name="u", admin_user_ssh_public_key="")
    assert settings.admin_user_ssh_public_key == ""
    assert (
        settings.serialize()
        == genuine.UserAccountSettings(
            admin_user_name="u", admin_user_ssh_public_key=""
        ).serialize()
    )


# --- plain mutable attributes ----------------------------------------------------------------


def test_fields_are_plain_mutable_attributes():
    params = guide_job_parameters()
    assert params.constraints is None
    params.constraints = models.JobBasePropertiesConstraints(max_wall_clock_time="1.00:00:00")
    params.node_count = 4
    params.environment_variables = [models.EnvironmentVariable(name="A", value="1")]
    params.environment_variables.append(models.EnvironmentVariable(name="B", value="2"))
    params.job_preparation = {"command_line": "pip install x"}  # a dict of the model's fields
    body = params.serialize()["properties"]
    assert body["nodeCount"] == 4
    assert body["constraints"] == {"maxWallClockTime": "P1D"}
    assert [e["name"] for e in body["environmentVariables"]] == ["A", "B"]
    assert body["jobPreparation"] == {"commandLine": "pip install x"}
    with pytest.raises(ValidationError) as info:
        params.node_count = "many"
    assert info.value.parameter == "node_count"
    assert params.node_count == 4


def test_vars_is_exactly_the_fields_and_caller_lists_are_kept():
    directories = [models.InputDirectory(id="A", path="p")]
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="p",
        input_directories=directories,
    )
    assert params.input_directories is directories
    assert set(vars(params)) == set(models.JobCreateParameters._attribute_map)


def test_deepcopy_pickle_and_equality_by_value():
    params = guide_job_parameters()
    clone = copy.deepcopy(params)
    assert clone == params and clone is not params
    assert clone.mount_volumes is not params.mount_volumes
    clone.mount_volumes.azure_file_shares[0].relative_mount_path = "other"
    assert clone != params
    assert params.mount_volumes.azure_file_shares[0].relative_mount_path == "afs"
    assert pickle.loads(pickle.dumps(params)) == params
    assert models.ResourceId(id="a") != genuine.ResourceId(id="a")
    assert models.ResourceId(id="a") != models.InputDirectory(id="a", path="a")
    with pytest.raises(TypeError):
        hash(models.ResourceId(id="a"))


def test_json_dumps_through_dunder_dict_like_the_recipes():
    text = json.dumps(guide_job_parameters(), default=lambda o: o.__dict__)
    data = json.loads(text)
    assert data["tensor_flow_settings"]["worker_count"] == 2
    assert data["scheduling_priority"] == "normal"
    assert data == json.loads(
        json.dumps(
            guide_job_parameters(genuine),
            default=lambda o: {k: v for k, v in o.__dict__.items() if k != "additional_properties"},
        )
    )


def test_helpers_rebuild_parameters_from_attribute_map_keys():
    """The recipes' convert_job_to_jcp copies a Job's fields named in JobCreateParameters._attribute_map."""
    job = models.Job.from_service(
        id="/j",
        name="j",
        cluster=models.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="p",
        execution_state="running",
        tool_type="tensorflow",
    )
    kwargs = {k: getattr(job, k) for k in models.JobCreateParameters._attribute_map.keys()}  # noqa: SIM118 - as the recipes wrote it
    params = models.JobCreateParameters(**kwargs)
    assert params.cluster.id == "c"


def test_validate_reports_required_fields_set_to_none_later():
    params = guide_job_parameters()
    assert params.validate() == []
    params.cluster = None
    params.mount_volumes.azure_file_shares[0].credentials = None
    errors = params.validate()
    assert [e.parameter for e in errors] == [
        "cluster",
        "mount_volumes.azure_file_shares[0].credentials",
    ]
    assert "cluster" not in params.serialize()["properties"]  # left out, as msrest did


# --- enums -----------------------------------------------------------------------------------


def test_enum_fields_accept_member_or_string_in_any_case_and_hold_the_member():
    params = guide_cluster_parameters(vm_priority="LowPriority")
    assert params.vm_priority is models.VmPriority.lowpriority
    params.vm_priority = models.VmPriority.dedicated
    assert params.vm_priority is models.VmPriority.dedicated
    disks = models.DataDisks(disk_size_in_gb=1, disk_count=1, storage_account_type="premium_lrs")
    assert disks.storage_account_type is models.StorageAccountType.premium_lrs
    assert disks.serialize()["storageAccountType"] == "Premium_LRS"
    assert f"{models.ExecutionState.running}" == "running" == str(models.ExecutionState.running)
    assert models.ExecutionState["RUNNING"] is models.ExecutionState.running


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected", "iso"),
    [
        ("7.00:00:00", dt.timedelta(days=7), "P7D"),
        ("01:30:00", dt.timedelta(hours=1, minutes=30), "PT1H30M"),
        (
            "1.02:03:04.5",
            dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000),
            "P1DT2H3M4.5S",
        ),
        ("P2DT3H", dt.timedelta(days=2, hours=3), "P2DT3H"),
        (dt.timedelta(minutes=5), dt.timedelta(minutes=5), "PT5M"),
    ],
)
def test_max_wall_clock_time_accepts_timedelta_and_batch_ai_strings(given, expected, iso):
    constraints = models.JobBasePropertiesConstraints(max_wall_clock_time=given)
    assert constraints.max_wall_clock_time == expected
    assert constraints.serialize() == {"maxWallClockTime": iso}
    assert (
        constraints.serialize()
        == genuine.JobBasePropertiesConstraints(max_wall_clock_time=expected).serialize()
    )


def test_default_max_wall_clock_time_serializes_where_genuine_could_not():
    with pytest.raises(Exception):  # noqa: B017 - the 2.0.0 bug this library fixes
        genuine.JobBasePropertiesConstraints().serialize()
    assert models.JobBasePropertiesConstraints().serialize() == {"maxWallClockTime": "P7D"}
    assert models.JobPropertiesConstraints().max_wall_clock_time == dt.timedelta(days=7)


def test_bad_duration_names_the_field():
    with pytest.raises(ValidationError) as info:
        models.JobBasePropertiesConstraints(max_wall_clock_time="a week")
    assert info.value.parameter == "max_wall_clock_time"
    assert "7.00:00:00" in str(info.value)


# --- service-side models ---------------------------------------------------------------------


def test_backends_build_service_models_with_read_only_fields():
    now = dt.datetime(2018, 6, 1, tzinfo=dt.timezone.utc)
    cluster = models.Cluster.from_service(
        id="/c",
        name="nc6",
        type="Microsoft.BatchAI/workspaces/clusters",
        vm_size="STANDARD_NC6",
        creation_time=now,
        provisioning_state="succeeded",
        allocation_state="steady",
        current_node_count=2,
        node_state_counts=models.NodeStateCounts.from_service(idle_node_count=2),
    )
    assert cluster.provisioning_state is models.ProvisioningState.succeeded
    assert cluster.vm_priority is models.VmPriority.dedicated  # constructor default applies
    assert cluster.node_state_counts.idle_node_count == 2
    assert "id" not in cluster.serialize()
    assert cluster.serialize(keep_readonly=True)["properties"]["allocationState"] == "steady"
    cluster.errors = [
        models.BatchAIError.from_service(code="E", message="m")
    ]  # plain assignment works too
    assert cluster.as_dict()["errors"] == [{"code": "E", "message": "m"}]
    with pytest.raises(ValidationError) as info:
        models.Cluster.from_service(colour="red")
    assert info.value.parameter == "colour"


def test_a_model_of_the_same_wire_shape_is_converted_like_msrest_accepted_it():
    """convert_job_to_jcp puts a Job's JobPropertiesConstraints into JobCreateParameters."""
    job = models.Job.from_service(
        constraints=models.JobPropertiesConstraints(max_wall_clock_time="02:00:00")
    )
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id="c"), node_count=1, std_out_err_path_prefix="p"
    )
    params.constraints = job.constraints
    assert params.constraints == models.JobBasePropertiesConstraints(
        max_wall_clock_time=dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError) as info:
        params.cluster = models.InputDirectory(id="c", path="p")
    assert info.value.parameter == "cluster"
    assert "path" in str(info.value)


def test_a_genuine_model_object_is_accepted_where_ours_is_expected():
    params = models.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"), node_count=1, std_out_err_path_prefix="p"
    )
    assert params.cluster == models.ResourceId(id="c")
    params.mount_volumes = genuine.MountVolumes(
        azure_file_shares=[
            genuine.AzureFileShareReference(
                account_name="a",
                azure_file_url="u",
                credentials=genuine.AzureStorageCredentialsInfo(account_key="k"),
                relative_mount_path="r",
            )
        ]
    )
    share = params.mount_volumes.azure_file_shares[0]
    assert isinstance(share, models.AzureFileShareReference)
    assert share.credentials.account_key == "k"

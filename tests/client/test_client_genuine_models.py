"""Request models built with the genuine azure-mgmt-batchai 2.0.0 classes are accepted.

Helper modules that were not switched to ``batchai_compat`` still build their parameters with
``azure.mgmt.batchai.models``; the client takes them as it takes its own models.
"""

import datetime

import azure.mgmt.batchai.models as genuine
import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import ValidationError

RG, WS, EXP = "rg", "ws", "exp"


def _cluster_parameters(m):
    return m.ClusterCreateParameters(
        vm_size="STANDARD_D1",
        scale_settings=m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=0)),
        user_account_settings=m.UserAccountSettings(
            admin_user_name="demo", admin_user_password="Not-a-real-1"
        ),
    )


def _job_parameters(m, cluster_id):
    return m.JobCreateParameters(
        cluster=m.ResourceId(id=cluster_id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
        custom_toolkit_settings=m.CustomToolkitSettings(command_line="echo hi"),
        environment_variables=[m.EnvironmentVariable(name="A", value="1")],
        output_directories=[m.OutputDirectory(id="MODEL", path_prefix="$AZ_BATCHAI_JOB_TEMP")],
        constraints=m.JobBasePropertiesConstraints(max_wall_clock_time=datetime.timedelta(hours=2)),
    )


@pytest.fixture
def workspace(client):
    client.workspaces.create(RG, WS, "eastus").result()
    client.experiments.create(RG, WS, EXP).result()


def test_genuine_cluster_and_job_parameters_give_the_same_resources(client, workspace):
    ours = client.clusters.create(RG, WS, "ours", _cluster_parameters(models)).result()
    theirs = client.clusters.create(RG, WS, "theirs", _cluster_parameters(genuine)).result()
    assert theirs.scale_settings == ours.scale_settings
    assert theirs.user_account_settings == ours.user_account_settings
    assert theirs.vm_size == ours.vm_size

    job_ours = client.jobs.create(RG, WS, EXP, "a", _job_parameters(models, ours.id)).result()
    job_theirs = client.jobs.create(RG, WS, EXP, "b", _job_parameters(genuine, ours.id)).result()
    for field in (
        "cluster",
        "node_count",
        "custom_toolkit_settings",
        "environment_variables",
        "output_directories",
        "constraints",
        "std_out_err_path_prefix",
    ):
        assert getattr(job_theirs, field) == getattr(job_ours, field), field


def test_genuine_list_output_files_options_are_accepted(client, workspace):
    cluster = client.clusters.create(RG, WS, "c", _cluster_parameters(models)).result()
    client.jobs.create(RG, WS, EXP, "j", _job_parameters(models, cluster.id)).result()
    options = genuine.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    assert list(client.jobs.list_output_files(RG, WS, EXP, "j", options)) == []
    bad = genuine.JobsListOutputFilesOptions(outputdirectoryid="stdouterr", linkexpiryinminutes=1)
    with pytest.raises(ValidationError, match="linkexpiryinminutes"):
        client.jobs.list_output_files(RG, WS, EXP, "j", bad)


def test_another_genuine_model_in_the_wrong_place_is_refused(client, workspace):
    with pytest.raises(ValidationError, match="must be a ClusterCreateParameters"):
        client.clusters.create(RG, WS, "c", genuine.ScaleSettings())

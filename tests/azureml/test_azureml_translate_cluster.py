"""ClusterCreateParameters → AmlCompute provisioning, asserted on the SDK's own request body.

Expected payloads are built by calling ``AmlCompute.provisioning_configuration`` directly with
the values the Batch AI parameters state, then serialized by ``AmlCompute._build_create_payload``
(what ``ComputeTarget.create`` PUTs), so the comparison is between two real SDK payloads.
"""

from __future__ import annotations

import warnings

import azure.mgmt.batchai.models as genuine
import pytest
from azureml.core.compute import AmlCompute

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import AzureMLSemanticsWarning, clusters, naming
from batchai_compat.backends.azureml import translate
from batchai_compat.exceptions import NoEquivalentError, ValidationError

SUB = "00000000-0000-0000-0000-0000000000a1"
PASSWORD = "Sup3r-Secret!pw"


def payload(config: object) -> dict:
    return AmlCompute._build_create_payload(config, "eastus", SUB)


def without_tags(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "tags"}


@pytest.mark.parametrize("m", [models, genuine], ids=["ours", "genuine-2.0.0"])
def test_manual_scale_is_fixed_size_amlcompute(m) -> None:
    params = m.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=2)),
        user_account_settings=m.UserAccountSettings(
            admin_user_name="adm", admin_user_password=PASSWORD
        ),
    )
    ours = payload(translate.provisioning_configuration(params, SUB))
    expected = payload(
        AmlCompute.provisioning_configuration(
            vm_size="STANDARD_NC6",
            min_nodes=2,
            max_nodes=2,
            admin_username="adm",
            admin_user_password=PASSWORD,
        )
    )
    assert without_tags(ours) == without_tags(expected)
    scale = ours["properties"]["properties"]["scaleSettings"]
    assert scale["minNodeCount"] == scale["maxNodeCount"] == 2
    assert ours["tags"] == {naming.TAG_SCALE: "manual"}


def test_auto_scale_low_priority_ssh_key_and_subnet() -> None:
    subnet = f"/subscriptions/{SUB}/resourceGroups/netrg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/default"
    params = models.ClusterCreateParameters(
        vm_size="STANDARD_D2_V2",
        vm_priority="lowpriority",
        scale_settings=models.ScaleSettings(
            auto_scale=models.AutoScaleSettings(minimum_node_count=1, maximum_node_count=4)
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="adm", admin_user_ssh_public_key="ssh-rsa AAAA key"
        ),
        subnet=models.ResourceId(id=subnet),
    )
    body = payload(translate.provisioning_configuration(params, SUB))
    inner = body["properties"]["properties"]
    assert inner["vmPriority"] == "lowpriority"
    assert (inner["scaleSettings"]["minNodeCount"], inner["scaleSettings"]["maxNodeCount"]) == (
        1,
        4,
    )
    assert inner["userAccountCredentials"] == {
        "adminUserName": "adm",
        "adminUserSshPublicKey": "ssh-rsa AAAA key",
    }
    # the SDK rebuilds the subnet id from its parts: it must be the Batch AI one
    assert inner["subnet"]["id"] == subnet
    assert body["tags"] == {naming.TAG_SCALE: "auto"}


def base_params(**extra: object) -> models.ClusterCreateParameters:
    return models.ClusterCreateParameters(
        vm_size="STANDARD_D1",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="adm", admin_user_password=PASSWORD
        ),
        **extra,
    )


def test_subnet_of_another_subscription_has_no_equivalent() -> None:
    other = "/subscriptions/other/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/n"
    with pytest.raises(NoEquivalentError, match="subscription"):
        translate.provisioning_configuration(base_params(subnet=models.ResourceId(id=other)), SUB)


@pytest.mark.parametrize(
    "extra, feature",
    [
        (
            {
                "node_setup": models.NodeSetup(
                    setup_task=models.SetupTask(
                        command_line="apt-get install x", std_out_err_path_prefix="/x"
                    )
                )
            },
            "setup_task",
        ),
        (
            {
                "node_setup": models.NodeSetup(
                    mount_volumes=models.MountVolumes(
                        azure_blob_file_systems=[
                            models.AzureBlobFileSystemReference(
                                account_name="a",
                                container_name="c",
                                relative_mount_path="b",
                                credentials=models.AzureStorageCredentialsInfo(account_key="k"),
                            )
                        ]
                    )
                )
            },
            "mount_volumes",
        ),
        (
            {
                "node_setup": models.NodeSetup(
                    performance_counters_settings=models.PerformanceCountersSettings(
                        app_insights_reference=models.AppInsightsReference(
                            component=models.ResourceId(id="/x"), instrumentation_key="ik"
                        )
                    )
                )
            },
            "performance_counters",
        ),
        (
            {
                "virtual_machine_configuration": models.VirtualMachineConfiguration(
                    image_reference=models.ImageReference(publisher="p", offer="o", sku="s")
                )
            },
            "custom VM image",
        ),
    ],
    ids=["setup_task", "cluster_mounts", "performance_counters", "custom_image"],
)
def test_unmappable_cluster_settings_raise_no_equivalent(extra: dict, feature: str) -> None:
    with pytest.raises(NoEquivalentError) as error:
        translate.provisioning_configuration(base_params(**extra), SUB)
    assert feature in str(error.value)
    assert error.value.backend == "azureml" and error.value.instead


def test_initial_node_count_is_a_documented_warning() -> None:
    params = models.ClusterCreateParameters(
        vm_size="STANDARD_D1",
        scale_settings=models.ScaleSettings(
            auto_scale=models.AutoScaleSettings(
                minimum_node_count=0, maximum_node_count=4, initial_node_count=2
            )
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="adm", admin_user_password=PASSWORD
        ),
    )
    with pytest.warns(AzureMLSemanticsWarning, match="initial_node_count"):
        body = payload(translate.provisioning_configuration(params, SUB))
    assert body["tags"][naming.TAG_INITIAL_NODES] == "2"


def test_weak_admin_password_is_rejected_without_echoing_it() -> None:
    weak = "aaaaaaaa"
    params = models.ClusterCreateParameters(
        vm_size="STANDARD_D1",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="adm", admin_user_password=weak
        ),
    )
    with pytest.raises(ValidationError) as error:
        translate.provisioning_configuration(params, SUB)
    assert error.value.parameter == "parameters.user_account_settings"
    assert "password" in str(error.value) and weak not in str(error.value)


def test_missing_scale_settings_is_a_validation_error() -> None:
    params = models.ClusterCreateParameters(
        vm_size="STANDARD_D1",
        user_account_settings=models.UserAccountSettings(
            admin_user_name="adm", admin_user_password=PASSWORD
        ),
    )
    with pytest.raises(ValidationError, match="scale_settings"):
        translate.provisioning_configuration(params, SUB)


def test_resize_deallocation_options() -> None:
    keep = models.ScaleSettings(
        manual=models.ManualScaleSettings(
            target_node_count=3, node_deallocation_option="waitforjobcompletion"
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clusters.update_scale(keep) == (3, 3)
    for option in ("requeue", "terminate"):
        shrink = models.ScaleSettings(
            manual=models.ManualScaleSettings(target_node_count=1, node_deallocation_option=option)
        )
        with pytest.warns(AzureMLSemanticsWarning, match=option):
            assert clusters.update_scale(shrink) == (1, 1)
    auto = models.ScaleSettings(
        auto_scale=models.AutoScaleSettings(minimum_node_count=0, maximum_node_count=5)
    )
    assert clusters.update_scale(auto) == (0, 5)
    grow = models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=4))  # requeue
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clusters.update_scale(grow, current_max_nodes=2) == (4, 4)  # nothing to drain
    with pytest.warns(AzureMLSemanticsWarning):
        clusters.update_scale(grow, current_max_nodes=6)


@pytest.mark.parametrize(
    "image",
    [
        # what the service echoed for a cluster created without an image
        models.ImageReference(
            publisher="Canonical", offer="UbuntuServer", sku="16.04-LTS", version="latest"
        ),
        # az's `-i UbuntuLTS`: the same image, without a version (the latest)
        models.ImageReference(publisher="Canonical", offer="UbuntuServer", sku="16.04-LTS"),
    ],
    ids=["echoed", "az_alias"],
)
def test_batch_ais_default_image_is_no_custom_image(image) -> None:
    configuration = models.VirtualMachineConfiguration(image_reference=image)
    params = base_params(virtual_machine_configuration=configuration)
    assert translate.provisioning_configuration(params, SUB).vm_size == "STANDARD_D1"

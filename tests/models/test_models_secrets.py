"""Secret values never show in repr()/str() or error messages; strip_secrets() clears them."""

import copy

import pytest

import batchai_compat.models as models
from batchai_compat.exceptions import ValidationError
from batchai_compat.models._base import Model

# The secrets the service never reported back (docs/architecture.md, "Secrets").
EXPECTED_SECRETS = {
    ("UserAccountSettings", "admin_user_password"),
    ("AzureStorageCredentialsInfo", "account_key"),
    ("PrivateRegistryCredentials", "password"),
    ("EnvironmentVariableWithSecretValue", "value"),
    ("AppInsightsReference", "instrumentation_key"),
}

SECRET = "s3cr3t-VALUE-do-not-leak"


def all_model_classes():
    return [
        getattr(models, n)
        for n in models.__all__
        if isinstance(getattr(models, n), type) and issubclass(getattr(models, n), Model)
    ]


def test_the_declared_secret_fields_are_exactly_the_expected_ones():
    declared = {
        (cls.__name__, f.name)
        for cls in all_model_classes()
        for f in cls._fields.values()
        if f.secret
    }
    assert declared == EXPECTED_SECRETS


def secret_laden_objects():
    vault = models.KeyVaultSecretReference(
        source_vault=models.ResourceId(id="/v"), secret_url="https://v/s"
    )
    credentials = models.AzureStorageCredentialsInfo(account_key=SECRET)
    cluster = models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        user_account_settings=models.UserAccountSettings(
            admin_user_name="u", admin_user_password=SECRET
        ),
        node_setup=models.NodeSetup(
            setup_task=models.SetupTask(
                command_line="echo",
                std_out_err_path_prefix="p",
                secrets=[models.EnvironmentVariableWithSecretValue(name="TOKEN", value=SECRET)],
            ),
            mount_volumes=models.MountVolumes(
                azure_file_shares=[
                    models.AzureFileShareReference(
                        account_name="a",
                        azure_file_url="u",
                        credentials=credentials,
                        relative_mount_path="afs",
                    )
                ]
            ),
            performance_counters_settings=models.PerformanceCountersSettings(
                app_insights_reference=models.AppInsightsReference(
                    component=models.ResourceId(id="/ai"), instrumentation_key=SECRET
                )
            ),
        ),
    )
    job = models.JobCreateParameters(
        cluster=models.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="p",
        container_settings=models.ContainerSettings(
            image_source_registry=models.ImageSourceRegistry(
                image="i",
                credentials=models.PrivateRegistryCredentials(username="u", password=SECRET),
            )
        ),
        secrets=[
            models.EnvironmentVariableWithSecretValue(name="A", value=SECRET),
            models.EnvironmentVariableWithSecretValue(name="B", value_secret_reference=vault),
        ],
        mount_volumes=models.MountVolumes(
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name="a",
                    container_name="c",
                    credentials=credentials,
                    relative_mount_path="bfs",
                )
            ]
        ),
    )
    return [cluster, job]


@pytest.mark.parametrize("obj", secret_laden_objects(), ids=["cluster", "job"])
def test_repr_and_str_redact_every_secret(obj):
    for text in (repr(obj), str(obj), repr([obj]), f"{obj}"):
        assert SECRET not in text
        assert "'***'" in text
    assert SECRET in str(obj.serialize())  # the request body itself still carries them


@pytest.mark.parametrize("obj", secret_laden_objects(), ids=["cluster", "job"])
def test_strip_secrets_clears_values_keeps_containers_and_leaves_the_original(obj):
    stripped = models.strip_secrets(obj)
    assert SECRET not in str(stripped.as_dict())
    assert SECRET in str(obj.as_dict())  # original untouched
    assert stripped is not obj
    # containers survive, with None secrets (what GET returns)
    if isinstance(stripped, models.JobCreateParameters):
        assert stripped.container_settings.image_source_registry.credentials.username == "u"
        assert stripped.container_settings.image_source_registry.credentials.password is None
        assert [s.name for s in stripped.secrets] == ["A", "B"]
        assert stripped.secrets[0].value is None
        assert stripped.secrets[1].value_secret_reference.secret_url == "https://v/s"
        assert (
            stripped.mount_volumes.azure_blob_file_systems[0].credentials
            == models.AzureStorageCredentialsInfo()
        )
    else:
        assert stripped.user_account_settings.admin_user_name == "u"
        assert stripped.user_account_settings.admin_user_password is None
        perf = stripped.node_setup.performance_counters_settings.app_insights_reference
        assert perf.instrumentation_key is None and perf.component.id == "/ai"
    # stripping is idempotent and only secrets differ
    assert models.strip_secrets(stripped) == stripped


def test_strip_secrets_is_not_in_all_but_is_exported():
    assert "strip_secrets" not in models.__all__
    assert callable(models.strip_secrets)


def test_error_messages_do_not_echo_secret_values():
    with pytest.raises(ValidationError) as info:
        models.AzureStorageCredentialsInfo(account_key=[SECRET])
    assert SECRET not in str(info.value)
    with pytest.raises(ValidationError) as info:
        models.UserAccountSettings(admin_user_name="u", admin_user_password={"p": SECRET})
    assert SECRET not in str(info.value)


def test_deepcopy_keeps_secrets_for_the_request():
    obj = secret_laden_objects()[1]
    assert copy.deepcopy(obj).secrets[0].value == SECRET

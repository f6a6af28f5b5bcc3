"""The secret field table against the models' declarations and the genuine 2.0.0 models."""

from __future__ import annotations

import inspect

import azure.mgmt.batchai.models as genuine

from batchai_compat import models
from batchai_compat.domain.documents import plain
from batchai_compat.domain.secrets import (
    SECRET_FIELDS,
    SECRET_KEYS,
    SecretField,
    secret_paths,
    without_secrets,
)


def _model_classes():
    return [
        cls for _, cls in inspect.getmembers(models, inspect.isclass) if hasattr(cls, "_fields")
    ]


def test_the_table_is_exactly_the_fields_the_models_declare_secret():
    declared = {
        SecretField(cls.__name__, name, field.rest_key.split(".")[-1])
        for cls in _model_classes()
        for name, field in cls._fields.items()
        if field.secret
    }
    assert declared == set(SECRET_FIELDS)


def test_every_secret_field_exists_in_the_genuine_models():
    for secret in SECRET_FIELDS:
        attribute_map = getattr(genuine, secret.model)._attribute_map
        assert attribute_map[secret.name]["key"].split(".")[-1] == secret.rest_key


def test_no_plain_field_shares_a_secret_key():
    """Stripping by key never removes a field that is not secret."""
    for cls in _model_classes():
        for name, field in cls._fields.items():
            if not field.secret:
                assert name not in SECRET_KEYS, (cls.__name__, name)
                assert field.rest_key.split(".")[-1] not in SECRET_KEYS, (cls.__name__, name)


def _genuine_job_with_every_job_secret() -> genuine.JobCreateParameters:
    credentials = genuine.AzureStorageCredentialsInfo(account_key="KEY")
    return genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="/c"),
        node_count=1,
        std_out_err_path_prefix="/p",
        custom_toolkit_settings=genuine.CustomToolkitSettings(command_line="true"),
        environment_variables=[genuine.EnvironmentVariable(name="PLAIN", value="visible")],
        secrets=[genuine.EnvironmentVariableWithSecretValue(name="S", value="SECRET")],
        mount_volumes=genuine.MountVolumes(
            azure_blob_file_systems=[
                genuine.AzureBlobFileSystemReference(
                    account_name="a",
                    container_name="c",
                    credentials=credentials,
                    relative_mount_path="bfs",
                )
            ]
        ),
        container_settings=genuine.ContainerSettings(
            image_source_registry=genuine.ImageSourceRegistry(
                image="i",
                credentials=genuine.PrivateRegistryCredentials(username="u", password="PASS"),
            )
        ),
    )


def test_secret_paths_finds_every_secret_of_a_rest_body_and_an_as_dict():
    job = _genuine_job_with_every_job_secret()
    rest = job.serialize()
    assert sorted(secret_paths(rest)) == [
        "properties.containerSettings.imageSourceRegistry.credentials.password",
        "properties.mountVolumes.azureBlobFileSystems[0].credentials.accountKey",
        "properties.secrets[0].value",
    ]
    assert len(secret_paths(job.as_dict())) == 3
    cluster = genuine.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        user_account_settings=genuine.UserAccountSettings(
            admin_user_name="u", admin_user_password="PW"
        ),
    )
    assert secret_paths(cluster.serialize(), "cluster") == [
        "cluster.properties.userAccountSettings.adminUserPassword"
    ]


def test_without_secrets_keeps_everything_else():
    stripped = without_secrets(plain(_genuine_job_with_every_job_secret()))
    assert secret_paths(stripped) == []
    assert stripped["secrets"] == [{"name": "S"}]
    assert stripped["environment_variables"] == [{"name": "PLAIN", "value": "visible"}]
    assert stripped["mount_volumes"]["azure_blob_file_systems"][0]["credentials"] == {}
    assert stripped["container_settings"]["image_source_registry"]["credentials"] == {
        "username": "u"
    }


def test_our_strip_secrets_leaves_nothing_the_table_knows():
    ours = models.JobCreateParameters.deserialize(_genuine_job_with_every_job_secret().serialize())
    assert len(secret_paths(ours.serialize())) == 3
    assert secret_paths(models.strip_secrets(ours).serialize()) == []

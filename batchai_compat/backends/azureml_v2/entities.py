"""azure-ai-ml entities from the v2 documents of :mod:`.translate` (no I/O, no decisions).

Each function reads one document (the shape of an Azure ML v2 YAML file) and builds the
azure-ai-ml object ``MLClient`` sends: ``AmlCompute``, ``AzureBlobDatastore`` /
``AzureFileDatastore``, and a ``command(...)`` job with its ``Input``/``Output``\\ s,
distribution and ``Environment``.  Imported only by the backend (it imports azure-ai-ml).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.ai.ml import (
    Input,
    MpiDistribution,
    Output,
    PyTorchDistribution,
    TensorFlowDistribution,
    command,
)
from azure.ai.ml.entities import (
    AccountKeyConfiguration,
    AmlCompute,
    AmlComputeSshSettings,
    AzureBlobDatastore,
    AzureFileDatastore,
    Environment,
    NetworkSettings,
)

__all__ = ["compute", "datastore", "job"]


def compute(document: Mapping[str, Any]) -> AmlCompute:
    """An ``amlcompute`` document -> ``AmlCompute``."""
    ssh = document.get("ssh_settings")
    network = document.get("network_settings")
    return AmlCompute(
        name=document["name"],
        size=document["size"],
        tier=document["tier"],
        min_instances=document["min_instances"],
        max_instances=document["max_instances"],
        idle_time_before_scale_down=document["idle_time_before_scale_down"],
        tags=dict(document.get("tags") or {}),
        ssh_settings=AmlComputeSshSettings(
            admin_username=ssh["admin_username"],
            admin_password=ssh.get("admin_password"),
            ssh_key_value=ssh.get("ssh_key_value"),
        )
        if ssh
        else None,
        network_settings=NetworkSettings(vnet_name=network["vnet_name"], subnet=network["subnet"])
        if network
        else None,
    )


def datastore(document: Mapping[str, Any]) -> AzureBlobDatastore | AzureFileDatastore:
    """An ``azure_blob`` / ``azure_file`` document -> its datastore (account key credentials)."""
    credentials = document.get("credentials") or {}
    key = AccountKeyConfiguration(account_key=credentials["account_key"]) if credentials else None
    if document["type"] == "azure_blob":
        return AzureBlobDatastore(
            name=document["name"],
            account_name=document["account_name"],
            container_name=document["container_name"],
            credentials=key,
        )
    return AzureFileDatastore(
        name=document["name"],
        account_name=document["account_name"],
        file_share_name=document["file_share_name"],
        credentials=key,
    )


def _distribution(document: Mapping[str, Any] | None) -> Any:
    if not document:
        return None
    kind = document["type"]
    if kind == "tensorflow":
        return TensorFlowDistribution(
            parameter_server_count=document["parameter_server_count"],
            worker_count=document["worker_count"],
        )
    if kind == "pytorch":
        return PyTorchDistribution(
            process_count_per_instance=document["process_count_per_instance"]
        )
    return MpiDistribution(process_count_per_instance=document["process_count_per_instance"])


def job(document: Mapping[str, Any], *, code: str, environment: Any) -> Any:
    """A ``command`` job document -> ``command(...)``.

    ``code`` is a local folder or a registered code asset id; ``environment`` an
    ``Environment`` or a registered environment id (the backend reuses what it registered).
    """
    resources = document.get("resources") or {}
    return command(
        name=document["name"],
        display_name=document.get("display_name"),
        experiment_name=document["experiment_name"],
        compute=str(document["compute"]).removeprefix("azureml:"),
        code=code,
        command=document["command"],
        environment=environment,
        environment_variables=dict(document.get("environment_variables") or {}),
        distribution=_distribution(document.get("distribution")),
        instance_count=resources.get("instance_count", 1),
        shm_size=resources.get("shm_size"),
        timeout=(document.get("limits") or {}).get("timeout"),
        priority=(document.get("queue_settings") or {}).get("priority"),
        tags=dict(document.get("tags") or {}),
        inputs={name: Input(**spec) for name, spec in (document.get("inputs") or {}).items()},
        outputs={name: Output(**spec) for name, spec in (document.get("outputs") or {}).items()},
    )


def environment(document: Mapping[str, Any]) -> Environment:
    """The job document's inline ``environment`` (an image) -> an anonymous ``Environment``."""
    return Environment(image=document["environment"]["image"])

"""The migration guide's Batch AI code, as the benchmarks run it on either client.

The code blocks are those of ``batchai-to-azureml-migration`` ("Creación de clústeres de
proceso" and "Envío de trabajos"), kept as the guide wrote them except that ``cfg``, the
cluster id and the names the guide set in earlier blocks are parameters or module constants,
and its ``str.format`` calls are f-strings.  The same functions run against the genuine
``azure.mgmt.batchai.models`` 2.0.0 and against ``batchai_compat.models``: that is the
"change one import" promise being measured.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any

#: Stands for the recipes' ``utils.config.Configuration('configuration.json')``.
CFG = SimpleNamespace(
    subscription_id="00000000-0000-0000-0000-000000000000",
    resource_group="batchai-rg",
    workspace="batchai-ws",
    location="eastus",
    admin="demoUser",
    admin_password="Dem0-P@ssw0rd",
    admin_ssh_key=None,
    storage_account_name="batchaisamples",
    storage_account_key="c2VjcmV0LWtleQ==",
)

nodes_count = 2
cluster_name = "nc6"
azure_blob_container_name = "batchaisample"
azure_file_share_name = "afs"
mnist_dataset_directory = "mnist_dataset"
script_directory = "tensorflow_samples"
script_to_deploy = "mnist_replica.py"
experiment_name = "tensorflow_experiment"


def cluster_create_parameters(models: ModuleType, cfg: Any = CFG) -> Any:
    """The guide's ``ClusterCreateParameters`` (section "Creación de clústeres de proceso")."""
    parameters = models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(
            manual=models.ManualScaleSettings(target_node_count=nodes_count)
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name=cfg.admin,
            admin_user_password=cfg.admin_password or None,
            admin_user_ssh_public_key=cfg.admin_ssh_key or None,
        ),
    )
    return parameters


def job_create_parameters(models: ModuleType, cluster_id: str, cfg: Any = CFG) -> Any:
    """The guide's TensorFlow parameter-server ``JobCreateParameters`` ("Envío de trabajos")."""
    azure_file_share = "afs"
    azure_blob = "bfs"
    args_fmt = "--job_name={0} --num_gpus=1 --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL --log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --data_dir=$AZ_BATCHAI_INPUT_DATASET --ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS --task_index=$AZ_BATCHAI_TASK_INDEX"

    parameters = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=2,
        input_directories=[
            models.InputDirectory(
                id="SCRIPT",
                path=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_blob}/{script_directory}",
            ),
            models.InputDirectory(
                id="DATASET",
                path=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_blob}/{mnist_dataset_directory}",
            ),
        ],
        std_out_err_path_prefix=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_file_share}",
        output_directories=[
            models.OutputDirectory(
                id="MODEL",
                path_prefix=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_file_share}",
                path_suffix="Models",
            ),
            models.OutputDirectory(
                id="TENSORBOARD",
                path_prefix=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_file_share}",
                path_suffix="Logs",
            ),
        ],
        mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name=cfg.storage_account_name,
                    credentials=models.AzureStorageCredentialsInfo(
                        account_key=cfg.storage_account_key
                    ),
                    azure_file_url=f"https://{cfg.storage_account_name}.file.core.windows.net/{azure_file_share_name}",
                    relative_mount_path=azure_file_share,
                )
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name=cfg.storage_account_name,
                    credentials=models.AzureStorageCredentialsInfo(
                        account_key=cfg.storage_account_key
                    ),
                    container_name=azure_blob_container_name,
                    relative_mount_path=azure_blob,
                )
            ],
        ),
        container_settings=models.ContainerSettings(
            image_source_registry=models.ImageSourceRegistry(
                image="tensorflow/tensorflow:1.8.0-gpu"
            )
        ),
        tensor_flow_settings=models.TensorFlowSettings(
            parameter_server_count=1,
            worker_count=nodes_count,
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/" + script_to_deploy,
            master_command_line_args=args_fmt.format("worker"),
            worker_command_line_args=args_fmt.format("worker"),
            parameter_server_command_line_args=args_fmt.format("ps"),
        ),
    )
    return parameters


def submit_job(client: Any, models: ModuleType, job_name: str, cfg: Any = CFG) -> Any:
    """The guide's Batch AI blocks for one job: the cluster's id (``clusters.get``), the
    ``JobCreateParameters`` and ``jobs.create(...).result()``."""
    cluster = client.clusters.get(cfg.resource_group, cfg.workspace, cluster_name)
    parameters = job_create_parameters(models, cluster.id, cfg)
    return client.jobs.create(
        cfg.resource_group, cfg.workspace, experiment_name, job_name, parameters
    ).result()


def cluster_resource_id(cfg: Any = CFG) -> str:
    """The ARM id ``cluster.id`` the guide reads after creating the cluster."""
    return (
        f"/subscriptions/{cfg.subscription_id}/resourceGroups/{cfg.resource_group}"
        f"/providers/Microsoft.BatchAI/workspaces/{cfg.workspace}/clusters/{cluster_name}"
    )

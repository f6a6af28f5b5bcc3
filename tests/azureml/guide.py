"""The migration guide's Batch AI snippets, as functions over a models module.

Copied in shape from the guide's "En Batch AI" blocks (cluster creation, TF parameter-server job
with a blob container and a file share mounted); ``m`` is ``batchai_compat.models`` or the
genuine ``azure.mgmt.batchai.models``.
"""

from __future__ import annotations

from typing import Any

STORAGE_ACCOUNT = "guidestorage"
STORAGE_KEY = "c3RvcmFnZS1rZXktbmV2ZXItbG9nZ2Vk"  # base64 "storage-key-never-logged"
ADMIN_PASSWORD = "Adm1n-Passw0rd!"
FILE_SHARE = "batchaisample"
BLOB_CONTAINER = "batchaisample"
NODES = 2

ARGS_FMT = (
    "--job_name={0} --num_gpus=1 --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL "
    "--log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --data_dir=$AZ_BATCHAI_INPUT_DATASET "
    "--ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS "
    "--task_index=$AZ_BATCHAI_TASK_INDEX"
)


def cluster_parameters(m: Any) -> Any:
    return m.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=m.ScaleSettings(manual=m.ManualScaleSettings(target_node_count=NODES)),
        user_account_settings=m.UserAccountSettings(
            admin_user_name="batchai",
            admin_user_password=ADMIN_PASSWORD,
            admin_user_ssh_public_key=None,
        ),
    )


def job_parameters(m: Any, cluster_id: str) -> Any:
    azure_file_share = "afs"
    azure_blob = "bfs"
    script_directory = "tensorflow_samples"
    mnist_dataset_directory = "mnist_dataset"
    return m.JobCreateParameters(
        cluster=m.ResourceId(id=cluster_id),
        node_count=NODES,
        input_directories=[
            m.InputDirectory(
                id="SCRIPT", path=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_blob}/{script_directory}"
            ),
            m.InputDirectory(
                id="DATASET",
                path=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_blob}/{mnist_dataset_directory}",
            ),
        ],
        std_out_err_path_prefix=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_file_share}",
        output_directories=[
            m.OutputDirectory(
                id="MODEL",
                path_prefix=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_file_share}",
                path_suffix="Models",
            ),
            m.OutputDirectory(
                id="TENSORBOARD",
                path_prefix=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_file_share}",
                path_suffix="Logs",
            ),
        ],
        mount_volumes=m.MountVolumes(
            azure_file_shares=[
                m.AzureFileShareReference(
                    account_name=STORAGE_ACCOUNT,
                    credentials=m.AzureStorageCredentialsInfo(account_key=STORAGE_KEY),
                    azure_file_url=f"https://{STORAGE_ACCOUNT}.file.core.windows.net/{FILE_SHARE}",
                    relative_mount_path=azure_file_share,
                )
            ],
            azure_blob_file_systems=[
                m.AzureBlobFileSystemReference(
                    account_name=STORAGE_ACCOUNT,
                    credentials=m.AzureStorageCredentialsInfo(account_key=STORAGE_KEY),
                    container_name=BLOB_CONTAINER,
                    relative_mount_path=azure_blob,
                )
            ],
        ),
        container_settings=m.ContainerSettings(
            image_source_registry=m.ImageSourceRegistry(image="tensorflow/tensorflow:1.8.0-gpu")
        ),
        tensor_flow_settings=m.TensorFlowSettings(
            parameter_server_count=1,
            worker_count=NODES,
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/mnist_replica.py",
            master_command_line_args=ARGS_FMT.format("worker"),
            worker_command_line_args=ARGS_FMT.format("worker"),
            parameter_server_command_line_args=ARGS_FMT.format("ps"),
        ),
    )

"""Job parameters shared by the execution tests (importable: tests/execution/conftest.py puts
this folder on ``sys.path``)."""

from __future__ import annotations

import batchai_compat.models as models


def job_on_share(cluster_id: str, node_count: int, **toolkit: object) -> models.JobCreateParameters:
    """A job whose logs and scripts live on the file share ``share`` of storage account ``acct``
    (mounted at ``$AZ_BATCHAI_JOB_MOUNT_ROOT/share``), running ``toolkit``."""
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=node_count,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/share",
        mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name="acct",
                    azure_file_url="https://acct.file.core.windows.net/share",
                    credentials=models.AzureStorageCredentialsInfo(account_key="a2V5"),
                    relative_mount_path="share",
                )
            ]
        ),
        **toolkit,
    )


def custom(cluster_id: str, command: str) -> models.JobCreateParameters:
    """A one-node custom-toolkit job running ``command``, its logs in the node's job temp."""
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line=command),
    )

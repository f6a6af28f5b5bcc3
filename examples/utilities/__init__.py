"""Our own implementation of the helpers the Batch AI recipe notebooks imported as ``utilities``.

The migration guide's Batch AI code calls ``utils.config.Configuration``,
``utils.config.create_batchai_client``, ``utils.config.create_resource_group``,
``utils.cluster.print_cluster_status``,
``utils.dataset.download_and_upload_mnist_dataset_to_blob`` and
``utils.job.wait_for_job_completion``.  These modules provide them with the same names and
signatures, written for this repository (the dataset is generated offline instead of
downloaded).  Like the originals they import ``azure.mgmt.batchai``: run them after
``import batchai_compat.install`` and they drive batchai_compat's backends.
"""

from . import cluster, config, dataset, job
from .cluster import print_cluster_status
from .config import Configuration, create_batchai_client, create_resource_group
from .dataset import download_and_upload_mnist_dataset_to_blob, download_file
from .job import wait_for_job_completion

__all__ = [
    "Configuration",
    "cluster",
    "config",
    "create_batchai_client",
    "create_resource_group",
    "dataset",
    "download_and_upload_mnist_dataset_to_blob",
    "download_file",
    "job",
    "print_cluster_status",
    "wait_for_job_completion",
]

"""Measure 2b child: the first (and second) Azure ML v2 submission of the guide's TF-PS job.

``azureml_v2_submit.py <result> azure-ai-ml|ours <compute.json> <marker> <project> <storage>``

Both flavours run against the same fake v2 service (``benchmarks.azureml_v2_fake``), seeded
before the clock starts, and get their tokens without HTTP (the fake's ``FakeTokenCredential``).
Timed from the first import of the user's code to the submitted job:

* ``azure-ai-ml`` -- the same job written by hand with azure-ai-ml: ``MLClient``; the two
  datastores the job's data lives in (the guide's blob container and file share, account key),
  registered once; then ``command(...)`` with the training script's folder as code, the image
  as an ``Environment``, ``TensorFlowDistribution(parameter_server_count=1, worker_count=2)``
  on 2 instances of ``nc6``, the dataset as a ``ro_mount`` input and the model and log folders
  as ``rw_mount`` outputs of the file share, and ``ml_client.jobs.create_or_update(job)``;
* ``ours`` -- the guide's Batch AI code on ``batchai_compat`` with the azureml-v2 backend: the
  client, ``clusters.get`` for the cluster id, the guide's ``JobCreateParameters`` and
  ``jobs.create(...).result()``.

Then a second job in the same process repeats only the per-job part (the client is kept, the
datastores stay registered), to show what each side does again.  Reports wall time and CPU time
of the first submission and HTTP requests of the first and second one.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from _child import args, report_two_submissions

from benchmarks import azureml_v2_fake, guide

flavour, compute_file, marker, project_folder, storage = args()
compute = json.loads(Path(compute_file).read_text(encoding="utf-8"))
cfg = guide.CFG
BLOB_STORE, FILE_STORE = "mnist_blobs", "mnist_share"


def hand_written_setup(ml: Any) -> None:
    """The datastores of the guide's storage account, registered as a user would, once."""
    from azure.ai.ml.entities import (
        AccountKeyConfiguration,
        AzureBlobDatastore,
        AzureFileDatastore,
    )

    key = AccountKeyConfiguration(account_key=cfg.storage_account_key)
    ml.datastores.create_or_update(
        AzureBlobDatastore(
            name=BLOB_STORE,
            account_name=cfg.storage_account_name,
            container_name=guide.azure_blob_container_name,
            credentials=key,
        )
    )
    ml.datastores.create_or_update(
        AzureFileDatastore(
            name=FILE_STORE,
            account_name=cfg.storage_account_name,
            file_share_name=guide.azure_file_share_name,
            credentials=key,
        )
    )


def hand_written_job(ml: Any) -> Any:
    """The guide's TF-PS job written with azure-ai-ml."""
    from azure.ai.ml import Input, Output, TensorFlowDistribution, command
    from azure.ai.ml.entities import Environment

    job = command(
        code=project_folder,
        command=(
            "python tf_mnist_replica.py --num_gpus=1 --train_steps 10000 "
            "--data_dir=${{inputs.dataset}} --checkpoint_dir=${{outputs.model}} "
            "--log_dir=${{outputs.logs}}"
        ),
        environment=Environment(image="tensorflow/tensorflow:1.8.0-gpu"),
        compute=guide.cluster_name,
        instance_count=guide.nodes_count,
        distribution=TensorFlowDistribution(
            parameter_server_count=1, worker_count=guide.nodes_count
        ),
        inputs={
            "dataset": Input(
                type="uri_folder",
                path=f"azureml://datastores/{BLOB_STORE}/paths/{guide.mnist_dataset_directory}/",
                mode="ro_mount",
            )
        },
        outputs={
            "model": Output(
                type="uri_folder",
                path=f"azureml://datastores/{FILE_STORE}/paths/Models/",
                mode="rw_mount",
            ),
            "logs": Output(
                type="uri_folder",
                path=f"azureml://datastores/{FILE_STORE}/paths/Logs/",
                mode="rw_mount",
            ),
        },
        experiment_name=guide.experiment_name,
    )
    return ml.jobs.create_or_update(job)


with azureml_v2_fake.seeded_fake(compute, marker, Path(storage)) as fake:
    fs = azureml_v2_fake.load_fake_service()
    start, cpu_start = time.perf_counter(), time.process_time()
    if flavour == "azure-ai-ml":
        from azure.ai.ml import MLClient

        ml = MLClient(
            fs.FakeTokenCredential(),
            cfg.subscription_id,
            cfg.resource_group,
            cfg.workspace,
            show_progress=False,
        )
        hand_written_setup(ml)

        def submit(index: int) -> Any:
            return hand_written_job(ml)

    else:
        import batchai_compat.models as models
        from batchai_compat import BatchAIManagementClient

        client = BatchAIManagementClient(
            fs.FakeTokenCredential(), cfg.subscription_id, backend="azureml-v2"
        )

        def submit(index: int) -> Any:
            return guide.submit_job(client, models, f"tf_job_{index}")

    report_two_submissions(
        submit,
        fake,
        lambda: len([key for key in fake.resources if key[2] == "jobs"]),
        start,
        cpu_start,
    )

"""Measure 2 child: the first (and second) Azure ML submission of the guide's TF-PS job.

``azureml_submit.py <result> estimator|ours <compute-payload.json> <project-folder>``

Both flavours run against the same fake service (``benchmarks.azureml_fake``), seeded before
the clock starts.  Timed from the first import of the user's code to the submitted run:

* ``estimator`` -- the guide's hand-written Azure ML code: ``Workspace``, the existing
  ``ComputeTarget``, the default datastore mounted as ``--input_data``, ``Experiment``, the
  ``azureml.train.dnn.TensorFlow`` estimator (1 ps, 2 workers) and ``experiment.submit``;
* ``ours`` -- the guide's Batch AI code on ``batchai_compat`` with the azureml backend:
  the client, ``clusters.get`` for the cluster id, the guide's ``JobCreateParameters``, and
  ``jobs.create(...).result()``.

Then a second job in the same process repeats only the per-job part (the workspace object /
client is kept, as a script or notebook keeps it), to show what each side caches.
Reports wall time of the first submission and HTTP requests of the first and second one.
"""

from __future__ import annotations

import json
import time
from typing import Any

from _child import args, report_two_submissions

from benchmarks import azureml_fake, guide

flavour, payload_file, project_folder = args()
with open(payload_file, encoding="utf-8") as handle:
    payload = json.load(handle)


def estimator_job(ws: Any, experiment_name: str) -> Any:
    """The guide's "Azure Machine Learning Service" blocks for one job."""
    from azureml.core import Experiment
    from azureml.core.compute import ComputeTarget
    from azureml.train.dnn import TensorFlow

    gpu_cluster = ComputeTarget(workspace=ws, name=guide.cluster_name)
    ds = ws.get_default_datastore()
    ds_data = ds.path("mnist_dataset/mnist.npz")
    experiment = Experiment(ws, name=experiment_name)
    script_params = {"--num_gpus": 1, "--train_steps": 500, "--input_data": ds_data.as_mount()}
    estimator = TensorFlow(
        source_directory=project_folder,
        compute_target=gpu_cluster,
        script_params=script_params,
        entry_script="tf_mnist_replica.py",
        node_count=2,
        worker_count=2,
        parameter_server_count=1,
        distributed_backend="ps",
        use_gpu=True,
    )
    return experiment.submit(estimator)


with azureml_fake.seeded_fake(payload) as fake:
    fs = azureml_fake.load_fake_service()
    start, cpu_start = time.perf_counter(), time.process_time()
    if flavour == "estimator":
        from azureml.core import Workspace

        ws = Workspace(
            fs.SUBSCRIPTION,
            guide.CFG.resource_group,
            guide.CFG.workspace,
            auth=azureml_fake.estimator_authentication(),
        )

        def submit(index: int) -> Any:
            return estimator_job(ws, guide.experiment_name)

    else:
        import batchai_compat.models as models
        from batchai_compat import BatchAIManagementClient

        client = BatchAIManagementClient(fs.FakeCredential(), fs.SUBSCRIPTION, backend="azureml")

        def submit(index: int) -> Any:
            return guide.submit_job(client, models, f"tf_job_{index}")

    report_two_submissions(submit, fake, lambda: len(fake.runs), start, cpu_start)

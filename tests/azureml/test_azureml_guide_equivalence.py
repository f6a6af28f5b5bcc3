"""The migration guide's Batch AI code through the shim ≡ the guide's hand-written Azure ML code.

Both run against the same fake service with the real SDK.  The hand-written side is the guide's
"Azure Machine Learning" blocks: ``AmlCompute.provisioning_configuration`` + ``ComputeTarget.create``
and the ``azureml.train.dnn.TensorFlow`` estimator with ``distributed_backend='ps'`` and a
datastore path ``as_mount()``.  This is the only test that imports ``azureml.train``
(azureml-train-core, test-only).

The guide's Azure ML sample values differ from its Batch AI sample (low priority, 1..2 nodes,
placeholder VNet, 300 s idle); the comparison uses the hand-written code with the Batch AI
sample's meaning (2 dedicated nodes, fixed size), which is the translation's contract.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from azureml.core import Datastore, Workspace
from azureml.core.compute import AmlCompute, ComputeTarget
from conftest import RESOURCE_GROUP as RG
from conftest import WORKSPACE as WS
from fake_service import SUBSCRIPTION, FakeAzureML, FakeCredential
from guide import (
    ADMIN_PASSWORD,
    BLOB_CONTAINER,
    NODES,
    STORAGE_ACCOUNT,
    STORAGE_KEY,
    cluster_parameters,
    job_parameters,
)

import batchai_compat.models as models
from batchai_compat.backends._azureml_common import naming
from batchai_compat.backends.azureml.auth import azureml_auth


def hand_written_estimator_run(fake: FakeAzureML, tmp_path: Path) -> tuple[dict, dict]:
    """The guide's Azure ML code: (compute PUT body, run configuration the estimator submits)."""
    from azureml.core import Experiment
    from azureml.train.dnn import TensorFlow

    ws = Workspace.get(
        WS,
        auth=azureml_auth(FakeCredential(), SUBSCRIPTION),
        subscription_id=SUBSCRIPTION,
        resource_group=RG,
    )
    compute_config = AmlCompute.provisioning_configuration(
        vm_size="STANDARD_NC6",
        min_nodes=NODES,
        max_nodes=NODES,
        admin_username="batchai",
        admin_user_password=ADMIN_PASSWORD,
    )
    gpu_cluster = ComputeTarget.create(ws, "gpu_cluster", compute_config)
    gpu_cluster.wait_for_completion(show_output=False)
    ds = Datastore.register_azure_blob_container(
        ws,
        naming.datastore_name("blob", STORAGE_ACCOUNT, BLOB_CONTAINER),
        BLOB_CONTAINER,
        STORAGE_ACCOUNT,
        account_key=STORAGE_KEY,
        overwrite=True,
    )
    ds_data = ds.path("mnist_dataset")
    project_folder = tmp_path / "project"
    project_folder.mkdir()
    (project_folder / "tf_mnist_replica.py").write_text("print('train')\n")
    estimator = TensorFlow(
        source_directory=str(project_folder),
        compute_target=gpu_cluster,
        script_params={"--num_gpus": 1, "--train_steps": 500, "--input_data": ds_data.as_mount()},
        entry_script="tf_mnist_replica.py",
        node_count=2,
        worker_count=2,
        parameter_server_count=1,
        distributed_backend="ps",
        use_gpu=True,
    )
    run = Experiment(ws, "estimator_experiment").submit(estimator)
    (put,) = fake.requests_to("PUT", r"/computes/gpu_cluster$")
    return put, fake.runs[(RG, WS, run.id)].definition["Configuration"]


def shim_run(client) -> tuple[dict, dict]:
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "tensorflow_experiment").result()
    client.jobs.create(
        RG, WS, "tensorflow_experiment", "tf_job", job_parameters(models, cluster.id)
    ).result()
    return client.fake.requests_to("PUT", r"/computes/nc6$")[0], client.fake.runs[
        (RG, WS, naming.run_id("tensorflow_experiment", "tf_job"))
    ].definition["Configuration"]


def test_guide_walkthrough_matches_hand_written_azure_ml(
    client, fake: FakeAzureML, tmp_path: Path
) -> None:
    # imported here, not at collection: it costs seconds and only this test needs it
    pytest.importorskip(
        "azureml.train.dnn", reason="azureml-train-core (dev/bench extra) is not installed"
    )
    client.fake = fake
    shim_compute, shim_config = shim_run(client)
    hand_compute, hand_config = hand_written_estimator_run(fake, tmp_path)

    # provisioning: identical request body except the tags recording Batch AI's scale mode
    assert shim_compute.pop("tags") == {naming.TAG_SCALE: "manual"}
    assert shim_compute == hand_compute

    # distributed run configuration
    for key in ("nodeCount", "framework", "communicator", "tensorflow", "target"):
        if key == "target":
            assert (shim_config[key], hand_config[key]) == ("nc6", "gpu_cluster")
        else:
            assert shim_config[key] == hand_config[key], key
    assert shim_config["nodeCount"] == 2
    assert shim_config["tensorflow"] == {"workerCount": 2, "parameterServerCount": 1}

    # the estimator's one data reference (dataset folder of the blob container, mounted) is
    # among the shim's, which also mounts the volumes and the script folder
    def refs(config: dict) -> set[tuple[str, str | None, str]]:
        return {
            (r["dataStoreName"], r["pathOnDataStore"], r["mode"])
            for r in config["dataReferences"].values()
        }

    # the datastore the shim registered is the one the hand-written code registers
    blob_name = naming.datastore_name("blob", STORAGE_ACCOUNT, BLOB_CONTAINER)
    shim_body = next(b for b in fake.requests_to("POST", r"/datastores$") if b["name"] == blob_name)
    (hand_body,) = fake.requests_to("PUT", rf"/datastores/{blob_name}$")
    assert shim_body == hand_body

    # the estimator also mounts the workspace's default datastore (every workspace has one,
    # the fake's too); the guide's job reads nothing from it
    hand_refs = refs(hand_config) - {("workspaceblobstore", None, "mount")}
    (hand_ref,) = hand_refs
    assert hand_ref in refs(shim_config)
    assert hand_ref == (
        naming.datastore_name("blob", STORAGE_ACCOUNT, BLOB_CONTAINER),
        "mnist_dataset",
        "mount",
    )

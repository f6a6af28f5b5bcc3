"""The azureml-v2 backend against the fake v2 service with the real azure-ai-ml SDK.

The guide's TensorFlow job through the shim is compared with the azure-ai-ml code a user would
write by hand for it (both sent through ``MLClient`` to the same fake: the request bodies are
compared); then faults, secrets, workspace deletion and what has no equivalent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import warnings

import pytest
from fake_v2_service import SUBSCRIPTION, FakeAzureMLV2, FakeTokenCredential
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
from batchai_compat.backends._azureml_common import AzureMLSemanticsWarning, naming
from batchai_compat.exceptions import CloudError, NoEquivalentError

RG, WS = "rg", "ws1"  # the workspace tests/azureml_v2/conftest.py's fake has


def test_import_batchai_compat_does_not_import_azure_ai_ml() -> None:
    code = (
        "import sys, batchai_compat, batchai_compat.backends.azureml_v2, "
        "batchai_compat.backends.azureml_v2.translate; "
        "print(sorted(m for m in sys.modules if m.startswith('azure.ai.ml')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _shim_submission(client, fake: FakeAzureMLV2) -> tuple[dict, dict]:
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "tensorflow_experiment").result()
    client.jobs.create(
        RG, WS, "tensorflow_experiment", "tf_job", job_parameters(models, cluster.id)
    ).result()
    (compute,) = fake.requests_to("PUT", r"/computes/nc6$")
    name = naming.run_id("tensorflow_experiment", "tf_job")
    (job,) = fake.requests_to("PUT", rf"/jobs/{name}$")
    return compute, job


def _hand_written_submission(fake: FakeAzureMLV2, tmp_path) -> tuple[dict, dict]:
    """What a user writes with azure-ai-ml for the guide's cluster and TF job."""
    from azure.ai.ml import Input, MLClient, Output, TensorFlowDistribution, command
    from azure.ai.ml.entities import (
        AccountKeyConfiguration,
        AmlCompute,
        AmlComputeSshSettings,
        AzureBlobDatastore,
        Environment,
    )

    ml = MLClient(FakeTokenCredential(), SUBSCRIPTION, RG, WS)
    ml.compute.begin_create_or_update(
        AmlCompute(
            name="gpu-cluster",
            size="STANDARD_NC6",
            min_instances=NODES,
            max_instances=NODES,
            ssh_settings=AmlComputeSshSettings(
                admin_username="batchai", admin_password=ADMIN_PASSWORD
            ),
        )
    ).result()
    store = naming.datastore_name("blob", STORAGE_ACCOUNT, BLOB_CONTAINER)
    ml.datastores.create_or_update(
        AzureBlobDatastore(
            name=store,
            account_name=STORAGE_ACCOUNT,
            container_name=BLOB_CONTAINER,
            credentials=AccountKeyConfiguration(account_key=STORAGE_KEY),
        )
    )
    code = tmp_path / "src"
    code.mkdir()
    (code / "mnist_replica.py").write_text("print('train')\n")
    job = command(
        name="hand-written",
        code=str(code),
        command="python mnist_replica.py --data_dir ${{inputs.dataset}} --checkpoint_dir ${{outputs.model}}",
        environment=Environment(image="tensorflow/tensorflow:1.8.0-gpu"),
        compute="gpu-cluster",
        instance_count=NODES,
        distribution=TensorFlowDistribution(parameter_server_count=1, worker_count=NODES),
        inputs={
            "dataset": Input(
                type="uri_folder",
                path=f"azureml://datastores/{store}/paths/mnist_dataset/",
                mode="ro_mount",
            )
        },
        outputs={"model": Output(type="uri_folder", mode="rw_mount")},
        timeout=7 * 24 * 3600,
        experiment_name="tensorflow_experiment",
    )
    ml.jobs.create_or_update(job)
    (compute,) = fake.requests_to("PUT", r"/computes/gpu-cluster$")
    (body,) = fake.requests_to("PUT", r"/jobs/hand-written$")
    return compute, body


def test_guide_tf_job_matches_hand_written_azure_ai_ml(
    client, fake: FakeAzureMLV2, tmp_path
) -> None:
    fake.job_executor = None  # compare what is sent; nothing runs
    shim_compute, shim_job = _shim_submission(client, fake)
    hand_compute, hand_job = _hand_written_submission(fake, tmp_path)

    # the compute: same size, tier, fixed node count, admin user (the shim also records how
    # Batch AI scaled it and keeps Batch AI's idle time)
    shim_props, hand_props = shim_compute["properties"], hand_compute["properties"]
    for key, default in (("vmSize", None), ("vmPriority", "Dedicated")):
        shim_value = shim_props["properties"].get(key, default)
        assert shim_value == hand_props["properties"].get(key, default), key
    for key in ("minNodeCount", "maxNodeCount"):
        assert shim_props["properties"]["scaleSettings"][key] == NODES
        assert hand_props["properties"]["scaleSettings"][key] == NODES
    assert (
        shim_props["properties"]["userAccountCredentials"]
        == hand_props["properties"]["userAccountCredentials"]
    )
    assert shim_compute["tags"][naming.TAG_SCALE] == "manual"

    shim, hand = shim_job["properties"], hand_job["properties"]
    assert (
        shim["distribution"]
        == hand["distribution"]
        == {
            "distributionType": "TensorFlow",
            "parameterServerCount": 1,
            "workerCount": NODES,
        }
    )
    assert shim["resources"]["instanceCount"] == hand["resources"]["instanceCount"] == NODES
    assert shim["limits"] == hand["limits"]
    assert shim["computeId"].endswith("/computes/nc6") and hand["computeId"].endswith(
        "/computes/gpu-cluster"
    )
    # the same image, as an anonymous environment of that image
    images = [
        body["properties"]["image"]
        for body in fake.requests_to("PUT", r"/environments/[^/]+/versions/[^/]+$")
    ]
    assert set(images) == {"tensorflow/tensorflow:1.8.0-gpu"}
    assert shim["environmentId"] == hand["environmentId"]
    # the dataset input: same datastore path, same mode
    (dataset,) = [
        value for value in shim["inputs"].values() if value["uri"].endswith("/mnist_dataset/")
    ]
    assert dataset == hand["inputs"]["dataset"]
    # outputs are read-write mounts, as the hand-written model output
    modes = {value["mode"] for value in shim["outputs"].values()}
    assert modes == {hand["outputs"]["model"]["mode"]} == {"ReadWriteMount"}
    # no secret in the job
    assert STORAGE_KEY not in json.dumps(shim_job) and ADMIN_PASSWORD not in json.dumps(shim_job)


def test_lost_reply_on_submission_adopts_the_job_and_keeps_its_secrets(client, fake) -> None:
    fake.job_executor = None
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "exp").result()
    parameters = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line="echo $TOKEN"),
        secrets=[models.EnvironmentVariableWithSecretValue(name="TOKEN", value="s3cret-value")],
    )
    fake.inject("PUT", r"/jobs/[^/]+$", lose_reply=True)
    job = client.jobs.create(RG, WS, "exp", "j1", parameters).result()
    assert job.name == "j1" and job.execution_state == "queued"
    # azure-core sends the PUT again (idempotent); the service keeps one job
    assert len(fake.requests_to("PUT", r"/jobs/[^/]+$")) == 2
    assert [key[3] for key in fake.resources if key[2] == "jobs"] == [naming.run_id("exp", "j1")]
    assert list(fake.secrets.values()) == ["s3cret-value"]  # kept: the job holds them
    name = naming.run_id("exp", "j1")
    assert "s3cret-value" not in json.dumps(fake.job(RG, WS, name))
    # the same job again returns it; other parameters are a conflict
    assert client.jobs.create(RG, WS, "exp", "j1", parameters).result().name == "j1"
    assert list(fake.secrets.values()) == ["s3cret-value"]
    other = parameters
    other.custom_toolkit_settings = models.CustomToolkitSettings(command_line="echo other")
    with pytest.raises(CloudError) as raised:
        client.jobs.create(RG, WS, "exp", "j1", other).result()
    assert raised.value.status_code == 409
    assert list(fake.secrets.values()) == ["s3cret-value"]
    # delete archives the job and deletes its secrets
    client.jobs.delete(RG, WS, "exp", "j1").result()
    assert fake.secrets == {}


def test_service_errors_keep_status_code_and_message(client, fake) -> None:
    body = json.dumps(
        {"error": {"code": "QuotaExceeded", "message": "line one\nline two: no cores left"}}
    )
    fake.inject("PUT", r"/computes/nc6$", status=400, body=body)
    with pytest.raises(CloudError) as raised:
        client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    assert raised.value.status_code == 400
    assert raised.value.error.error == "QuotaExceeded"
    assert "line two: no cores left" in raised.value.message
    assert ADMIN_PASSWORD not in str(raised.value)


def test_retry_after_is_honoured_then_the_call_succeeds(client, fake) -> None:
    fault = fake.inject("GET", r"/workspaces/ws1$", status=503, retry_after=0, times=2)
    assert client.workspaces.get(RG, WS).name == WS
    assert fault.hits == 2


def test_a_workspace_reads_deleting_until_arm_has_deleted_it(fake: FakeAzureMLV2) -> None:
    """ARM deletes the Azure ML workspace over time: lists and GETs show ``deleting`` meanwhile,
    the poller is done once a GET answers 404 (here after two GETs still answering Deleting).
    Only the ARM DELETE is sent: no azure-core poller polls its operation on a thread."""
    from batchai_compat import BatchAIManagementClient

    fake.deletion_reads = 2
    before = set(threading.enumerate())
    with BatchAIManagementClient(
        FakeTokenCredential(), SUBSCRIPTION, backend="azureml-v2", polling_interval=0
    ) as client:
        poller = client.workspaces.delete(RG, WS)
        assert [t.name for t in threading.enumerate() if t not in before] == []
        for listed in (client.workspaces.list_by_resource_group(RG), client.workspaces.list()):
            assert [(w.name, w.provisioning_state) for w in listed] == [(WS, "deleting")]
        assert client.workspaces.get(RG, WS).provisioning_state == "deleting"
        assert not poller.done()  # its GET answered Deleting
        assert poller.result() is None and poller.status() == "Succeeded"
        assert list(client.workspaces.list_by_resource_group(RG)) == []
        assert list(client.workspaces.list()) == []
        with pytest.raises(CloudError) as raised:
            client.workspaces.get(RG, WS)
        assert raised.value.status_code == 404
        assert [t.name for t in threading.enumerate() if t not in before] == []
    assert fake.count("DELETE", r"/workspaces/ws1$") == 1
    assert not [url for _, url in fake.calls if "/operations/" in url]


def test_a_workspace_created_again_after_its_deletion_starts_afresh(client, fake) -> None:
    """What the backend learnt of a deleted workspace (its datastores, the node app's code
    asset, the image's environment) is not taken for a new workspace of the same name: its
    first job registers them again."""
    fake.job_executor = None
    registrations = r"/(datastores|codes/[^/]+/versions|environments/[^/]+/versions)/[^/]+$"

    def first_job() -> int:
        cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
        client.experiments.create(RG, WS, "exp").result()
        client.jobs.create(RG, WS, "exp", "job", job_parameters(models, cluster.id)).result()
        return fake.count("PUT", registrations)

    registered = first_job()
    assert registered >= 3  # a datastore of the guide's mount, the code asset, the environment
    client.workspaces.delete(RG, WS).result()
    client.workspaces.create(RG, WS, "eastus").result()
    assert first_job() == 2 * registered


@pytest.mark.parametrize(
    "change",
    [
        lambda p: setattr(
            p,
            "node_setup",
            models.NodeSetup(
                setup_task=models.SetupTask(
                    command_line="x", std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/logs"
                )
            ),
        ),
        lambda p: setattr(
            p,
            "virtual_machine_configuration",
            models.VirtualMachineConfiguration(
                image_reference=models.ImageReference(publisher="p", offer="o", sku="s")
            ),
        ),
    ],
)
def test_cluster_settings_without_equivalent(client, change) -> None:
    parameters = cluster_parameters(models)
    change(parameters)
    with pytest.raises(NoEquivalentError) as raised:
        client.clusters.create(RG, WS, "nc6", parameters)
    assert raised.value.backend == "azureml-v2"


def test_file_servers_have_no_equivalent(client) -> None:
    with pytest.raises(NoEquivalentError):
        client.file_servers.create(
            RG,
            WS,
            "fs",
            models.FileServerCreateParameters(
                vm_size="STANDARD_D2",
                ssh_configuration=models.SshConfiguration(
                    user_account_settings=models.UserAccountSettings(
                        admin_user_name="a", admin_user_password="p"
                    )
                ),
                data_disks=models.DataDisks(
                    disk_size_in_gb=10, disk_count=1, storage_account_type="Standard_LRS"
                ),
            ),
        )


@pytest.mark.parametrize(("priority", "sent"), [("normal", None), ("high", 3), ("low", 1)])
def test_scheduling_priority_is_the_queue_priority(client, fake, priority, sent) -> None:
    """Batch AI's default (normal) is Azure ML's (medium): no queue settings are sent for it;
    low and high are sent as the wire values 1 and 3."""
    fake.job_executor = None
    cluster = client.clusters.create(RG, WS, "nc6", cluster_parameters(models)).result()
    client.experiments.create(RG, WS, "exp").result()
    parameters = job_parameters(models, cluster.id)
    parameters.scheduling_priority = priority
    with warnings.catch_warnings(record=True) as seen:  # (pytest.warns re-emits the SDK's)
        warnings.simplefilter("always")
        client.jobs.create(RG, WS, "exp", "j", parameters).result()
    ours = [w for w in seen if issubclass(w.category, AzureMLSemanticsWarning)]
    assert [str(w.message) for w in ours if "queue priority" in str(w.message)] == (
        [] if priority == "normal" else [str(ours[0].message)]
    )
    (body,) = fake.requests_to("PUT", r"/jobs/[^/]+$")
    assert (body["properties"].get("queueSettings") or {}).get("priority") == sent

"""The migration guide's TF parameter-server job (1 ps, 2 workers), written with Batch AI models,
runs to ``succeeded`` on the local backend and its ``stdout-wk-0.txt`` streams over HTTP with
Range requests while it runs — the notebook pattern of the guide's helpers."""

from __future__ import annotations

import json
import socket
import textwrap

import pytest
import requests

import batchai_compat.models as models
from batchai_compat.home import layout

RG, WS, EXP = "rg", "ws", "exp"

# Plays mnist_replica.py's part: reads the flags the guide passes, records its environment,
# workers talk to the parameter server over the advertised host:port list.  Worker 0 prints one
# line, then waits for a 'go' file the test writes after streaming that first line.
REPLICA = textwrap.dedent(
    """
    import argparse, json, os, socket, sys, time
    p = argparse.ArgumentParser()
    for flag in ("--job_name", "--checkpoint_dir", "--log_dir", "--data_dir", "--ps_hosts", "--worker_hosts"):
        p.add_argument(flag)
    p.add_argument("--task_index", type=int)
    a, _ = p.parse_known_args()
    name = f"{a.job_name}-{a.task_index}"
    record = {k: v for k, v in os.environ.items() if k.startswith("AZ_BATCHAI_") or k in ("TF_CONFIG", "HOME")}
    record["flags"] = vars(a)
    record["dataset"] = open(os.path.join(a.data_dir, "train.txt")).read()
    with open(os.path.join(a.checkpoint_dir, f"env-{name}.json"), "w") as f:
        json.dump(record, f)
    if a.job_name == "ps":
        host, port = a.ps_hosts.split(",")[a.task_index].split(":")
        server = socket.create_server((host, int(port)))
        while True:
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"ack " + conn.recv(100))
    host, port = a.ps_hosts.split(",")[0].split(":")
    deadline = time.monotonic() + 120  # the ps may start late on a busy machine
    while True:
        try:
            conn = socket.create_connection((host, int(port)), timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    conn.settimeout(None)  # the ps answers workers one at a time: no deadline on the reply
    conn.sendall(name.encode())
    reply = conn.recv(100).decode()
    print(f"{name} step 0: {reply}")
    if a.task_index == 0:
        go = os.path.join(a.checkpoint_dir, "go")
        while not os.path.exists(go):
            time.sleep(0.02)
    for step in (1, 2, 3):
        print(f"{name} step {step}")
    """
)

ARGS_FMT = (
    "--job_name={0} --num_gpus=1 --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL "
    "--log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --data_dir=$AZ_BATCHAI_INPUT_DATASET "
    "--ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS "
    "--task_index=$AZ_BATCHAI_TASK_INDEX"
)


def guide_parameters(cluster_id: str) -> models.JobCreateParameters:
    azure_file_share, azure_blob = "afs", "bfs"
    script_directory, dataset_directory = "tensorflow_samples", "mnist_dataset"
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=2,
        input_directories=[
            models.InputDirectory(
                id="SCRIPT", path=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_blob}/{script_directory}"
            ),
            models.InputDirectory(
                id="DATASET", path=f"$AZ_BATCHAI_JOB_MOUNT_ROOT/{azure_blob}/{dataset_directory}"
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
                    account_name="acct",
                    credentials=models.AzureStorageCredentialsInfo(account_key="a2V5LXZhbHVl"),
                    azure_file_url="https://acct.file.core.windows.net/share",
                    relative_mount_path=azure_file_share,
                )
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name="acct",
                    credentials=models.AzureStorageCredentialsInfo(account_key="a2V5LXZhbHVl"),
                    container_name="batchaisample",
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
            worker_count=2,
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/mnist_replica.py",
            master_command_line_args=ARGS_FMT.format("worker"),
            worker_command_line_args=ARGS_FMT.format("worker"),
            parameter_server_command_line_args=ARGS_FMT.format("ps"),
        ),
    )


def stdouterr_files(client, name="tf"):
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    return {f.name: f for f in client.jobs.list_output_files(RG, WS, EXP, name, options)}


def test_guide_tf_ps_job_runs_and_its_log_streams(
    client, make_cluster, wait_job, wait_until, batchai_home
):
    # What the guide's notebook uploads with BlockBlobService lands in the container's folder.
    container = layout.blob_container_dir("acct", "batchaisample")
    (container / "tensorflow_samples").mkdir(parents=True)
    (container / "tensorflow_samples" / "mnist_replica.py").write_text(REPLICA)
    (container / "mnist_dataset").mkdir()
    (container / "mnist_dataset" / "train.txt").write_text("digits")

    cluster = make_cluster(nodes=2)
    job = client.jobs.create(RG, WS, EXP, "tf", guide_parameters(cluster.id)).result()
    assert (
        job.execution_state == models.ExecutionState.queued
        or str(job.execution_state.value) == "running"
    )

    share = layout.file_share_dir("acct", "share")
    models_dir = share / job.job_output_directory_path_segment / "outputs" / "Models"

    # Stream stdout-wk-0.txt the way the guide's helpers do, while the job runs.
    url = wait_until(
        lambda: (f := stdouterr_files(client).get("stdout-wk-0.txt")) and f.download_url,
        timeout=60,
    )

    def first_line() -> requests.Response | None:
        # An unbuffered print() writes its text and its newline in two writes: a reader can
        # come in between.  Worker 0 then waits for 'go', so its whole first line comes.
        response = requests.get(url, headers={"Range": "bytes=0-"}, timeout=10)
        return response if response.content.endswith(b"\n") else None

    first = wait_until(first_line, timeout=60)
    assert first.status_code in (200, 206)
    assert first.text == "worker-0 step 0: ack worker-0\n"
    assert str(client.jobs.get(RG, WS, EXP, "tf").execution_state.value) == "running"
    (models_dir / "go").write_text("")

    done = wait_job(client, "tf")
    assert str(done.execution_state.value) == "succeeded", done.execution_info
    assert done.execution_info.exit_code == 0 and not done.execution_info.errors
    rest = requests.get(url, headers={"Range": f"bytes={len(first.content)}-"}, timeout=10)
    assert rest.status_code == 206
    assert first.text + rest.text == "".join(
        ["worker-0 step 0: ack worker-0\n"] + [f"worker-0 step {s}\n" for s in (1, 2, 3)]
    )
    at_end = requests.get(
        url, headers={"Range": f"bytes={len(first.content) + len(rest.content)}-"}, timeout=10
    )
    assert at_end.status_code == 416 or (at_end.status_code == 206 and at_end.content == b"")
    forged = url.rsplit("/", 2)
    forged_url = f"{forged[0]}/{forged[1][:-4]}AAAA/{forged[2]}"
    assert requests.get(forged_url, timeout=10).status_code == 403

    files = stdouterr_files(client)
    assert {
        "stdout-wk-0.txt",
        "stdout-wk-1.txt",
        "stderr-wk-0.txt",
        "stdout-ps-0.txt",
        "stderr-ps-0.txt",
    } <= set(files)
    assert any(name.startswith("execution") and name.endswith(".log") for name in files)
    assert files["stdout-wk-1.txt"].file_type == models.FileType.file
    assert requests.get(files["stdout-wk-1.txt"].download_url, timeout=10).text.startswith(
        "worker-1 step 0: ack worker-1"
    )

    # The environment contract each task saw.
    env = {
        n: json.loads((models_dir / f"env-{n}.json").read_text())
        for n in ("ps-0", "worker-0", "worker-1")
    }
    ps_hosts = env["ps-0"]["AZ_BATCHAI_PS_HOSTS"].split(",")
    workers = env["ps-0"]["AZ_BATCHAI_WORKER_HOSTS"].split(",")
    assert len(ps_hosts) == 1 and len(workers) == 2 and len(set(ps_hosts + workers)) == 3
    for name, record in env.items():
        assert record["AZ_BATCHAI_PS_HOSTS"].split(",") == ps_hosts
        assert record["AZ_BATCHAI_TASK_INDEX"] == name[-1]
        tf_config = json.loads(record["TF_CONFIG"])
        assert tf_config["cluster"] == {"ps": ps_hosts, "worker": workers}
        assert tf_config["task"] == {
            "type": "ps" if name.startswith("ps") else "worker",
            "index": int(name[-1]),
        }
        assert record["dataset"] == "digits"
        assert record["flags"]["job_name"] == name.split("-")[0]
        assert record["AZ_BATCHAI_OUTPUT_MODEL"].endswith(
            f"{job.job_output_directory_path_segment}/outputs/Models"
        )
    assert env["worker-0"]["HOME"] != env["worker-1"]["HOME"]  # workers 0 and 1 sit on two nodes

    # The parameter server was stopped with the job; the cluster's nodes are idle again.
    ps_port = int(ps_hosts[0].rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", ps_port), timeout=1).close()
    counts = client.clusters.get(RG, WS, "nc6").node_state_counts
    assert (counts.idle_node_count, counts.running_node_count) == (2, 0)
    # TENSORBOARD output directory exists (created before the tasks started) and is listable.
    assert (
        list(
            client.jobs.list_output_files(
                RG,
                WS,
                EXP,
                "tf",
                models.JobsListOutputFilesOptions(outputdirectoryid="TENSORBOARD"),
            )
        )
        == []
    )
    listing = {
        f.name: f
        for f in client.jobs.list_output_files(
            RG,
            WS,
            EXP,
            "tf",
            models.JobsListOutputFilesOptions(outputdirectoryid="MODEL", linkexpiryinminutes=5),
        )
    }
    assert {"env-ps-0.json", "go"} <= set(listing)

"""The node launcher with real processes: TF-shaped tasks talking over the advertised ports,
job preparation, secrets, mpirun, and fast failures."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import azure.mgmt.batchai.models as genuine
import pytest

from batchai_compat.runtime import MpiOptions, job_spec, run_node

TF_SCRIPT = textwrap.dedent(
    """
    import argparse, json, os, socket, sys, time
    p = argparse.ArgumentParser()
    p.add_argument("--job_name"); p.add_argument("--task_index", type=int)
    p.add_argument("--ps_hosts"); p.add_argument("--worker_hosts"); p.add_argument("--checkpoint_dir")
    a, _ = p.parse_known_args()
    record = {k: v for k, v in os.environ.items() if k.startswith("AZ_BATCHAI_") or k == "TF_CONFIG"}
    record["argv"] = sys.argv[1:]
    with open(os.path.join(a.checkpoint_dir, f"env-{a.job_name}-{a.task_index}.json"), "w") as f:
        json.dump(record, f)
    if a.job_name == "ps":
        host, port = a.ps_hosts.split(",")[a.task_index].split(":")
        server = socket.create_server((host, int(port)))
        print("ps listening", flush=True)
        while True:  # like server.join(): a parameter server never exits by itself
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"ack:" + conn.recv(100))
    host, port = a.ps_hosts.split(",")[0].split(":")
    for _ in range(400):
        try:
            conn = socket.create_connection((host, int(port)), timeout=5)
            break
        except OSError:
            time.sleep(0.025)
    conn.sendall(f"worker-{a.task_index}".encode())
    print(conn.recv(100).decode(), flush=True)
    """
)


def tf_job(script_dir: str, args: str) -> genuine.JobCreateParameters:
    return genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs",
        input_directories=[genuine.InputDirectory(id="SCRIPT", path=script_dir)],
        output_directories=[
            genuine.OutputDirectory(
                id="MODEL", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/afs", path_suffix="Models"
            )
        ],
        tensor_flow_settings=genuine.TensorFlowSettings(
            python_script_file_path="$AZ_BATCHAI_INPUT_SCRIPT/replica.py",
            python_interpreter_path=sys.executable,
            master_command_line_args=args.format("worker"),
            worker_command_line_args=args.format("worker"),
            parameter_server_command_line_args=args.format("ps"),
            worker_count=2,
            parameter_server_count=1,
        ),
    )


def stdouterr(topology) -> Path:
    return Path(topology.job_mount_root, "afs", topology.identity.output_path_segment, "stdouterr")


def test_tf_ps_and_workers_talk_over_the_advertised_hosts(tmp_path, make_topology, free_ports):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "replica.py").write_text(TF_SCRIPT)
    ports = free_ports(3)
    topology = make_topology(tf_ports={"ps": ports[:1], "worker": ports[1:]})
    args = (
        "--job_name={0} --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL --ps_hosts=$AZ_BATCHAI_PS_HOSTS "
        "--worker_hosts=$AZ_BATCHAI_WORKER_HOSTS --task_index=$AZ_BATCHAI_TASK_INDEX"
    )
    result = run_node(job_spec(tf_job(str(scripts), args)), topology)
    assert result.exit_code == 0, result
    logs = stdouterr(topology)
    assert (logs / "stdout-wk-0.txt").read_text() == "ack:worker-0\n"
    assert (logs / "stdout-wk-1.txt").read_text() == "ack:worker-1\n"
    assert (logs / "stdout-ps-0.txt").read_text() == "ps listening\n"
    assert {"execution.log", "stderr-wk-0.txt", "stderr-ps-0.txt"} <= {
        p.name for p in logs.iterdir()
    }
    models = Path(
        topology.job_mount_root, "afs", topology.identity.output_path_segment, "outputs", "Models"
    )
    ps_env = json.loads((models / "env-ps-0.json").read_text())
    wk1 = json.loads((models / "env-worker-1.json").read_text())
    assert wk1["AZ_BATCHAI_TASK_INDEX"] == "1"
    assert json.loads(wk1["TF_CONFIG"])["task"] == {"type": "worker", "index": 1}
    assert json.loads(ps_env["TF_CONFIG"])["task"] == {"type": "ps", "index": 0}
    assert wk1["AZ_BATCHAI_PS_HOSTS"] == f"127.0.0.1:{ports[0]}"
    assert "--job_name=ps" in ps_env["argv"]
    assert wk1["AZ_BATCHAI_OUTPUT_MODEL"] == str(models)
    # The parameter server (which never exits by itself) was stopped when the workers finished.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", ports[0]), timeout=1).close()


def custom_job(command: str, **fields: object) -> genuine.JobCreateParameters:
    return genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
        custom_toolkit_settings=genuine.CustomToolkitSettings(command_line=command),
        **fields,
    )


def test_custom_job_with_preparation_variables_and_a_secret(make_topology):
    params = custom_job(
        "test -d $AZ_BATCHAI_OUTPUT_OUT && echo $VARIABLE $SECRET_VARIABLE && cat ~/.prep",
        job_preparation=genuine.JobPreparation(
            command_line="echo $VARIABLE $SECRET_VARIABLE; echo prepared > ~/.prep"
        ),
        environment_variables=[genuine.EnvironmentVariable(name="VARIABLE", value="VALUE")],
        secrets=[
            genuine.EnvironmentVariableWithSecretValue(name="SECRET_VARIABLE", value="SECRET")
        ],
        output_directories=[
            genuine.OutputDirectory(id="OUT", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/out")
        ],
    )
    topology = make_topology()
    spec = job_spec(params.as_dict())
    assert spec.secret_names == ("SECRET_VARIABLE",)
    result = run_node(spec, topology, {"SECRET_VARIABLE": "s3cr3t-value"})
    assert result.exit_code == 0, result
    logs = Path(topology.job_mount_root, "logs", topology.identity.output_path_segment, "stdouterr")
    assert (logs / "stdout-job_prep.txt").read_text() == "VALUE s3cr3t-value\n"
    assert (logs / "stdout.txt").read_text() == "VALUE s3cr3t-value\nprepared\n"
    assert (logs / "stderr.txt").read_text() == ""
    assert "s3cr3t-value" not in (logs / "execution.log").read_text()
    assert Path(topology.home, ".prep").read_text() == "prepared\n"  # the node's own HOME


def test_failing_preparation_fails_the_job_before_the_task(make_topology):
    topology = make_topology()
    result = run_node(
        job_spec(
            custom_job(
                "echo ran",
                job_preparation=genuine.JobPreparation(command_line="echo no disk >&2; exit 3"),
            )
        ),
        topology,
    )
    assert result.exit_code == 3
    (error,) = result.errors
    assert error.code == "JobPreparationFailed" and "no disk" in error.message
    logs = Path(topology.job_mount_root, "logs", topology.identity.output_path_segment, "stdouterr")
    assert not (logs / "stdout.txt").exists()


def test_failing_task_reports_exit_code_and_reason_without_secrets(make_topology):
    params = custom_job(
        'echo "boom $TOKEN" >&2; exit 7',
        secrets=[genuine.EnvironmentVariableWithSecretValue(name="TOKEN", value="x")],
    )
    result = run_node(job_spec(params), make_topology(), {"TOKEN": "tok-123"})
    assert result.exit_code == 7
    (error,) = result.errors
    assert error.code == "JobFailed"
    assert "boom ***" in error.message and "tok-123" not in error.message


def test_missing_interpreter_fails_fast_with_the_reason(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/l",
        py_torch_settings=genuine.PyTorchSettings(
            python_script_file_path="/s.py", python_interpreter_path="/no/such/python3"
        ),
    )
    result = run_node(job_spec(params), make_topology())
    assert result.exit_code == 127
    assert "/no/such/python3" in result.errors[0].message


@pytest.mark.mpi
@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed")
def test_custom_mpi_job_runs_ranks_under_real_mpirun(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=2,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/l",
        custom_mpi_settings=genuine.CustomMpiSettings(
            command_line="bash -c 'echo rank=$OMPI_COMM_WORLD_RANK size=$OMPI_COMM_WORLD_SIZE hf=$AZ_BATCHAI_MPI_HOST_FILE'",
            process_count=3,
        ),
    )
    topology = make_topology(nodes=2)
    import os

    result = run_node(
        job_spec(params), topology, mpi=MpiOptions(allow_run_as_root=os.geteuid() == 0)
    )
    logs = Path(topology.job_mount_root, "l", topology.identity.output_path_segment, "stdouterr")
    assert result.exit_code == 0, (logs / "stderr.txt").read_text()
    lines = sorted((logs / "stdout.txt").read_text().splitlines())
    assert lines == [f"rank={r} size=3 hf={topology.mpi_host_file}" for r in range(3)]
    assert Path(topology.mpi_host_file).read_text() == "127.0.0.1 slots=2\n"
    assert {"execution-node-0.log"} <= {p.name for p in logs.iterdir()}


def test_command_line_entry_point_reads_secrets_from_stdin(tmp_path, make_topology):
    topology = make_topology()
    params = custom_job(
        "echo $SECRET_VARIABLE",
        secrets=[genuine.EnvironmentVariableWithSecretValue(name="SECRET_VARIABLE")],
    )
    launch = tmp_path / "launch.json"
    launch.write_text(
        json.dumps({"job": params.as_dict(), "topology": json.loads(topology.to_json())})
    )
    result_path = tmp_path / "result.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "batchai_compat.runtime",
            str(launch),
            "--secrets-stdin",
            "--result",
            str(result_path),
        ],
        input=json.dumps({"SECRET_VARIABLE": "from-the-pipe"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(result_path.read_text()) == {"exit_code": 0, "errors": []}
    logs = Path(topology.job_mount_root, "logs", topology.identity.output_path_segment, "stdouterr")
    assert (logs / "stdout.txt").read_text() == "from-the-pipe\n"
    assert "from-the-pipe" not in launch.read_text()

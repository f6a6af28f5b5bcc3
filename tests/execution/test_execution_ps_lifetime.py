"""A TensorFlow job's parameter servers serve the workers of every node until all are done.

Batch AI stopped a job's parameter servers (which never exit by themselves) once its workers were
all done.  Here worker 0 shares node 0 with the ps and exits at once; worker 1, on node 1, talks
to the ps only after node 0's runtime has seen worker 0 exit and logged what it did next: the
ps must still be there for it.
"""

from __future__ import annotations

import textwrap

import requests
from execution_jobs import job_on_share

import batchai_compat.models as models
from batchai_compat.home import layout

RG, WS, EXP = "rg", "ws", "exp"

TASK = textwrap.dedent(
    """
    import glob, os, socket, sys, time
    role, index = sys.argv[1], int(os.environ["AZ_BATCHAI_TASK_INDEX"])
    host, port = os.environ["AZ_BATCHAI_PS_HOSTS"].split(",")[0].rsplit(":", 1)
    listening = os.path.join(os.environ["AZ_BATCHAI_SHARED_JOB_TEMP"], "ps-listening")
    if role == "ps":
        server = socket.create_server((host, int(port)))
        open(listening, "w").close()
        while True:
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"ack " + conn.recv(100))
    if index == 0:
        sys.exit(0)
    # Worker 1 waits until the ps listens and node 0's runtime has logged its next step after
    # worker 0's exit.
    while not os.path.exists(listening):
        time.sleep(0.02)
    logs = os.environ["AZ_BATCHAI_STDOUTERR_DIR"]
    while True:
        for path in glob.glob(os.path.join(logs, "execution-*.log")):
            lines = open(path).read().splitlines()
            done = [i for i, line in enumerate(lines) if "task worker-0 exited with code 0" in line]
            if done and len(lines) > done[0] + 1:
                break
        else:
            time.sleep(0.02)
            continue
        break
    conn = socket.create_connection((host, int(port)), timeout=60)
    conn.sendall(b"worker-1")
    print(conn.recv(100).decode())
    """
)


def test_parameter_servers_outlive_the_workers_of_their_own_node(client, make_cluster, wait_job):
    share = layout.file_share_dir("acct", "share")
    share.mkdir(parents=True)
    (share / "task.py").write_text(TASK)
    cluster = make_cluster(nodes=2)
    params = job_on_share(
        cluster.id,
        2,
        tensor_flow_settings=models.TensorFlowSettings(
            parameter_server_count=1,
            worker_count=2,
            python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/share/task.py",
            master_command_line_args="worker",
            worker_command_line_args="worker",
            parameter_server_command_line_args="ps",
        ),
    )
    client.jobs.create(RG, WS, EXP, "tf", params).result()
    done = wait_job(client, "tf")
    assert str(done.execution_state.value) == "succeeded", done.execution_info
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    files = {f.name: f for f in client.jobs.list_output_files(RG, WS, EXP, "tf", options)}
    assert requests.get(files["stdout-wk-1.txt"].download_url, timeout=10).text == "ack worker-1\n"

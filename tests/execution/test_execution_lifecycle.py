"""Local jobs as real processes: states, execution_info, secrets, scheduling, stopping."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
import requests

import batchai_compat.models as models
from batchai_compat.home import layout
from batchai_compat.home.processes import ProcessRef

RG, WS, EXP = "rg", "ws", "exp"
SECRET = "s3cr3t-Value-9f1c"


def custom(cluster_id: str, command: str, **fields: object) -> models.JobCreateParameters:
    fields.setdefault("std_out_err_path_prefix", "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs")
    fields.setdefault(
        "mount_volumes",
        models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name="acct",
                    azure_file_url="https://acct.file.core.windows.net/logs",
                    credentials=models.AzureStorageCredentialsInfo(account_key="c3RvcmFnZS1rZXk="),
                    relative_mount_path="logs",
                )
            ]
        ),
    )
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id),
        node_count=fields.pop("node_count", 1),
        custom_toolkit_settings=models.CustomToolkitSettings(command_line=command),
        **fields,
    )


def stdouterr(client, name: str) -> dict[str, str]:
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    return {
        f.name: requests.get(f.download_url, timeout=10).text
        for f in client.jobs.list_output_files(RG, WS, EXP, name, options)
        if f.download_url
    }


def test_custom_job_with_preparation_variables_and_secret(
    client, cluster, wait_job, batchai_home, run_dir
):
    params = custom(
        cluster.id,
        'echo $VARIABLE; printf %s "$SECRET_VARIABLE" > $AZ_BATCHAI_OUTPUT_OUT/secret.txt; cat ~/.prepared',
        job_preparation=models.JobPreparation(
            command_line="echo prep $VARIABLE; echo node-home > ~/.prepared"
        ),
        environment_variables=[models.EnvironmentVariable(name="VARIABLE", value="VALUE")],
        secrets=[models.EnvironmentVariableWithSecretValue(name="SECRET_VARIABLE", value=SECRET)],
        output_directories=[
            models.OutputDirectory(id="OUT", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs")
        ],
        container_settings=models.ContainerSettings(
            image_source_registry=models.ImageSourceRegistry(image="ubuntu:16.04")
        ),
    )
    client.jobs.create(RG, WS, EXP, "custom", params).result()
    job = wait_job(client, "custom")
    assert str(job.execution_state.value) == "succeeded", job.execution_info
    assert job.execution_info.exit_code == 0
    assert job.secrets[0].name == "SECRET_VARIABLE" and job.secrets[0].value is None
    logs = stdouterr(client, "custom")
    assert logs["stdout.txt"] == "VALUE\nnode-home\n"
    assert logs["stdout-job_prep.txt"] == "prep VALUE\n"
    assert logs["stderr.txt"] == logs["stderr-job_prep.txt"] == ""
    assert "ubuntu:16.04" in logs["execution.log"]  # container settings recorded, run on the host
    # The secret reached the job's environment ...
    outputs = {
        f.name: f
        for f in client.jobs.list_output_files(
            RG, WS, EXP, "custom", models.JobsListOutputFilesOptions(outputdirectoryid="OUT")
        )
    }
    assert requests.get(outputs["secret.txt"].download_url, timeout=10).text == SECRET
    # ... and nowhere else: not the database (and its WAL), not a log, not a launch file.
    secret_file = (
        layout.file_share_dir("acct", "logs")
        / job.job_output_directory_path_segment
        / "outputs"
        / "secret.txt"
    )
    for path in batchai_home.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.resolve() != secret_file.resolve():
            assert SECRET.encode() not in path.read_bytes(), path
    # The node's HOME is its own folder under the job's run folder.
    assert (run_dir(job) / "nodes" / "0" / "home" / ".prepared").read_text() == "node-home\n"


def test_failing_script_reports_exit_code_and_error(client, cluster, wait_job):
    client.jobs.create(RG, WS, EXP, "fails", custom(cluster.id, "echo broken >&2; exit 3")).result()
    job = wait_job(client, "fails")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.exit_code == 3
    (error,) = job.execution_info.errors
    assert error.code == "JobFailed" and "broken" in error.message
    assert {d.name: d.value for d in error.details}["exitCode"] == "3"
    counts = client.clusters.get(RG, WS, "nc6").node_state_counts
    assert (counts.idle_node_count, counts.running_node_count) == (1, 0)


def test_failing_preparation_is_job_preparation_failed(client, cluster, wait_job):
    params = custom(
        cluster.id, "echo never", job_preparation=models.JobPreparation(command_line="exit 1")
    )
    client.jobs.create(RG, WS, EXP, "prep", params).result()
    job = wait_job(client, "prep")
    assert (str(job.execution_state.value), job.execution_info.exit_code) == ("failed", 1)
    assert job.execution_info.errors[0].code == "JobPreparationFailed"
    assert "stdout.txt" not in stdouterr(client, "prep")


def test_missing_interpreter_fails_fast_with_its_name(client, cluster, wait_job):
    params = models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster.id),
        node_count=1,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        tensor_flow_settings=models.TensorFlowSettings(
            python_script_file_path="train.py", python_interpreter_path="/opt/conda/bin/python3"
        ),
    )
    client.jobs.create(RG, WS, EXP, "nopy", params).result()
    job = wait_job(client, "nopy")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.exit_code == 127
    assert "/opt/conda/bin/python3" in job.execution_info.errors[0].message


def test_terminate_stops_every_process(client, cluster, wait_job, wait_until, run_dir):
    client.jobs.create(RG, WS, EXP, "long", custom(cluster.id, "sleep 600 & sleep 600")).result()
    job = wait_job(client, "long", ("running",))
    wait_until(lambda: "stdout.txt" in stdouterr(client, "long"))  # the task has started
    client.jobs.terminate(RG, WS, EXP, "long").result()
    job = wait_job(client, "long")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.errors[0].code == "JobTerminated"
    assert job.execution_info.end_time is not None
    # (the no_leftover_processes fixture checks the two sleeps are gone)


def test_max_wall_clock_time_is_enforced(client, cluster, wait_job):
    params = custom(
        cluster.id,
        "sleep 600",
        constraints=models.JobBasePropertiesConstraints(max_wall_clock_time=timedelta(seconds=1)),
    )
    client.jobs.create(RG, WS, EXP, "slow", params).result()
    job = wait_job(client, "slow")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.errors[0].code == "MaxWallClockTimeExceeded"


def test_killed_supervisor_is_detected_on_read(client, cluster, wait_job, wait_until, run_dir):
    client.jobs.create(RG, WS, EXP, "orphan", custom(cluster.id, "sleep 600")).result()
    job = wait_job(client, "orphan", ("running",))
    wait_until(lambda: "stdout.txt" in stdouterr(client, "orphan"))
    supervisor = ProcessRef.from_dict(json.loads((run_dir(job) / "supervisor.json").read_text()))
    os.kill(supervisor.pid, signal.SIGKILL)
    wait_until(lambda: not supervisor.alive())
    job = client.jobs.get(RG, WS, EXP, "orphan")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.errors[0].code == "SupervisorDied"
    counts = client.clusters.get(RG, WS, "nc6").node_state_counts
    assert counts.running_node_count == 0


def test_killed_node_process_fails_the_job(client, cluster, wait_job, wait_until, run_dir):
    client.jobs.create(RG, WS, EXP, "node", custom(cluster.id, "sleep 600")).result()
    job = wait_job(client, "node", ("running",))
    nodes = wait_until(
        lambda: (
            (run_dir(job) / "nodes.json").exists()
            and json.loads((run_dir(job) / "nodes.json").read_text())
        )
    )
    os.kill(nodes[0]["pid"], signal.SIGKILL)
    job = wait_job(client, "node")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.errors[0].code == "NodeFailed"


def test_job_waits_queued_until_its_nodes_are_free(
    client, cluster, wait_job, wait_until, batchai_home
):
    gate = batchai_home / "gate"
    client.jobs.create(
        RG, WS, EXP, "first", custom(cluster.id, f"while [ ! -e {gate} ]; do sleep 0.02; done")
    ).result()
    wait_job(client, "first", ("running",))
    client.jobs.create(RG, WS, EXP, "second", custom(cluster.id, "echo second")).result()
    assert str(client.jobs.get(RG, WS, EXP, "second").execution_state.value) == "queued"
    counts = client.clusters.get(RG, WS, "nc6").node_state_counts
    assert (counts.running_node_count, counts.idle_node_count) == (1, 0)
    gate.write_text("")
    assert str(wait_job(client, "first").execution_state.value) == "succeeded"
    second = wait_job(client, "second")
    assert str(second.execution_state.value) == "succeeded"
    assert (
        second.execution_info.start_time
        >= client.jobs.get(RG, WS, EXP, "first").execution_info.end_time
    )


def test_deleting_the_experiment_stops_its_running_jobs(client, cluster, wait_job, wait_until):
    client.jobs.create(RG, WS, EXP, "doomed", custom(cluster.id, "sleep 600")).result()
    wait_job(client, "doomed", ("running",))
    wait_until(lambda: "stdout.txt" in stdouterr(client, "doomed"))
    client.experiments.delete(RG, WS, EXP).result()
    counts = client.clusters.get(RG, WS, "nc6").node_state_counts
    assert counts.running_node_count == 0
    # (no_leftover_processes checks the sleep is gone)


def test_deleting_the_cluster_stops_its_running_jobs(client, cluster, wait_job, wait_until):
    client.jobs.create(RG, WS, EXP, "evicted", custom(cluster.id, "sleep 600")).result()
    wait_job(client, "evicted", ("running",))
    wait_until(lambda: "stdout.txt" in stdouterr(client, "evicted"))
    client.clusters.delete(RG, WS, "nc6").result()
    job = wait_job(client, "evicted")
    assert str(job.execution_state.value) == "failed"


def test_pytorch_job_runs_process_count_ranks(client, make_cluster, wait_job, batchai_home):
    share = layout.file_share_dir("acct", "logs")
    share.mkdir(parents=True)
    (share / "rank.py").write_text(
        "import os, sys\n"
        "print(sys.argv[1:], os.environ['AZ_BATCHAI_TASK_INDEX'], os.environ['AZ_BATCHAI_PYTORCH_BACKEND'],"
        " os.environ['AZ_BATCHAI_PYTORCH_INIT_METHOD'].startswith('file://'))\n"
    )
    cluster = make_cluster(nodes=2)
    params = custom(cluster.id, "unused", node_count=2)
    params.custom_toolkit_settings = None
    params.py_torch_settings = models.PyTorchSettings(
        python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs/rank.py",
        command_line_args="--world-size 2 --rank $AZ_BATCHAI_TASK_INDEX",
        communication_backend="gloo",
    )
    client.jobs.create(RG, WS, EXP, "torch", params).result()
    job = wait_job(client, "torch")
    assert str(job.execution_state.value) == "succeeded", job.execution_info
    logs = stdouterr(client, "torch")
    assert logs["stdout-0.txt"] == "['--world-size', '2', '--rank', '0'] 0 gloo True\n"
    assert logs["stdout-1.txt"] == "['--world-size', '2', '--rank', '1'] 1 gloo True\n"


@pytest.mark.mpi
@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed")
def test_horovod_job_runs_under_real_mpirun(client, make_cluster, wait_job):
    share = layout.file_share_dir("acct", "logs")
    share.mkdir(parents=True)
    (share / "hvd.py").write_text(
        "import os, sys\n"
        "rank, size = os.environ['OMPI_COMM_WORLD_RANK'], os.environ['OMPI_COMM_WORLD_SIZE']\n"
        "hostfile = os.path.exists(os.environ['AZ_BATCHAI_MPI_HOST_FILE'])\n"
        "sys.stdout.write(f'rank {rank} of {size} {hostfile}\\n')  # one write: ranks share a file\n"
    )
    cluster = make_cluster(nodes=2)
    params = custom(cluster.id, "unused", node_count=2)
    params.custom_toolkit_settings = None
    params.horovod_settings = models.HorovodSettings(
        python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs/hvd.py",
        python_interpreter_path=sys.executable,
        process_count=3,
    )
    client.jobs.create(RG, WS, EXP, "hvd", params).result()
    job = wait_job(client, "hvd")
    logs = stdouterr(client, "hvd")
    assert str(job.execution_state.value) == "succeeded", logs.get("stderr.txt")
    assert sorted(logs["stdout.txt"].splitlines()) == [f"rank {r} of 3 True" for r in range(3)]


def test_cluster_mounts_appear_under_mount_root(client, make_cluster, wait_job):
    data = layout.blob_container_dir("acct", "shared-data")
    data.mkdir(parents=True)
    (data / "hello.txt").write_text("from the cluster mount")
    cluster = make_cluster(
        name="withsetup",
        node_setup=models.NodeSetup(
            mount_volumes=models.MountVolumes(
                azure_blob_file_systems=[
                    models.AzureBlobFileSystemReference(
                        account_name="acct",
                        container_name="shared-data",
                        relative_mount_path="data/blob",
                        credentials=models.AzureStorageCredentialsInfo(account_key="a2V5"),
                    )
                ]
            )
        ),
    )
    client.jobs.create(
        RG, WS, EXP, "reads", custom(cluster.id, "cat $AZ_BATCHAI_MOUNT_ROOT/data/blob/hello.txt")
    ).result()
    job = wait_job(client, "reads")
    assert str(job.execution_state.value) == "succeeded", job.execution_info
    assert stdouterr(client, "reads")["stdout.txt"] == "from the cluster mount"


def test_list_output_files_subdirectories_and_bad_paths(client, cluster, wait_job):
    params = custom(
        cluster.id,
        "mkdir $AZ_BATCHAI_OUTPUT_OUT/sub && echo x > $AZ_BATCHAI_OUTPUT_OUT/sub/f.txt",
        output_directories=[
            models.OutputDirectory(
                id="OUT", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs", path_suffix="m"
            )
        ],
    )
    client.jobs.create(RG, WS, EXP, "dirs", params).result()
    assert str(wait_job(client, "dirs").execution_state.value) == "succeeded"
    top = list(
        client.jobs.list_output_files(
            RG, WS, EXP, "dirs", models.JobsListOutputFilesOptions(outputdirectoryid="OUT")
        )
    )
    assert [(f.name, f.file_type, f.download_url) for f in top] == [
        ("sub", models.FileType.directory, None)
    ]
    assert top[0].last_modified is not None
    (inner,) = client.jobs.list_output_files(
        RG,
        WS,
        EXP,
        "dirs",
        models.JobsListOutputFilesOptions(outputdirectoryid="OUT", directory="sub"),
    )
    assert (inner.name, inner.content_length) == ("f.txt", 2)
    assert requests.get(inner.download_url, timeout=10).text == "x\n"
    with pytest.raises(ValueError, match="directory"):
        list(
            client.jobs.list_output_files(
                RG,
                WS,
                EXP,
                "dirs",
                models.JobsListOutputFilesOptions(outputdirectoryid="OUT", directory="../../.."),
            )
        )
    paged = client.jobs.list_output_files(
        RG,
        WS,
        EXP,
        "dirs",
        models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr", max_results=1),
    )
    assert len(list(paged)) == 3  # execution.log, stderr.txt, stdout.txt over pages of one


def test_output_directories_exist_before_the_task_starts(client, cluster, wait_job):
    params = custom(
        cluster.id,
        "test -d $AZ_BATCHAI_OUTPUT_A && test -d $AZ_BATCHAI_OUTPUT_B && test -d $AZ_BATCHAI_JOB_TEMP && test -d $AZ_BATCHAI_SHARED_JOB_TEMP",
        output_directories=[
            models.OutputDirectory(id="A", path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs"),
            models.OutputDirectory(
                id="B", path_prefix="$AZ_BATCHAI_JOB_TEMP", path_suffix="deep/er"
            ),
        ],
    )
    client.jobs.create(RG, WS, EXP, "dirs-first", params).result()
    job = wait_job(client, "dirs-first")
    assert str(job.execution_state.value) == "succeeded", job.execution_info


def setup_cluster(make_cluster, name: str, command: str) -> models.Cluster:
    return make_cluster(
        name=name,
        node_setup=models.NodeSetup(
            mount_volumes=models.MountVolumes(
                azure_file_shares=[
                    models.AzureFileShareReference(
                        account_name="acct",
                        azure_file_url="https://acct.file.core.windows.net/setup",
                        credentials=models.AzureStorageCredentialsInfo(account_key="a2V5"),
                        relative_mount_path="afs",
                    )
                ]
            ),
            setup_task=models.SetupTask(
                command_line=command,
                environment_variables=[models.EnvironmentVariable(name="GREETING", value="hello")],
                secrets=[
                    models.EnvironmentVariableWithSecretValue(name="SECRET_GREETING", value=SECRET)
                ],
                std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/afs",
            ),
        ),
    )


def test_cluster_setup_task_runs_once_per_node_before_jobs(
    client, make_cluster, wait_job, batchai_home
):
    cluster = setup_cluster(
        make_cluster,
        "setup",
        'echo "$GREETING $SECRET_GREETING"; echo ran >> $AZ_BATCHAI_MOUNT_ROOT/afs/runs.txt',
    )
    for name in ("one", "two"):
        client.jobs.create(
            RG, WS, EXP, name, custom(cluster.id, "cat $AZ_BATCHAI_MOUNT_ROOT/afs/runs.txt")
        ).result()
        job = wait_job(client, name)
        assert str(job.execution_state.value) == "succeeded", job.execution_info
        assert stdouterr(client, name)["stdout.txt"] == "ran\n"  # the setup task ran before, once
    share = layout.file_share_dir("acct", "setup")
    (node,) = client.clusters.list_remote_login_information(RG, WS, "setup")
    (stdout,) = share.rglob(f"stdout-{node.node_id}.txt")
    assert stdout.read_text() == f"hello {SECRET}\n"
    assert stdout.parent.relative_to(share).parts[:6] == (
        "sub-1",
        RG,
        "workspaces",
        WS,
        "clusters",
        "setup",
    )
    # The cluster reports where it is (read-only stdOutErrPathSuffix, as the service did).
    suffix = client.clusters.get(RG, WS, "setup").node_setup.setup_task.std_out_err_path_suffix
    assert stdout.parent == share / suffix
    # The setup task's secret reached it, and no file of ours (database, logs, launch files).
    for path in batchai_home.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.resolve() != stdout.resolve():
            assert SECRET.encode() not in path.read_bytes(), path


def test_failing_setup_task_fails_the_job_clearly(client, make_cluster, wait_job):
    cluster = setup_cluster(make_cluster, "badsetup", "exit 4")
    client.jobs.create(RG, WS, EXP, "blocked", custom(cluster.id, "echo never")).result()
    job = wait_job(client, "blocked")
    assert str(job.execution_state.value) == "failed"
    (error,) = job.execution_info.errors
    assert error.code == "NodeSetupFailed" and "exit code 4" in error.message
    assert client.clusters.get(RG, WS, "badsetup").node_state_counts.running_node_count == 0


def test_terminating_a_queued_job_fails_it_at_once(client, make_cluster, run_dir):
    empty = make_cluster(name="empty", nodes=0)
    client.jobs.create(RG, WS, EXP, "waiting", custom(empty.id, "echo never")).result()
    job = client.jobs.get(RG, WS, EXP, "waiting")
    assert str(job.execution_state.value) == "queued"
    assert not (run_dir(job) / "supervisor.json").exists()  # a queued job is a row, no process
    client.jobs.terminate(RG, WS, EXP, "waiting").result()
    job = client.jobs.get(RG, WS, EXP, "waiting")
    assert str(job.execution_state.value) == "failed"
    assert job.execution_info.errors[0].code == "JobTerminated"


def test_auto_scale_cluster_grows_for_a_queued_job(client, wait_job):
    params = models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(
            auto_scale=models.AutoScaleSettings(
                minimum_node_count=0, maximum_node_count=2, initial_node_count=0
            )
        ),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="u", admin_user_password="pw"
        ),
    )
    auto = client.clusters.create(RG, WS, "auto", params).result()
    assert auto.current_node_count == 0
    client.jobs.create(
        RG, WS, EXP, "grows", custom(auto.id, "echo $AZ_BATCHAI_TASK_INDEX", node_count=2)
    ).result()
    job = wait_job(client, "grows")
    assert str(job.execution_state.value) == "succeeded", job.execution_info
    assert stdouterr(client, "grows")["stdout.txt"] == "0\n"


def test_higher_priority_job_gets_the_freed_node_first(client, cluster, wait_job, batchai_home):
    gate = batchai_home / "gate"
    client.jobs.create(
        RG, WS, EXP, "busy", custom(cluster.id, f"while [ ! -e {gate} ]; do sleep 0.02; done")
    ).result()
    wait_job(client, "busy", ("running",))
    client.jobs.create(
        RG, WS, EXP, "low", custom(cluster.id, "true", scheduling_priority="low")
    ).result()
    client.jobs.create(
        RG, WS, EXP, "high", custom(cluster.id, "true", scheduling_priority="high")
    ).result()
    gate.write_text("")
    low, high = wait_job(client, "low"), wait_job(client, "high")
    assert str(low.execution_state.value) == str(high.execution_state.value) == "succeeded"
    assert high.execution_info.end_time <= low.execution_info.start_time


def test_job_outlives_the_process_that_submitted_it(client, cluster, wait_job, batchai_home):
    submitter = (
        "import os, sys, batchai_compat.models as m\n"
        "from batchai_compat import BatchAIManagementClient\n"
        "c = BatchAIManagementClient(object(), 'sub-1', backend='local')\n"
        "p = m.JobCreateParameters(cluster=m.ResourceId(id=sys.argv[1]), node_count=1,\n"
        "    std_out_err_path_prefix='$AZ_BATCHAI_JOB_TEMP',\n"
        "    secrets=[m.EnvironmentVariableWithSecretValue(name='S', value='from-the-gone-process')],\n"
        "    custom_toolkit_settings=m.CustomToolkitSettings(\n"
        "        command_line=f'while kill -0 {os.getpid()} 2>/dev/null; do sleep 0.02; done; echo $S > {sys.argv[2]}'))\n"
        "c.jobs.create('rg', 'ws', 'exp', 'orphaned', p).result()\n"
    )
    marker = batchai_home / "written-after-exit.txt"
    done = subprocess.run(
        [sys.executable, "-c", submitter, cluster.id, str(marker)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    job = wait_job(client, "orphaned")
    assert str(job.execution_state.value) == "succeeded", job.execution_info
    assert marker.read_text() == "from-the-gone-process\n"


def test_many_jobs_from_a_thread_pool_all_run(client, make_cluster, wait_job):
    from concurrent.futures import ThreadPoolExecutor

    cluster = make_cluster(name="pool", nodes=2)
    names = [f"batch{i}" for i in range(8)]

    def submit(name: str) -> None:
        client.jobs.create(RG, WS, EXP, name, custom(cluster.id, f"echo {name}")).result()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, names))
    for name in names:
        job = wait_job(client, name)
        assert str(job.execution_state.value) == "succeeded", (name, job.execution_info)
        assert stdouterr(client, name)["stdout.txt"] == f"{name}\n"
    counts = client.clusters.get(RG, WS, "pool").node_state_counts
    assert (counts.idle_node_count, counts.running_node_count) == (2, 0)


def test_download_links_live_for_linkexpiryinminutes(client, cluster, wait_job):
    import time

    from batchai_compat.home import fileservice

    client.jobs.create(RG, WS, EXP, "links", custom(cluster.id, "echo hi")).result()
    assert str(wait_job(client, "links").execution_state.value) == "succeeded"
    for minutes in (5, 600):
        options = models.JobsListOutputFilesOptions(
            outputdirectoryid="stdouterr", linkexpiryinminutes=minutes
        )
        stdout = {f.name: f for f in client.jobs.list_output_files(RG, WS, EXP, "links", options)}[
            "stdout.txt"
        ]
        token = stdout.download_url.rsplit("/", 2)[1]
        grant = fileservice.tokens().check(token)
        assert grant.name == "stdout.txt"
        assert abs(grant.expiry - (time.time() + minutes * 60)) < 60


def test_two_node_job_prep_and_execution_logs_carry_the_node_id(client, make_cluster, wait_job):
    cluster = make_cluster(name="duo", nodes=2)
    params = custom(
        cluster.id,
        "echo task",
        node_count=2,
        job_preparation=models.JobPreparation(command_line="echo prep on $HOME"),
    )
    client.jobs.create(RG, WS, EXP, "duo", params).result()
    job = wait_job(client, "duo")
    assert str(job.execution_state.value) == "succeeded", job.execution_info
    logs = stdouterr(client, "duo")
    node_ids = sorted(
        n.node_id for n in client.clusters.list_remote_login_information(RG, WS, "duo")
    )
    assert sorted(n for n in logs if n.startswith("stdout-job_prep-")) == [
        f"stdout-job_prep-{n}.txt" for n in node_ids
    ]
    assert sorted(n for n in logs if n.startswith("execution-")) == [
        f"execution-{n}.log" for n in node_ids
    ]
    homes = {logs[f"stdout-job_prep-{n}.txt"] for n in node_ids}
    assert len(homes) == 2  # each node prepared in its own HOME
    assert logs["stdout.txt"] == "task\n"  # the custom toolkit ran once, on the first node


def test_file_server_and_unmanaged_mounts(client, cluster, wait_job):
    server = client.file_servers.create(
        RG,
        WS,
        "nfs",
        models.FileServerCreateParameters(
            vm_size="STANDARD_D2",
            ssh_configuration=models.SshConfiguration(
                user_account_settings=models.UserAccountSettings(
                    admin_user_name="u", admin_user_password="pw"
                )
            ),
            data_disks=models.DataDisks(
                disk_size_in_gb=10, disk_count=1, storage_account_type="Standard_LRS"
            ),
        ),
    ).result()
    exported = layout.file_server_dir(RG, WS, "nfs") / "exports"
    exported.mkdir(parents=True)
    (exported / "data.txt").write_text("on the file server")
    volumes = models.MountVolumes(
        file_servers=[
            models.FileServerReference(
                file_server=models.ResourceId(id=server.id),
                source_directory="exports",
                relative_mount_path="nfs",
            )
        ],
        unmanaged_file_systems=[
            models.UnmanagedFileSystemReference(
                mount_command="mount -t glusterfs 10.0.0.4:/gv0", relative_mount_path="gluster"
            )
        ],
    )
    for name in ("writer", "reader"):
        command = (
            "cat $AZ_BATCHAI_JOB_MOUNT_ROOT/nfs/data.txt; echo shared > $AZ_BATCHAI_JOB_MOUNT_ROOT/gluster/x"
            if name == "writer"
            else "cat $AZ_BATCHAI_JOB_MOUNT_ROOT/gluster/x"
        )
        params = custom(
            cluster.id,
            command,
            mount_volumes=volumes,
            std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
        )
        client.jobs.create(RG, WS, EXP, name, params).result()
        job = wait_job(client, name)
        assert str(job.execution_state.value) == "succeeded", job.execution_info
    assert stdouterr(client, "writer")["stdout.txt"] == "on the file server"
    assert (
        stdouterr(client, "reader")["stdout.txt"] == "shared\n"
    )  # same mount command, same folder

"""Every Batch AI toolkit really executed on the local backend (real processes, real mpirun).

CNTK BrainScript and Caffe config-file jobs call the frameworks' own programs (``cntk``,
``caffe``); this machine has neither, so those tests put small stand-in programs on the PATH the
nodes inherit from the submitting process — what runs is still the real command line under the
real ``mpirun``.  Without them, the job fails fast naming the missing program."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
import requests
from execution_jobs import job_on_share as job

import batchai_compat.models as models
from batchai_compat.home import layout

RG, WS, EXP = "rg", "ws", "exp"

RANK_SCRIPT = (
    "import os, sys\n"
    "rank = os.environ.get('OMPI_COMM_WORLD_RANK', os.environ['AZ_BATCHAI_TASK_INDEX'])\n"
    "sys.stdout.write(f'rank {rank} args {\" \".join(sys.argv[1:])}\\n')\n"
)


@pytest.fixture
def share() -> Path:
    folder = layout.file_share_dir("acct", "share")
    folder.mkdir(parents=True)
    (folder / "rank.py").write_text(RANK_SCRIPT)
    return folder


def logs(client, name: str) -> dict[str, str]:
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    return {
        f.name: requests.get(f.download_url, timeout=10).text
        for f in client.jobs.list_output_files(RG, WS, EXP, name, options)
        if f.download_url
    }


def run(
    client, wait_job, name: str, params: models.JobCreateParameters
) -> tuple[models.Job, dict[str, str]]:
    client.jobs.create(RG, WS, EXP, name, params).result()
    done = wait_job(client, name)
    return done, logs(client, name)


def ranks(text: str) -> list[str]:
    return sorted(text.splitlines())


SCRIPT = "$AZ_BATCHAI_JOB_MOUNT_ROOT/share/rank.py"


@pytest.mark.parametrize(
    ("name", "toolkit"),
    [
        (
            "chainer",
            {
                "chainer_settings": models.ChainerSettings(
                    python_script_file_path=SCRIPT, command_line_args="--epoch 1", process_count=3
                )
            },
        ),
        (
            "cntkpy",
            {
                "cntk_settings": models.CNTKsettings(
                    language_type="Python",
                    python_script_file_path=SCRIPT,
                    command_line_args="--epoch 1",
                    process_count=3,
                )
            },
        ),
        (
            "caffepy",
            {
                "caffe_settings": models.CaffeSettings(
                    python_script_file_path=SCRIPT, command_line_args="--epoch 1", process_count=3
                )
            },
        ),
        (
            "custommpi",
            {
                "custom_mpi_settings": models.CustomMpiSettings(
                    command_line=f"{sys.executable} {SCRIPT} --epoch 1", process_count=3
                )
            },
        ),
    ],
)
@pytest.mark.mpi
@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed")
def test_mpi_toolkits_run_process_count_ranks(client, make_cluster, wait_job, share, name, toolkit):
    cluster = make_cluster(nodes=2)
    done, out = run(client, wait_job, name, job(cluster.id, 2, **toolkit))
    assert str(done.execution_state.value) == "succeeded", out.get("stderr.txt")
    assert ranks(out["stdout.txt"]) == [f"rank {r} args --epoch 1" for r in range(3)]


def stand_in(folder: Path, program: str) -> None:
    path = folder / program
    path.write_text(f'#!/bin/sh\necho "{program} rank=$OMPI_COMM_WORLD_RANK $*"\n')
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.mark.mpi
@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed")
def test_cntk_brainscript_and_caffe_config_call_their_programs(
    client, make_cluster, wait_job, share, tmp_path, monkeypatch
):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in(bin_dir, "cntk")
    stand_in(bin_dir, "caffe")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    cluster = make_cluster(nodes=1)
    cntk, out = run(
        client,
        wait_job,
        "bs",
        job(
            cluster.id,
            1,
            cntk_settings=models.CNTKsettings(
                language_type="BrainScript",
                config_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/share/ConvNet.cntk",
                command_line_args="DataDir=$AZ_BATCHAI_JOB_MOUNT_ROOT/share",
                process_count=2,
            ),
        ),
    )
    assert str(cntk.execution_state.value) == "succeeded", out.get("stderr.txt")
    mount = out["stdout.txt"].split("configFile=")[1].split("/share/")[0]
    assert ranks(out["stdout.txt"]) == [
        f"cntk rank={r} configFile={mount}/share/ConvNet.cntk DataDir={mount}/share"
        for r in range(2)
    ]
    caffe, out = run(
        client,
        wait_job,
        "solver",
        job(
            cluster.id,
            1,
            caffe_settings=models.CaffeSettings(
                config_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/share/solver.prototxt", process_count=2
            ),
        ),
    )
    assert str(caffe.execution_state.value) == "succeeded", out.get("stderr.txt")
    mount = out["stdout.txt"].split("--solver=")[1].split("/share/")[0]
    assert mount.endswith("/jobmounts")
    assert ranks(out["stdout.txt"]) == [
        f"caffe rank={r} train --solver={mount}/share/solver.prototxt" for r in range(2)
    ]


def test_brainscript_without_cntk_fails_fast_naming_it(
    client, cluster, wait_job, share, monkeypatch
):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    if shutil.which("cntk", path="/usr/bin:/bin"):
        pytest.skip("this machine has a real cntk")
    done, _ = run(
        client,
        wait_job,
        "nocntk",
        job(
            cluster.id,
            1,
            cntk_settings=models.CNTKsettings(
                language_type="BrainScript", config_file_path="/cfg.cntk"
            ),
        ),
    )
    assert str(done.execution_state.value) == "failed"
    assert (
        done.execution_info.exit_code == 127 and "'cntk'" in done.execution_info.errors[0].message
    )


def test_caffe2_runs_one_shard_per_node(client, make_cluster, wait_job, share):
    cluster = make_cluster(nodes=2)
    done, out = run(
        client,
        wait_job,
        "caffe2",
        job(
            cluster.id,
            2,
            caffe2_settings=models.Caffe2Settings(
                python_script_file_path=SCRIPT,
                command_line_args="--shard_id $AZ_BATCHAI_TASK_INDEX --num_shards 2",
            ),
        ),
    )
    assert str(done.execution_state.value) == "succeeded", out
    assert out["stdout-0.txt"] == "rank 0 args --shard_id 0 --num_shards 2\n"
    assert out["stdout-1.txt"] == "rank 1 args --shard_id 1 --num_shards 2\n"


def test_single_machine_tensorflow_uses_master_args(client, cluster, wait_job, share):
    done, out = run(
        client,
        wait_job,
        "tf1",
        job(
            cluster.id,
            1,
            tensor_flow_settings=models.TensorFlowSettings(
                python_script_file_path=SCRIPT,
                master_command_line_args="--master",
                worker_command_line_args="--worker",
            ),
        ),
    )
    assert str(done.execution_state.value) == "succeeded", out
    assert out["stdout.txt"] == "rank 0 args --master\n"


def test_missing_framework_fails_fast_with_the_import_error(client, cluster, wait_job, share):
    (share / "needs_tf.py").write_text("import tensorflow_is_not_installed_here\n")
    done, out = run(
        client,
        wait_job,
        "notf",
        job(
            cluster.id,
            1,
            tensor_flow_settings=models.TensorFlowSettings(
                python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/share/needs_tf.py"
            ),
        ),
    )
    assert str(done.execution_state.value) == "failed"
    assert done.execution_info.exit_code == 1
    assert (
        "No module named 'tensorflow_is_not_installed_here'"
        in done.execution_info.errors[0].message
    )
    assert "ModuleNotFoundError" in out["stderr.txt"]


@pytest.mark.mpi
@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed")
def test_a_failed_rank_reports_its_exception_not_the_mpi_banner(
    client, make_cluster, wait_job, share
):
    (share / "fail.py").write_text(
        "import os\n"
        "if os.environ['OMPI_COMM_WORLD_RANK'] == '1':\n"
        "    raise ValueError('rank 1 diverged')\n"
    )
    cluster = make_cluster(nodes=2)
    done, out = run(
        client,
        wait_job,
        "rankfails",
        job(
            cluster.id,
            2,
            custom_mpi_settings=models.CustomMpiSettings(
                command_line=f"{sys.executable} $AZ_BATCHAI_JOB_MOUNT_ROOT/share/fail.py",
                process_count=2,
            ),
        ),
    )
    assert str(done.execution_state.value) == "failed"
    assert "mpirun detected" in out["stderr.txt"]  # the banner is there, after the traceback
    assert done.execution_info.errors[0].message.endswith("ValueError: rank 1 diverged")

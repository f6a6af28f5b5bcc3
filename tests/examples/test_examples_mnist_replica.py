"""The stdlib parameter-server trainer (examples/tensorflow_samples/mnist_replica.py), on its own.

Real processes on loopback: one ps and two workers train on a generated dataset; the test
reads their logs, the checkpoint and the loss curve, and re-scores the checkpoint itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TRAIN_STEPS = 1500


@pytest.fixture(scope="module")
def small_dataset(dataset_module, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("mnist_dataset")
    dataset_module.write_mnist_like_dataset(str(directory), train_size=2000, test_size=500)
    return directory


def _start(script: Path, args: list[str], log: Path, env: dict[str, str] | None = None):
    out = open(log, "w")  # noqa: SIM115 (the process writes to it; _finish closes it)
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    return proc, out


def _finish(started, timeout: float = 120) -> list[int]:
    codes = []
    for proc, out in started:
        try:
            codes.append(proc.wait(timeout=timeout))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
    return codes


def _score(checkpoint: dict, images: list[bytes], labels: list[int]) -> float:
    """Accuracy of a checkpoint, computed here from its weights (argmax of W.x + b)."""
    right = 0
    for image, label in zip(images, labels, strict=True):
        x = [b / 255.0 for b in image]
        scores = [
            sum(w * v for w, v in zip(row, x, strict=True)) + bias
            for row, bias in zip(checkpoint["weights"], checkpoint["biases"], strict=True)
        ]
        right += scores.index(max(scores)) == label
    return right / len(labels)


@pytest.fixture(scope="module")
def training_run(replica_script, small_dataset, free_ports, tmp_path_factory):
    """One distributed run: ps 0 configured by TF_CONFIG, workers by command-line flags."""
    ports = free_ports(3)
    ps_hosts = f"127.0.0.1:{ports[0]}"
    worker_hosts = f"127.0.0.1:{ports[1]},127.0.0.1:{ports[2]}"
    out = tmp_path_factory.mktemp("run")
    common = [
        f"--data_dir={small_dataset}",
        "--train_steps",
        str(TRAIN_STEPS),
        f"--checkpoint_dir={out / 'Models'}",
        f"--log_dir={out / 'Logs'}",
    ]
    tf_config = {
        "cluster": {"ps": [ps_hosts], "worker": worker_hosts.split(",")},
        "task": {"type": "ps", "index": 0},
    }
    flags = [f"--ps_hosts={ps_hosts}", f"--worker_hosts={worker_hosts}", "--num_gpus=1"]
    started = [
        _start(replica_script, common, out / "ps-0.txt", {"TF_CONFIG": json.dumps(tf_config)}),
        _start(
            replica_script,
            [*common, *flags, "--job_name=worker", "--task_index=1"],
            out / "wk-1.txt",
        ),
        _start(
            replica_script,
            [*common, *flags, "--job_name=worker", "--task_index=0"],
            out / "wk-0.txt",
        ),
    ]
    codes = _finish(started)
    logs = {name: (out / f"{name}.txt").read_text() for name in ("ps-0", "wk-0", "wk-1")}
    return codes, logs, out


def test_ps_and_workers_exit_cleanly(training_run):
    codes, logs, _ = training_run
    assert codes == [0, 0, 0], logs
    assert "worker 0 done" in logs["ps-0"] and "worker 1 done" in logs["ps-0"]
    assert "all workers done" in logs["ps-0"]


def test_both_workers_pushed_updates(training_run):
    _, logs, _ = training_run
    local_steps = [
        int(re.search(r"elapsed time: [\d.]+ s; (\d+) local steps", logs[w]).group(1))
        for w in ("wk-0", "wk-1")
    ]
    assert all(steps > 0 for steps in local_steps)
    total = int(re.search(r"after (\d+) global steps", logs["ps-0"]).group(1))
    # Every update either worker pushed is one global step of the ps.
    assert total == sum(local_steps)
    assert total >= TRAIN_STEPS


def logged_losses(log: str) -> list[tuple[int, float]]:
    """(global step, mean loss) of a worker's ``training step ... loss = ...`` lines."""
    return [
        (int(step), float(loss))
        for step, loss in re.findall(r"\(global step: (\d+)\) loss = ([\d.]+)", log)
    ]


def test_loss_falls_and_accuracy_beats_chance(training_run):
    _, logs, _ = training_run
    # Asynchronous SGD: how the steps split between the workers, and when each starts, depends
    # on the scheduler, so the curve is read across both workers, in global-step order.  One of
    # them takes at least half of the steps: it alone logs steps 1, 250, 500 and 750.
    curve = sorted(logged_losses(logs["wk-0"]) + logged_losses(logs["wk-1"]))
    assert len(curve) >= 4
    assert curve[-1][1] < curve[0][1] / 2
    accuracy = float(re.search(r"Test accuracy: ([\d.]+)", logs["wk-0"]).group(1))
    # 500 test images, 10 balanced classes: guessing scores 0.1 +- 0.013.
    assert accuracy > 0.6


def test_checkpoint_holds_the_trained_model(training_run, dataset_module):
    _, logs, out = training_run
    models = out / "Models"
    index = (models / "checkpoint").read_text()
    name = re.search(r'model_checkpoint_path: "([^"]+)"', index).group(1)
    checkpoint = json.loads((models / name).read_text())
    assert checkpoint["global_step"] >= TRAIN_STEPS
    assert len(checkpoint["weights"]) == 10 and len(checkpoint["weights"][0]) == 64
    images, labels = dataset_module.generate_digits(500, dataset_module.TEST_SEED)
    reported = float(re.search(r"Test accuracy: ([\d.]+)", logs["wk-0"]).group(1))
    assert _score(checkpoint, images, labels) == pytest.approx(reported, abs=1e-4)
    curve = (out / "Logs" / "worker-0-loss.csv").read_text().splitlines()
    # The chief's own logged points (how many depends on its share of the steps).
    assert curve[0] == "global_step,loss"
    points = [(int(step), float(loss)) for step, loss in (row.split(",") for row in curve[1:])]
    assert points and [step for step, _ in points] == sorted({step for step, _ in points})
    logged = logged_losses(logs["wk-0"])
    assert [step for step, _ in points] == [step for step, _ in logged]
    assert [loss for _, loss in points] == pytest.approx([loss for _, loss in logged], abs=1e-4)


def test_only_the_chief_writes_outputs(training_run):
    _, logs, out = training_run
    assert "Test accuracy" not in logs["wk-1"]
    assert sorted(p.name for p in (out / "Logs").iterdir()) == ["worker-0-loss.csv"]


def test_ps_gives_up_when_no_worker_comes(replica_script, free_ports, tmp_path):
    ps, worker = free_ports(2)
    result = subprocess.run(
        [
            sys.executable,
            str(replica_script),
            "--job_name=ps",
            "--task_index=0",
            f"--ps_hosts=127.0.0.1:{ps}",
            f"--worker_hosts=127.0.0.1:{worker}",
            "--ps_idle_timeout=0.5",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no message from any worker" in result.stderr


def test_worker_fails_when_ps_unreachable(replica_script, small_dataset, free_ports):
    ps, worker = free_ports(2)
    result = subprocess.run(
        [
            sys.executable,
            str(replica_script),
            "--job_name=worker",
            "--task_index=0",
            f"--ps_hosts=127.0.0.1:{ps}",
            f"--worker_hosts=127.0.0.1:{worker}",
            f"--data_dir={small_dataset}",
            "--connect_timeout=0.3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"parameter server 127.0.0.1:{ps} not reachable" in result.stderr


def test_unexpanded_batchai_variable_is_reported(replica_script):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZ_BATCHAI_")}
    result = subprocess.run(
        [
            sys.executable,
            str(replica_script),
            "--job_name=ps",
            "--task_index=0",
            "--ps_hosts=$AZ_BATCHAI_PS_HOSTS",
            "--worker_hosts=$AZ_BATCHAI_WORKER_HOSTS",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert "--ps_hosts=$AZ_BATCHAI_PS_HOSTS: environment variable not set" in result.stderr


def test_task_index_out_of_range(replica_script, free_ports):
    (port,) = free_ports(1)
    result = subprocess.run(
        [
            sys.executable,
            str(replica_script),
            "--job_name=worker",
            "--task_index=2",
            f"--ps_hosts=127.0.0.1:{port}",
            "--worker_hosts=a:1,b:2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--task_index=2 out of range for 2 worker task(s)" in result.stderr

"""The README's main job: examples/migration_walkthrough.py end to end on the local backend.

A fresh interpreter runs the script (the guide's Batch AI code plus ``import
batchai_compat.install``) with its own BATCHAI_COMPAT_HOME; the test reads what it printed and
what it left on disk.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import subprocess
import sys

import pytest

from batchai_compat.home.processes import stop_supervisors

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def walkthrough(examples_dir, tmp_path_factory):
    if importlib.util.find_spec("batchai_compat.install") is None:
        pytest.fail("batchai_compat.install is missing: the walk-through cannot run")
    home = tmp_path_factory.mktemp("walkthrough_home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHAI_COMPAT_")}
    env["BATCHAI_COMPAT_HOME"] = str(home)
    try:
        result = subprocess.run(
            [sys.executable, str(examples_dir / "migration_walkthrough.py")],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        yield result, home
    finally:  # the home's helpers outlive the script on purpose (its URLs stay valid)
        stop_supervisors(home)


def _section(out: str, start: str, end: str) -> list[str]:
    return out.split(start, 1)[1].split(end, 1)[0].strip().splitlines()


def test_the_walkthrough_succeeds(walkthrough):
    result, _ = walkthrough
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Job state: succeeded ExitCode: 0" in result.stdout
    assert re.search(r"Created Job tf_\S+ in Experiment tensorflow_experiment", result.stdout)
    # print_cluster_status, before the job and right after the scale-down to 0 nodes: the first
    # read after clusters.update says 'resizing', as the service's did (even though the local
    # nodes left at once; see tests/conformance/test_conformance_service_facts.py)
    assert "Cluster state: steady Target: 2; Allocated: 2;" in result.stdout
    assert "Cluster state: resizing Target: 0; Allocated: 0;" in result.stdout


def test_stdout_wk_0_was_streamed_and_shows_training(walkthrough):
    out = walkthrough[0].stdout
    streamed = _section(out, "Waiting for job output to become available...", "Job state: ")
    assert streamed[0] == "job name = worker, task index = 0"
    losses = [
        float(v)
        for v in re.findall(
            r"Worker 0: training step \d+ done .* loss = ([\d.]+)", "\n".join(streamed)
        )
    ]
    # How many steps the chief takes (and from which global step) is the asynchronous ps's
    # doing: judge its last logged loss against the untrained model's, ln(10) for 10 classes.
    assert len(losses) >= 2 and losses[-1] < math.log(10) / 2
    accuracy = float(re.search(r"Test accuracy: ([\d.]+) \(1000 test images\)", out).group(1))
    # 1000 test images over 10 balanced classes: guessing scores 0.10 +- 0.01.
    assert accuracy > 0.8


def test_streamed_log_is_exactly_the_file(walkthrough, examples_dir):
    """The Range requests neither lost nor repeated a byte of stdout-wk-0.txt."""
    result, home = walkthrough
    raw = json.loads((examples_dir / "configuration.json").read_text())
    share = home / "storage" / raw["storage_account"]["name"] / "file" / "batchaisample"
    (log,) = share.rglob("stdouterr/stdout-wk-0.txt")
    streamed = result.stdout.split("Waiting for job output to become available...\n", 1)[1]
    assert streamed.startswith(log.read_text())
    assert streamed[len(log.read_text()) :].startswith("Job state: succeeded")


def test_output_files_are_listed(walkthrough):
    out = walkthrough[0].stdout
    stdouterr = dict(
        line.split(" ", 1)
        for line in _section(out, "Job state: succeeded ExitCode: 0\n", "Output directory MODEL:")
    )
    for name in ("stdout-wk-0.txt", "stdout-wk-1.txt", "stdout-ps-0.txt", "stderr-wk-0.txt"):
        assert stdouterr[name].startswith("http://127.0.0.1:"), name
    model = dict(
        line.split(" ", 1) for line in _section(out, "Output directory MODEL:\n", "Cluster state:")
    )
    assert "checkpoint" in model
    assert any(re.fullmatch(r"model\.ckpt-\d+\.json", name) for name in model)


def test_the_trained_model_is_in_the_file_share(walkthrough, examples_dir):
    _, home = walkthrough
    raw = json.loads((examples_dir / "configuration.json").read_text())
    share = home / "storage" / raw["storage_account"]["name"] / "file" / "batchaisample"
    checkpoints = list(share.rglob("Models/model.ckpt-*.json"))
    assert len(checkpoints) == 1
    checkpoint = json.loads(checkpoints[0].read_text())
    assert checkpoint["global_step"] >= 10000
    assert checkpoint["test_accuracy"] > 0.8


def test_no_configured_secret_reached_the_local_state(walkthrough, examples_dir):
    result, home = walkthrough
    raw = json.loads((examples_dir / "configuration.json").read_text())
    secrets = [
        raw["aad_secret"].encode(),
        raw["storage_account"]["key"].encode(),
        raw["admin_user"]["password"].encode(),
    ]
    leaked = [
        str(path)
        for path in home.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and any(secret in path.read_bytes() for secret in secrets)
    ]
    assert leaked == []
    assert not any(secret.decode() in result.stdout + result.stderr for secret in secrets)

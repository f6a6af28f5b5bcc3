"""The migration guide's Batch AI walk-through (examples/migration_walkthrough.py), unchanged,
with ``BATCHAI_COMPAT_BACKEND=azureml``: provisioning, datastore mounts and the distributed
TensorFlow submission the guide prescribes, then the job runs (fake_compute) and the recipe
helpers stream and list its Batch AI-named logs.  Offline: see walkthrough_driver.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
CONFIGURATION = json.loads((HERE.parents[1] / "examples" / "configuration.json").read_text())


def test_migration_walkthrough_on_azureml(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".azureml").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "BATCHAI_COMPAT_HOME": str(tmp_path / "batchai"),
        "BATCHAI_COMPAT_BACKEND": "azureml",
        "BATCHAI_COMPAT_STORAGE": "local",
        "AZUREML_DEFAULT_RETRIES": "0",
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "walkthrough_driver.py"), str(tmp_path / "work")],
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    *printed, last = done.stdout.strip().splitlines()
    summary = json.loads(last)
    output = "\n".join(printed)

    # what the guide's Azure ML code prescribes
    assert summary["compute_scale"]["minNodeCount"] == summary["compute_scale"]["maxNodeCount"] == 2
    assert (summary["framework"], summary["communicator"]) == ("TensorFlow", "ParameterServer")
    assert summary["node_count"] == 2
    assert summary["tensorflow"] == {"workerCount": 2, "parameterServerCount": 1}
    assert summary["data_references"] == ["", "", "mnist_dataset", "tensorflow_samples"]
    assert summary["unhandled"] == []
    # the job ran and the walk-through saw it through its own helpers
    assert summary["run_status"] == "Completed"
    assert "Job state: succeeded" in output.replace("ExecutionState.", "")
    assert "Test accuracy" in output  # streamed from stdout-wk-0.txt while it ran
    for name in ("stdout-wk-0.txt", "stdout-wk-1.txt", "stdout-ps-0.txt"):
        assert f"\n{name} https://" in output
    assert re.search(r"\nmodel\.ckpt-\d+\.json https://", output)  # the MODEL output directory
    assert summary["computes_left"] == []  # the cluster was deleted
    assert "Done: job" in output
    # secrets of configuration.json went where they belong and nowhere else
    key = CONFIGURATION["storage_account"]["key"]
    password = CONFIGURATION["admin_user"]["password"]
    secret = CONFIGURATION["aad_secret"]
    assert key not in output and password not in output and secret not in output + done.stderr
    sent = summary["sent"]
    assert sent.count(key) == 2  # the two datastore registrations (blob container, file share)
    assert password in sent  # the AmlCompute PUT (the service keeps it; GET never returns it)

"""The migration guide's Batch AI walk-through (examples/migration_walkthrough.py), unchanged,
with ``BATCHAI_COMPAT_BACKEND=azureml`` and ``=azureml-v2``: provisioning, datastore mounts and
the distributed TensorFlow submission the guide prescribes, then the job runs (the fake compute
of each service) and the recipe helpers stream and list its Batch AI-named logs.  Offline: see
walkthrough_driver.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CONFIGURATION = json.loads((HERE.parents[1] / "examples" / "configuration.json").read_text())

#: What each service records of the guide's TensorFlow job (its own spelling of the same job).
EXPECTED = {
    "azureml": {
        "job_status": "Completed",
        "distribution": {
            "kind": "TensorFlow/ParameterServer",
            "workerCount": 2,
            "parameterServerCount": 1,
        },
        # the two inputs, then the blob container and file share mounted whole
        "mounted_paths": ["", "", "mnist_dataset", "tensorflow_samples"],
    },
    "azureml-v2": {
        "job_status": "Completed",
        "distribution": {"kind": "TensorFlow", "workerCount": 2, "parameterServerCount": 1},
        "mounted_paths": ["mnist_dataset", "tensorflow_samples"],
        # on the wire: the two inputs ro_mount (the guide's as_mount()); the blob container and file
        # share rw_mount as Batch AI mounted them; stdouterr and the MODEL / TENSORBOARD outputs
        "mount_modes": ["inputs:ReadOnlyMount"] * 2 + ["outputs:ReadWriteMount"] * 5,
    },
}


@pytest.mark.parametrize("backend", ["azureml", "azureml-v2"])
def test_migration_walkthrough(backend: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".azureml").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "BATCHAI_COMPAT_HOME": str(tmp_path / "batchai"),
        "BATCHAI_COMPAT_BACKEND": backend,
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

    # what the guide's Azure ML code prescribes: a 2-node cluster (min = max), 1 ps + 2 workers
    # on 2 nodes, the script and dataset folders mounted from the blob container
    assert summary["compute_scale"] == [2, 2]
    assert summary["node_count"] == 2
    for key, expected in EXPECTED[backend].items():
        assert summary[key] == expected, key
    assert summary["unhandled"] == []
    # the job ran and the walk-through saw it through its own helpers
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

"""Import costs the backend promises: nothing of azureml at ``import batchai_compat`` or of the
backend package, and never ``azureml.train`` (7.5 s, deprecated), even after a full submit and
an output-file listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def run_python(code: str, tmp_path: Path) -> dict:
    home = tmp_path / "home"
    (home / ".azureml").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "AZUREML_DEFAULT_RETRIES": "0", "PYTHONPATH": str(HERE)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_package_and_backend_package_loads_no_azureml(tmp_path: Path) -> None:
    loaded = run_python(
        "import json, sys\n"
        "import batchai_compat, batchai_compat.backends.azureml\n"
        "from batchai_compat.backends.azureml import translate\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('azureml', 'pydantic'))))",
        tmp_path,
    )
    assert loaded == []


SUBMIT = """
import json, sys
{prelude}
import azureml.core
after_core = sorted(m for m in sys.modules if m.startswith("azureml.train"))
from fake_service import FakeAzureML, FakeCredential, SUBSCRIPTION
from guide import cluster_parameters, job_parameters
from batchai_compat import BatchAIManagementClient
import batchai_compat.models as models
with FakeAzureML.running() as fake:
    fake.add_workspace("rg", "ws")
    client = BatchAIManagementClient(FakeCredential(), SUBSCRIPTION, backend="azureml")
    cluster = client.clusters.create("rg", "ws", "nc6", cluster_parameters(models)).result()
    client.experiments.create("rg", "ws", "exp").result()
    job = client.jobs.create("rg", "ws", "exp", "job", job_parameters(models, cluster.id)).result()
    # and its files with sizes (default datastore, Blob storage listing)
    from batchai_compat.backends._azureml_common import naming
    fake.add_run_file("rg", "ws", naming.run_id("exp", "job"), "logs/stdouterr/stdout.txt", b"out")
    (listed,) = client.jobs.list_output_files(
        "rg", "ws", "exp", "job", models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr"))
    assert listed.content_length == 3, listed
    print(json.dumps({{"state": job.execution_state.value, "runs": len(fake.runs), "after_core": after_core,
                      "train": sorted(m for m in sys.modules if m.startswith("azureml.train"))}}))
"""

#: What an install of ``batchai-compat[azureml]`` alone looks like: azureml-train-core absent.
WITHOUT_TRAIN_CORE = """
import importlib.abc
class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "azureml.train" or name.startswith("azureml.train."):
            raise ModuleNotFoundError(name)
        return None
sys.meta_path.insert(0, _Absent())
import logging; logging.disable(logging.WARNING)
"""


def test_full_submit_without_azureml_train_core(tmp_path: Path) -> None:
    result = run_python(SUBMIT.format(prelude=WITHOUT_TRAIN_CORE), tmp_path)
    assert result == {"state": "queued", "runs": 1, "after_core": [], "train": []}


def test_full_submit_imports_nothing_of_azureml_train_itself(tmp_path: Path) -> None:
    """With azureml-train-core installed (the dev/bench extra), ``import azureml.core`` itself
    registers its run-type plugin (azureml.train.hyperdrive); the submit adds nothing to that,
    and never the estimators."""
    result = run_python(SUBMIT.format(prelude=""), tmp_path)
    assert (result["state"], result["runs"]) == ("queued", 1)
    assert result["train"] == result["after_core"]
    assert not {"azureml.train.dnn", "azureml.train.estimator"} & set(result["train"])

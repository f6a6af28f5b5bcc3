"""Runs ``examples/migration_walkthrough.py`` offline on an Azure ML backend.

``BATCHAI_COMPAT_BACKEND=azureml``: Azure ML is the v1 fake service (real azureml-core over
``responses``) and the job runs on ``fake_compute``.  ``BATCHAI_COMPAT_BACKEND=azureml-v2``: the
v2 fake service (real azure-ai-ml over ``responses``) and ``fake_v2_compute``.  Either way the
node adapter runs in real processes, one per TensorFlow task, and the storage account the
walk-through uploads to is the library's local storage face (``BATCHAI_COMPAT_STORAGE=local``),
whose folders the fake's datastores mount.  Prints the walk-through's own output, then one JSON
line describing what Azure ML received (the same keys for both backends, read from each
service's own request shapes).

Usage: ``python walkthrough_driver.py <work folder>`` (with HOME, BATCHAI_COMPAT_HOME,
BATCHAI_COMPAT_BACKEND, BATCHAI_COMPAT_STORAGE=local set by the caller).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "azureml_v2"))

from batchai_compat.home import layout  # noqa: E402

WALKTHROUGH = HERE.parents[1] / "examples" / "migration_walkthrough.py"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # examples/configuration.json


def _local_folder(kind: str, account: str, container: str) -> Path:
    """The local storage face's folder of a blob container or file share."""
    if kind == "blob":
        return layout.blob_container_dir(account, container)
    return layout.file_share_dir(account, container)


def on_azureml(work: Path) -> dict[str, Any]:
    from fake_compute import execute_run
    from fake_service import FakeAzureML

    class LocalStorageAzureML(FakeAzureML):
        def storage_folder(self, kind: str, account: str, container: str) -> Path:
            return _local_folder(kind, account, container)

    def executor(fake: FakeAzureML, rg: str, ws: str, run_id: str) -> None:
        execute_run(fake, rg, ws, run_id, work)

    with LocalStorageAzureML.running(subscription=SUBSCRIPTION, run_executor=executor) as fake:
        runpy.run_path(str(WALKTHROUGH), run_name="__main__")
        (run,) = fake.runs.values()
        configuration = run.definition["Configuration"]
        (compute_put,) = fake.requests_to("PUT", r"/computes/nc6$")
        scale = compute_put["properties"]["properties"]["scaleSettings"]
        return {
            "job_status": run.status,
            "node_count": configuration["nodeCount"],
            "distribution": {
                "kind": f"{configuration['framework']}/{configuration['communicator']}",
                **configuration["tensorflow"],
            },
            "mounted_paths": sorted(
                (r["pathOnDataStore"] or "") for r in configuration["dataReferences"].values()
            ),
            "compute_scale": [scale["minNodeCount"], scale["maxNodeCount"]],
            "computes_left": sorted(name for (_, _, name) in fake.computes),
            "unhandled": fake.unhandled,
            "sent": json.dumps(fake.requests),
        }


def on_azureml_v2(work: Path) -> dict[str, Any]:
    from fake_v2_compute import execute_job
    from fake_v2_service import FakeAzureMLV2

    class LocalStorageAzureMLV2(FakeAzureMLV2):
        def storage_folder(self, account: str, container: str, kind: str = "blob") -> Path:
            folder = _local_folder(kind, account, container)
            folder.mkdir(parents=True, exist_ok=True)
            return folder

    def executor(fake: FakeAzureMLV2, rg: str, ws: str, name: str) -> None:
        execute_job(fake, rg, ws, name, work)

    with LocalStorageAzureMLV2.running(subscription=SUBSCRIPTION, job_executor=executor) as fake:
        fake.provisioning_polls = 0
        runpy.run_path(str(WALKTHROUGH), run_name="__main__")
        for thread in fake.executions:
            thread.join(timeout=60)
        ((rg, ws, _, name),) = [key for key in fake.resources if key[2] == "jobs"]
        job = fake.job(rg, ws, name)["properties"]
        distribution = dict(job["distribution"])
        # the create, then the walk-through's resize to 0 (azure-ai-ml updates with a PUT)
        compute_put, resize_put = fake.requests_to("PUT", r"/computes/nc6$")
        scale = compute_put["properties"]["properties"]["scaleSettings"]
        assert resize_put["properties"]["properties"]["scaleSettings"]["maxNodeCount"] == 0
        return {
            "job_status": job["status"],
            "node_count": job["resources"]["instanceCount"],
            "distribution": {
                "kind": distribution.pop("distributionType"),
                **{k: v for k, v in distribution.items() if v is not None},
            },
            "mounted_paths": sorted(
                spec["uri"].split("/paths/", 1)[1].strip("/") for spec in job["inputs"].values()
            ),
            "mount_modes": sorted(
                f"{kind}:{spec['mode']}"
                for kind in ("inputs", "outputs")
                for spec in job[kind].values()
            ),
            "compute_scale": [scale["minNodeCount"], scale["maxNodeCount"]],
            "computes_left": sorted(k[3] for k in fake.resources if k[2] == "computes"),
            "unhandled": fake.unhandled,
            "sent": json.dumps(fake.requests),
        }


def main(work: Path) -> None:
    backend = os.environ["BATCHAI_COMPAT_BACKEND"]
    summary = {"azureml": on_azureml, "azureml-v2": on_azureml_v2}[backend](work)
    print(json.dumps(summary))


if __name__ == "__main__":
    main(Path(sys.argv[1]))

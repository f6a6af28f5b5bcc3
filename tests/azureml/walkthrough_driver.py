"""Runs ``examples/migration_walkthrough.py`` with ``BATCHAI_COMPAT_BACKEND=azureml`` offline.

Azure ML is the fake service (real azureml-core over ``responses``); the job runs on
``fake_compute`` (the node adapter in real processes, one per TensorFlow task); the storage
account the walk-through uploads to is the library's local storage face
(``BATCHAI_COMPAT_STORAGE=local``), whose folders the fake's datastores mount.  Prints the
walk-through's own output, then one JSON line describing what Azure ML received.

Usage: ``python walkthrough_driver.py <work folder>`` (with HOME, BATCHAI_COMPAT_HOME,
BATCHAI_COMPAT_BACKEND=azureml, BATCHAI_COMPAT_STORAGE=local set by the caller).
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from fake_compute import execute_run  # noqa: E402
from fake_service import FakeAzureML  # noqa: E402

from batchai_compat.home import layout  # noqa: E402

WALKTHROUGH = Path(__file__).resolve().parents[2] / "examples" / "migration_walkthrough.py"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # examples/configuration.json


class LocalStorageAzureML(FakeAzureML):
    """The fake service whose storage accounts are the local storage face's folders."""

    def storage_folder(self, kind: str, account: str, container: str) -> Path:
        if kind == "blob":
            return layout.blob_container_dir(account, container)
        return layout.file_share_dir(account, container)


def main(work: Path) -> None:
    def executor(fake: FakeAzureML, rg: str, ws: str, run_id: str) -> None:
        execute_run(fake, rg, ws, run_id, work)

    with LocalStorageAzureML.running(subscription=SUBSCRIPTION, run_executor=executor) as fake:
        runpy.run_path(str(WALKTHROUGH), run_name="__main__")
        (run,) = fake.runs.values()
        configuration = run.definition["Configuration"]
        (compute_put,) = fake.requests_to("PUT", r"/computes/nc6$")
        summary: dict[str, Any] = {
            "run_status": run.status,
            "node_count": configuration["nodeCount"],
            "framework": configuration["framework"],
            "communicator": configuration["communicator"],
            "tensorflow": configuration["tensorflow"],
            "data_references": sorted(
                (r["pathOnDataStore"] or "") for r in configuration["dataReferences"].values()
            ),
            "compute_scale": compute_put["properties"]["properties"]["scaleSettings"],
            "computes_left": sorted(name for (_, _, name) in fake.computes),
            "unhandled": fake.unhandled,
            "sent": json.dumps(fake.requests),
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main(Path(sys.argv[1]))

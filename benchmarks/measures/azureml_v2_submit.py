"""Measure 2b: first submission of the guide's TF-PS job to Azure ML through SDK v2, in a fresh
process.

Baseline: the same job written by hand with azure-ai-ml (``MLClient``, the two datastores of
the guide's storage account, ``command(...)`` with ``TensorFlowDistribution`` and
``ml_client.jobs.create_or_update``).  Ours: the guide's Batch AI code on batchai_compat's
azureml-v2 backend (``clusters.get`` and ``jobs.create(...).result()``).  Both submit to the same
``responses``-intercepted fake v2 service (``tests/azureml_v2/fake_v2_service.py``, seeded by
``benchmarks/azureml_v2_fake.py`` with the workspace, the ``nc6`` cluster and the experiment)
with the real azure-ai-ml, and both get their tokens without HTTP;
``benchmarks/children/azureml_v2_submit.py`` shows exactly what is timed.  Reported: wall time,
CPU time and peak RSS of the first submission, HTTP requests of the first job and of a second
job in the same process.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..azureml_v2_fake import compute_payload, experiment_marker
from ..harness import Row, Sample, Target, interleave, run_child
from ..settings import Settings
from .azureml_submit import TF_SCRIPT, submit_rows

BASELINE = "the same job by hand: azure-ai-ml `command(...)` + `jobs.create_or_update`"
OURS = "guide's Batch AI code: `jobs.create(...).result()`, backend azureml-v2"


def run(settings: Settings) -> Iterator[Row]:
    settings.progress("2b. Azure ML v2 first submit (azure-ai-ml by hand vs batchai_compat)")
    with tempfile.TemporaryDirectory(prefix="bench-azureml-v2-") as tmp:
        root = Path(tmp)
        payload_file = root / "compute.json"
        payload_file.write_text(json.dumps(compute_payload()))
        marker = experiment_marker()
        project = root / "project"
        project.mkdir()
        shutil.copy(TF_SCRIPT, project / TF_SCRIPT.name)

        runs = itertools.count()

        def side(flavour: str) -> Sample:
            # a new HOME and storage for every run: each repetition is the same first submission
            run = root / f"run-{next(runs)}"
            (run / "home").mkdir(parents=True)
            env = {
                **os.environ,
                "HOME": str(run / "home"),
                "BATCHAI_COMPAT_HOME": str(run / "batchai"),
            }
            return run_child(
                "azureml_v2_submit",
                [flavour, str(payload_file), marker, str(project), str(run / "storage")],
                env=env,
            )

        paired = interleave(
            settings.reps(3),
            lambda: side("azure-ai-ml"),
            lambda: side("ours"),
            warmup=settings.warmup,
            progress=settings.progress,
        )

    yield from submit_rows(
        paired,
        measure="2b",
        title_suffix=" (v2)",
        labels=(BASELINE, OURS),
        targets={
            "wall_s": Target(1.1),
            "peak_rss_mb": Target(1.1),
            "requests_first": Target(1.0),
            "requests_second": Target(0.5),
        },
        notes={
            "wall_s": "From the first import of the user's code to the submitted job, in a "
            "fresh process; both sides import azure-ai-ml.",
            "peak_rss_mb": "Whole child process, including the fake service and `responses`, "
            "which both sides load before the clock starts.",
            "requests_first": "Every request that reached the fake service during the first "
            "submission (the baseline's two datastore registrations included: the job's data "
            "lives there).",
            "requests_second": "A second job in the same process: the per-job code again, the "
            "client kept.",
        },
        if_missed={
            "wall_s": "Both sides pay for importing azure-ai-ml (about 1.4 s); what the shim "
            "adds is its client, models and translation, the node app it uploads as the job's "
            "code and the extra requests of its first job.",
            "peak_rss_mb": "azure-ai-ml's own import is most of either side's resident memory; "
            "the shim adds its models and the storage/Key Vault clients it loads.",
            "requests_first": "Beyond the hand-written code, the guide's Batch AI code reads "
            "the cluster (`clusters.get`), and `jobs.create` checks that the experiment exists "
            "(Batch AI answered 404 otherwise): the default datastore with its key, then the "
            "experiment's marker blob. Those are the extra requests.",
            "requests_second": "The node app's code asset, the image's environment, the "
            "datastores and the experiment are kept per client after the first job; a second "
            "job should be the cluster read and the job PUT.",
        },
    )

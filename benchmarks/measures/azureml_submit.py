"""Measure 2: first submission of the guide's TF-PS job to Azure ML, in a fresh process.

Baseline: the migration guide's hand-written Azure ML code with the ``azureml.train.dnn``
TensorFlow estimator.  Ours: the guide's Batch AI code on batchai_compat's azureml backend,
which translates the job to a ``ScriptRunConfig`` with ``TensorflowConfiguration`` using
azureml-core only.  Both submit to the same ``responses``-intercepted fake service
(``tests/azureml/fake_service.py``, seeded by ``benchmarks/azureml_fake.py`` with the
workspace, the ``nc6`` AmlCompute cluster, the default datastore and the experiment), and both
get their tokens without HTTP; ``benchmarks/children/azureml_submit.py`` shows exactly what is
timed.  Reported: wall time, CPU time and peak RSS of the first submission, HTTP requests of
the first job and of a second job in the same process.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..azureml_fake import compute_payload
from ..harness import REPO_ROOT, Row, Sample, Target, interleave, run_child
from ..settings import Settings

TF_SCRIPT = REPO_ROOT / "examples" / "tensorflow_samples" / "tf_mnist_replica.py"

BASELINE = "guide's hand-written code: `TensorFlow` estimator + `experiment.submit`"
OURS = "guide's Batch AI code: `jobs.create(...).result()`, backend azureml"


def run(settings: Settings) -> Iterator[Row]:
    settings.progress("2. Azure ML first submit (estimator vs batchai_compat)")
    with tempfile.TemporaryDirectory(prefix="bench-azureml-") as tmp:
        root = Path(tmp)
        payload_file = root / "compute.json"
        payload_file.write_text(json.dumps(compute_payload()))
        project = root / "project"
        project.mkdir()
        shutil.copy(TF_SCRIPT, project / TF_SCRIPT.name)

        runs = itertools.count()

        def side(flavour: str) -> Sample:
            # A new HOME for every run: azureml-core caches what it learnt about the workspace
            # under ~/.azureml, and each repetition should be the same first submission.
            home = root / f"home-{next(runs)}"
            home.mkdir()
            env = {
                **os.environ,
                "HOME": str(home),
                "AZUREML_DEFAULT_RETRIES": "0",
                "BATCHAI_COMPAT_HOME": str(home / "batchai"),
            }
            return run_child("azureml_submit", [flavour, str(payload_file), str(project)], env=env)

        paired = interleave(
            settings.reps(3),
            lambda: side("estimator"),
            lambda: side("ours"),
            warmup=settings.warmup,
            progress=settings.progress,
        )

    yield Row(
        title="Azure ML first submit",
        metric="wall time",
        unit="s",
        baseline=paired.summary("baseline", "wall_s"),
        ours=paired.summary("ours", "wall_s"),
        target=Target(0.15),
        note="From the first import of the user's code to the submitted run, in a fresh process.",
        if_missed=(
            "The floor is importing azureml-core itself (about 1 s on these machines); what "
            "the shim adds on top (client, models, translation, snapshot of what it submits) "
            "has to stay well below that."
        ),
        measure="2",
        baseline_label=BASELINE,
        ours_label=OURS,
    )
    yield Row(
        title="Azure ML first submit",
        metric="CPU time",
        unit="s",
        baseline=paired.summary("baseline", "cpu_s"),
        ours=paired.summary("ours", "cpu_s"),
        measure="2",
        baseline_label=BASELINE,
        ours_label=OURS,
    )
    yield Row(
        title="Azure ML first submit",
        metric="peak RSS",
        unit="MB",
        baseline=paired.summary("baseline", "peak_rss_mb"),
        ours=paired.summary("ours", "peak_rss_mb"),
        target=Target(0.2),
        note="Whole child process, including the fake service and `responses`, which both "
        "sides load before the clock starts.",
        if_missed="azureml-core's own import is most of the shim's resident memory.",
        measure="2",
        baseline_label=BASELINE,
        ours_label=OURS,
    )
    yield Row(
        title="HTTP requests, first job",
        metric="requests",
        unit="count",
        baseline=paired.summary("baseline", "requests_first"),
        ours=paired.summary("ours", "requests_first"),
        target=Target(1.0),
        note="Every request that reached the fake service during the first submission.",
        if_missed=(
            "The azureml backend sends more requests than the hand-written code for one "
            "submission; every lookup it repeats (workspace, compute, datastores, experiment) "
            "should be made once per client and cached."
        ),
        measure="2",
        baseline_label=BASELINE,
        ours_label=OURS,
    )
    yield Row(
        title="HTTP requests, second job",
        metric="requests",
        unit="count",
        baseline=paired.summary("baseline", "requests_second"),
        ours=paired.summary("ours", "requests_second"),
        target=Target(0.5),
        note="A second job in the same process: the per-job code again, the workspace "
        "object / client kept.",
        if_missed=(
            "Workspace, compute and datastore lookups should be cached per client after the "
            "first job; only the snapshot and the submission itself need the network."
        ),
        measure="2",
        baseline_label=BASELINE,
        ours_label=OURS,
    )

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
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..azureml_fake import compute_payload
from ..harness import REPO_ROOT, Paired, Row, Sample, Target, interleave, run_child
from ..settings import Settings

TF_SCRIPT = REPO_ROOT / "examples" / "tensorflow_samples" / "tf_mnist_replica.py"

BASELINE = "guide's hand-written code: `TensorFlow` estimator + `experiment.submit`"
OURS = "guide's Batch AI code: `jobs.create(...).result()`, backend azureml"

#: metric key -> (row title, metric, unit); the rows every Azure ML submit measure reports
SUBMIT_METRICS = {
    "wall_s": ("Azure ML first submit", "wall time", "s"),
    "cpu_s": ("Azure ML first submit", "CPU time", "s"),
    "peak_rss_mb": ("Azure ML first submit", "peak RSS", "MB"),
    "requests_first": ("HTTP requests, first job", "requests", "count"),
    "requests_second": ("HTTP requests, second job", "requests", "count"),
}


def submit_rows(
    paired: Paired,
    *,
    measure: str,
    labels: tuple[str, str],
    targets: Mapping[str, Target],
    notes: Mapping[str, str],
    if_missed: Mapping[str, str],
    title_suffix: str = "",
) -> Iterator[Row]:
    """The rows of an Azure ML submit measure (:data:`SUBMIT_METRICS`), baseline beside ours."""
    for key, (title, metric, unit) in SUBMIT_METRICS.items():
        yield Row(
            title=title + title_suffix,
            metric=metric,
            unit=unit,
            baseline=paired.summary("baseline", key),
            ours=paired.summary("ours", key),
            target=targets.get(key),
            note=notes.get(key, ""),
            if_missed=if_missed.get(key, ""),
            measure=measure,
            baseline_label=labels[0],
            ours_label=labels[1],
        )


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

    yield from submit_rows(
        paired,
        measure="2",
        labels=(BASELINE, OURS),
        targets={
            "wall_s": Target(0.15),
            "peak_rss_mb": Target(0.2),
            "requests_first": Target(1.0),
            "requests_second": Target(0.5),
        },
        notes={
            "wall_s": "From the first import of the user's code to the submitted run, in a "
            "fresh process.",
            "peak_rss_mb": "Whole child process, including the fake service and `responses`, "
            "which both sides load before the clock starts.",
            "requests_first": "Every request that reached the fake service during the first "
            "submission.",
            "requests_second": "A second job in the same process: the per-job code again, the "
            "workspace object / client kept.",
        },
        if_missed={
            "wall_s": "The floor is importing azureml-core itself (about 1 s on these "
            "machines); what the shim adds on top (client, models, translation, snapshot of "
            "what it submits) has to stay well below that.",
            "peak_rss_mb": "azureml-core's own import is most of the shim's resident memory.",
            "requests_first": "The azureml backend sends more requests than the hand-written "
            "code for one submission; every lookup it repeats (workspace, compute, datastores, "
            "experiment) should be made once per client and cached.",
            "requests_second": "Workspace, compute and datastore lookups should be cached per "
            "client after the first job; only the snapshot and the submission itself need the "
            "network.",
        },
    )

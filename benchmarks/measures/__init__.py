"""The measures of issue 7, each in its own module, run in this order by ``python -m benchmarks``.

Every module exposes ``run(settings) -> Iterator[Row]`` (rows yielded as they are measured): baseline beside ours, interleaved.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

from ..harness import Row
from ..settings import Settings

#: measure id -> (module, one-line description)
MEASURES: dict[str, tuple[str, str]] = {
    "imports": ("imports", "1. import and first use, fresh interpreter"),
    "azureml": ("azureml_submit", "2. Azure ML first submit, fresh process"),
    "azureml-v2": ("azureml_v2_submit", "2b. Azure ML v2 first submit, fresh process"),
    "local-job": ("local_job", "3. local job overhead"),
    "control-plane": ("control_plane", "4. local control plane"),
    "upload": ("bulk_upload", "5. bulk upload to Azurite"),
    "cli": ("cli_start", "6. `batchai` command start-up"),
    "sweep": ("sweep", "7. local sweep: 1,000 queued jobs, then drained"),
}


def runner(name: str) -> Callable[[Settings], Iterator[Row]]:
    module = importlib.import_module(f".{MEASURES[name][0]}", __name__)
    run: Callable[[Settings], Iterator[Row]] = module.run
    return run


def description(name: str) -> tuple[str, str]:
    """``(title, module docstring)`` of a measure, for the generated page."""
    module = importlib.import_module(f".{MEASURES[name][0]}", __name__)
    return MEASURES[name][1], module.__doc__ or ""

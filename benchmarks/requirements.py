"""What the measures need besides the package, and installing it on demand.

The baselines are what a user would run instead of batchai_compat: the genuine azure-mgmt-batchai
2.0.0, the migration guide's TensorFlow estimator (``azureml-train-core``, ~750 MB), today's
azure-storage-blob v12, and Azurite for the bulk upload.  None of it belongs in the main job's
environment (``bash scripts/setup.sh``), so ``python -m benchmarks`` installs what its measures
miss -- the ``bench`` extra into the running interpreter, Azurite through
``scripts/install_azurite.sh`` -- or, with ``--no-install``, says what to run and stops.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable, Sequence

from .harness import REPO_ROOT

#: measure -> modules its baseline (or its fake service) imports (a measure not listed: none).
BASELINE_MODULES: dict[str, tuple[str, ...]] = {
    "imports": ("azure.mgmt.batchai",),
    "azureml": ("azureml.train.dnn", "azureml.core", "responses"),
    "azureml-v2": ("azure.ai.ml", "azure.keyvault.secrets", "responses"),
    "local-job": (),
    "control-plane": (),
    "upload": ("azure.storage.blob",),
    "cli": (),  # its baseline is a bare interpreter
    "sweep": (),  # its baselines are sqlite3 and `sleep`
}
PIP_INSTALL = [sys.executable, "-m", "pip", "install", "-q", "-e", f"{REPO_ROOT}[bench]"]
AZURITE_INSTALL = ["bash", str(REPO_ROOT / "scripts" / "install_azurite.sh")]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing(names: Sequence[str]) -> tuple[list[str], bool]:
    """(modules the named measures' baselines lack, whether Azurite is needed and missing)."""
    from .azurite import AzuriteUnavailable, find_node

    modules = sorted({m for n in names for m in BASELINE_MODULES.get(n, ()) if not _importable(m)})
    azurite_missing = False
    if "upload" in names:
        try:
            find_node()
        except AzuriteUnavailable:
            azurite_missing = True
    return modules, azurite_missing


def ensure(names: Sequence[str], install: bool, say: Callable[[str], None]) -> bool:
    """Install what the measures ``names`` miss (or say how); whether they can all run now."""
    modules, azurite_missing = missing(names)
    if not modules and not azurite_missing:
        return True
    commands = ([PIP_INSTALL] if modules else []) + ([AZURITE_INSTALL] if azurite_missing else [])
    shown = "; ".join(" ".join(command) for command in commands)
    if not install:
        say(
            f"the benchmark baselines are not installed ({', '.join(modules) or 'Azurite'}); run: {shown}"
        )
        return False
    say(f"installing the benchmark baselines: {shown}")
    for command in commands:
        if subprocess.run(command, check=False).returncode != 0:
            say(f"failed: {' '.join(command)}")
            return False
    importlib.invalidate_caches()
    modules, azurite_missing = missing(names)
    return not modules and not azurite_missing

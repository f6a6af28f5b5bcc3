"""The domain package and the shared Azure ML decisions import nothing but the standard library
(and batchai_compat.exceptions): the runtime and the node app ship them, and an Azure ML v2
backend imports the shared decisions without azureml-core."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import batchai_compat

PACKAGE = Path(batchai_compat.__file__).parent


#: package -> the other packages of ours it may load (all standard library only themselves)
BELOW = {
    "domain": ("batchai_compat.domain",),
    # core: the shared retries log through core.logs (standard library only, shipped too)
    "backends/_azureml_common": (
        "batchai_compat.domain",
        "batchai_compat.runtime",
        "batchai_compat.core",
    ),
}


@pytest.mark.parametrize("package", sorted(BELOW))
def test_importing_every_module_loads_no_third_party_package(package):
    dotted = "batchai_compat." + package.replace("/", ".")
    modules = sorted(f"{dotted}.{p.stem}" for p in (PACKAGE / package).glob("*.py"))
    script = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        f"for name in {modules!r}: __import__(name)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
    )
    ours = {m for m in loaded if m.startswith("batchai_compat")}
    others = {m.split(".")[0] for m in loaded} - {"batchai_compat"}
    assert others <= set(sys.stdlib_module_names), others - set(sys.stdlib_module_names)
    assert {m for m in ours if not m.startswith((*BELOW[package], dotted))} <= {
        "batchai_compat",
        "batchai_compat.backends",
        "batchai_compat._version",
        "batchai_compat.exceptions",
    }

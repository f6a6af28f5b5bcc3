"""The domain package imports nothing but the standard library and batchai_compat.exceptions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import batchai_compat.domain

DOMAIN = Path(batchai_compat.domain.__file__).parent


def test_importing_every_domain_module_loads_no_third_party_package():
    modules = sorted(f"batchai_compat.domain.{p.stem}" for p in DOMAIN.glob("*.py"))
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
    assert {m for m in ours if not m.startswith("batchai_compat.domain")} <= {
        "batchai_compat",
        "batchai_compat._version",
        "batchai_compat.exceptions",
    }

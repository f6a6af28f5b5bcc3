"""An old-style script -- ``azure.common.credentials``, ``msrestazure.azure_exceptions`` -- runs
after ``import batchai_compat.install``, signing in against a loopback Active Directory.

CI runs the same script from the built wheel installed with only the ``legacy`` extra
(``scripts/check_wheel.py``); here it runs from this checkout's environment.  This folder has
no conftest.py on purpose: other test folders import theirs as ``conftest`` from ``sys.path``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(1, str(Path(__file__).parent))  # fake_aad.py (no conftest here: see below)

from fake_aad import run_old_style_script  # noqa: E402


def test_old_style_script_runs_unchanged(batchai_home, tmp_path):
    out = run_old_style_script(sys.executable, batchai_home, tmp_path)
    assert out["grants"] == ["00000000-1111-2222-3333-444444444444"]
    assert out["token_type"] == "Bearer"
    assert out["client_module"] == "batchai_compat.client"
    assert (out["cluster"], out["vm_size"]) == ("nc6", "STANDARD_NC6")
    assert out["missing_job_status"] == 404

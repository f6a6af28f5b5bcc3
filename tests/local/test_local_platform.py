"""Choosing the local backend where it cannot run fails at once, saying what is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from batchai_compat.backends.local.platform import PlatformFacts, require_local_platform
from batchai_compat.exceptions import BackendError, UnsupportedPlatformError


@pytest.mark.parametrize(
    ("facts", "needs"),
    [
        (PlatformFacts("win32", has_fork=False, has_proc=False), ["os.fork", "/proc"]),
        (PlatformFacts("darwin", has_fork=True, has_proc=False), ["/proc"]),
        (PlatformFacts("cygwin", has_fork=False, has_proc=True), ["os.fork"]),
    ],
)
def test_the_message_names_what_is_missing_and_what_to_do(facts, needs):
    with pytest.raises(UnsupportedPlatformError) as info:
        require_local_platform(facts)
    message = str(info.value)
    assert isinstance(info.value, BackendError)
    for need in needs:
        assert need in message
    for other in {"os.fork", "/proc"} - set(needs):
        assert other not in message
    assert f"({facts.system})" in message
    assert "Linux" in message and "backend='azureml'" in message


def test_this_linux_machine_can_run_it():
    facts = PlatformFacts.of_this_machine()
    assert facts.missing() == []
    require_local_platform()


@pytest.mark.parametrize(
    "simulate",
    [
        "del os.fork",
        "import batchai_compat.backends.local.platform as p; p.PROC_SELF_STAT = p.Path('/nonexistent/stat')",
    ],
)
def test_choosing_the_backend_fails_before_anything_is_written(batchai_home, simulate):
    code = textwrap.dedent(
        f"""
        import json, os
        {simulate}
        from batchai_compat import BatchAIManagementClient
        try:
            BatchAIManagementClient(object(), "sub")
        except Exception as error:
            print(json.dumps({{"type": type(error).__name__, "message": str(error)}}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BATCHAI_COMPAT_HOME": str(batchai_home)},
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["type"] == "UnsupportedPlatformError"
    assert "'local' backend" in out["message"]
    assert list(batchai_home.iterdir()) == []  # no state database, no folder

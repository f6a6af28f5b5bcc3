"""What a read-only ``batchai`` command imports (benchmark 6 measures its start-up).

A ``batchai job list`` / ``job show`` in a fresh process imports the command's module, the
client, one operation group, the local backend's state package and the models it returns, and
none of the modules that used to make it several times a bare interpreter's start-up.  And
``logging``, configured only when first imported, still prints az's ``WARNING:`` lines at the
level the global options ask.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: Modules a read must not import (each cost start-up; see benchmarks/measures/cli_start.py).
HEAVY = (
    "logging",
    "dataclasses",
    "inspect",
    "uuid",
    "shutil",
    "textwrap",
    "pydantic_core",
    "azure.core",
    "batchai_compat.operations.clusters",
    "batchai_compat.backends.local.execution",
)

PROBE = """
import json, sys
from batchai_compat.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _probe(cli_env, tmp_path, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "-o", "none"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_read_imports_nothing_heavy(batchai, cli_env, tmp_path):
    assert batchai("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    assert batchai("experiment", "create", "-g", "rg", "-w", "ws", "-n", "exp").code == 0
    for words in (("job", "list", "-e", "exp"), ("experiment", "show", "-n", "exp")):
        found = _probe(cli_env, tmp_path, *words, "-g", "rg", "-w", "ws")
        assert found["code"] == 0
        assert "batchai_compat.backends.local.state" in found["modules"]  # it did read
        assert [m for m in HEAVY if m in found["modules"]] == [], words


def test_messages_keep_azs_format_and_levels_when_logging_loads_late(batchai, tmp_path):
    job = {
        "properties": {
            "nodeCount": 1,
            "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_TEMP",
            "customToolkitSettings": {"commandLine": "echo hi"},
            "jobPreparation": {"commandLine": "apt-get install -y tool"},
        }
    }
    (tmp_path / "job.json").write_text(json.dumps(job))
    args = ("export", "job", "-g", "rg", "-w", "ws", "-e", "e", "-n", "j", "-f", "job.json")
    warned = batchai(*args, "-c", "c", "--output-dir", "a")
    assert warned.code == 0, warned.err
    assert warned.err.splitlines() == [
        "WARNING: job.yml: dropped the job preparation ('apt-get install -y tool'), which Batch "
        "AI ran once per node before the job (its comment there says what to do)"
    ]
    quiet = batchai(*args, "-c", "c", "--output-dir", "b", "--only-show-errors")
    assert (quiet.code, quiet.err) == (0, "")
    failed = batchai(*args, "--output-dir", "c")  # no cluster: a usage error
    assert failed.code == 2 and failed.err.startswith("ERROR: Please provide cluster")

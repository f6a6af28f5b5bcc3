"""Fixtures for the command line tests: ``batchai`` run as a subprocess or in-process.

Every test gets its own configuration folder and HOME (``--generate-ssh-keys`` writes
``~/.ssh``), beside the ``BATCHAI_COMPAT_HOME`` the session conftest gives it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@dataclass
class Done:
    """A finished ``batchai`` run."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli_env(tmp_path, batchai_home, monkeypatch) -> dict[str, str]:
    """The environment ``batchai`` runs in (also set in this process for in-process runs)."""
    home = tmp_path / "user-home"
    home.mkdir()
    values = {
        "HOME": str(home),
        "BATCHAI_CONFIG_DIR": str(tmp_path / "batchai-config"),
        "BATCHAI_COMPAT_HOME": str(batchai_home),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    # In-process runs with --backend set it for the storage layer: restored after the test.
    monkeypatch.setenv("BATCHAI_COMPAT_BACKEND", "local")
    for name in list(os.environ):
        if name.startswith(("AZURE_", "BATCHAI_DEFAULTS_", "BATCHAI_CORE_")):
            monkeypatch.delenv(name)
    return dict(os.environ)


@pytest.fixture
def batchai(cli_env, tmp_path):
    """Run ``batchai ARGS...`` as a subprocess (``python -m batchai_compat``)."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Done:
        done = subprocess.run(
            [sys.executable, "-m", "batchai_compat", *args],
            capture_output=True,
            text=True,
            cwd=cwd or tmp_path,
            env={**cli_env, **(env or {})},
            stdin=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )
        return Done(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def run_cli(cli_env, capsys):
    """Run ``batchai ARGS...`` in this process (``batchai_compat.cli.main``): fast, for units."""
    from batchai_compat.cli import main

    def run(*args: str) -> Done:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Done(code, captured.out, captured.err)

    return run


@pytest.fixture
def shim(tmp_path) -> Path:
    """A folder holding a ``batchai`` executable (this interpreter's ``-m batchai_compat``)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "batchai"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m batchai_compat "$@"\n')
    script.chmod(0o755)
    return folder

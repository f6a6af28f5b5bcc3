"""The static checks of this folder, run here too: backends satisfy ``Backend``, operations are
typed.

``backends_conform.py`` and ``operations_typed.py`` are checked by mypy in CI (``[tool.mypy]
files``).  Here: every backend the registry ships is in the first, mypy passes on both, mypy
fails on a backend whose method does not match the protocol (so the check can fail), and the
models package tells mypy every public name (a name only its lazy ``__getattr__`` knows would be
``Any`` to mypy).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from batchai_compat.backends import registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    """Run mypy with the project's configuration on some files; returns (exit code, output)."""
    cache = tmp_path_factory.mktemp("mypy_cache")

    def run(*files: Path) -> tuple[int, str]:
        command = [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-error-summary"]
        done = subprocess.run(
            [*command, *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        return done.returncode, done.stdout + done.stderr

    return run


def test_every_registered_backend_is_checked():
    from typecheck import backends_conform

    shipped = {
        spec.target
        for spec in registry._registry.values()
        if isinstance(spec.target, str) and spec.target.startswith("batchai_compat.")
    }
    assert shipped and shipped <= set(backends_conform.CHECKED)


def test_the_static_checks_pass(mypy):
    code, output = mypy(HERE / "backends_conform.py", HERE / "operations_typed.py")
    assert code == 0, output


def test_a_backend_that_does_not_conform_is_caught(mypy, tmp_path):
    broken = tmp_path / "broken_backend.py"
    broken.write_text(
        "from batchai_compat.backends.base import Backend, BackendConfig\n"
        "from batchai_compat.backends.local import LocalBackend\n\n\n"
        "class NoExperiment(LocalBackend):\n"
        "    def get_job(self, resource_group: str, workspace: str, job: str) -> None:"
        "  # type: ignore[override]\n"
        "        return None\n\n\n"
        "def build(config: BackendConfig) -> Backend:\n"
        "    return NoExperiment(config)\n"
    )
    code, output = mypy(broken)
    assert code == 1
    assert 'expected "Backend"' in output and "get_job" in output


def test_the_models_package_declares_every_public_name_to_mypy():
    import batchai_compat.models as models

    tree = ast.parse(Path(models.__file__).read_text())
    declared = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in ast.walk(node):
                if isinstance(child, ast.ImportFrom):
                    declared |= {alias.asname or alias.name for alias in child.names}
    assert set(models.__all__) <= declared

"""examples/migration_walkthrough.ipynb: the walk-through script as a notebook, kept equal to it.

The notebook's code cells, joined, are the script's code but for the lines that find the
examples folder (a notebook has no ``__file__``; Jupyter starts in the notebook's folder) and the
section comments, which are markdown cells in the notebook.  Without Jupyter here, the test runs
the joined cells as one program from the notebook's folder, as Jupyter would run them in order.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from batchai_compat.home.processes import stop_supervisors

SCRIPT_ROOT_LINES = [
    "RECIPES_ROOT = os.path.dirname(os.path.abspath(__file__))",
    "if not os.path.isdir(os.path.join(RECIPES_ROOT, 'utilities')):",
    "    RECIPES_ROOT = os.path.dirname(RECIPES_ROOT)",
]
NOTEBOOK_ROOT_LINE = "RECIPES_ROOT = os.path.abspath('.' if os.path.isdir('utilities') else '..')"


def _code_lines(text: str) -> list[str]:
    """Non-blank lines that are not comments."""
    return [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def _notebook_code(examples_dir: Path) -> str:
    notebook = json.loads((examples_dir / "migration_walkthrough.ipynb").read_text())
    assert notebook["nbformat"] == 4
    return "\n\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"
    )


def test_notebook_code_is_the_script(examples_dir):
    script = (examples_dir / "migration_walkthrough.py").read_text()
    docstring_end = ast.parse(script).body[0].end_lineno
    body = "\n".join(script.splitlines()[docstring_end:])
    expected = "\n".join(SCRIPT_ROOT_LINES)
    assert body.count(expected) == 1
    body = body.replace(expected, NOTEBOOK_ROOT_LINE)
    assert _code_lines(_notebook_code(examples_dir)) == _code_lines(body)


def test_notebook_sections_follow_the_guide(examples_dir):
    notebook = json.loads((examples_dir / "migration_walkthrough.ipynb").read_text())
    titles = [
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## ")
    ]
    script_sections = re.findall(
        r"^# ([A-Z][a-z].*)$", (examples_dir / "migration_walkthrough.py").read_text(), re.M
    )
    assert titles == ["## " + title for title in script_sections if not title.startswith("The ")]


@pytest.mark.slow
def test_notebook_runs_from_its_folder(examples_dir, tmp_path):
    code = _notebook_code(examples_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHAI_COMPAT_")}
    env["BATCHAI_COMPAT_HOME"] = str(tmp_path / "home")
    try:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=examples_dir,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
    finally:  # the home's helpers outlive the notebook on purpose (its URLs stay valid)
        stop_supervisors(tmp_path / "home")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Job state: succeeded ExitCode: 0" in result.stdout
    assert re.search(r"Test accuracy: 0\.[89]\d*", result.stdout)

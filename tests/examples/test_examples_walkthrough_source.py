"""The walk-through's source: one line from the Batch AI original, and faithful to the guide.

examples/batchai_original/migration_walkthrough.py is the migration guide's Batch AI code as a
script; examples/migration_walkthrough.py must differ from it by exactly one line, and every
statement of the guide's "Batch AI" code blocks must be in it (but for the paths of the
notebook's folder layout, adapted to this repository's).
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest

# The guide sits in the team's shared folder beside the repository.
GUIDE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "batchai-to-azureml-migration.es.md"
)
MIGRATED = "migration_walkthrough.py"
ORIGINAL = "batchai_original/migration_walkthrough.py"

# The guide's notebook sat three folders below utilities/; the script finds them itself.
ADAPTED_GUIDE_LINES = {
    "sys.path.append('../../..')",
    "cfg = utils.config.Configuration('../../configuration.json')",
}


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_exactly_one_line_differs(examples_dir):
    original = _lines(examples_dir / ORIGINAL)
    migrated = _lines(examples_dir / MIGRATED)
    matcher = difflib.SequenceMatcher(a=original, b=migrated, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    assert len(changes) == 1, changes
    tag, a_start, a_end, b_start, b_end = changes[0]
    # One line inserted (nothing removed) or one line replaced by one line.
    assert (tag, b_end - b_start) in (("insert", 1), ("replace", 1))
    assert a_end - a_start == (0 if tag == "insert" else 1)
    added = migrated[b_start]
    assert re.match(r"import batchai_compat\.install\b", added), added


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_original_is_pure_batchai_code(examples_dir):
    original = _imports(examples_dir / ORIGINAL)
    assert not any(name.startswith("batchai_compat") for name in original)
    assert {
        "azure.mgmt.batchai.models",
        "azure.storage.blob",
        "azure.storage.file",
        "utilities",
    } <= original
    assert _imports(examples_dir / MIGRATED) - original == {"batchai_compat.install"}


def _guide_batchai_blocks() -> list[list[str]]:
    """The guide's Python blocks introduced by prose about Batch AI (not Azure ML)."""
    blocks, prose, code, inside = [], "", [], False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if inside:
                if "Batch AI" in prose and "Machine Learning" not in prose:
                    blocks.append(code)
                code, prose = [], ""
            inside = not inside
        elif inside:
            code.append(line)
        elif line.strip():
            prose = line
    return blocks


def _normalized(line: str) -> str:
    return re.sub(r"\s+", "", line)


@pytest.mark.skipif(not GUIDE.exists(), reason="the migration guide is not on this machine")
def test_every_batchai_block_of_the_guide_is_in_the_script(examples_dir):
    blocks = _guide_batchai_blocks()
    # workspace, cluster, status, storage, data, experiment, job, submit, monitor, delete
    assert len(blocks) == 10, [b[:1] for b in blocks]
    script = {_normalized(line) for line in _lines(examples_dir / MIGRATED)}
    missing = [
        line
        for block in blocks
        for line in block
        if line.strip()
        and line.strip() not in ADAPTED_GUIDE_LINES
        and _normalized(line) not in script
    ]
    assert missing == []

"""Every document and file the README and docs/ point to is in the repository.

Two kinds of reference are checked: Markdown links to relative targets (``[text](docs/x.md)``),
which must resolve from the linking document, and file paths quoted in backticks (``
`backends/local/supervision.py` ``, `` `DESIGN.md` ``), which must name a file of the repository
(matched on the path's last components, since the docs quote paths below ``batchai_compat/`` and
below the folder they describe).  Paths with placeholders (``<id>``, ``$HOME``) are runtime paths
and are not checked.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`\s]+)`")
_FILE_PATH = re.compile(r"^[\w./-]+\.(?:py|md|json|sh|toml|ipynb|cfg)$")


def repository_files() -> list[str]:
    """The repository's files (tracked or not ignored); outside a git checkout (an unpacked
    archive), every file under the root but the tool folders."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", ".tools", "node_modules", "__pycache__"}
        return [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not skip & set(path.relative_to(ROOT).parts)
        ]
    return out.stdout.split()


FILES = repository_files()


def _is_in_repository(quoted: str) -> bool:
    quoted = quoted.lstrip("./")
    return any(f == quoted or f.endswith("/" + quoted) for f in FILES)


def _quoted_paths(text: str) -> list[str]:
    paths = []
    for token in _CODE.findall(text):
        if not _FILE_PATH.match(token) or "://" in token:
            continue
        # a file name alone is a runtime name (``stdout.txt``, ``job.json``), except documents
        if "/" in token or token.endswith(".md"):
            paths.append(token)
    return paths


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve(document):
    text = document.read_text()
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor of the same page
        if not (document.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"links to files that are not in the repository: {broken}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_quoted_files_exist(document):
    missing = [p for p in _quoted_paths(document.read_text()) if not _is_in_repository(p)]
    assert not missing, f"files named but not in the repository: {missing}"


def test_the_checks_catch_what_they_should():
    assert _quoted_paths("see `DESIGN.md` and `stdout.txt`, `backends/x/y.py`") == [
        "DESIGN.md",
        "backends/x/y.py",
    ]
    assert not _is_in_repository("DESIGN.md")
    assert _is_in_repository("backends/local/supervision.py")
    assert _is_in_repository("docs/architecture.md")

"""What every measuring child shares: report its own figures to the parent as JSON.

Children are started by :func:`benchmarks.harness.run_child` as
``python benchmarks/children/<name>.py <result-file> [args...]`` in a fresh interpreter; this
module is imported first and pulls in nothing but the standard library's ``json``/``sys``.
"""

from __future__ import annotations

import json
import sys


def result_path() -> str:
    return sys.argv[1]


def args() -> list[str]:
    return sys.argv[2:]


def report(**figures: float) -> None:
    """Write the child's sample (metric -> value) where the parent reads it."""
    with open(result_path(), "w", encoding="utf-8") as out:
        json.dump(figures, out)

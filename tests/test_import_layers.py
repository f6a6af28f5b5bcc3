"""Imports run downward only: the layers of docs/architecture.md, checked on every module.

Every module of ``batchai_compat`` is parsed with ``ast``; every import counts, at module level,
inside functions and under ``if TYPE_CHECKING:`` alike (a type is a dependency too).  The rules,
written once here and described in ``docs/architecture.md`` ("Layers and import directions"):

1. a module imports its own unit and the units of lower layers, never a unit of its own layer
   or of a higher one;
2. outside ``backends/`` only the protocol and the registry (``backends.base``,
   ``backends.registry``) are imported: concrete backends are chosen by name; inside it, a backend
   package imports no other backend package (shared helpers are ``backends._*`` modules);
3. process entry points (a supervisor, the node runtime, the command line) are started, never
   imported;
4. the layers that run on nodes or under everything else import the standard library only.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "batchai_compat"
PACKAGE_DIR = ROOT / PACKAGE

#: Bottom layer first.  Each layer maps unit names to the top-level names of the package (module
#: or subpackage) the unit holds; ``__init__`` is the package root itself.
LAYERS: tuple[dict[str, frozenset[str]], ...] = (
    {"exceptions": frozenset({"_version", "exceptions", "_sdk_errors"})},
    {"core": frozenset({"core"})},
    {"domain": frozenset({"domain"})},
    {
        "models": frozenset({"models"}),
        "runtime": frozenset({"runtime"}),
        "home": frozenset({"home"}),
    },
    {"backends": frozenset({"backends"}), "storage": frozenset({"storage"})},
    {"operations": frozenset({"operations"})},
    {"client": frozenset({"client"})},
    {"entry points": frozenset({"__init__", "install", "cli", "__main__"})},
)

#: The only modules of ``backends/`` imported from outside it.
BACKEND_FACES = frozenset({f"{PACKAGE}.backends.base", f"{PACKAGE}.backends.registry"})

#: Modules run as processes (``python -m ...``), which no module imports.
ENTRY_POINTS = frozenset(
    {
        f"{PACKAGE}.__main__",
        f"{PACKAGE}.runtime.__main__",
        f"{PACKAGE}.backends.local.daemon",
        f"{PACKAGE}.home.fileservice_process",
    }
)

#: Modules (or packages: every module below them) that import the standard library only, apart
#: from ``if TYPE_CHECKING:`` blocks: the node runtime ships in a zip application beside the
#: package-level modules it imports.
STDLIB_ONLY = (
    f"{PACKAGE}._version",
    f"{PACKAGE}.exceptions",
    f"{PACKAGE}.core",
    f"{PACKAGE}.domain",
    f"{PACKAGE}.runtime",
    f"{PACKAGE}.home",
)


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int
    type_checking: bool

    def __str__(self) -> str:
        path = module_path(self.source).relative_to(ROOT)
        return f"{path}:{self.line}: {self.source} -> {self.target}"


def module_path(module: str) -> Path:
    parts = module.split(".")
    base = ROOT.joinpath(*parts)
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = package_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it sits under ``if TYPE_CHECKING:``."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node, type_checking))
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_checking)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking)

    visit(tree, False)
    return found


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> tuple[list[Edge], list[Edge]]:
    """(edges to modules of the package, imports of anything else) of one module."""
    tree = ast.parse(MODULES[module].read_text(), str(MODULES[module]))
    inside: list[Edge] = []
    outside: list[Edge] = []
    for node, type_checking in _imports(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = _absolute(module, node)
            # ``from pkg import name`` imports the submodule pkg.name when there is one
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        for target in targets:
            edge = Edge(module, target, node.lineno, type_checking)
            is_ours = target == PACKAGE or target.startswith(PACKAGE + ".")
            (inside if is_ours else outside).append(edge)
    return inside, outside


EDGES: dict[str, tuple[list[Edge], list[Edge]]] = {module: imports_of(module) for module in MODULES}


def top_name(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def placement(module: str) -> tuple[int, str]:
    """(layer index, unit name) of a module of the package."""
    name = top_name(module)
    for index, layer in enumerate(LAYERS):
        for unit, names in layer.items():
            if name in names:
                return index, unit
    raise LookupError(name)


# --- the rules ---------------------------------------------------------------------------------


def test_every_top_level_module_has_a_layer():
    unplaced = set()
    for module in MODULES:
        try:
            placement(module)
        except LookupError:
            unplaced.add(top_name(module))
    assert not unplaced, (
        f"place {sorted(unplaced)} in the layer table (LAYERS here and the one in "
        "docs/architecture.md)"
    )


def against_the_layers(source: str, target: str) -> str | None:
    """Why ``source`` may not import ``target`` (rule 1), or None when it may."""
    layer, unit = placement(source)
    target_layer, target_unit = placement(target)
    if target_unit != unit and target_layer >= layer:
        return f"{unit} (layer {layer}) may not import {target_unit} (layer {target_layer})"
    return None


def test_imports_run_downward_only():
    upward = []
    for module, (inside, _) in EDGES.items():
        for edge in inside:
            reason = against_the_layers(module, edge.target)
            if reason:
                upward.append(f"{edge}: {reason}")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def _backend_package(module: str) -> str | None:
    """``local`` for ``batchai_compat.backends.local.*``; None for shared backend modules."""
    parts = module.split(".")
    if len(parts) < 3 or parts[1] != "backends":
        return None
    name = parts[2]
    if name.startswith("_") or not (PACKAGE_DIR / "backends" / name).is_dir():
        return None
    return name


def test_concrete_backends_are_reached_by_name_only():
    wrong = []
    for module, (inside, _) in EDGES.items():
        in_backends = top_name(module) == "backends"
        own = _backend_package(module)
        for edge in inside:
            if top_name(edge.target) != "backends" or edge.target == f"{PACKAGE}.backends":
                continue
            if not in_backends and edge.target not in BACKEND_FACES:
                wrong.append(f"{edge} (outside backends/, use {sorted(BACKEND_FACES)})")
            target = _backend_package(edge.target)
            if in_backends and target is not None and target != own:
                wrong.append(f"{edge} (one backend package imports another)")
    assert not wrong, "\n".join(wrong)


def test_process_entry_points_are_not_imported():
    wrong = [
        str(edge) for inside, _ in EDGES.values() for edge in inside if edge.target in ENTRY_POINTS
    ]
    assert not wrong, "a process entry point is imported (move what is shared out of it):\n" + (
        "\n".join(wrong)
    )


def _stdlib_only(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in STDLIB_ONLY)


def test_stdlib_only_layers_import_the_standard_library_only():
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    wrong = []
    for module, (_, outside) in EDGES.items():
        if not _stdlib_only(module):
            continue
        wrong += [
            str(edge)
            for edge in outside
            if not edge.type_checking and edge.target.split(".")[0] not in allowed
        ]
    assert not wrong, "third-party imports in standard-library-only modules:\n" + "\n".join(wrong)


# --- the rules themselves ----------------------------------------------------------------------


def _documented_layers() -> list[tuple[int, str, set[str]]]:
    """The rows of the layer table in docs/architecture.md: ``N  unit  name, name, ...``."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Layers and import directions", 1)[1]
    block = section.split("```", 2)[1]
    rows = []
    for line in block.splitlines():
        match = re.match(r"^\s*(\d+)\s{2,}(.+?)\s{2,}(.+?)\s*$", line)
        if match:
            names = {n.strip().strip("`") for n in match.group(3).split(",")}
            rows.append((int(match.group(1)), match.group(2).strip(), names))
    return rows


def test_the_documented_layers_are_the_checked_ones():
    documented = {(index, unit, frozenset(names)) for index, unit, names in _documented_layers()}
    checked = {
        (index, unit, names) for index, layer in enumerate(LAYERS) for unit, names in layer.items()
    }
    assert documented == checked


def test_the_walker_sees_every_kind_of_import():
    """The rules above are only as good as the edges: check the walker on known imports."""
    inside, outside = EDGES[f"{PACKAGE}.operations._group"]
    targets = {(edge.target, edge.type_checking) for edge in inside}
    assert (f"{PACKAGE}.models", False) in targets  # from .. import models as _models
    assert (f"{PACKAGE}.core.polling", False) in targets  # from ..core.polling import ...
    assert (f"{PACKAGE}.backends.base", True) in targets  # under TYPE_CHECKING
    assert any(edge.target == "urllib.parse" for edge in outside)
    # a function-level import: the local storage face loads the file service on first use
    inside, _ = EDGES[f"{PACKAGE}.storage._local"]
    assert f"{PACKAGE}.home.fileservice" in {edge.target for edge in inside}


@pytest.mark.parametrize(
    "source, target, upward",
    [
        (f"{PACKAGE}.models.paged", f"{PACKAGE}.operations._group", True),
        (f"{PACKAGE}.storage._local", f"{PACKAGE}.backends.local.backend", True),
        (f"{PACKAGE}.runtime.spec", f"{PACKAGE}.models", True),
        (f"{PACKAGE}.client", f"{PACKAGE}.core", False),
        (f"{PACKAGE}.operations.jobs", f"{PACKAGE}.models.jobs", False),
    ],
)
def test_the_rule_tells_upward_edges(source, target, upward):
    assert (against_the_layers(source, target) is not None) is upward

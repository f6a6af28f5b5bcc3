"""Fixtures for the examples' tests: the examples folder and its stdlib-only modules by path."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_module(path: Path, name: str) -> ModuleType:
    """Import ``path`` under a private module name (the examples are not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def utilities():
    """examples/utilities as a package (it imports azure.mgmt.batchai: the genuine one here)."""
    name = "_examples_utilities"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name,
        EXAMPLES / "utilities" / "__init__.py",
        submodule_search_locations=[str(EXAMPLES / "utilities")],
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def dataset_module() -> ModuleType:
    """examples/utilities/dataset.py (standard library only)."""
    return load_module(EXAMPLES / "utilities" / "dataset.py", "_examples_utilities_dataset")


@pytest.fixture(scope="session")
def replica_script() -> Path:
    return EXAMPLES / "tensorflow_samples" / "mnist_replica.py"


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="session")
def free_ports():
    """``free_ports(n)``: n distinct TCP ports free on 127.0.0.1 right now."""
    return _free_ports

"""``batchai_node.pyz``: the node side of a Batch AI job on Azure ML, as one zip application.

Azure ML runs ``python batchai_node.pyz`` in every process of a run of either backend:
:mod:`.node` with the shared node runtime (:mod:`batchai_compat.runtime`), the domain rules
(:mod:`batchai_compat.domain`) and the shared Azure ML names
(:mod:`batchai_compat.backends._azureml_common`) — standard library only, so any image with a
Python 3.8+ runs it.  The archive is deterministic (fixed times, sorted names) and the job
travels in the run configuration, not in the snapshot, so Azure ML's snapshot cache uploads it
once per workspace.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from .naming import NODE_APP_NAME

__all__ = ["node_app", "snapshot_folder"]

_NODE_APP: list[bytes] = []
#: The zip application's entry point; Python 2 compatible up to the version check, so that an
#: image whose ``python`` is too old re-runs it with ``python3`` or says what is wrong.
_NODE_MAIN = b"""import os
import sys

if sys.version_info < (3, 8):
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(folder, "python3")
        if os.access(candidate, os.X_OK) and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            os.execv(candidate, [candidate] + sys.argv)
    sys.stderr.write("batchai_node.pyz needs Python 3.8 or newer in the job's image (found %s)\\n"
                     % sys.version.split()[0])
    sys.exit(2)

from batchai_compat.backends._azureml_common.node import main

sys.exit(main())
"""

#: Packages shipped whole (every module of each is standard library only).
_PACKAGES = ("runtime", "domain", "backends/_azureml_common")
#: Single modules those import (core.logs: the shared retries' logger).
_MODULES = ("__init__.py", "_version.py", "exceptions.py", "core/__init__.py", "core/logs.py")


def node_app() -> bytes:
    """The zip application's bytes, built once per process."""
    if _NODE_APP:
        return _NODE_APP[0]
    package = Path(__file__).resolve().parents[2]
    files: dict[str, bytes] = {
        "__main__.py": _NODE_MAIN,
        "batchai_compat/backends/__init__.py": b"",
    }
    for name in _MODULES:
        files[f"batchai_compat/{name}"] = (package / name).read_bytes()
    for folder in _PACKAGES:
        for source in sorted((package / folder).glob("*.py")):
            files[f"batchai_compat/{folder}/{source.name}"] = source.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    _NODE_APP.append(buffer.getvalue())
    return _NODE_APP[0]


def snapshot_folder() -> str:
    """A new temporary folder holding only the node app: the run snapshot (the caller removes
    it after submission)."""
    folder = tempfile.mkdtemp(prefix="batchai_azureml_")
    (Path(folder) / NODE_APP_NAME).write_bytes(node_app())
    return folder

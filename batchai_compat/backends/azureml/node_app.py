"""``batchai_node.pyz``: the node side of both Azure ML backends as one zip application.

Azure ML (v1 runs and v2 command jobs alike) starts ``python batchai_node.pyz`` in every
process of a Batch AI job: :mod:`.node` and the stdlib-only node runtime, built
deterministically (byte-identical from job to job, so Azure ML uploads it once per workspace and
reuses it).  Standard library only: importing this module imports no Azure SDK.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

__all__ = ["node_app"]

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

from batchai_compat.backends.azureml.node import main

sys.exit(main())
"""


def node_app() -> bytes:
    """``batchai_node.pyz``: :mod:`.node` and the stdlib-only node runtime as a zip application
    (``python batchai_node.pyz batchai_job.json``), built deterministically once per process."""
    if _NODE_APP:
        return _NODE_APP[0]
    package = Path(__file__).resolve().parents[2]
    files: dict[str, bytes] = {
        "__main__.py": _NODE_MAIN,
        "batchai_compat/backends/__init__.py": b"",
    }
    for name in ("__init__.py", "_version.py", "exceptions.py"):
        files[f"batchai_compat/{name}"] = (package / name).read_bytes()
    for source in sorted((package / "runtime").glob("*.py")):
        files[f"batchai_compat/runtime/{source.name}"] = source.read_bytes()
    for folder in ("domain", "backends/_azureml_common"):
        for source in sorted((package / folder).glob("*.py")):
            files[f"batchai_compat/{folder}/{source.name}"] = source.read_bytes()
    for name in ("__init__.py", "node.py"):
        files[f"batchai_compat/backends/azureml/{name}"] = (
            package / "backends" / "azureml" / name
        ).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    _NODE_APP.append(buffer.getvalue())
    return _NODE_APP[0]

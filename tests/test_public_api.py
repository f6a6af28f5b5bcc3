"""The package root exposes exactly its curated public names (httpx style)."""

import inspect
import subprocess
import sys

import batchai_compat


def test_root_all_is_exactly_the_public_names():
    for name in batchai_compat.__all__:
        getattr(batchai_compat, name)  # resolve the lazy names first
    # Submodules (client, backends, ...) are importable but only models/exceptions are curated.
    public = {
        name
        for name in dir(batchai_compat)
        if not name.startswith("_") and not inspect.ismodule(getattr(batchai_compat, name))
    }
    public |= {"__version__", "models", "exceptions"}
    assert set(batchai_compat.__all__) == public
    for name in batchai_compat.__all__:
        assert getattr(batchai_compat, name) is not None


def test_import_is_light():
    code = (
        "import sys, batchai_compat; "
        "heavy = [m for m in ('pydantic', 'azure', 'azureml', 'msrest', 'requests') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

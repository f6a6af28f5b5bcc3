"""Session-wide test setup: every test gets its own BATCHAI_COMPAT_HOME (a real folder)."""

import pytest

# The `azurite` session fixture (Azure Storage emulator), usable from every test folder.
pytest_plugins = ["_azurite"]


@pytest.fixture(autouse=True)
def batchai_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("batchai_home")
    monkeypatch.setenv("BATCHAI_COMPAT_HOME", str(home))
    monkeypatch.delenv("BATCHAI_COMPAT_BACKEND", raising=False)
    monkeypatch.delenv("BATCHAI_COMPAT_STORAGE", raising=False)
    return home

"""Session-wide test setup: every test gets its own BATCHAI_COMPAT_HOME (a real folder)."""

import pytest


@pytest.fixture(autouse=True)
def batchai_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("batchai_home")
    monkeypatch.setenv("BATCHAI_COMPAT_HOME", str(home))
    monkeypatch.delenv("BATCHAI_COMPAT_BACKEND", raising=False)
    return home

"""Session-wide test setup: every test gets its own BATCHAI_COMPAT_HOME (a real folder), and
no job process of a test's home outlives the test (nor, checked at the end, the session)."""

import time

import pytest

# The `azurite` session fixture (Azure Storage emulator), usable from every test folder.
pytest_plugins = ["_azurite"]


@pytest.fixture(autouse=True)
def batchai_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("batchai_home")
    monkeypatch.setenv("BATCHAI_COMPAT_HOME", str(home))
    monkeypatch.delenv("BATCHAI_COMPAT_BACKEND", raising=False)
    monkeypatch.delenv("BATCHAI_COMPAT_STORAGE", raising=False)
    yield home
    if (home / "jobs").is_dir() or (home / "helpers").is_dir():  # stop what the home runs
        from batchai_compat.home.processes import stop_supervisors

        stop_supervisors(home)


@pytest.fixture(scope="session", autouse=True)
def no_supervisor_survives(tmp_path_factory):
    """Fails the session if a helper or supervisor of any home under this session's temporary
    folder is still alive at its end (then stops it): every test must leave nothing running."""
    yield
    from batchai_compat.home.processes import find_supervisors, stop_sessions

    base = tmp_path_factory.getbasetemp()
    deadline = time.monotonic() + 2
    while (survivors := find_supervisors(base)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if survivors:
        details = [_describe(ref.pid) for ref in survivors]
        stop_sessions(survivors, grace=1)
        pytest.fail(f"supervisors left running by the tests: {details}", pytrace=False)


def _describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f"pid {pid}: " + f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"pid {pid}"

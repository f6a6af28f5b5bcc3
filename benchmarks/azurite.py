"""Azurite, the Azure Storage blob emulator (npm ``azurite``), run on loopback: the one launcher.

The bulk-upload measure runs it, and so does the test suite's ``azurite`` fixture
(``tests/_azurite.py``), as ``docs/development.md`` describes: ``node <azurite>/dist/src/blob/main.js``
on a free loopback port, a temporary ``--location``, ``--silent --skipApiVersionCheck
--disableTelemetry``.  Clients use the emulator's well-known development account.  Only the
standard library and :mod:`batchai_compat.storage._account` are imported, so the test plugin
stays light.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from batchai_compat.storage._account import DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME

REPO_ROOT = Path(__file__).resolve().parent.parent
AZURITE_MAIN = (
    REPO_ROOT / ".tools" / "node_modules" / "azurite" / "dist" / "src" / "blob" / "main.js"
)
START_TIMEOUT_S = 30.0

#: Azurite's well-known development storage account (public, documented by Microsoft).
ACCOUNT_NAME = DEV_ACCOUNT_NAME
ACCOUNT_KEY = DEV_ACCOUNT_KEY


@dataclass(frozen=True)
class Azurite:
    """A running emulator: where it listens and how clients reach it."""

    host: str
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the emulator process has used so far (Linux ``/proc``)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
        return ticks / os.sysconf("SC_CLK_TCK")

    @property
    def blob_endpoint(self) -> str:
        return f"http://{self.host}:{self.port}/{ACCOUNT_NAME}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.blob_endpoint};"
        )


class AzuriteUnavailable(RuntimeError):
    """Node or Azurite is missing (``bash scripts/install_azurite.sh`` installs Azurite into .tools/)."""


class AzuriteFailed(RuntimeError):
    """Azurite is installed but exited, or did not listen in time."""


def find_node() -> str:
    """The ``node`` that runs :data:`AZURITE_MAIN`; :class:`AzuriteUnavailable` if either is missing."""
    node = shutil.which("node")
    if node is None or not AZURITE_MAIN.is_file():
        raise AzuriteUnavailable(
            f"Azurite is not installed: needs node and {AZURITE_MAIN.relative_to(REPO_ROOT)} "
            "(run: bash scripts/setup.sh test, or bash scripts/install_azurite.sh)"
        )
    return node


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AzuriteFailed(f"Azurite exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AzuriteFailed(f"Azurite did not listen on port {port} within {START_TIMEOUT_S:.0f} s")


@contextmanager
def running_azurite(node: str | None = None) -> Iterator[Azurite]:
    """Run Azurite for the duration of the ``with`` block, then stop it and remove its data.

    ``node``: from :func:`find_node` (found here when not given).
    """
    node = node or find_node()
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="azurite-") as location:
        proc = subprocess.Popen(
            [
                node,
                str(AZURITE_MAIN),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(port),
                "--location",
                location,
                "--silent",
                "--skipApiVersionCheck",
                "--disableTelemetry",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        try:
            _wait_listening(port, proc)
            yield Azurite("127.0.0.1", port, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def write_small_files(root: Path, count: int, size: int = 1024) -> list[Path]:
    """``count`` files of ``size`` random bytes under ``root``, 100 per sub-folder."""
    paths = []
    for index in range(count):
        folder = root / f"part-{index // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sample-{index:05d}.bin"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths

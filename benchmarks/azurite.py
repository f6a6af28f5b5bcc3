"""Start the Azurite blob emulator on loopback for the bulk-upload measure.

Started the way the test-suite and DESIGN.md §7 do: ``node <azurite>/dist/src/blob/main.js``
on a free loopback port, a temporary ``--location``, ``--silent --skipApiVersionCheck
--disableTelemetry``; clients use the well-known development account.
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

from .harness import REPO_ROOT

AZURITE_MAIN = (
    REPO_ROOT / ".tools" / "node_modules" / "azurite" / "dist" / "src" / "blob" / "main.js"
)

#: Azurite's well-known development storage account (public, documented by Microsoft).
ACCOUNT_NAME = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


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
    """Node or Azurite is missing (``bash scripts/setup.sh`` installs Azurite into .tools/)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(port: int, proc: subprocess.Popen[bytes], deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AzuriteUnavailable(f"Azurite exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AzuriteUnavailable(f"Azurite did not listen on port {port} within {deadline_s:.0f} s")


@contextmanager
def running_azurite() -> Iterator[Azurite]:
    """Run Azurite for the duration of the ``with`` block, then stop it and remove its data."""
    node = shutil.which("node")
    if node is None or not AZURITE_MAIN.exists():
        raise AzuriteUnavailable(
            f"needs node and {AZURITE_MAIN.relative_to(REPO_ROOT)} (bash scripts/setup.sh)"
        )
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-azurite-") as location:
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
            _wait_listening(port, proc, deadline_s=30.0)
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

"""Azurite (the Azure Storage emulator, npm ``azurite``) for tests: a session fixture.

Usage from any test folder: request the ``azurite`` fixture (registered for the whole suite by
``tests/conftest.py`` through ``pytest_plugins``)::

    def test_upload(azurite):
        service = BlobServiceClient.from_connection_string(azurite.connection_string)

One blob-service process per test session, on 127.0.0.1 and a free port, with its data in a
temporary folder; killed at session end.  When Azurite is not installed the tests that use it are
skipped, except on CI (``CI=true``), where they fail: ``scripts/setup.sh`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AZURITE_BLOB_MAIN = REPO / ".tools" / "node_modules" / "azurite" / "dist" / "src" / "blob" / "main.js"
ACCOUNT = "devstoreaccount1"
# The emulator's published development key (not a secret).
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@dataclass(frozen=True)
class Azurite:
    """A running Azurite blob service."""

    host: str
    port: int

    @property
    def blob_endpoint(self) -> str:
        return f"http://{self.host}:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"BlobEndpoint={self.blob_endpoint};"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"azurite exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("azurite did not start listening within 30 s")


@pytest.fixture(scope="session")
def azurite():
    node = shutil.which("node")
    if node is None or not AZURITE_BLOB_MAIN.is_file():
        message = "Azurite is not installed (run scripts/setup.sh: npm install azurite@3 into .tools)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="azurite-") as location:
        process = subprocess.Popen(
            [
                node,
                str(AZURITE_BLOB_MAIN),
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
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_listening(port, process, time.monotonic() + 30)
            yield Azurite("127.0.0.1", port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

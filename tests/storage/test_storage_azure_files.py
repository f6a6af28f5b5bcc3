"""FileService uploads on Azure Files, against a loopback stand-in of the Files REST API.

Azurite has no Files service.  This server answers the two requests a file upload is made of --
*Create File* (``PUT`` with ``x-ms-type: file``) and *Put Range* (``PUT ?comp=range`` with
``x-ms-range``) -- and keeps the bytes, so the legacy face's upload is checked end to end over
real HTTP: the content stored, and ``progress_callback`` called per 4 MiB range as the legacy
``FileService`` called it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from batchai_compat.storage.file import FileService

KEY = "ZmlsZXMtdGVzdC1rZXktbm90LXJlYWw="
MIB = 1024 * 1024


class FilesEndpoint(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytearray] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_PUT(self) -> None:
        server: FilesEndpoint = self.server  # type: ignore[assignment]
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with server.lock:
            if self.headers.get("x-ms-type") == "file":
                server.files[path] = bytearray(int(self.headers["x-ms-content-length"]))
                server.requests.append("create")
            elif "comp=range" in parts.query:
                first, last = (int(n) for n in self.headers["x-ms-range"][6:].split("-"))
                server.files[path][first : last + 1] = body
                server.requests.append(f"range {first}-{last}")
        self.send_response(201)
        self.send_header("ETag", '"0x8D000000000001"')
        self.send_header("Last-Modified", formatdate(usegmt=True))
        self.send_header("x-ms-request-server-encrypted", "true")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def endpoint() -> Iterator[FilesEndpoint]:
    server = FilesEndpoint()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_12_mib_file_goes_in_4_mib_ranges_reported_one_by_one(endpoint, tmp_path):
    port = endpoint.server_address[1]
    service = FileService(
        connection_string=(
            f"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={KEY};"
            f"FileEndpoint=http://127.0.0.1:{port}/acct;"
        )
    )
    assert service.storage == "azure"
    data = bytes(range(256)) * (12 * MIB // 256)
    source = tmp_path / "train.bin"
    source.write_bytes(data)
    calls: list[tuple[int, int | None]] = []
    service.create_file_from_path(
        "share", "scripts", "train.bin", str(source),
        progress_callback=lambda current, total: calls.append((current, total)),
        max_connections=1,
    )  # fmt: skip
    service.close()
    total = 12 * MIB
    assert calls == [(0, total), (4 * MIB, total), (8 * MIB, total), (total, total)]
    assert endpoint.requests == [
        "create",
        f"range 0-{4 * MIB - 1}",
        f"range {4 * MIB}-{8 * MIB - 1}",
        f"range {8 * MIB}-{12 * MIB - 1}",
    ]
    assert bytes(endpoint.files["/acct/share/scripts/train.bin"]) == data

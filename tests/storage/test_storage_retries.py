"""Blob uploads retry what a storage service asks to retry, say so in the log, and stop.

A small HTTP server on loopback stands for a throttled or failing Azure Storage endpoint: it
answers the first requests with 503 / 429 (``Retry-After``) or drops the connection, then
accepts.  The uploads land, each retry is an INFO record of ``batchai_compat.storage`` naming
the blob and never the SAS, and a service that keeps failing gets its error back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from batchai_compat import exceptions
from batchai_compat.storage.blob import BlockBlobService

KEY = "cmV0cnktdGVzdC1rZXktbm90LXJlYWw="


class Throttling(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, failures: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures = failures  # what the next requests get: "503", "429", "drop"
        self.seen: list[str] = []
        self.stored: dict[str, bytes] = {}
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_PUT(self) -> None:
        server: Throttling = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with server.lock:
            server.seen.append(self.path)
            failure = server.failures.pop(0) if server.failures else None
        if failure == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if failure in ("503", "429"):
            payload = b"<?xml version='1.0'?><Error><Code>ServerBusy</Code><Message>busy</Message></Error>"
            self.send_response(int(failure))
            self.send_header("Retry-After", "0")
            self.send_header("x-ms-error-code", "ServerBusy")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        server.stored[self.path.split("?")[0]] = body
        self.send_response(201)
        self.send_header("ETag", '"0x1"')
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def endpoint() -> Iterator[Throttling]:
    server = Throttling([])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _service(server: Throttling) -> BlockBlobService:
    port = server.server_address[1]
    return BlockBlobService(
        connection_string=(
            f"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/acct;"
        )
    )


@pytest.mark.parametrize("failures", [["503"], ["429", "503"], ["drop"]])
def test_retried_uploads_land_and_are_logged(endpoint, caplog, failures):
    caplog.set_level(logging.DEBUG, logger="batchai_compat")
    endpoint.failures = list(failures)
    with _service(endpoint) as service:
        props = service.create_blob_from_bytes("data", "dir/x.bin", b"payload")
    assert props.etag == '"0x1"'
    assert endpoint.stored == {"/acct/data/dir/x.bin": b"payload"}
    assert len(endpoint.seen) == len(failures) + 1
    retries = [
        r.getMessage()
        for r in caplog.records
        if r.name == "batchai_compat.storage._azure_uploads" and r.levelno == logging.INFO
    ]
    assert len(retries) == len(failures)
    assert all(m.startswith("upload of blob 'dir/x.bin' to container 'data': ") for m in retries)
    assert all("retrying" in m for m in retries)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "sig=" not in text and KEY not in text


def test_a_service_that_keeps_failing_gets_its_error(endpoint):
    endpoint.failures = ["503"] * 10
    with _service(endpoint) as service, pytest.raises(exceptions.CloudError) as info:
        service.create_blob_from_bytes("data", "x.bin", b"payload")
    assert info.value.status_code == 503 and info.value.error.error == "ServerBusy"
    assert len(endpoint.seen) == 4  # the request and 3 retries, then the error
    assert endpoint.stored == {}

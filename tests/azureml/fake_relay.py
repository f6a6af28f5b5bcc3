"""Lets a child process talk to a parent's :class:`~fake_service.FakeAzureML` (real loopback HTTP).

The fake lives in the parent's memory behind ``responses``; a second process reaches the same
Azure ML state the way two processes reach the same real service.  The parent serves
:func:`serve` on 127.0.0.1; the child starts with :func:`child_environment`, whose
``sitecustomize`` intercepts every ``requests`` call with ``responses`` and relays it to the
parent, which answers it from the fake (its ``calls`` and ``requests`` record it too).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RELAY_VARIABLE = "BATCHAI_TEST_AZUREML_RELAY"


class _Request:
    """What ``FakeAzureML._dispatch`` reads of a ``requests.PreparedRequest``."""

    def __init__(self, envelope: dict[str, Any]) -> None:
        self.method = envelope["method"]
        self.url = envelope["url"]
        self.headers = envelope["headers"]
        self.body = base64.b64decode(envelope["body"]) if envelope["body"] is not None else None


@contextmanager
def serve(fake: Any) -> Iterator[str]:
    """Answer relayed requests from ``fake``; yields the relay's ``host:port``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            envelope = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, headers, body = fake._dispatch(_Request(envelope))
            data = body if isinstance(body, bytes) else str(body or "").encode()
            answer = json.dumps(
                {
                    "status": status,
                    "headers": dict(headers),
                    "body": base64.b64encode(data).decode(),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def child_environment(relay: str, folder: Path) -> dict[str, str]:
    """Variables making a child Python process relay its HTTP: ``PYTHONPATH`` gets ``folder``
    with a ``sitecustomize.py`` that calls :func:`install_in_child`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import importlib.util, sys\n"
        f"_spec = importlib.util.spec_from_file_location('fake_relay', {str(Path(__file__).resolve())!r})\n"
        "_module = importlib.util.module_from_spec(_spec)\n"
        "_spec.loader.exec_module(_module)\n"
        "_module.install_in_child()\n"
    )
    return {RELAY_VARIABLE: relay, "PYTHONPATH": str(folder)}


def install_in_child() -> None:
    """Intercept every ``requests`` call of this process and relay it (no-op without the
    relay variable).  Runs from ``sitecustomize``, before the child's own code."""
    import http.client
    import os
    import re

    relay = os.environ.get(RELAY_VARIABLE)
    if not relay:
        return
    import responses

    def forward(request: Any) -> tuple[int, dict[str, str], bytes]:
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        elif body is not None and not isinstance(body, bytes):
            body = body.read() if hasattr(body, "read") else bytes(body)
        envelope = {
            "method": request.method,
            "url": request.url,
            "headers": dict(request.headers),
            "body": base64.b64encode(body).decode() if body is not None else None,
        }
        host, port = relay.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request(
                "POST", "/", json.dumps(envelope), {"Content-Type": "application/json"}
            )
            answer = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        return answer["status"], answer["headers"], base64.b64decode(answer["body"])

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
        mock.add_callback(
            method, re.compile(r"https?://.*"), callback=forward, content_type="application/json"
        )
    mock.start()  # for the life of the process

"""A stand-in for an Active Directory token endpoint, over HTTPS on loopback.

Old Batch AI scripts sign in with ``azure.common.credentials.ServicePrincipalCredentials``, which
asks Active Directory for a token as soon as it is built.  Offline, this server answers that
request (the client-credentials grant on ``<authority>/oauth2/token``) with a token, like an
Azure Stack ADFS authority would, under a throwaway self-signed certificate for ``localhost``
that the client is told to trust through ``REQUESTS_CA_BUNDLE``.  Standard library plus
``cryptography`` (which msrestazure's adal already depends on).

:func:`run_old_style_script` runs ``old_style_script.py`` (beside this file) with a given
Python against a fresh instance; the tests and ``scripts/check_wheel.py`` use it.
"""

from __future__ import annotations

import datetime
import json
import os
import ssl
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

ACCESS_TOKEN = "fake-aad-access-token-for-an-old-script"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "aad.pem", folder / "aad.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        if not self.path.endswith("/oauth2/token") or form.get("grant_type") != [
            "client_credentials"
        ]:
            self.send_error(400)
            return
        self.server.grants.append(form.get("client_id", [""])[0])  # type: ignore[attr-defined]
        body = json.dumps(
            {
                "token_type": "Bearer",
                "access_token": ACCESS_TOKEN,
                "expires_in": 3600,
                "resource": form.get("resource", [""])[0],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeAAD:
    """``authority`` (``https://localhost:<port>/adfs``), ``ca_bundle`` and the ``grants`` seen."""

    def __init__(self, authority: str, ca_bundle: Path, grants: list[str]) -> None:
        self.authority = authority
        self.ca_bundle = ca_bundle
        self.grants = grants


@contextmanager
def running() -> Iterator[FakeAAD]:
    with tempfile.TemporaryDirectory(prefix="fake-aad-") as folder:
        cert, key = _self_signed(Path(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.grants = []  # type: ignore[attr-defined]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            authority = f"https://localhost:{server.server_address[1]}/adfs"
            yield FakeAAD(authority, cert, server.grants)  # type: ignore[attr-defined]
        finally:
            server.shutdown()
            server.server_close()


OLD_STYLE_SCRIPT = Path(__file__).with_name("old_style_script.py")


def run_old_style_script(python: str, home: Path, cwd: Path) -> dict:
    """Run ``old_style_script.py`` with ``python`` against a fresh fake AAD: the JSON line it
    prints, plus ``grants`` (the client ids that asked for a token).  Raises on failure."""
    with running() as aad:
        proc = subprocess.run(
            [python, str(OLD_STYLE_SCRIPT)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=cwd,
            env={
                **os.environ,
                "BATCHAI_COMPAT_HOME": str(home),
                "AZURE_AD_ENDPOINT": aad.authority,
                "REQUESTS_CA_BUNDLE": str(aad.ca_bundle),
            },
        )
        if proc.returncode != 0:
            raise RuntimeError(f"old_style_script.py failed:\n{proc.stderr}")
        out: dict = json.loads(proc.stdout.strip().splitlines()[-1])
        out["grants"] = list(aad.grants)
    return out

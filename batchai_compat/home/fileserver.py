"""Loopback HTTP file server: the local backend's ``File.download_url``.

Batch AI's ``jobs.list_output_files`` returned, for every file, a ``download_url``: a plain HTTPS
URL with a SAS token that expired after ``linkexpiryinminutes``.  Helper code streams logs with
``requests.get(download_url, headers={'Range': 'bytes=N-'})``.  On the local backend those URLs
point at this server, bound to ``127.0.0.1`` on a free port, started on first use in the client
process (a daemon thread: it dies with the process, and so do its URLs)::

    http://127.0.0.1:<port>/<token>/<name>

``<token>`` is ``<payload>.<signature>``: the payload (base64url JSON) names the folder the URL
may read (``root``), optionally the one file inside it (``name``), and the expiry; the signature
is HMAC-SHA256 under a per-home secret key (``$BATCHAI_COMPAT_HOME/fileserver.key``, created
``0600``).  Nothing else is kept: a token cannot be forged without the key, cannot be widened
(changing the payload breaks the signature), and dies at its expiry.  A URL for one file of a job
grants that file only; a storage SAS for a whole blob container grants the container's folder.

Answers:

* ``200`` with the whole file; ``206`` for ``Range: bytes=N-``, ``bytes=N-M`` and ``bytes=-S``;
* ``416`` (with ``Content-Range: bytes */<size>``) for a range that starts at or past the end of
  the file — *never* the whole file again, or a streaming ``tail`` prints its output twice;
* ``403`` for a missing, malformed, forged or expired token, or a name the token does not grant;
* ``404`` for a granted name that does not exist (or is a directory);
* a name that leaves the granted folder (``..``, absolute paths, symlinks pointing outside) is
  refused with ``403`` before any file is opened.

Only ``GET`` and ``HEAD`` are served; nothing is ever written through this server.  Multiple
ranges in one header are ignored (the whole file is sent with ``200``), as RFC 9110 allows.

The engine that runs jobs calls :func:`url_for`; tests build their own :class:`FileServer` with an
injected clock.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import mimetypes
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from . import layout

__all__ = [
    "FileServer",
    "Grant",
    "KEY_FILE_NAME",
    "default_server",
    "signing_key",
    "url_for",
]

KEY_FILE_NAME = "fileserver.key"
_KEY_BYTES = 32
_CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


_log = logging.getLogger(__name__)


def signing_key(root: Path | None = None) -> bytes:
    """The per-home HMAC key (``<home>/fileserver.key``), created ``0600`` on first use.

    Creation is atomic across processes: the key is written to a private temporary file and
    hard-linked into place, so a concurrent reader never sees a half-written key.
    """
    home = root or layout.home()
    path = home / KEY_FILE_NAME
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f".{KEY_FILE_NAME}.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES))
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) != _KEY_BYTES:
        raise PermissionError(f"{path} is not a valid file-server key; delete it to make a new one")
    return key


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:12]


class Grant:
    """What one token allows: read ``name`` (or any name when None) under ``root`` until ``expiry``."""

    __slots__ = ("root", "name", "expiry")

    def __init__(self, root: str, name: str | None, expiry: int) -> None:
        self.root = root
        self.name = name
        self.expiry = expiry

    def __repr__(self) -> str:
        return f"Grant(root={self.root!r}, name={self.name!r}, expiry={self.expiry})"


class _TokenError(Exception):
    """A token that must be refused with 403."""


class FileServer:
    """A loopback HTTP server that serves files granted by signed, expiring tokens.

    ``key_provider`` returns the key new tokens are signed with (by default the current
    ``BATCHAI_COMPAT_HOME``'s key); every key ever used to sign is remembered, so URLs issued
    under one home keep working while another is current.  ``clock`` returns Unix seconds.
    """

    def __init__(
        self,
        *,
        key_provider: Callable[[], bytes] = signing_key,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
    ) -> None:
        self._key_provider = key_provider
        self._clock = clock
        self._host = host
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle --------------------------------------------------------------------------------
    def start(self) -> FileServer:
        """Bind ``host`` on a free port and serve from a daemon thread (idempotent)."""
        with self._lock:
            if self._httpd is None:
                httpd = ThreadingHTTPServer((self._host, 0), _Handler)
                httpd.daemon_threads = True
                httpd.file_server = self  # type: ignore[attr-defined]
                thread = threading.Thread(
                    target=httpd.serve_forever,
                    kwargs={"poll_interval": 0.2},
                    name="batchai-compat-fileserver",
                    daemon=True,
                )
                thread.start()
                self._httpd, self._thread = httpd, thread
                _log.info(
                    "download server for output files and SAS URLs listening on http://%s:%d",
                    self._host, httpd.server_address[1],
                )  # fmt: skip
        return self

    def close(self) -> None:
        """Stop serving and release the port (URLs issued so far stop working)."""
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (starts the server if needed)."""
        self.start()
        assert self._httpd is not None
        port = self._httpd.server_address[1]
        return f"http://{self._host}:{port}"

    # tokens -----------------------------------------------------------------------------------
    def token_for(self, root: Path, name: str | None, expires_in: timedelta) -> str:
        """A signed token granting ``name`` under ``root`` (any name when None) for ``expires_in``."""
        if expires_in <= timedelta(0):
            raise ValueError("expires_in must be positive")
        return self.token_until(root, name, self._clock() + expires_in.total_seconds())

    def token_until(
        self, root: Path, name: str | None, expiry: float, not_before: float | None = None
    ) -> str:
        """A signed token granting ``name`` under ``root`` from ``not_before`` until ``expiry``.

        Times are Unix seconds on this server's clock (a storage SAS carries absolute ``st`` /
        ``se`` times; an expiry in the past gives a token that is refused).
        """
        key = self._key_provider()
        kid = _key_id(key)
        with self._lock:
            self._keys[kid] = key
        payload: dict[str, Any] = {
            "r": str(Path(root).resolve()),
            "n": name,
            "e": int(expiry),
            "k": kid,
        }
        if not_before is not None:
            payload["s"] = int(not_before)
        body = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        signature = _b64encode(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())
        return f"{body}.{signature}"

    def url_for(self, path: Path, root: Path, expires_in: timedelta) -> str:
        """The download URL of ``path`` (a file inside ``root``), valid for ``expires_in``.

        The token grants exactly this file.  ``path`` must stay inside ``root`` (checked after
        resolving links); it need not exist yet (a log file may appear later).
        """
        root_resolved = Path(root).resolve()
        target = Path(path)
        if not target.is_absolute():
            target = root_resolved / target
        name = _relative_name(target, root_resolved)
        return self.url_for_name(self.token_for(root_resolved, name, expires_in), name)

    def url_for_name(self, token: str, name: str) -> str:
        """The URL that reads ``name`` with ``token`` (a token for a folder grants many names)."""
        return f"{self.base_url}/{token}/{quote(name, safe='/')}"

    def verify(self, token: str) -> Grant:
        """Check a token's signature and expiry; raises ``_TokenError`` when it must be refused."""
        body, sep, signature = token.partition(".")
        if not sep:
            raise _TokenError("malformed token")
        try:
            payload: Any = json.loads(_b64decode(body))
            given = _b64decode(signature)
        except (ValueError, binascii.Error) as err:
            raise _TokenError("malformed token") from err
        if not isinstance(payload, dict):
            raise _TokenError("malformed token")
        with self._lock:
            key = self._keys.get(str(payload.get("k")))
        if key is None:
            current = self._key_provider()
            if _key_id(current) != payload.get("k"):
                raise _TokenError("unknown signing key")
            key = current
        expected = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, given):
            raise _TokenError("bad signature")
        root, name, expiry = payload.get("r"), payload.get("n"), payload.get("e")
        if not isinstance(root, str) or not isinstance(expiry, int):
            raise _TokenError("malformed token")
        if name is not None and not isinstance(name, str):
            raise _TokenError("malformed token")
        not_before = payload.get("s")
        if not_before is not None and not isinstance(not_before, int):
            raise _TokenError("malformed token")
        now = self._clock()
        if now >= expiry or (not_before is not None and now < not_before):
            raise _TokenError("expired or not yet valid")
        return Grant(root, name, expiry)


def token_root(token: str) -> str | None:
    """The folder a token claims to grant, read *without* verifying it (None if unreadable).

    For building URLs only (a storage SAS for another container must not be turned into a URL of
    this one); the server verifies every token it is sent.
    """
    body = token.partition(".")[0]
    try:
        payload = json.loads(_b64decode(body))
    except (ValueError, binascii.Error):
        return None
    root = payload.get("r") if isinstance(payload, dict) else None
    return root if isinstance(root, str) else None


def _relative_name(target: Path, root: Path) -> str:
    resolved = target.resolve()
    if resolved == root or root not in resolved.parents:
        raise ValueError(f"{target} is not a file inside {root}")
    return resolved.relative_to(root).as_posix()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # seconds an idle keep-alive connection may hold its thread
    server_version = "batchai-compat-fileserver"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: request lines carry tokens, which are credentials."""

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _refuse(self, status: HTTPStatus, extra: dict[str, str] | None = None) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for header, value in (extra or {}).items():
            self.send_header(header, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self, *, send_body: bool) -> None:
        server: FileServer = self.server.file_server  # type: ignore[attr-defined]
        token, _, quoted_name = urlsplit(self.path).path.lstrip("/").partition("/")
        try:
            grant = server.verify(token)
        except _TokenError:
            self._refuse(HTTPStatus.FORBIDDEN)
            return
        name = unquote(quoted_name)
        if grant.name is not None and name != grant.name:
            self._refuse(HTTPStatus.FORBIDDEN)
            return
        target = _inside(Path(grant.root), name)
        if target is None:
            self._refuse(HTTPStatus.FORBIDDEN)
            return
        try:
            handle = open(target, "rb")  # noqa: SIM115 - closed in the finally below
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            self._refuse(HTTPStatus.NOT_FOUND)
            return
        except PermissionError:
            self._refuse(HTTPStatus.FORBIDDEN)
            return
        try:
            stat = os.fstat(handle.fileno())
            if not _is_regular(stat.st_mode):
                self._refuse(HTTPStatus.NOT_FOUND)
                return
            self._send_file(handle, stat.st_size, stat.st_mtime, target.name, send_body)
        finally:
            handle.close()

    def _send_file(
        self, handle: Any, size: int, mtime: float, filename: str, send_body: bool
    ) -> None:
        byte_range = _parse_range(self.headers.get("Range"), size)
        if byte_range == "unsatisfiable":
            self._refuse(
                HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"}
            )
            return
        if isinstance(byte_range, tuple):
            start, end = byte_range
            status, length = HTTPStatus.PARTIAL_CONTENT, end - start + 1
        else:
            status, start, length = HTTPStatus.OK, 0, size
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{start + length - 1}/{size}")
        self.end_headers()
        if not send_body:
            return
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:  # the file shrank meanwhile: the client sees a short body
                break
            self.wfile.write(chunk)
            remaining -= len(chunk)


def _is_regular(mode: int) -> bool:
    return stat.S_ISREG(mode)


def _inside(root: Path, name: str) -> Path | None:
    """``root/name`` if it stays inside ``root`` once links are resolved, else None."""
    if not name or "\x00" in name or name.startswith("/") or "\\" in name:
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None
    base = root.resolve()
    target = (base / name).resolve()
    if base not in target.parents:
        return None
    return target


def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(start, end)`` inclusive, ``"unsatisfiable"``, or None to send the whole file.

    A header this server does not understand (multiple ranges, other units, ``M < N``) is
    ignored, as RFC 9110 §14.2 allows; a well-formed range starting at or past the end of the
    file is unsatisfiable.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last S bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    end = min(int(last), size - 1) if last else size - 1
    return start, end


_DEFAULT: FileServer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_server() -> FileServer:
    """The process-wide server, started on first use."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = FileServer()
        server = _DEFAULT
    return server.start()


def url_for(path: Path, root: Path, expires_in: timedelta) -> str:
    """Download URL for ``path`` inside ``root`` on the process-wide server (see the module doc)."""
    return default_server().url_for(path, root, expires_in)

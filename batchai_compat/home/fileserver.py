"""Loopback HTTP file server: what answers the local backend's download and SAS URLs.

Batch AI's ``jobs.list_output_files`` returned, for every file, a ``download_url``: a plain HTTPS
URL with a SAS token that expired after ``linkexpiryinminutes``.  Helper code streams logs with
``requests.get(download_url, headers={'Range': 'bytes=N-'})``.  Locally those URLs are
``http://127.0.0.1:<port>/<token>/<name>``, where ``<token>`` grants one file (or, for a storage
SAS, any file of one folder) until it expires (:mod:`.file_grants`).  :class:`FileServer` serves
them; the home's file service (:mod:`.fileservice`) runs one in a process of its own.

Answers (every request gets one, and ``Connection: close``):

* ``200`` with the whole file; ``206`` for ``Range: bytes=N-``, ``bytes=N-M`` and ``bytes=-S``
  (numbers of any length: a huge one is simply past the end);
* ``416`` (with ``Content-Range: bytes */<size>``) for a range that starts at or past the end of
  the file, or a ``bytes=`` range that is malformed — *never* the whole file again, or a
  streaming ``tail`` prints its output twice; several ranges, or another unit, get the whole
  file (``200``), as RFC 9110 allows;
* ``400`` for a request that is not well-formed HTTP (request line, headers, percent-encoding,
  a repeated ``Range``), ``431`` for a request head over 16 KiB, ``405`` for methods other than
  ``GET`` and ``HEAD`` (nothing is ever written through this server);
* ``403`` for a missing, malformed, forged or expired token, a name the token does not grant, or
  a name that leaves the granted folder (``..``, absolute paths, a symbolic link anywhere on
  the way); ``404`` for a granted name that does not exist or is not a regular file.

Only what a token grants can be read, race-free: the file is opened by walking from ``/`` down
the granted folder's real path (recorded when the URL was issued) and then the name, one
component at a time with ``O_NOFOLLOW`` relative to the previous directory's descriptor, so
swapping a folder for a symbolic link at any moment makes the open fail instead of following
it; what is sent is read from that descriptor.

Resources are bounded: one thread accepts connections and reads request heads without blocking
(at most ``max_connections`` open at once — the oldest is dropped for a new one — each given
``head_timeout`` seconds to send its head); complete requests go to a fixed pool of ``workers``
threads, whose every socket operation times out after ``io_timeout`` seconds.  The server binds
``127.0.0.1`` only.  Nothing is logged: request lines carry tokens, which are credentials.
"""

from __future__ import annotations

import contextlib
import errno
import mimetypes
import os
import queue
import selectors
import socket
import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, unquote

from ..core.logs import LazyLogger
from .file_grants import Grant, TokenRefused, Tokens

__all__ = ["FileServer", "open_granted", "parse_range", "relative_name"]

_log = LazyLogger(__name__)  # no logging import until a record needs it

LOOPBACK = "127.0.0.1"
_MAX_HEAD = 16 * 1024
_MAX_HEADERS = 100
_RECV = 8192
_METHODS = ("GET", "HEAD")
_DIGITS = frozenset("0123456789")


class _Refused(Exception):
    """A request to answer with ``status`` (and ``headers``) instead of a file."""

    def __init__(self, status: HTTPStatus, headers: dict[str, str] | None = None) -> None:
        super().__init__(status.phrase)
        self.status = status
        self.headers = headers or {}


@dataclass
class _Request:
    method: str
    target: str
    headers: dict[str, str]


def _parse_head(head: bytes) -> _Request:
    """The request line and headers of ``head`` (without the blank line); 400 if malformed."""
    lines = head.split(b"\r\n") if b"\r\n" in head else head.split(b"\n")
    try:
        method, target, version = lines[0].decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        raise _Refused(HTTPStatus.BAD_REQUEST) from None
    if version not in ("HTTP/1.0", "HTTP/1.1") or not method.isalpha():
        raise _Refused(HTTPStatus.BAD_REQUEST)
    headers: dict[str, str] = {}
    if len(lines) - 1 > _MAX_HEADERS:
        raise _Refused(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip() or line[:1] in (b" ", b"\t"):
            raise _Refused(HTTPStatus.BAD_REQUEST)  # no colon, or obsolete line folding
        try:
            key = name.decode("ascii").lower()
        except UnicodeDecodeError:
            raise _Refused(HTTPStatus.BAD_REQUEST) from None
        if key in headers and key in ("range", "host", "content-length"):
            raise _Refused(HTTPStatus.BAD_REQUEST)
        headers[key] = value.strip().decode("latin-1")
    return _Request(method, target, headers)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (inclusive) of a ``Range`` header, or None to send the whole file.

    Raises ``_Refused(416)`` for a ``bytes=`` range that cannot be served: malformed
    (``bytes=abc``, ``bytes=5-2``) or starting at or past the end of the file.  Several ranges
    or another unit get the whole file.  Digits are compared as text first, so a number of any
    length costs nothing (no huge integer is built).
    """
    if header is None:
        return None
    unit, sep, spec = header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None  # multiple ranges: the whole file, as RFC 9110 allows
    first, dash, last = spec.strip().partition("-")
    unsatisfiable = _Refused(
        HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"}
    )
    if not dash or not (first or last) or not all(c in _DIGITS for c in first + last):
        raise unsatisfiable
    if not first:  # the last S bytes
        suffix = _bounded(last, size)
        if suffix == 0 or size == 0:
            raise unsatisfiable
        return max(size - suffix, 0), size - 1
    start = _bounded(first, size)
    if last and _bounded(last, size) < start:
        raise unsatisfiable
    if start >= size:
        raise unsatisfiable
    end = min(_bounded(last, size), size - 1) if last else size - 1
    return start, end


def _bounded(digits: str, size: int) -> int:
    """The value of ``digits``, or ``size + 1`` when it is larger than any file position."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(size)) + 1:
        return size + 1
    return int(digits)


def _name_parts(quoted: str) -> list[str]:
    """The components of a percent-encoded name; 400 if undecodable, 403 if it climbs out."""
    try:
        name = unquote(quoted, errors="strict")
    except UnicodeDecodeError:
        raise _Refused(HTTPStatus.BAD_REQUEST) from None
    parts = name.split("/")
    if not name or "\x00" in name or "\\" in name or any(part in ("", ".", "..") for part in parts):
        raise _Refused(HTTPStatus.FORBIDDEN)
    return parts


def open_granted(root: str, parts: list[str]) -> int:
    """A read-only descriptor of the regular file ``root/parts...``, opened without following
    any symbolic link from ``/`` down (the caller closes it).

    ``root`` is the granted folder's real path.  Raises ``_Refused``: 403 when a component is a
    symbolic link (or otherwise refused), 404 when something is missing or not a regular file.
    """
    if not os.path.isabs(root):
        raise _Refused(HTTPStatus.FORBIDDEN)
    folders = [part for part in root.split("/") if part] + parts[:-1]
    directory = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in folders:
            child = _open_component(
                part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, directory
            )
            os.close(directory)
            directory = child
        fd = _open_component(
            parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, directory
        )
    finally:
        os.close(directory)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _Refused(HTTPStatus.NOT_FOUND)
    return fd


def _open_component(name: str, flags: int, directory: int) -> int:
    try:
        return os.open(name, flags, dir_fd=directory)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _Refused(HTTPStatus.FORBIDDEN) from None  # a symbolic link: never followed
        if error.errno == errno.ENOTDIR:
            with contextlib.suppress(OSError):
                if stat.S_ISLNK(os.lstat(name, dir_fd=directory).st_mode):
                    raise _Refused(HTTPStatus.FORBIDDEN) from None
            raise _Refused(HTTPStatus.NOT_FOUND) from None
        if error.errno in (errno.ENOENT, errno.EISDIR):
            raise _Refused(HTTPStatus.NOT_FOUND) from None
        raise _Refused(HTTPStatus.FORBIDDEN) from None


@dataclass
class _Pending:
    """A connection whose request head is still arriving."""

    sock: socket.socket
    deadline: float
    head: bytearray = field(default_factory=bytearray)


class FileServer:
    """Serves the files that tokens of one home grant, on ``127.0.0.1``.

    ``tokens`` issues and checks them (:class:`.file_grants.Tokens`; its clock decides expiry).
    ``port`` 0 lets the system choose.  See the module docstring for the bounds.
    """

    def __init__(
        self,
        tokens: Tokens,
        *,
        port: int = 0,
        workers: int = 8,
        max_connections: int = 128,
        head_timeout: float = 10.0,
        io_timeout: float = 30.0,
    ) -> None:
        self.tokens = tokens
        self._requested_port = port
        self.workers = workers
        self.max_connections = max_connections
        self.head_timeout = head_timeout
        self.io_timeout = io_timeout
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._queue: queue.Queue[tuple[socket.socket, bytes] | None] = queue.Queue(workers * 4)
        self._wake_read, self._wake_write = -1, -1
        self._running = False
        self._lock = threading.Lock()
        self.last_request = time.monotonic()
        """When the last request head arrived (``time.monotonic``): the service's idle clock."""

    # lifecycle --------------------------------------------------------------------------------
    def start(self) -> FileServer:
        """Bind ``127.0.0.1:<port>`` and serve from daemon threads (idempotent)."""
        with self._lock:
            if self._running:
                return self
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind((LOOPBACK, self._requested_port))
            except OSError:
                listener.close()
                raise
            listener.listen(128)
            listener.setblocking(False)
            self._listener = listener
            self._wake_read, self._wake_write = os.pipe()
            os.set_blocking(self._wake_read, False)
            self._running = True
            threads = [threading.Thread(target=self._accept_loop, name="fileserver-accept")]
            threads += [
                threading.Thread(target=self._work, name=f"fileserver-worker-{i}")
                for i in range(self.workers)
            ]
            for thread in threads:
                thread.daemon = True
                thread.start()
            self._threads = threads
            _log.info(
                "download server for output files and SAS URLs listening on http://%s:%d",
                LOOPBACK, listener.getsockname()[1],
            )  # fmt: skip
        return self

    def close(self) -> None:
        """Stop serving and release the port (URLs issued so far stop working)."""
        with self._lock:
            if not self._running:
                return
            self._running = False
            threads, self._threads = self._threads, []
        os.write(self._wake_write, b"x")
        for _ in range(self.workers):
            self._queue.put(None)
        for thread in threads:
            thread.join()
        assert self._listener is not None
        self._listener.close()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        self.start()
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (starts the server if needed)."""
        return f"http://{LOOPBACK}:{self.port}"

    # URLs (as any process of the home builds them) --------------------------------------------
    def token_for(self, root: Path, name: str | None, expires_in: timedelta) -> str:
        if expires_in <= timedelta(0):
            raise ValueError("expires_in must be positive")
        return self.tokens.issue(root, name, self.tokens.clock() + expires_in.total_seconds())

    def url_for_name(self, token: str, name: str) -> str:
        return f"{self.base_url}/{token}/{quote(name, safe='/')}"

    def url_for(self, path: Path, root: Path, expires_in: timedelta) -> str:
        """The URL of the file ``path`` inside ``root``, granting it alone (see
        :func:`relative_name`)."""
        name = relative_name(Path(path), Path(root))
        return self.url_for_name(self.token_for(Path(root), name, expires_in), name)

    # accepting and reading heads --------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        pending: dict[int, _Pending] = {}
        try:
            while self._running:
                timeout = None
                if pending:
                    timeout = max(0.0, min(p.deadline for p in pending.values()) - time.monotonic())
                for key, _ in selector.select(timeout):
                    if key.fileobj is self._listener:
                        self._accept(selector, pending)
                    elif key.fileobj == self._wake_read:
                        with contextlib.suppress(BlockingIOError):
                            os.read(self._wake_read, 64)
                    else:
                        self._read_head(selector, pending, pending[key.fd])
                now = time.monotonic()
                for conn in [p for p in pending.values() if p.deadline <= now]:
                    self._drop(selector, pending, conn)  # too slow to say what it wants
        finally:
            for conn in list(pending.values()):
                self._drop(selector, pending, conn)
            selector.close()

    def _accept(self, selector: selectors.BaseSelector, pending: dict[int, _Pending]) -> None:
        assert self._listener is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of descriptors...: let the others finish first
                return
            if len(pending) >= self.max_connections:
                oldest = min(pending.values(), key=lambda p: p.deadline)
                self._drop(selector, pending, oldest)
            sock.setblocking(False)
            conn = _Pending(sock, time.monotonic() + self.head_timeout)
            pending[sock.fileno()] = conn
            selector.register(sock, selectors.EVENT_READ)

    def _read_head(
        self, selector: selectors.BaseSelector, pending: dict[int, _Pending], conn: _Pending
    ) -> None:
        try:
            chunk = conn.sock.recv(_RECV)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(selector, pending, conn)
            return
        conn.head += chunk
        end = conn.head.find(b"\r\n\r\n")
        if end < 0:
            end = conn.head.find(b"\n\n")
        if end < 0 and len(conn.head) <= _MAX_HEAD:
            return
        selector.unregister(conn.sock)
        del pending[conn.sock.fileno()]
        head = bytes(conn.head[:end]) if 0 <= end <= _MAX_HEAD else b""
        self.last_request = time.monotonic()
        try:
            self._queue.put_nowait((conn.sock, head))
        except queue.Full:  # every worker busy and a backlog already waiting
            self._answer_now(conn.sock, HTTPStatus.SERVICE_UNAVAILABLE)

    @staticmethod
    def _drop(
        selector: selectors.BaseSelector, pending: dict[int, _Pending], conn: _Pending
    ) -> None:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(conn.sock)
        pending.pop(conn.sock.fileno(), None)
        conn.sock.close()

    def _answer_now(self, sock: socket.socket, status: HTTPStatus) -> None:
        with contextlib.suppress(OSError):
            sock.setblocking(True)
            sock.settimeout(1.0)
            sock.sendall(_plain(status, {}, send_body=True))
        sock.close()

    # answering ---------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            sock, head = item
            try:
                sock.setblocking(True)
                sock.settimeout(self.io_timeout)
                self._answer(sock, head)
            except Exception:  # noqa: S110 - a client that went away: nothing left to tell
                pass
            finally:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_WR)
                sock.close()

    def _answer(self, sock: socket.socket, head: bytes) -> None:
        send_body = True
        try:
            if not head:
                raise _Refused(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            request = _parse_head(head)
            send_body = request.method != "HEAD"
            if request.method not in _METHODS:
                raise _Refused(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": ", ".join(_METHODS)})
            if request.headers.get("content-length", "0") != "0" or (
                "transfer-encoding" in request.headers
            ):
                raise _Refused(HTTPStatus.BAD_REQUEST)  # a GET or HEAD carries no body here
            fd = self._open(request.target)
        except _Refused as refusal:
            sock.sendall(_plain(refusal.status, refusal.headers, send_body))
            return
        with os.fdopen(fd, "rb") as handle:
            self._send_file(sock, handle, request, send_body)

    def _open(self, target: str) -> int:
        if not target.startswith("/"):
            raise _Refused(HTTPStatus.BAD_REQUEST)
        path = target.split("?", 1)[0]
        token, _, quoted_name = path[1:].partition("/")
        try:
            grant: Grant = self.tokens.check(token)
        except TokenRefused:
            raise _Refused(HTTPStatus.FORBIDDEN) from None
        parts = _name_parts(quoted_name)
        if grant.name is not None and "/".join(parts) != grant.name:
            raise _Refused(HTTPStatus.FORBIDDEN)
        return open_granted(grant.root, parts)

    def _send_file(
        self, sock: socket.socket, handle: object, request: _Request, body: bool
    ) -> None:
        assert hasattr(handle, "fileno")
        info = os.fstat(handle.fileno())
        size = info.st_size
        try:
            byte_range = parse_range(request.headers.get("range"), size)
        except _Refused as refusal:
            sock.sendall(_plain(refusal.status, refusal.headers, body))
            return
        start, length = 0, size
        status = HTTPStatus.OK
        headers = {
            "Content-Type": mimetypes.guess_type(request.target.rsplit("/", 1)[-1])[0]
            or "application/octet-stream",
            "Accept-Ranges": "bytes",
            "Last-Modified": formatdate(info.st_mtime, usegmt=True),
        }
        if byte_range is not None:
            start, end = byte_range
            length = end - start + 1
            status = HTTPStatus.PARTIAL_CONTENT
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(length)
        sock.sendall(_head(status, headers))
        if body and length:
            sock.sendfile(handle, start, length)  # type: ignore[arg-type]


def _head(status: HTTPStatus, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status.value} {status.phrase}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _plain(status: HTTPStatus, headers: dict[str, str], send_body: bool) -> bytes:
    body = f"{status.value} {status.phrase}\n".encode()
    head = _head(
        status,
        {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)), **headers},
    )
    return head + body if send_body else head


def relative_name(target: Path, root: Path) -> str:
    """``target``'s name relative to the folder ``root``, both resolved; ValueError when it is
    not a file inside ``root`` (a symbolic link out of it included).  It need not exist yet
    (a log file may appear later)."""
    base = root.resolve()
    resolved = (target if target.is_absolute() else base / target).resolve()
    if resolved == base or base not in resolved.parents:
        raise ValueError(f"{target} is not a file inside {root}")
    return resolved.relative_to(base).as_posix()

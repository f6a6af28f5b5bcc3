"""What a local download URL grants: signed, expiring tokens that name no local path.

Batch AI's ``File.download_url`` (and a storage SAS URL) carried a signed token that expired;
anyone holding the URL could read that one file until then, and nothing else.  Locally a URL is
``http://127.0.0.1:<port>/<token>/<name>`` (see :mod:`.fileservice`) and its token is::

    <payload>.<signature>        base64url, HMAC-SHA256 of the payload

The payload (JSON) holds ``g`` — the *grant id* of the folder the URL may read —, ``n`` — the
one file inside it (None: any file, for a storage SAS on a container) —, ``e`` (expiry, Unix
seconds), optionally ``s`` (not before) and ``k`` (which key signed it).  A grant id is an HMAC
of the folder's real path under the home's key: it reveals nothing of the path and cannot be
guessed; the table ``grants`` of ``<home>/fileservice/grants.db`` maps it back to the folder
for the file service.  The key is ``<home>/fileserver.key`` (32 random bytes, ``0600``,
created atomically on first use): a token cannot be forged without it, nor widened (any change
breaks the signature), and it dies at its expiry.

Every process of a home issues tokens (:meth:`Tokens.issue`); the home's file service checks
them (:meth:`Tokens.check`).  Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "GRANTS_FILE",
    "KEY_FILE_NAME",
    "Grant",
    "TokenRefused",
    "Tokens",
    "signing_key",
]

KEY_FILE_NAME = "fileserver.key"
GRANTS_FILE = Path("fileservice") / "grants.db"
_KEY_BYTES = 32
_MAX_TOKEN_CHARS = 2048
_BUSY_TIMEOUT_SECONDS = 30.0
_PURGE_AFTER_SECONDS = 24 * 3600.0
"""Grants expired this long ago are forgotten (a URL is never valid that long after)."""


def signing_key(home: Path) -> bytes:
    """The home's HMAC key (``<home>/fileserver.key``), created ``0600`` on first use.

    Creation is atomic across processes: the key is written to a private temporary file and
    hard-linked into place, so a concurrent reader never sees a half-written key.
    """
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


class TokenRefused(Exception):
    """A token that must be refused (403): malformed, forged, expired, or of an unknown grant."""


@dataclass(frozen=True)
class Grant:
    """What a checked token allows: read ``name`` (any name when None) under the folder
    ``root`` until ``expiry``."""

    root: str
    name: str | None
    expiry: int


class Tokens:
    """Issues and checks the download tokens of the home ``home``.

    ``clock`` returns Unix seconds (tests drive expiry with their own).  Safe to share between
    threads; any number of processes of the home may use their own.
    """

    def __init__(self, home: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.home = Path(home)
        self.clock = clock
        self._key: bytes | None = None
        self._local = threading.local()
        self._issued: dict[str, int] = {}  # grant id -> expiry recorded by this process
        self._roots: dict[str, str] = {}  # grant id -> folder, as looked up
        self._lock = threading.Lock()

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = signing_key(self.home)
        return self._key

    def _kid(self) -> str:
        return hashlib.sha256(self.key).hexdigest()[:12]

    def grant_id(self, root: Path | str) -> str:
        """The opaque id of the folder ``root`` (its real path), the same in every process."""
        real = os.path.realpath(root)
        digest = hmac.new(self.key, b"grant:" + real.encode("utf-8", "surrogateescape"), "sha256")
        return _b64encode(digest.digest()[:16])

    # the grants table ------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        path = self.home / GRANTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS grants "
            "(id TEXT PRIMARY KEY, root TEXT NOT NULL, expiry INTEGER NOT NULL)"
        )
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _record(self, grant: str, root: str, expiry: int) -> None:
        """Make ``grant`` resolvable (to ``root``) until at least ``expiry``."""
        with self._lock:
            if self._issued.get(grant, -1) >= expiry:
                return
        db = self._db()
        db.execute(
            "INSERT INTO grants (id, root, expiry) VALUES (?, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET expiry = max(expiry, excluded.expiry)",
            (grant, root, expiry),
        )
        if len(self._issued) % 64 == 0:
            db.execute(
                "DELETE FROM grants WHERE expiry < ?", (int(self.clock() - _PURGE_AFTER_SECONDS),)
            )
        with self._lock:
            self._issued[grant] = expiry

    def root_of(self, grant: str) -> str | None:
        """The folder of grant id ``grant`` (None if no process of the home issued it)."""
        with self._lock:
            root = self._roots.get(grant)
        if root is None:
            row = self._db().execute("SELECT root FROM grants WHERE id = ?", (grant,)).fetchone()
            if row is None:
                return None
            root = str(row[0])
            with self._lock:
                self._roots[grant] = root
        return root

    def latest_expiry(self) -> int | None:
        """When the last URL issued in this home expires (None: none issued)."""
        row = self._db().execute("SELECT max(expiry) FROM grants").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    # tokens ----------------------------------------------------------------------------------
    def issue(
        self, root: Path, name: str | None, expiry: float, not_before: float | None = None
    ) -> str:
        """A token granting ``name`` under the folder ``root`` (any name when None) from
        ``not_before`` until ``expiry`` (Unix seconds; an expiry in the past gives a token
        that is refused)."""
        real = os.path.realpath(root)
        grant = self.grant_id(real)
        self._record(grant, real, int(expiry))
        payload: dict[str, object] = {"g": grant, "n": name, "e": int(expiry), "k": self._kid()}
        if not_before is not None:
            payload["s"] = int(not_before)
        body = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        signature = _b64encode(hmac.new(self.key, body.encode("ascii"), "sha256").digest())
        return f"{body}.{signature}"

    def check(self, token: str) -> Grant:
        """The grant of a valid token; :class:`TokenRefused` otherwise."""
        if len(token) > _MAX_TOKEN_CHARS:
            raise TokenRefused("token too long")
        body, sep, signature = token.partition(".")
        if not sep:
            raise TokenRefused("malformed token")
        try:
            given = _b64decode(signature)
            expected = hmac.new(self.key, body.encode("ascii"), "sha256").digest()
        except (ValueError, binascii.Error, UnicodeEncodeError) as err:
            raise TokenRefused("malformed token") from err
        if not hmac.compare_digest(expected, given):
            raise TokenRefused("bad signature")
        payload = json.loads(_b64decode(body))  # signed by us: well-formed
        grant, name, expiry = payload.get("g"), payload.get("n"), payload.get("e")
        not_before = payload.get("s")
        now = self.clock()
        if now >= expiry or (not_before is not None and now < not_before):
            raise TokenRefused("expired or not yet valid")
        root = self.root_of(str(grant))
        if root is None:
            raise TokenRefused("unknown grant")
        return Grant(root, name, int(expiry))

    def names_folder(self, token: str, root: Path) -> bool:
        """True when ``token`` (read *without* checking it) is for the folder ``root``.

        For building URLs only (a storage SAS for another container must not be turned into a
        URL of this one); the file service checks every token it is sent.
        """
        try:
            payload = json.loads(_b64decode(token.partition(".")[0]))
        except (ValueError, binascii.Error):
            return False
        return isinstance(payload, dict) and payload.get("g") == self.grant_id(root)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local = threading.local()

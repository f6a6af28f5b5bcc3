"""The file service of a local home: download and SAS URLs that outlive the process that made them.

``python -m batchai_compat.home.fileservice --database <home>/state.db``

Batch AI's download URLs pointed at the service, not at the client that listed them: they kept
working after the notebook kernel restarted, until they expired.  Locally one process per
``BATCHAI_COMPAT_HOME`` (the ``files`` helper of :mod:`.helpers`) runs a
:class:`.fileserver.FileServer` on a loopback port, recorded in ``<home>/helpers/files.json``.
Any process of the home makes URLs with :func:`url_for` (a job's output file) or
:func:`token_until` + :func:`url_for_name` (a storage SAS): it records the grant
(:mod:`.file_grants`), makes sure the service runs — starting it if need be — and names its
port.  The URL works from any process, the one that made it included, until it expires.

The service itself is :mod:`.fileservice_process`.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from . import layout
from .file_grants import Tokens
from .fileserver import relative_name
from .helpers import FILES, ensure

__all__ = [
    "FolderLinks",
    "base_url",
    "names_folder",
    "token_until",
    "tokens",
    "url_for",
    "url_for_name",
]


_tokens: dict[Path, Tokens] = {}
_tokens_lock = threading.Lock()


def _home(home: Path | None) -> Path:
    return Path(home) if home is not None else layout.home()


def tokens(home: Path | None = None) -> Tokens:
    """The token issuer of ``home`` (default: the current ``BATCHAI_COMPAT_HOME``)."""
    folder = _home(home)
    with _tokens_lock:
        issuer = _tokens.get(folder)
        if issuer is None:
            issuer = _tokens[folder] = Tokens(folder)
        return issuer


def base_url(home: Path | None = None) -> str:
    """``http://127.0.0.1:<port>`` of the home's file service (started if need be)."""
    folder = _home(home)
    database = layout.state_db_path(folder)
    if not database.exists():  # storage used before any backend: an empty database is one
        database.parent.mkdir(parents=True, exist_ok=True)
        database.touch()
    record = ensure(folder, FILES)
    return f"http://127.0.0.1:{int(record.address)}"


def url_for(path: Path, root: Path, expires_in: timedelta, home: Path | None = None) -> str:
    """The download URL of the file ``path`` inside the folder ``root``, granting that file
    alone for ``expires_in``.  ``path`` must stay inside ``root`` once links are resolved
    (ValueError otherwise); it need not exist yet."""
    return FolderLinks(root, expires_in, home).url(path)


class FolderLinks:
    """Download URLs of files in one folder, each granting its file alone, valid for
    ``expires_in`` (one expiry and one look-up of the service for a whole listing)."""

    def __init__(self, root: Path, expires_in: timedelta, home: Path | None = None) -> None:
        if expires_in <= timedelta(0):
            raise ValueError("expires_in must be positive")
        self.root = Path(root)
        self.home = home
        self.issuer = tokens(home)
        self.expiry = self.issuer.clock() + expires_in.total_seconds()
        self._base: str | None = None

    def url(self, path: Path) -> str:
        """The URL of ``path`` (inside the folder once links are resolved: ValueError
        otherwise)."""
        name = relative_name(Path(path), self.root)
        token = self.issuer.issue(self.root, name, self.expiry)
        if self._base is None:
            self._base = base_url(self.home)
        return f"{self._base}/{token}/{quote(name, safe='/')}"


def token_until(
    root: Path,
    name: str | None,
    expiry: float,
    not_before: float | None = None,
    home: Path | None = None,
) -> str:
    """A token granting ``name`` in the folder ``root`` (any file when None) from
    ``not_before`` until ``expiry`` (Unix seconds): a storage SAS's ``sig``."""
    return tokens(home).issue(Path(root), name, expiry, not_before)


def url_for_name(token: str, name: str, home: Path | None = None) -> str:
    """The URL that reads ``name`` with ``token`` (a token for a folder grants many names)."""
    return f"{base_url(home)}/{token}/{quote(name, safe='/')}"


def names_folder(token: str, root: Path, home: Path | None = None) -> bool:
    """True when ``token`` was issued for the folder ``root`` (not checked: for URLs only)."""
    return tokens(home).names_folder(token, root)

"""Blob uploads of the Azure implementation (:class:`~._azure.AzureBlobStore`): synchronous.

The legacy ``create_blob_from_*`` calls were synchronous: a call that returns has stored its
data, a call that fails raises its own error.  :class:`BlobUploader` keeps that contract and gets
its speed elsewhere:

* **Connection reuse.**  One pool of keep-alive ``http.client`` connections per service, shared
  by every upload of every thread (a bulk helper uploading several files at once, the blocks of
  one upload), so a loop of small uploads pays no TCP or TLS set-up after the first.
* **One request per small blob.**  A payload below the face's ``MAX_SINGLE_PUT_SIZE`` is one
  documented *Put Blob* request (``PUT <container>/<blob>?<SAS>``, ``x-ms-blob-type:
  BlockBlob``).
* **Parallel blocks of one upload.**  Anything else is cut into ``MAX_BLOCK_SIZE`` blocks, sent
  as *Put Block* requests on up to ``max_connections`` connections at once (the legacy meaning
  of that argument), then committed by one *Put Block List*: until then the blob keeps its old
  content, so a failed upload leaves nothing half-written.

Per-request cost.  The azure-core pipeline spends about 3 ms of CPU per request here, which caps
a 2-core machine; these requests skip it, authorised by a short-lived container SAS that v12's
``generate_container_sas`` signs with the account key (or by the caller's own SAS token).
Connection errors, 5xx and 429 are retried (bounded, honouring ``Retry-After``) on a new
connection: every request here overwrites, so sending it again is safe.  No library logs these
requests, so the SAS in their URL cannot reach a debug log; our own records name the container
and blob only.
"""

from __future__ import annotations

import base64
import http.client
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from .. import exceptions
from ._account import StorageAccount
from ._models import ContentSettings, ResourceProperties
from ._service import Upload, read_chunks

_log = logging.getLogger(__name__)


def storage_error(status: int, code: str, message: str) -> Exception:
    """The CloudError of a failed Azure Storage request (409 ``*AlreadyExists``: ResourceExistsError)."""
    if status == 409 and code.endswith("AlreadyExists"):
        return exceptions.ResourceExistsError(message, status_code=409, code=code)
    return exceptions.cloud_error(status, code, message)


_SAS_LIFETIME = timedelta(hours=1)
_SAS_RENEW_BEFORE = timedelta(minutes=10)
_RETRIES = 3
_RETRY_AFTER_CAP_S = 30.0
_HEADER_OF_SETTING = {
    "content_type": "x-ms-blob-content-type",
    "content_encoding": "x-ms-blob-content-encoding",
    "content_language": "x-ms-blob-content-language",
    "content_disposition": "x-ms-blob-content-disposition",
    "cache_control": "x-ms-blob-cache-control",
    "content_md5": "x-ms-blob-content-md5",
}


class _Reply:
    """Status, headers and body of one answered request."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class ConnectionPool:
    """Keep-alive connections to one endpoint, lent to one request at a time (any thread)."""

    def __init__(self, https: bool, host: str, port: int | None, timeout: float = 60) -> None:
        self._factory = http.client.HTTPSConnection if https else http.client.HTTPConnection
        self._host = host
        self._port = port
        self._timeout = timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    def acquire(self, fresh: bool = False) -> http.client.HTTPConnection:
        if not fresh:
            with self._lock:
                if self._idle:
                    return self._idle.pop()
        return self._factory(self._host, self._port, timeout=self._timeout)

    def release(self, connection: http.client.HTTPConnection, reusable: bool) -> None:
        """Give a connection back after its reply was read whole; a broken one is closed."""
        with self._lock:
            if reusable and not self._closed:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the idle connections; those lent out now are closed when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _retry_delay(attempt: int, headers: Any) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): ``Retry-After`` when sent, else backoff."""
    retry_after = headers.get("Retry-After") if headers is not None else None
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), _RETRY_AFTER_CAP_S)
        except ValueError:
            pass
    return 0.2 * 2 ** (attempt - 1)


def block_id(index: int) -> str:
    """The id of block ``index``: Base64 of a fixed-width number (every id of a blob has one length)."""
    return base64.b64encode(f"{index:032d}".encode()).decode()


class BlobUploader:
    """Synchronous block-blob uploads of one account over pooled connections (module docstring)."""

    def __init__(self, account: StorageAccount, endpoint: str, api_version: str) -> None:
        parts = urlsplit(endpoint)
        self._account = account
        self._base_path = parts.path.rstrip("/")
        self._api_version = api_version
        self._pool = ConnectionPool(parts.scheme == "https", parts.hostname or "", parts.port)
        self._sas: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def usable(account: StorageAccount) -> bool:
        """Whether requests can be authorised here (an account key or a SAS token)."""
        return bool(account.key or account.sas_token)

    def close(self) -> None:
        self._pool.close()

    # authorisation -----------------------------------------------------------------------------
    def _container_sas(self, container: str) -> str:
        if not self._account.key:
            return (self._account.sas_token or "").lstrip("?")
        now = datetime.now(timezone.utc)
        with self._lock:
            cached = self._sas.get(container)
            if cached is not None and cached[1] - now > _SAS_RENEW_BEFORE:
                return cached[0]
        from azure.storage.blob import generate_container_sas

        expiry = now + _SAS_LIFETIME
        token = str(
            generate_container_sas(
                self._account.name,
                container,
                account_key=self._account.key,
                permission="cw",
                expiry=expiry,
                start=now - timedelta(minutes=5),
            )
        )
        with self._lock:
            self._sas[container] = (token, expiry)
        return token

    # requests ---------------------------------------------------------------------------------
    def _send(
        self, container: str, blob: str, query: str, body: bytes, headers: dict[str, str]
    ) -> _Reply:
        """One PUT with retries; ``query`` is the operation's own (``comp=block&...``) or ''."""
        sas = self._container_sas(container)
        target = f"{self._base_path}/{container}/{quote(blob, safe='/~')}?{query}{'&' if query else ''}{sas}"
        headers = {"x-ms-version": self._api_version, "Content-Length": str(len(body)), **headers}
        fresh = False
        for attempt in range(_RETRIES + 1):
            connection = self._pool.acquire(fresh)
            try:
                connection.request("PUT", target, body=body, headers=headers)
                response = connection.getresponse()
                reply = _Reply(response.status, response.headers, response.read())
            except (OSError, http.client.HTTPException) as err:
                # A keep-alive connection the server closed, a reset, a timeout.
                self._pool.release(connection, reusable=False)
                fresh = True
                if attempt == _RETRIES:
                    raise exceptions.cloud_error(
                        503,
                        "ServiceUnavailable",
                        f"upload of {blob!r} to container {container!r} failed after "
                        f"{_RETRIES + 1} attempts: {type(err).__name__}",
                    ) from None
                _log.info(
                    "upload of blob %r to container %r: %s, retrying (attempt %d of %d)",
                    blob, container, type(err).__name__, attempt + 2, _RETRIES + 1,
                )  # fmt: skip
                if attempt:
                    time.sleep(_retry_delay(attempt, None))
                continue
            self._pool.release(connection, reusable=not response.will_close)
            if (reply.status >= 500 or reply.status == 429) and attempt < _RETRIES:
                delay = _retry_delay(attempt + 1, reply.headers)
                _log.info(
                    "upload of blob %r to container %r: HTTP %d, retrying in %.1f s (attempt %d of %d)",
                    blob, container, reply.status, delay, attempt + 2, _RETRIES + 1,
                )  # fmt: skip
                time.sleep(delay)
                continue
            return reply
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _blob_headers(
        content_settings: ContentSettings | None, metadata: dict[str, str] | None
    ) -> dict[str, str]:
        headers = {}
        for attribute, header in _HEADER_OF_SETTING.items():
            value = getattr(content_settings, attribute, None) if content_settings else None
            if value:
                headers[header] = value
        for key, value in (metadata or {}).items():
            headers[f"x-ms-meta-{key}"] = value
        return headers

    # uploads ----------------------------------------------------------------------------------
    def upload(self, container: str, blob: str, upload: Upload) -> ResourceProperties:
        """Store ``upload`` as block blob ``blob``; returns once it is stored, or raises."""
        started = time.monotonic()
        if upload.chunk_size is None:
            body = _whole(upload)
            reply = self._send(
                container,
                blob,
                "",
                body,
                {
                    "x-ms-blob-type": "BlockBlob",
                    "Content-Type": "application/octet-stream",
                    **self._blob_headers(upload.content_settings, upload.metadata),
                },
            )
            result = _properties(reply, 201)
            upload.progress.stored(len(body))
            _log.debug(
                "blob %r stored in container %r: %d bytes, one request, %.3f s",
                blob, container, len(body), time.monotonic() - started,
            )  # fmt: skip
            return result
        ids, size = self._put_blocks(container, blob, upload)
        listing = "".join(f"<Latest>{block}</Latest>" for block in ids)
        reply = self._send(
            container,
            blob,
            "comp=blocklist",
            f'<?xml version="1.0" encoding="utf-8"?><BlockList>{listing}</BlockList>'.encode(),
            {
                "Content-Type": "application/xml",
                **self._blob_headers(upload.content_settings, upload.metadata),
            },
        )
        result = _properties(reply, 201)
        _log.debug(
            "blob %r stored in container %r: %d bytes in %d blocks, %.3f s",
            blob, container, size, len(ids), time.monotonic() - started,
        )  # fmt: skip
        return result

    def _put_block(self, container: str, blob: str, index: int, chunk: bytes) -> None:
        reply = self._send(
            container,
            blob,
            f"comp=block&blockid={quote(block_id(index), safe='')}",
            chunk,
            {"Content-Type": "application/octet-stream"},
        )
        if reply.status != 201:
            raise _error(reply)

    def _put_blocks(self, container: str, blob: str, upload: Upload) -> tuple[list[str], int]:
        """Send every block (up to ``max_connections`` at once); their ids and the bytes sent."""
        assert upload.chunk_size is not None
        chunks: Iterator[bytes] = read_chunks(upload.data, upload.count, upload.chunk_size)
        ids: list[str] = []
        size = 0
        if upload.max_connections <= 1:
            for index, chunk in enumerate(chunks):
                self._put_block(container, blob, index, chunk)
                ids.append(block_id(index))
                size += len(chunk)
                upload.progress.stored(len(chunk))
            return ids, size

        def send(index: int, chunk: bytes) -> None:
            self._put_block(container, blob, index, chunk)
            upload.progress.stored(len(chunk))

        # Blocks are read here, in order, and at most max_connections of them are in flight.
        in_flight: set[Future[None]] = set()
        with ThreadPoolExecutor(
            max_workers=upload.max_connections, thread_name_prefix="batchai-compat-block"
        ) as pool:
            try:
                for index, chunk in enumerate(chunks):
                    if len(in_flight) >= upload.max_connections:  # the next block when one is done
                        finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                        for future in finished:
                            future.result()
                    in_flight.add(pool.submit(send, index, chunk))
                    ids.append(block_id(index))
                    size += len(chunk)
                finished, in_flight = wait(in_flight, return_when=FIRST_EXCEPTION)
                for future in finished:
                    future.result()
            finally:
                for future in in_flight:
                    future.cancel()
        return ids, size


def _whole(upload: Upload) -> bytes:
    """The payload of a single-request upload, read into memory (as the legacy client did)."""
    if isinstance(upload.data, bytes) and upload.count is None:
        return upload.data
    return b"".join(read_chunks(upload.data, upload.count, 4 * 1024 * 1024))


def _properties(reply: _Reply, expected: int) -> ResourceProperties:
    if reply.status != expected:
        raise _error(reply)
    result = ResourceProperties()
    result.etag = reply.headers.get("ETag")
    modified = reply.headers.get("Last-Modified")
    result.last_modified = parsedate_to_datetime(modified) if modified else None
    return result


def _error(reply: _Reply) -> Exception:
    code = reply.headers.get("x-ms-error-code") or "Error"
    message = code
    try:
        node = ElementTree.fromstring(reply.body).find("Message")
    except ElementTree.ParseError:
        node = None
    if node is not None and node.text:
        message = node.text.split("\n")[0]
    return storage_error(reply.status, code, message)

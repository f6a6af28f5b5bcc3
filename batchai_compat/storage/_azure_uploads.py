"""Background blob uploads of the Azure implementation (:class:`~._azure.AzureBlobStore`).

A loop of legacy ``create_blob_from_*`` calls is sequential by nature, and each small blob costs
a round trip.  The store therefore hands payloads of up to ``BACKGROUND_LIMIT`` bytes to a
bounded pool (:class:`Background`) and returns a :class:`PendingResourceProperties` at once;
a failed upload is reported exactly once, by the next call of its service or by reading its
``PendingResourceProperties``.

Per-request cost.  The azure-core pipeline spends about 3 ms of CPU per request here, which
caps a thread pool on a 2-core machine; so a background upload is one documented *Put Blob*
request (:class:`PutBlob`: ``PUT <container>/<blob>?<SAS>``, ``x-ms-blob-type: BlockBlob``) on
a keep-alive ``http.client`` connection per upload thread, authorised by a short-lived
container SAS that v12's ``generate_container_sas`` signs with the account key (or by the
caller's own SAS token), with retries on connection errors and 5xx.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from .. import exceptions
from ._account import StorageAccount
from ._models import ContentSettings, ResourceProperties

T = TypeVar("T")


def storage_error(status: int, code: str, message: str) -> Exception:
    """The CloudError of a failed Azure Storage request (409 ``*AlreadyExists``: ResourceExistsError)."""
    if status == 409 and code.endswith("AlreadyExists"):
        return exceptions.ResourceExistsError(message, status_code=409, code=code)
    return exceptions.cloud_error(status, code, message)


class PendingResourceProperties(ResourceProperties):
    """The ``ResourceProperties`` of a background upload: reading a field waits for it."""

    def __init__(self, future: Future[ResourceProperties], background: Background) -> None:
        self._future = future
        self._background = background

    def _resolved(self) -> ResourceProperties:
        self._background.observe(self._future)
        return self._future.result()

    @property
    def etag(self) -> str | None:  # type: ignore[override]
        return self._resolved().etag

    @property
    def last_modified(self) -> datetime | None:  # type: ignore[override]
        return self._resolved().last_modified

    def done(self) -> bool:
        """Whether the upload has finished (successfully or not)."""
        return self._future.done()

    def __repr__(self) -> str:
        if not self._future.done():
            return "PendingResourceProperties(<uploading>)"
        error = self._future.exception()
        if error is not None:
            return f"PendingResourceProperties(<failed: {type(error).__name__}>)"
        result = self._future.result()
        return f"PendingResourceProperties(etag={result.etag!r}, last_modified={result.last_modified!r})"


_THREAD_PREFIX = "batchai-compat-upload"


class Background:
    """A bounded pool of uploads whose failures are reported exactly once."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=_THREAD_PREFIX)
        self._slots = threading.BoundedSemaphore(workers * 4)
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._observed: set[Future[Any]] = set()
        self._failures: dict[Future[Any], BaseException] = {}

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        self._slots.acquire()
        try:
            future = self._pool.submit(fn)
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        self._slots.release()
        error = future.exception()
        with self._lock:
            self._pending.discard(future)
            if future in self._observed:
                self._observed.discard(future)
            elif error is not None:
                self._failures[future] = error

    def observe(self, future: Future[Any]) -> None:
        """The caller reads this upload's result itself: do not report its failure again."""
        with self._lock:
            if self._failures.pop(future, None) is None and future in self._pending:
                # Its done-callback has not run yet (it may run any moment): tell it.
                self._observed.add(future)

    def raise_failures(self) -> None:
        with self._lock:
            failures = list(self._failures.values())
            self._failures.clear()
        if failures:
            first = failures[0]
            if len(failures) > 1 and hasattr(first, "add_note"):
                first.add_note(f"{len(failures) - 1} more background upload(s) failed as well")
            raise first

    def wait(self) -> None:
        """Wait for the uploads pending now (failures stay for their own service to report)."""
        with self._lock:
            pending = list(self._pending)
        if pending:
            wait(pending)

    def flush(self) -> None:
        self.wait()
        self.raise_failures()

    def close(self) -> None:
        # From one of the pool's own threads (a garbage collection can run anywhere) waiting
        # would deadlock: let the queued uploads finish on their own instead.
        in_pool = threading.current_thread().name.startswith(_THREAD_PREFIX)
        self._pool.shutdown(wait=not in_pool)


_SAS_LIFETIME = timedelta(hours=1)
_SAS_RENEW_BEFORE = timedelta(minutes=10)
_RETRIES = 3
_HEADER_OF_SETTING = {
    "content_type": "x-ms-blob-content-type",
    "content_encoding": "x-ms-blob-content-encoding",
    "content_language": "x-ms-blob-content-language",
    "content_disposition": "x-ms-blob-content-disposition",
    "cache_control": "x-ms-blob-cache-control",
    "content_md5": "x-ms-blob-content-md5",
}


class PutBlob:
    """Small uploads as single *Put Blob* requests (see the module docstring).

    Each upload thread keeps one keep-alive ``http.client`` connection to the endpoint.  No
    library logs these requests, so the SAS in their URL cannot reach a debug log (urllib3 logs
    request URLs at DEBUG).
    """

    def __init__(self, account: StorageAccount, endpoint: str, api_version: str) -> None:
        parts = urlsplit(endpoint)
        self._account = account
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self._api_version = api_version
        self._sas: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._closed = False

    @staticmethod
    def usable(account: StorageAccount) -> bool:
        return bool(account.key or account.sas_token)

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

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None and not fresh:
            return connection
        if connection is not None:
            connection.close()
        factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = factory(self._host, self._port, timeout=60)
        self._local.connection = connection
        with self._lock:
            self._connections.append(connection)
        return connection

    def put(
        self,
        container: str,
        blob: str,
        body: bytes,
        content_settings: ContentSettings | None,
        metadata: dict[str, str] | None,
    ) -> ResourceProperties:
        target = f"{self._base_path}/{container}/{quote(blob, safe='/~')}?{self._container_sas(container)}"
        headers = {
            "x-ms-blob-type": "BlockBlob",
            "x-ms-version": self._api_version,
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(body)),
        }
        for attribute, header in _HEADER_OF_SETTING.items():
            value = getattr(content_settings, attribute, None) if content_settings else None
            if value:
                headers[header] = value
        for key, value in (metadata or {}).items():
            headers[f"x-ms-meta-{key}"] = value
        fresh = False
        connection: http.client.HTTPConnection | None = None
        try:
            for attempt in range(_RETRIES + 1):
                connection = self._connection(fresh)
                try:
                    connection.request("PUT", target, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as err:
                    # A keep-alive connection the server closed, a reset, a timeout: Put Blob
                    # overwrites, so it is safe to send again on a new connection.
                    fresh = True
                    if attempt == _RETRIES:
                        raise exceptions.cloud_error(
                            503,
                            "ServiceUnavailable",
                            f"upload of {blob!r} failed: {type(err).__name__}",
                        ) from None
                    if attempt:
                        time.sleep(0.2 * 2 ** (attempt - 1))
                    continue
                if response.status >= 500 and attempt < _RETRIES:
                    time.sleep(0.2 * 2**attempt)
                    continue
                break
        finally:
            # An upload still running after close() (a service garbage-collected on one of its
            # own upload threads closes without waiting): http.client reopens a closed
            # connection on the next request, so close it again or its socket leaks.
            with self._lock:
                closed = self._closed
            if closed and connection is not None:
                connection.close()
        if response.status != 201:
            raise _put_blob_error(response.status, response.headers, data)
        result = ResourceProperties()
        result.etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        result.last_modified = parsedate_to_datetime(modified) if modified else None
        return result

    def close(self) -> None:
        """Close every connection; uploads still running close theirs when they end."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()


def _put_blob_error(status: int, headers: Any, body: bytes) -> Exception:
    code = headers.get("x-ms-error-code") or "Error"
    message = code
    try:
        node = ElementTree.fromstring(body).find("Message")
    except ElementTree.ParseError:
        node = None
    if node is not None and node.text:
        message = node.text.split("\n")[0]
    return storage_error(status, code, message)

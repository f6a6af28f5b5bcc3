"""Azure Storage through azure-storage-blob / azure-storage-file-share v12.

The legacy faces translate each call to one v12 client call; results come back as the legacy
value objects (:mod:`batchai_compat.storage._models`) and service failures as
:func:`batchai_compat.exceptions.cloud_error` (``status_code``, ``error.error``), which are also
azure-core ``HttpResponseError`` / ``ResourceNotFoundError`` / ``ResourceExistsError``.

Bulk uploads.  A loop of legacy ``create_blob_from_*`` calls is sequential by nature, and each
small blob costs a round trip.  :class:`AzureBlobStore` therefore hands payloads of up to
:data:`BACKGROUND_LIMIT` bytes (read into memory before the call returns, so the caller may
delete or change its file at once) to a bounded thread pool and returns a
:class:`PendingResourceProperties` at once.  Read-your-writes holds within the process:
every other call first waits for the pending uploads of every service (:meth:`AzureBlobStore.flush`);
another process (or a v12 client) sees them after :meth:`flush` / ``close``.  A failed
upload is raised by the next call (or by reading its ``PendingResourceProperties``), never
swallowed; :func:`batchai_compat.storage.flush_all` and interpreter exit flush every service.
Bigger payloads and streams upload in the call, with v12's ``max_concurrency`` set from the legacy
``max_connections``.

Per-request cost.  The azure-core pipeline spends about 3 ms of CPU per request here, which
caps a thread pool on a 2-core machine; so a background upload is one documented *Put Blob*
request (``PUT <container>/<blob>?<SAS>``, ``x-ms-blob-type: BlockBlob``) on a keep-alive
``http.client`` connection per upload thread, authorised by a short-lived container SAS that v12's ``generate_container_sas``
signs with the account key (or by the caller's own SAS token), with retries on connection errors
and 5xx.  Everything else goes through the v12 clients.
"""

from __future__ import annotations

import atexit
import http.client
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from .. import exceptions
from ..exceptions import BackendNotInstalledError, ValidationError
from ._account import StorageAccount
from ._models import (
    Blob,
    BlobProperties,
    Container,
    ContentSettings,
    Directory,
    File,
    FileProperties,
    ResourceProperties,
    Share,
)
from ._service import Upload

T = TypeVar("T")

BACKGROUND_LIMIT = 1024 * 1024
DEFAULT_CONCURRENCY = 16
_INSTALL_HINT = "pip install 'batchai-compat[storage]'"


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise BackendNotInstalledError(
            f"storage='azure' needs {module} (azure-storage v12): {_INSTALL_HINT}"
        ) from err


def _translate(err: Exception) -> Exception:
    """A v12 / azure-core failure as this library's CloudError family (same status and code)."""
    from azure.core.exceptions import HttpResponseError

    if isinstance(err, exceptions.CloudError) or not isinstance(err, HttpResponseError):
        return err
    status = err.status_code or 500
    code = getattr(err, "error_code", None) or (err.reason or "Error").replace(" ", "")
    message = (err.message or str(code)).split("\n")[0]
    if status == 409 and code.endswith("AlreadyExists"):
        return exceptions.ResourceExistsError(message, status_code=409, code=code)
    return exceptions.cloud_error(status, code, message)


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except Exception as err:
        translated = _translate(err)
        if translated is err:
            raise
        raise translated from None


def _transport(pool_size: int) -> Any:
    """A requests transport whose connection pool fits the upload threads."""
    import requests
    from azure.core.pipeline.transport import RequestsTransport
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return RequestsTransport(session=session, session_owner=True)


def _credential(account: StorageAccount) -> Any:
    if account.key:
        return {"account_name": account.name, "account_key": account.key}
    return account.sas_token


def _service_client(client_class: Any, account: StorageAccount, transport: Any) -> Any:
    """A v12 ``BlobServiceClient`` / ``ShareServiceClient`` for ``account``."""
    if account.connection_string:
        return client_class.from_connection_string(account.connection_string, transport=transport)
    return client_class(account_url=account.endpoint, credential=_credential(account), transport=transport)


def _endpoint_of(service: Any) -> str:
    """A v12 service client's URL without its query (a SAS) or trailing slash."""
    url: str = service.url
    return url.split("?", 1)[0].rstrip("/")


def _created(create: Callable[[], object]) -> bool:
    """Run a create call: False when the service answers that the resource already exists."""
    from azure.core.exceptions import ResourceExistsError

    try:
        _call(create)
    except ResourceExistsError:
        return False
    return True


def _found(call: Callable[[], object]) -> bool:
    """Run a call on a resource: False when the service answers that it does not exist."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        _call(call)
    except ResourceNotFoundError:
        return False
    return True


def _download_into(download: Callable[..., Any], stream: IO[bytes], start: int | None, end: int | None) -> tuple[Any, int]:
    """Bytes ``start..end`` (inclusive) of a v12 ``download_blob`` / ``download_file`` into ``stream``.

    Returns the downloader (its ``properties`` describe the blob or file) and the bytes copied.
    """
    length = None if end is None or start is None else end - start + 1
    downloader = _call(lambda: download(offset=start, length=length))
    return downloader, _call(lambda: downloader.readinto(stream))


def _key_signed_sas(
    generate: Callable[..., Any],
    account: StorageAccount,
    resource: tuple[Any, ...],
    permission: str,
    expiry: datetime,
    start: datetime | None,
) -> str:
    """A SAS for ``resource`` (container, blob, share or file path) signed with the account key."""
    key = _sas_signing_key(account)
    return str(generate(account.name, *resource, account_key=key, permission=permission, expiry=expiry, start=start))


def _v12_content_settings(module: Any, settings: ContentSettings | None) -> Any:
    if settings is None:
        return None
    return module.ContentSettings(
        content_type=settings.content_type,
        content_encoding=settings.content_encoding,
        content_language=settings.content_language,
        content_disposition=settings.content_disposition,
        cache_control=settings.cache_control,
        content_md5=settings.content_md5,
    )


def _legacy_content_settings(v12: Any) -> ContentSettings:
    if v12 is None:
        return ContentSettings()
    md5 = getattr(v12, "content_md5", None)
    if isinstance(md5, (bytes, bytearray)):
        import base64

        md5 = base64.b64encode(bytes(md5)).decode("ascii")
    return ContentSettings(
        content_type=v12.content_type,
        content_encoding=v12.content_encoding,
        content_language=v12.content_language,
        content_disposition=v12.content_disposition,
        cache_control=v12.cache_control,
        content_md5=md5,
    )


PropertiesT = TypeVar("PropertiesT", BlobProperties, FileProperties)


def _legacy_properties(legacy: PropertiesT, v12: Any) -> PropertiesT:
    """Fill what legacy blob and file properties share from v12 ``BlobProperties`` / ``FileProperties``."""
    legacy.content_length = v12.size
    legacy.etag = v12.etag
    legacy.last_modified = v12.last_modified
    legacy.server_encrypted = v12.server_encrypted
    legacy.content_settings = _legacy_content_settings(v12.content_settings)
    return legacy


def _sas_signing_key(account: StorageAccount) -> str:
    if not account.key:
        raise ValidationError(
            "account_key",
            "is required to sign shared access signatures (this service was given a SAS token)",
        )
    return account.key


def _with_sas(url: str, sas_token: str | None) -> str:
    return f"{url}?{sas_token.lstrip('?')}" if sas_token else url


class PendingResourceProperties(ResourceProperties):
    """The ``ResourceProperties`` of a background upload: reading a field waits for it."""

    def __init__(self, future: Future[ResourceProperties], background: _Background) -> None:
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


class _Background:
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


_LIVE_STORES: weakref.WeakSet[AzureBlobStore] = weakref.WeakSet()
_ATEXIT_LOCK = threading.Lock()
_ATEXIT_REGISTERED = False


def flush_all() -> None:
    """Wait for the background uploads of every live service; raise the first failure."""
    errors: list[BaseException] = []
    for store in list(_LIVE_STORES):
        try:
            store.flush()
        except BaseException as err:  # flush every store before reporting
            errors.append(err)
    if errors:
        raise errors[0]


def _register_atexit() -> None:
    global _ATEXIT_REGISTERED
    with _ATEXIT_LOCK:
        if not _ATEXIT_REGISTERED:
            atexit.register(flush_all)
            _ATEXIT_REGISTERED = True


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


class _PutBlob:
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
                        503, "ServiceUnavailable", f"upload of {blob!r} failed: {type(err).__name__}"
                    ) from None
                if attempt:
                    time.sleep(0.2 * 2 ** (attempt - 1))
                continue
            if response.status >= 500 and attempt < _RETRIES:
                time.sleep(0.2 * 2**attempt)
                continue
            break
        if response.status != 201:
            raise _service_error(response.status, response.headers, data)
        result = ResourceProperties()
        result.etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        result.last_modified = parsedate_to_datetime(modified) if modified else None
        return result

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()


def _service_error(status: int, headers: Any, body: bytes) -> Exception:
    code = headers.get("x-ms-error-code") or "Error"
    message = code
    try:
        node = ElementTree.fromstring(body).find("Message")
    except ElementTree.ParseError:
        node = None
    if node is not None and node.text:
        message = node.text.split("\n")[0]
    if status == 409 and code.endswith("AlreadyExists"):
        return exceptions.ResourceExistsError(message, status_code=409, code=code)
    return exceptions.cloud_error(status, code, message)


class _Resources:
    """What an :class:`AzureBlobStore` must release: upload threads, connections, the v12 client."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.background: _Background | None = None
        self.put_blob: _PutBlob | None = None

    def release(self) -> None:
        if self.background is not None:
            self.background.close()
        if self.put_blob is not None:
            self.put_blob.close()
        self.service.close()


class AzureBlobStore:
    """Blob containers of one Azure Storage account (or Azurite), through azure-storage-blob v12."""

    kind = "azure"

    def __init__(self, account: StorageAccount, max_concurrency: int | None = None) -> None:
        self._blob = _require("azure.storage.blob")
        self.account = account
        self._workers = max_concurrency or DEFAULT_CONCURRENCY
        self._service = _service_client(self._blob.BlobServiceClient, account, _transport(self._workers + 4))
        self._background: _Background | None = None
        self._put_blob: _PutBlob | None = None
        self._background_lock = threading.Lock()
        # Old code never closes its BlockBlobService: release threads and sockets when it is
        # garbage-collected too (the finalizer holds the resources, not the store).
        self._resources = _Resources(self._service)
        self._finalizer = weakref.finalize(self, self._resources.release)
        _LIVE_STORES.add(self)
        _register_atexit()

    # background uploads -----------------------------------------------------------------------
    def flush(self) -> None:
        if self._background is not None:
            self._background.flush()

    def _settle(self) -> None:
        """Before any other call: finish pending uploads, report this service's failures.

        Uploads pending on *other* services of this process are waited for too, so a notebook
        that writes with one ``BlockBlobService`` and reads with another sees its writes.
        """
        for store in list(_LIVE_STORES):
            if store is not self and store._background is not None:
                store._background.wait()
        self.flush()

    def close(self) -> None:
        _LIVE_STORES.discard(self)
        self._finalizer()

    def _pool(self) -> _Background:
        with self._background_lock:
            if self._background is None:
                self._background = self._resources.background = _Background(self._workers)
            return self._background

    def _small_upload(self) -> Callable[..., ResourceProperties]:
        """How a background upload is sent: one Put Blob request, or the v12 client without a key/SAS."""
        if not _PutBlob.usable(self.account):
            return lambda c, b, body, cs, md: self._upload(c, b, body, len(body), cs, md, 1)
        with self._background_lock:
            if self._put_blob is None:
                self._put_blob = self._resources.put_blob = _PutBlob(
                    self.account, self._endpoint(), self._service.api_version
                )
            return self._put_blob.put

    # containers -------------------------------------------------------------------------------
    def create_container(
        self, container: str, metadata: dict[str, str] | None = None, public_access: str | None = None
    ) -> bool:
        self._settle()
        return _created(lambda: self._service.create_container(container, metadata=metadata, public_access=public_access))

    def delete_container(self, container: str) -> bool:
        self._settle()
        return _found(lambda: self._service.delete_container(container))

    def container_exists(self, container: str) -> bool:
        self._settle()
        return bool(_call(lambda: self._service.get_container_client(container).exists()))

    def list_containers(self, prefix: str | None) -> list[Container]:
        self._settle()
        result = []
        for item in _call(lambda: list(self._service.list_containers(name_starts_with=prefix))):
            container = Container(item.name, metadata=item.metadata)
            container.properties.etag = item.etag
            container.properties.last_modified = item.last_modified
            container.properties.public_access = item.public_access
            result.append(container)
        return sorted(result, key=lambda c: c.name or "")

    # blobs ------------------------------------------------------------------------------------
    def blob_exists(self, container: str, blob: str) -> bool:
        self._settle()
        return bool(_call(lambda: self._service.get_blob_client(container, blob).exists()))

    def _upload(
        self,
        container: str,
        blob: str,
        data: Any,
        length: int | None,
        content_settings: ContentSettings | None,
        metadata: dict[str, str] | None,
        max_connections: int,
    ) -> ResourceProperties:
        client = self._service.get_blob_client(container, blob)
        response = _call(
            lambda: client.upload_blob(
                data,
                length=length,
                overwrite=True,
                metadata=metadata,
                content_settings=_v12_content_settings(self._blob, content_settings),
                max_concurrency=max_connections,
            )
        )
        result = ResourceProperties()
        result.etag = response.get("etag")
        result.last_modified = response.get("last_modified")
        return result

    def put_blob(self, container: str, blob: str, upload: Upload) -> ResourceProperties:
        data, content_settings, metadata = upload.data, upload.content_settings, upload.metadata
        if self._background is not None:
            self._background.raise_failures()  # report earlier failures; keep the pipeline full
        payload: bytes | None = None
        if isinstance(data, bytes):
            payload = data
        elif isinstance(data, Path) and data.stat().st_size <= BACKGROUND_LIMIT:
            payload = data.read_bytes()
        if payload is not None and len(payload) <= BACKGROUND_LIMIT:
            body = payload
            send = self._small_upload()
            future = self._pool().submit(lambda: send(container, blob, body, content_settings, metadata))
            return PendingResourceProperties(future, self._pool())
        self._settle()
        if isinstance(data, Path):
            with open(data, "rb") as handle:
                return self._upload(
                    container, blob, handle, data.stat().st_size, content_settings, metadata, upload.max_connections
                )
        if isinstance(data, bytes):
            return self._upload(container, blob, data, len(data), content_settings, metadata, upload.max_connections)
        return self._upload(container, blob, data, upload.count, content_settings, metadata, upload.max_connections)

    def _legacy_blob(self, props: Any, name: str) -> Blob:
        legacy = _legacy_properties(BlobProperties(), props)
        blob_type = props.blob_type
        legacy.blob_type = getattr(blob_type, "value", blob_type)
        legacy.creation_time = props.creation_time
        return Blob(name=name, props=legacy, metadata=dict(props.metadata or {}))

    def get_blob(
        self, container: str, blob: str, stream: IO[bytes], start: int | None, end: int | None
    ) -> Blob:
        self._settle()
        downloader, copied = _download_into(
            self._service.get_blob_client(container, blob).download_blob, stream, start, end
        )
        result = self._legacy_blob(downloader.properties, blob)
        result.properties.content_length = copied
        content_range = getattr(downloader.properties, "content_range", None)
        result.properties.content_range = content_range if start is not None else None
        return result

    def get_blob_properties(self, container: str, blob: str) -> Blob:
        self._settle()
        props = _call(lambda: self._service.get_blob_client(container, blob).get_blob_properties())
        return self._legacy_blob(props, blob)

    def list_blobs(self, container: str, prefix: str) -> Iterator[Blob]:
        self._settle()
        client = self._service.get_container_client(container)
        items = _call(lambda: list(client.list_blobs(name_starts_with=prefix or None, include=["metadata"])))
        for item in items:
            yield self._legacy_blob(item, item.name)

    def delete_blob(self, container: str, blob: str) -> None:
        self._settle()
        _call(lambda: self._service.get_blob_client(container, blob).delete_blob())

    # URLs and SAS -----------------------------------------------------------------------------
    def _endpoint(self) -> str:
        return _endpoint_of(self._service)

    def blob_sas(
        self, container: str, blob: str | None, permission: str, expiry: datetime, start: datetime | None
    ) -> str:
        if blob is None:
            return _key_signed_sas(self._blob.generate_container_sas, self.account, (container,), permission, expiry, start)
        return _key_signed_sas(self._blob.generate_blob_sas, self.account, (container, blob), permission, expiry, start)

    def blob_url(self, container: str, blob: str, sas_token: str | None) -> str:
        self._settle()
        return _with_sas(f"{self._endpoint()}/{container}/{quote(blob, safe='/~')}", sas_token)

    def container_url(self, container: str, sas_token: str | None) -> str:
        return _with_sas(f"{self._endpoint()}/{container}", sas_token)


class AzureFileStore:
    """File shares of one Azure Storage account, through azure-storage-file-share v12."""

    kind = "azure"

    def __init__(self, account: StorageAccount) -> None:
        self._share = _require("azure.storage.fileshare")
        self.account = account
        self._service = _service_client(self._share.ShareServiceClient, account, _transport(8))

    def close(self) -> None:
        self._service.close()

    @staticmethod
    def _join(directory: str, name: str) -> str:
        return f"{directory}/{name}" if directory else name

    # shares -----------------------------------------------------------------------------------
    def create_share(self, share: str, metadata: dict[str, str] | None = None, quota: int | None = None) -> bool:
        return _created(lambda: self._service.create_share(share, metadata=metadata, quota=quota))

    def delete_share(self, share: str) -> bool:
        return _found(lambda: self._service.delete_share(share))

    def share_exists(self, share: str) -> bool:
        return _found(lambda: self._service.get_share_client(share).get_share_properties())

    def list_shares(self, prefix: str | None) -> list[Share]:
        result = []
        for item in _call(lambda: list(self._service.list_shares(name_starts_with=prefix))):
            share = Share(item.name, metadata=item.metadata)
            share.properties.etag = item.etag
            share.properties.last_modified = item.last_modified
            share.properties.quota = item.quota
            result.append(share)
        return sorted(result, key=lambda s: s.name or "")

    # directories ------------------------------------------------------------------------------
    def create_directory(self, share: str, directory: str, metadata: dict[str, str] | None = None) -> bool:
        client = self._service.get_share_client(share).get_directory_client(directory)
        return _created(lambda: client.create_directory(metadata=metadata))

    def delete_directory(self, share: str, directory: str) -> bool:
        client = self._service.get_share_client(share).get_directory_client(directory)
        return _found(lambda: client.delete_directory())

    def directory_exists(self, share: str, directory: str) -> bool:
        client = self._service.get_share_client(share).get_directory_client(directory)
        return bool(_call(lambda: client.exists()))

    # files ------------------------------------------------------------------------------------
    def _file_client(self, share: str, directory: str, name: str) -> Any:
        return self._service.get_share_client(share).get_file_client(self._join(directory, name))

    def file_exists(self, share: str, directory: str, name: str) -> bool:
        return bool(_call(lambda: self._file_client(share, directory, name).exists()))

    def put_file(self, share: str, directory: str, name: str, upload: Upload) -> None:
        client = self._file_client(share, directory, name)
        settings = _v12_content_settings(self._share, upload.content_settings)

        def send(body: Any, length: int | None) -> None:
            _call(
                lambda: client.upload_file(
                    body,
                    length=length,
                    metadata=upload.metadata,
                    content_settings=settings,
                    max_concurrency=upload.max_connections,
                )
            )

        data, count = upload.data, upload.count
        if isinstance(data, Path):
            with open(data, "rb") as handle:
                send(handle, data.stat().st_size)
        elif isinstance(data, bytes):
            send(data, len(data))
        else:
            send(data if count is None else data.read(count), count)

    def _legacy_file(self, props: Any, name: str) -> File:
        legacy = _legacy_properties(FileProperties(), props)
        return File(name=name, props=legacy, metadata=dict(props.metadata or {}))

    def get_file(
        self, share: str, directory: str, name: str, stream: IO[bytes], start: int | None, end: int | None
    ) -> File:
        downloader, copied = _download_into(
            self._file_client(share, directory, name).download_file, stream, start, end
        )
        result = self._legacy_file(downloader.properties, name)
        result.properties.content_length = copied
        return result

    def list_directories_and_files(self, share: str, directory: str, prefix: str) -> Iterator[File | Directory]:
        client = self._service.get_share_client(share).get_directory_client(directory)
        items = _call(lambda: list(client.list_directories_and_files(name_starts_with=prefix or None)))
        for item in sorted(items, key=lambda i: i["name"]):
            if item.get("is_directory"):
                folder = Directory(item["name"])
                folder.properties.etag = item.get("etag")
                folder.properties.last_modified = item.get("last_modified")
                yield folder
            else:
                entry = File(item["name"])
                entry.properties.content_length = item.get("size")
                entry.properties.etag = item.get("etag")
                entry.properties.last_modified = item.get("last_modified")
                yield entry

    def delete_file(self, share: str, directory: str, name: str) -> None:
        _call(lambda: self._file_client(share, directory, name).delete_file())

    # URLs and SAS -----------------------------------------------------------------------------
    def file_sas(
        self, share: str, path: str | None, permission: str, expiry: datetime, start: datetime | None
    ) -> str:
        if path is None:
            return _key_signed_sas(self._share.generate_share_sas, self.account, (share,), permission, expiry, start)
        return _key_signed_sas(
            self._share.generate_file_sas, self.account, (share, path.split("/")), permission, expiry, start
        )

    def file_url(self, share: str, path: str, sas_token: str | None) -> str:
        return _with_sas(f"{_endpoint_of(self._service)}/{share}/{quote(path, safe='/~')}", sas_token)

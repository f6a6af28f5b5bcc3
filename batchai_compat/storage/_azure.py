"""Azure Storage through azure-storage-blob / azure-storage-file-share v12.

The legacy faces translate each call to one v12 client call; results come back as the legacy
value objects (:mod:`batchai_compat.storage._models`) and service failures as
:func:`batchai_compat.exceptions.cloud_error` (``status_code``, ``error.error``), which are also
azure-core ``HttpResponseError`` / ``ResourceNotFoundError`` / ``ResourceExistsError``.

Uploads are synchronous, as the legacy calls were: a ``create_blob_from_*`` /
``create_file_from_*`` call returns once its data is stored, or raises its own error.  Blob
uploads skip the v12 pipeline for speed (:mod:`batchai_compat.storage._azure_uploads`: pooled
keep-alive connections, one *Put Blob* per small blob, parallel *Put Block* requests for big
ones); file uploads go through v12's ``upload_file`` (``max_concurrency`` from the legacy
``max_connections``).  Both report the legacy ``progress_callback`` per block or range.
Everything else goes through the v12 clients.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import quote

from .. import exceptions
from ..exceptions import BackendNotInstalledError, ValidationError
from ._account import StorageAccount
from ._azure_uploads import BlobUploader, storage_error
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

#: Keep-alive connections of a service's v12 client (listing, reads, containers).
_POOL_SIZE = 16
_INSTALL_HINT = 'pip install "batchai-compat[storage]"'


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
    return storage_error(status, code, message)


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
    return client_class(
        account_url=account.endpoint, credential=_credential(account), transport=transport
    )


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


def _download_into(
    download: Callable[..., Any], stream: IO[bytes], start: int | None, end: int | None
) -> tuple[Any, int]:
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
    return str(
        generate(
            account.name,
            *resource,
            account_key=key,
            permission=permission,
            expiry=expiry,
            start=start,
        )
    )


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


def _through_v12(upload: Upload, send: Callable[..., Any], module: Any) -> Any:
    """``upload`` through a v12 ``upload_blob`` / ``upload_file`` (``send``): the payload and its
    length, the legacy options, and the legacy progress from v12's ``progress_hook``."""
    data: Any = upload.data
    length = upload.count
    if isinstance(data, Path):
        length = data.stat().st_size
    elif isinstance(data, bytes):
        length = len(data)
    elif length is not None:
        data = data.read(length)
    with open(data, "rb") if isinstance(data, Path) else nullcontext(data) as body:
        result = _call(
            lambda: send(
                body,
                length=length,
                metadata=upload.metadata,
                content_settings=_v12_content_settings(module, upload.content_settings),
                max_concurrency=upload.max_connections,
                progress_hook=lambda current, _total: upload.progress.reached(current),
            )
        )
    if length is not None:
        upload.progress.reached(length, always=upload.chunk_size is None)
    return result


def _sas_signing_key(account: StorageAccount) -> str:
    if not account.key:
        raise ValidationError(
            "account_key",
            "is required to sign shared access signatures (this service was given a SAS token)",
        )
    return account.key


def _with_sas(url: str, sas_token: str | None) -> str:
    return f"{url}?{sas_token.lstrip('?')}" if sas_token else url


class _Resources:
    """What an :class:`AzureBlobStore` must release: the upload connections and the v12 client."""

    def __init__(self, service: Any, uploader: BlobUploader) -> None:
        self.service = service
        self.uploader = uploader

    def release(self) -> None:
        self.uploader.close()
        self.service.close()


class AzureBlobStore:
    """Blob containers of one Azure Storage account (or Azurite), through azure-storage-blob v12."""

    kind = "azure"

    def __init__(self, account: StorageAccount) -> None:
        self._blob = _require("azure.storage.blob")
        self.account = account
        self._service = _service_client(
            self._blob.BlobServiceClient, account, _transport(_POOL_SIZE)
        )
        self._uploader = BlobUploader(account, self._endpoint(), self._service.api_version)
        # Old code never closes its BlockBlobService: release the sockets when it is
        # garbage-collected too (the finalizer holds the resources, not the store).
        self._finalizer = weakref.finalize(self, _Resources(self._service, self._uploader).release)

    def close(self) -> None:
        self._finalizer()

    # containers -------------------------------------------------------------------------------
    def create_container(
        self,
        container: str,
        metadata: dict[str, str] | None = None,
        public_access: str | None = None,
    ) -> bool:
        return _created(
            lambda: self._service.create_container(
                container, metadata=metadata, public_access=public_access
            )
        )

    def delete_container(self, container: str) -> bool:
        return _found(lambda: self._service.delete_container(container))

    def container_exists(self, container: str) -> bool:
        return bool(_call(lambda: self._service.get_container_client(container).exists()))

    def list_containers(self, prefix: str | None) -> list[Container]:
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
        return bool(_call(lambda: self._service.get_blob_client(container, blob).exists()))

    def _upload_anonymously(self, container: str, blob: str, upload: Upload) -> ResourceProperties:
        """An upload without a key or SAS (a public container's endpoint): through v12."""
        client = self._service.get_blob_client(container, blob)
        response = _through_v12(
            upload,
            lambda body, **options: client.upload_blob(body, overwrite=True, **options),
            self._blob,
        )
        result = ResourceProperties()
        result.etag = response.get("etag")
        result.last_modified = response.get("last_modified")
        return result

    def put_blob(self, container: str, blob: str, upload: Upload) -> ResourceProperties:
        if BlobUploader.usable(self.account):
            return self._uploader.upload(container, blob, upload)
        return self._upload_anonymously(container, blob, upload)

    def _legacy_blob(self, props: Any, name: str) -> Blob:
        legacy = _legacy_properties(BlobProperties(), props)
        blob_type = props.blob_type
        legacy.blob_type = getattr(blob_type, "value", blob_type)
        legacy.creation_time = props.creation_time
        return Blob(name=name, props=legacy, metadata=dict(props.metadata or {}))

    def get_blob(
        self, container: str, blob: str, stream: IO[bytes], start: int | None, end: int | None
    ) -> Blob:
        downloader, copied = _download_into(
            self._service.get_blob_client(container, blob).download_blob, stream, start, end
        )
        result = self._legacy_blob(downloader.properties, blob)
        result.properties.content_length = copied
        content_range = getattr(downloader.properties, "content_range", None)
        result.properties.content_range = content_range if start is not None else None
        return result

    def get_blob_properties(self, container: str, blob: str) -> Blob:
        props = _call(lambda: self._service.get_blob_client(container, blob).get_blob_properties())
        return self._legacy_blob(props, blob)

    def list_blobs(self, container: str, prefix: str) -> Iterator[Blob]:
        client = self._service.get_container_client(container)
        items = _call(
            lambda: list(client.list_blobs(name_starts_with=prefix or None, include=["metadata"]))
        )
        for item in items:
            yield self._legacy_blob(item, item.name)

    def delete_blob(self, container: str, blob: str) -> None:
        _call(lambda: self._service.get_blob_client(container, blob).delete_blob())

    # URLs and SAS -----------------------------------------------------------------------------
    def _endpoint(self) -> str:
        return _endpoint_of(self._service)

    def blob_sas(
        self,
        container: str,
        blob: str | None,
        permission: str,
        expiry: datetime,
        start: datetime | None,
    ) -> str:
        if blob is None:
            return _key_signed_sas(
                self._blob.generate_container_sas,
                self.account,
                (container,),
                permission,
                expiry,
                start,
            )
        return _key_signed_sas(
            self._blob.generate_blob_sas, self.account, (container, blob), permission, expiry, start
        )

    def blob_url(self, container: str, blob: str, sas_token: str | None) -> str:
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
    def create_share(
        self, share: str, metadata: dict[str, str] | None = None, quota: int | None = None
    ) -> bool:
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
    def create_directory(
        self, share: str, directory: str, metadata: dict[str, str] | None = None
    ) -> bool:
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
        """Create the file and write it in ranges (v12 ``upload_file``; 4 MiB ranges as legacy)."""
        _through_v12(upload, self._file_client(share, directory, name).upload_file, self._share)

    def _legacy_file(self, props: Any, name: str) -> File:
        legacy = _legacy_properties(FileProperties(), props)
        return File(name=name, props=legacy, metadata=dict(props.metadata or {}))

    def get_file(
        self,
        share: str,
        directory: str,
        name: str,
        stream: IO[bytes],
        start: int | None,
        end: int | None,
    ) -> File:
        downloader, copied = _download_into(
            self._file_client(share, directory, name).download_file, stream, start, end
        )
        result = self._legacy_file(downloader.properties, name)
        result.properties.content_length = copied
        return result

    def list_directories_and_files(
        self, share: str, directory: str, prefix: str
    ) -> Iterator[File | Directory]:
        client = self._service.get_share_client(share).get_directory_client(directory)
        items = _call(
            lambda: list(client.list_directories_and_files(name_starts_with=prefix or None))
        )
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
        self,
        share: str,
        path: str | None,
        permission: str,
        expiry: datetime,
        start: datetime | None,
    ) -> str:
        if path is None:
            return _key_signed_sas(
                self._share.generate_share_sas, self.account, (share,), permission, expiry, start
            )
        return _key_signed_sas(
            self._share.generate_file_sas,
            self.account,
            (share, path.split("/")),
            permission,
            expiry,
            start,
        )

    def file_url(self, share: str, path: str, sas_token: str | None) -> str:
        return _with_sas(
            f"{_endpoint_of(self._service)}/{share}/{quote(path, safe='/~')}", sas_token
        )

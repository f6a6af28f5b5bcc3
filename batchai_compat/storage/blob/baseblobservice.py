"""``BaseBlobService``: containers and reads of the legacy blob client (azure-storage-blob 1.x).

As in the legacy package, :class:`BaseBlobService` holds what every blob client shared (the
constructor, containers, listing, downloads, properties, deletes, URLs and SAS tokens) and
:mod:`.blockblobservice` adds the block-blob uploads.  Same constructor, same methods, same
positional order, same return values (``create_container`` returns False when the container
exists and ``fail_on_exist`` is False; ``delete_container`` returns False for a missing container
unless ``fail_not_exist`` is True; ``list_blobs`` yields
:class:`~batchai_compat.storage.blob.models.Blob` objects with the full ``name``).

Where the data goes (see :func:`batchai_compat.storage.select_implementation`): the local
backend's folders (``storage="local"``) or Azure Storage through azure-storage-blob v12
(``storage="azure"``: account key, SAS token, connection string or ``is_emulated`` — Azurite
works).

Not offered (a clear :class:`~batchai_compat.exceptions.ValidationError` if asked for): leases,
conditional requests (``if_match`` & co.), snapshots.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import IO, Any, Protocol

from ... import exceptions
from ...exceptions import ValidationError
from .. import _names
from .._account import StorageAccount, resolve_account, select_implementation
from .._models import (
    Blob,
    BlobPrefix,
    Container,
    Include,
    ListGenerator,
    ResourceProperties,
    page,
)
from .._service import (
    AccountStore,
    LegacyService,
    ProgressCallback,
    Upload,
    binary_mode,
    report_progress,
    sas_grant,
)

__all__ = ["BaseBlobService"]


class BlobStore(AccountStore, Protocol):
    """What an implementation provides (``_local_blobs.LocalBlobStore``, ``_azure.AzureBlobStore``)."""

    def create_container(
        self,
        container: str,
        metadata: dict[str, str] | None = None,
        public_access: str | None = None,
    ) -> bool: ...
    def delete_container(self, container: str) -> bool: ...
    def container_exists(self, container: str) -> bool: ...
    def list_containers(self, prefix: str | None) -> list[Container]: ...
    def blob_exists(self, container: str, blob: str) -> bool: ...
    def put_blob(self, container: str, blob: str, upload: Upload) -> ResourceProperties: ...
    def get_blob(
        self, container: str, blob: str, stream: IO[bytes], start: int | None, end: int | None
    ) -> Blob: ...
    def get_blob_properties(self, container: str, blob: str) -> Blob: ...
    def list_blobs(self, container: str, prefix: str) -> Iterator[Blob]: ...
    def delete_blob(self, container: str, blob: str) -> None: ...
    def blob_sas(
        self, container: str, blob: str | None, permission: str, expiry: Any, start: Any
    ) -> str: ...
    def blob_url(self, container: str, blob: str, sas_token: str | None) -> str: ...
    def container_url(self, container: str, sas_token: str | None) -> str: ...


def _refuse_unsupported(**options: Any) -> None:
    for name, value in options.items():
        if value is not None:
            raise ValidationError(
                name,
                "is not supported by batchai_compat's storage faces (no leases, snapshots or "
                "conditional requests); remove it",
                value,
            )


def refuse_conditions(
    snapshot: str | None,
    lease_id: str | None,
    if_modified_since: Any,
    if_unmodified_since: Any,
    if_match: str | None,
    if_none_match: str | None,
) -> None:
    """Refuse the snapshot, lease and conditional options of a legacy blob call."""
    _refuse_unsupported(
        snapshot=snapshot,
        lease_id=lease_id,
        if_modified_since=if_modified_since,
        if_unmodified_since=if_unmodified_since,
        if_match=if_match,
        if_none_match=if_none_match,
    )


def make_blob_store(account: StorageAccount, storage: str | None) -> BlobStore:
    """The implementation ``storage`` (or the environment) selects, for ``account``."""
    if select_implementation(storage, account) == "local":
        from .._local_blobs import LocalBlobStore

        return LocalBlobStore(account)
    from .._azure import AzureBlobStore

    return AzureBlobStore(account)


class BaseBlobService(LegacyService[BlobStore]):
    """Container and read operations shared by the legacy blob services."""

    def __init__(
        self,
        account_name: str | None = None,
        account_key: str | None = None,
        sas_token: str | None = None,
        is_emulated: bool = False,
        protocol: str = "https",
        endpoint_suffix: str = "core.windows.net",
        custom_domain: str | None = None,
        request_session: Any = None,
        connection_string: str | None = None,
        socket_timeout: Any = None,
        token_credential: Any = None,
        *,
        storage: str | None = None,
    ) -> None:
        """Same arguments as the legacy constructor, plus the keyword ``storage``: ``"local"``
        or ``"azure"`` (default: ``$BATCHAI_COMPAT_STORAGE``, else the selected backend)."""
        if token_credential is not None:
            raise ValidationError(
                "token_credential",
                "is not supported; pass account_key, sas_token or connection_string",
            )
        account = resolve_account(
            "blob",
            account_name=account_name,
            account_key=account_key,
            sas_token=sas_token,
            is_emulated=is_emulated,
            protocol=protocol,
            endpoint_suffix=endpoint_suffix,
            custom_domain=custom_domain,
            connection_string=connection_string,
        )
        super().__init__(make_blob_store(account, storage), request_session, socket_timeout)

    @property
    def is_emulated(self) -> bool:
        return self._store.account.is_emulated

    # containers -------------------------------------------------------------------------------
    def create_container(
        self,
        container_name: str,
        metadata: dict[str, str] | None = None,
        public_access: str | None = None,
        fail_on_exist: bool = False,
        timeout: int | None = None,
    ) -> bool:
        """Create a container; False if it exists (raises 409 when ``fail_on_exist``)."""
        _names.container_name(container_name)
        _names.metadata(metadata)
        if public_access is not None and str(public_access).lower() not in (
            "off",
            "blob",
            "container",
        ):
            raise ValidationError(
                "public_access", "must be None, 'off', 'blob' or 'container'", public_access
            )
        access = (
            None
            if public_access is None
            else str(getattr(public_access, "value", public_access)).lower()
        )
        created = self._store.create_container(
            container_name, metadata, None if access == "off" else access
        )
        if not created and fail_on_exist:
            raise exceptions.ResourceExistsError(
                "The specified container already exists.",
                status_code=409,
                code="ContainerAlreadyExists",
            )
        return created

    def delete_container(
        self,
        container_name: str,
        fail_not_exist: bool = False,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        timeout: int | None = None,
    ) -> bool:
        """Delete a container; False if missing (raises 404 when ``fail_not_exist``)."""
        _names.container_name(container_name)
        _refuse_unsupported(
            lease_id=lease_id,
            if_modified_since=if_modified_since,
            if_unmodified_since=if_unmodified_since,
        )
        deleted = self._store.delete_container(container_name)
        if not deleted and fail_not_exist:
            raise exceptions.ResourceNotFoundError(
                "The specified container does not exist.", status_code=404, code="ContainerNotFound"
            )
        return deleted

    def exists(
        self,
        container_name: str,
        blob_name: str | None = None,
        snapshot: str | None = None,
        timeout: int | None = None,
    ) -> bool:
        """Whether the container (or the blob in it) exists."""
        _names.container_name(container_name)
        _refuse_unsupported(snapshot=snapshot)
        if blob_name is None:
            return self._store.container_exists(container_name)
        _names.blob_name(blob_name)
        return self._store.blob_exists(container_name, blob_name)

    def list_containers(
        self,
        prefix: str | None = None,
        num_results: int | None = None,
        include_metadata: bool = False,
        marker: str | None = None,
        timeout: int | None = None,
    ) -> ListGenerator[Container]:
        """The account's containers, by name."""
        return page(self._store.list_containers(prefix), num_results, marker)

    # listing ----------------------------------------------------------------------------------
    def list_blobs(
        self,
        container_name: str,
        prefix: str | None = None,
        num_results: int | None = None,
        include: Include | str | None = None,
        delimiter: str | None = None,
        marker: str | None = None,
        timeout: int | None = None,
    ) -> ListGenerator[Blob | BlobPrefix]:
        """Blobs whose full ``name`` starts with ``prefix``, in name order.

        With ``delimiter`` (usually ``'/'``), names continuing past the next delimiter are folded
        into one :class:`BlobPrefix` per virtual directory.  ``num_results`` and ``marker`` page
        as in the legacy SDK (``next_marker`` on the result).
        """
        _names.container_name(container_name)
        if num_results is not None:
            _names.positive_int(num_results, "num_results")
        entries: list[Blob | BlobPrefix] = []
        seen_prefixes: set[str] = set()
        start = prefix or ""
        for blob in self._store.list_blobs(container_name, start):
            name = blob.name or ""
            if delimiter:
                cut = name.find(delimiter, len(start))
                if cut >= 0:
                    folded = name[: cut + len(delimiter)]
                    if folded not in seen_prefixes:
                        seen_prefixes.add(folded)
                        virtual = BlobPrefix()
                        virtual.name = folded
                        entries.append(virtual)
                    continue
            entries.append(blob)
        return page(entries, num_results, marker)

    # reads ------------------------------------------------------------------------------------
    def get_blob_to_stream(
        self,
        container_name: str,
        blob_name: str,
        stream: IO[bytes],
        snapshot: str | None = None,
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> Blob:
        """Write the blob (or bytes ``start_range..end_range``, inclusive) into ``stream``."""
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        refuse_conditions(
            snapshot, lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match
        )
        _names.byte_range(start_range, end_range)
        blob = self._store.get_blob(container_name, blob_name, stream, start_range, end_range)
        size = blob.properties.content_length
        report_progress(progress_callback, size or 0, size)
        return blob

    def get_blob_to_path(
        self,
        container_name: str,
        blob_name: str,
        file_path: str | os.PathLike[str],
        open_mode: str = "wb",
        snapshot: str | None = None,
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> Blob:
        """Download the blob into the local file ``file_path`` (opened with ``open_mode``)."""
        binary_mode(open_mode)
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        # A missing blob raises its 404 before the local file is created (or truncated).
        self._store.get_blob_properties(container_name, blob_name)
        with open(file_path, open_mode) as stream:
            return self.get_blob_to_stream(
                container_name, blob_name, stream, snapshot, start_range, end_range, validate_content,
                progress_callback, max_connections, lease_id, if_modified_since, if_unmodified_since,
                if_match, if_none_match, timeout,
            )  # fmt: skip

    def get_blob_to_bytes(
        self,
        container_name: str,
        blob_name: str,
        snapshot: str | None = None,
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> Blob:
        """The blob with its bytes in ``content``."""
        buffer = io.BytesIO()
        blob = self.get_blob_to_stream(
            container_name, blob_name, buffer, snapshot, start_range, end_range, validate_content,
            progress_callback, max_connections, lease_id, if_modified_since, if_unmodified_since,
            if_match, if_none_match, timeout,
        )  # fmt: skip
        blob.content = buffer.getvalue()
        return blob

    def get_blob_to_text(
        self,
        container_name: str,
        blob_name: str,
        encoding: str = "utf-8",
        snapshot: str | None = None,
        start_range: int | None = None,
        end_range: int | None = None,
        validate_content: bool = False,
        progress_callback: ProgressCallback | None = None,
        max_connections: int = 2,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> Blob:
        """The blob with its text (decoded with ``encoding``) in ``content``."""
        blob = self.get_blob_to_bytes(
            container_name, blob_name, snapshot, start_range, end_range, validate_content,
            progress_callback, max_connections, lease_id, if_modified_since, if_unmodified_since,
            if_match, if_none_match, timeout,
        )  # fmt: skip
        blob.content = blob.content.decode(encoding)
        return blob

    def get_blob_properties(
        self,
        container_name: str,
        blob_name: str,
        snapshot: str | None = None,
        lease_id: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> Blob:
        """The blob's properties (``content`` stays None)."""
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        refuse_conditions(
            snapshot, lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match
        )
        return self._store.get_blob_properties(container_name, blob_name)

    def delete_blob(
        self,
        container_name: str,
        blob_name: str,
        snapshot: str | None = None,
        lease_id: str | None = None,
        delete_snapshots: str | None = None,
        if_modified_since: Any = None,
        if_unmodified_since: Any = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        timeout: int | None = None,
    ) -> None:
        """Delete a blob (404 if it does not exist)."""
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        refuse_conditions(
            snapshot, lease_id, if_modified_since, if_unmodified_since, if_match, if_none_match
        )
        self._store.delete_blob(container_name, blob_name)

    # URLs and SAS -----------------------------------------------------------------------------
    def make_blob_url(
        self,
        container_name: str,
        blob_name: str,
        protocol: str | None = None,
        sas_token: str | None = None,
        snapshot: str | None = None,
    ) -> str:
        """The blob's URL, with ``sas_token`` appended when given.

        On local storage this is a loopback URL served by the local file server: readable (with
        ``Range``) while the SAS from :meth:`generate_blob_shared_access_signature` (or a
        container SAS) is valid, 403 without one.
        """
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        _refuse_unsupported(snapshot=snapshot)
        return self._store.blob_url(container_name, blob_name, sas_token)

    def make_container_url(
        self, container_name: str, protocol: str | None = None, sas_token: str | None = None
    ) -> str:
        """The container's URL, with ``sas_token`` appended when given."""
        _names.container_name(container_name)
        return self._store.container_url(container_name, sas_token)

    def generate_blob_shared_access_signature(
        self,
        container_name: str,
        blob_name: str,
        permission: Any = None,
        expiry: Any = None,
        start: Any = None,
        id: str | None = None,  # noqa: A002 - the legacy keyword
        ip: str | None = None,
        protocol: str | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A SAS token (query string) for one blob; ``permission`` and ``expiry`` are required."""
        _names.container_name(container_name)
        _names.blob_name(blob_name)
        return self._sas(container_name, blob_name, permission, expiry, start, id)

    def generate_container_shared_access_signature(
        self,
        container_name: str,
        permission: Any = None,
        expiry: Any = None,
        start: Any = None,
        id: str | None = None,  # noqa: A002 - the legacy keyword
        ip: str | None = None,
        protocol: str | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A SAS token (query string) for every blob of a container."""
        _names.container_name(container_name)
        return self._sas(container_name, None, permission, expiry, start, id)

    def _sas(
        self,
        container: str,
        blob: str | None,
        permission: Any,
        expiry: Any,
        start: Any,
        policy_id: str | None,
    ) -> str:
        return self._store.blob_sas(
            container, blob, *sas_grant(permission, expiry, start, policy_id, "BlobPermissions")
        )

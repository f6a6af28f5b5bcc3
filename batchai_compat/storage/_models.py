"""The value objects of the legacy storage SDK (azure-storage-blob / -file 1.x, azure-storage 0.36).

Old notebooks and helper modules read these by attribute (``blob.name``,
``blob.properties.content_length``) and test them by class (``isinstance(f,
azure.storage.file.models.File)``), so they keep the legacy names, constructor arguments and
attributes.  They are plain mutable objects, as they were.  Both implementations (local folders
and Azure Storage v12) return them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")


def _fields_repr(obj: object, names: tuple[str, ...]) -> str:
    shown = ", ".join(f"{name}={getattr(obj, name)!r}" for name in names)
    return f"{type(obj).__name__}({shown})"


class ContentSettings:
    """Content headers of a blob or file (``content_type``, ``content_encoding``, ...)."""

    def __init__(
        self,
        content_type: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        content_disposition: str | None = None,
        cache_control: str | None = None,
        content_md5: str | None = None,
    ) -> None:
        self.content_type = content_type
        self.content_encoding = content_encoding
        self.content_language = content_language
        self.content_disposition = content_disposition
        self.cache_control = cache_control
        self.content_md5 = content_md5

    def __repr__(self) -> str:
        return _fields_repr(self, ("content_type", "content_encoding", "content_md5"))


class ResourceProperties:
    """What a write returned: ``etag`` and ``last_modified`` of the new version."""

    def __init__(self) -> None:
        self.last_modified: datetime | None = None
        self.etag: str | None = None

    def __repr__(self) -> str:
        return _fields_repr(self, ("etag", "last_modified"))


class CopyProperties:
    """Copy status of a blob or file (always empty: copies are not offered by these faces)."""

    def __init__(self) -> None:
        self.id = None
        self.source = None
        self.status = None
        self.progress = None
        self.completion_time = None
        self.status_description = None


class LeaseProperties:
    """Lease state of a blob or container (leases are not offered: always unlocked)."""

    def __init__(self) -> None:
        self.status: str | None = "unlocked"
        self.state: str | None = "available"
        self.duration: str | None = None


# blobs ----------------------------------------------------------------------------------------
class ContainerProperties:
    def __init__(self) -> None:
        self.last_modified: datetime | None = None
        self.etag: str | None = None
        self.lease = LeaseProperties()
        self.public_access: str | None = None
        self.has_immutability_policy = False
        self.has_legal_hold = False


class Container:
    """A blob container as ``list_containers`` yields it."""

    def __init__(
        self,
        name: str | None = None,
        props: ContainerProperties | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.properties = props or ContainerProperties()
        self.metadata = metadata

    def __repr__(self) -> str:
        return _fields_repr(self, ("name",))


class BlobProperties:
    """System properties of a blob (``blob_type``, ``content_length``, ``etag``, ...)."""

    def __init__(self) -> None:
        self.blob_type: str | None = None
        self.last_modified: datetime | None = None
        self.etag: str | None = None
        self.content_length: int | None = None
        self.content_range: str | None = None
        self.append_blob_committed_block_count = None
        self.page_blob_sequence_number = None
        self.server_encrypted: bool | None = None
        self.copy = CopyProperties()
        self.content_settings = ContentSettings()
        self.lease = LeaseProperties()
        self.blob_tier = None
        self.blob_tier_change_time = None
        self.blob_tier_inferred = False
        self.deleted_time = None
        self.remaining_retention_days = None
        self.creation_time: datetime | None = None

    def __repr__(self) -> str:
        return _fields_repr(self, ("blob_type", "content_length", "etag", "last_modified"))


class Blob:
    """A blob: ``name`` (the full name, ``'dir/sub/file.txt'``), ``content``, ``properties``."""

    def __init__(
        self,
        name: str | None = None,
        snapshot: str | None = None,
        content: Any = None,
        props: BlobProperties | None = None,
        metadata: dict[str, str] | None = None,
        deleted: bool = False,
    ) -> None:
        self.name = name
        self.snapshot = snapshot
        self.content = content
        self.properties = props or BlobProperties()
        self.metadata = metadata
        self.deleted = deleted

    def __repr__(self) -> str:
        return _fields_repr(self, ("name", "properties"))


class BlobPrefix:
    """A virtual directory of ``list_blobs(..., delimiter='/')``."""

    def __init__(self) -> None:
        self.name: str | None = None

    def __repr__(self) -> str:
        return _fields_repr(self, ("name",))


class PublicAccess:
    """Anonymous access level of a container."""

    OFF = "off"
    Blob = "blob"
    Container = "container"


class Include:
    """What ``list_blobs`` includes besides names and properties (``metadata`` is honoured)."""

    def __init__(
        self,
        snapshots: bool = False,
        metadata: bool = False,
        uncommitted_blobs: bool = False,
        copy: bool = False,
        deleted: bool = False,
        _str: str | None = None,
    ) -> None:
        text = _str or ""
        components = set(text.split(",")) if text else set()
        self.snapshots = snapshots or "snapshots" in components
        self.metadata = metadata or "metadata" in components
        self.uncommitted_blobs = uncommitted_blobs or "uncommittedblobs" in components
        self.copy = copy or "copy" in components
        self.deleted = deleted or "deleted" in components

    def __str__(self) -> str:
        parts = [
            ("snapshots", self.snapshots),
            ("metadata", self.metadata),
            ("uncommittedblobs", self.uncommitted_blobs),
            ("copy", self.copy),
            ("deleted", self.deleted),
        ]
        return ",".join(name for name, on in parts if on)


Include.SNAPSHOTS = Include(snapshots=True)  # type: ignore[attr-defined]
Include.METADATA = Include(metadata=True)  # type: ignore[attr-defined]
Include.UNCOMMITTED_BLOBS = Include(uncommitted_blobs=True)  # type: ignore[attr-defined]
Include.COPY = Include(copy=True)  # type: ignore[attr-defined]
Include.DELETED = Include(deleted=True)  # type: ignore[attr-defined]


# permissions ----------------------------------------------------------------------------------
class _Permissions:
    """A set of SAS permission letters; ``str()`` gives them in the service's order.

    Subclasses list ``(attribute, letter)`` pairs in ``_FLAGS``; instances combine with ``+``
    and ``|`` (``BlobPermissions.READ + BlobPermissions.WRITE``), as in the legacy SDK.
    """

    _FLAGS: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The legacy one-permission constants (``BlobPermissions.READ``, ``SharePermissions.LIST``).
        for attribute, letter in cls._FLAGS:
            setattr(cls, attribute.upper(), cls(_str=letter))

    def __init__(self, _str: str | None = None, **flags: bool) -> None:
        text = _str or ""
        for attribute, letter in self._FLAGS:
            setattr(self, attribute, bool(flags.get(attribute)) or letter in text)

    def __str__(self) -> str:
        return "".join(letter for attribute, letter in self._FLAGS if getattr(self, attribute))

    def __or__(self, other: object) -> _Permissions:
        return type(self)(_str=str(self) + str(other))

    __add__ = __or__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Permissions) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(_str={str(self)!r})"


class BlobPermissions(_Permissions):
    """Permissions of a blob SAS: read, add, create, write, delete."""

    _FLAGS = (("read", "r"), ("add", "a"), ("create", "c"), ("write", "w"), ("delete", "d"))

    def __init__(
        self,
        read: bool = False,
        add: bool = False,
        create: bool = False,
        write: bool = False,
        delete: bool = False,
        _str: str | None = None,
    ) -> None:
        super().__init__(_str, read=read, add=add, create=create, write=write, delete=delete)

    READ: ClassVar[BlobPermissions]
    ADD: ClassVar[BlobPermissions]
    CREATE: ClassVar[BlobPermissions]
    WRITE: ClassVar[BlobPermissions]
    DELETE: ClassVar[BlobPermissions]


class ContainerPermissions(_Permissions):
    """Permissions of a container SAS: read, write, delete, list."""

    _FLAGS = (("read", "r"), ("write", "w"), ("delete", "d"), ("list", "l"))

    def __init__(
        self,
        read: bool = False,
        write: bool = False,
        delete: bool = False,
        list: bool = False,  # noqa: A002 - the legacy keyword
        _str: str | None = None,
    ) -> None:
        super().__init__(_str, read=read, write=write, delete=delete, list=list)

    READ: ClassVar[ContainerPermissions]
    WRITE: ClassVar[ContainerPermissions]
    DELETE: ClassVar[ContainerPermissions]
    LIST: ClassVar[ContainerPermissions]


class FilePermissions(_Permissions):
    """Permissions of a file SAS: read, create, write, delete."""

    _FLAGS = (("read", "r"), ("create", "c"), ("write", "w"), ("delete", "d"))

    def __init__(
        self,
        read: bool = False,
        create: bool = False,
        write: bool = False,
        delete: bool = False,
        _str: str | None = None,
    ) -> None:
        super().__init__(_str, read=read, create=create, write=write, delete=delete)

    READ: ClassVar[FilePermissions]
    CREATE: ClassVar[FilePermissions]
    WRITE: ClassVar[FilePermissions]
    DELETE: ClassVar[FilePermissions]


class SharePermissions(_Permissions):
    """Permissions of a share SAS: read, create, write, delete, list."""

    _FLAGS = (("read", "r"), ("create", "c"), ("write", "w"), ("delete", "d"), ("list", "l"))

    def __init__(
        self,
        read: bool = False,
        create: bool = False,
        write: bool = False,
        delete: bool = False,
        list: bool = False,  # noqa: A002 - the legacy keyword
        _str: str | None = None,
    ) -> None:
        super().__init__(_str, read=read, create=create, write=write, delete=delete, list=list)

    READ: ClassVar[SharePermissions]
    CREATE: ClassVar[SharePermissions]
    WRITE: ClassVar[SharePermissions]
    DELETE: ClassVar[SharePermissions]
    LIST: ClassVar[SharePermissions]


# files ----------------------------------------------------------------------------------------
class ShareProperties:
    def __init__(self) -> None:
        self.last_modified: datetime | None = None
        self.etag: str | None = None
        self.quota: int | None = None


class Share:
    """A file share as ``list_shares`` yields it."""

    def __init__(
        self,
        name: str | None = None,
        props: ShareProperties | None = None,
        metadata: dict[str, str] | None = None,
        snapshot: str | None = None,
    ) -> None:
        self.name = name
        self.properties = props or ShareProperties()
        self.metadata = metadata
        self.snapshot = snapshot

    def __repr__(self) -> str:
        return _fields_repr(self, ("name",))


class DirectoryProperties:
    def __init__(self) -> None:
        self.last_modified: datetime | None = None
        self.etag: str | None = None
        self.server_encrypted: bool | None = None


class Directory:
    """A directory entry of ``list_directories_and_files`` (``name`` is the entry's own name)."""

    def __init__(
        self,
        name: str | None = None,
        props: DirectoryProperties | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.properties = props or DirectoryProperties()
        self.metadata = metadata

    def __repr__(self) -> str:
        return _fields_repr(self, ("name",))


class FileProperties:
    """System properties of a file (``content_length``, ``last_modified``, ``etag``, ...)."""

    def __init__(self) -> None:
        self.last_modified: datetime | None = None
        self.etag: str | None = None
        self.content_length: int | None = None
        self.content_range: str | None = None
        self.content_settings = ContentSettings()
        self.copy = CopyProperties()
        self.server_encrypted: bool | None = None

    def __repr__(self) -> str:
        return _fields_repr(self, ("content_length", "etag", "last_modified"))


class File:
    """A file entry of ``list_directories_and_files``, or a downloaded file with ``content``."""

    def __init__(
        self,
        name: str | None = None,
        content: Any = None,
        props: FileProperties | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.content = content
        self.properties = props or FileProperties()
        self.metadata = metadata

    def __repr__(self) -> str:
        return _fields_repr(self, ("name", "properties"))


class DeleteSnapshot:
    """How ``delete_blob`` / ``delete_share`` treat snapshots (none are kept by these faces)."""

    Include = "include"
    Only = "only"


class ListGenerator(Generic[T]):
    """What ``list_blobs`` / ``list_directories_and_files`` return: iterate it for the items.

    ``next_marker`` is set when ``num_results`` cut the listing short: pass it as ``marker`` to
    continue, as with the legacy SDK.
    """

    def __init__(self, items: list[T], next_marker: str | None = None) -> None:
        self.items = items
        self.next_marker = next_marker

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"ListGenerator({len(self.items)} items, next_marker={self.next_marker!r})"


def page(
    items: Iterable[Any], num_results: int | None, marker: str | None = None
) -> ListGenerator[Any]:
    """The first ``num_results`` of ``items`` (sorted by name) from ``marker`` on, with ``next_marker`` when cut."""
    listed = [item for item in items if marker is None or (item.name or "") >= marker]
    if num_results is None or len(listed) <= num_results:
        return ListGenerator(listed)
    return ListGenerator(listed[:num_results], next_marker=listed[num_results].name)

"""Which storage account a legacy service object talks to, and through which implementation.

The legacy constructors took ``account_name`` + ``account_key`` (or ``sas_token``), or a
``connection_string``, or ``is_emulated=True``, plus ``protocol`` / ``endpoint_suffix`` /
``custom_domain``.  :func:`resolve_account` turns those into one :class:`StorageAccount` whose
``repr`` never shows the key, SAS token or connection string.

:func:`select_implementation` decides where the data goes:

1. the ``storage=`` keyword of ``BlockBlobService`` / ``FileService`` (``"local"`` or
   ``"azure"``);
2. the ``BATCHAI_COMPAT_STORAGE`` environment variable (same values);
3. an explicit service endpoint — ``is_emulated=True``, ``custom_domain``, or a connection
   string naming ``BlobEndpoint`` / ``FileEndpoint`` (Azurite, say) — means that service:
   ``"azure"``;
4. the selected Batch AI backend (``BATCHAI_COMPAT_BACKEND``, default ``local``): ``local``
   writes to the local backend's per-account folders, any other backend (``azureml``) to Azure
   Storage.  Plain ``account_name`` + ``account_key`` (what the recipes pass) follow the backend,
   so on the local backend a notebook's uploads land where its local jobs mount them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from ..exceptions import ValidationError

ENV_STORAGE = "BATCHAI_COMPAT_STORAGE"
ENV_BACKEND = "BATCHAI_COMPAT_BACKEND"

Implementation = Literal["local", "azure"]
_IMPLEMENTATIONS: tuple[Implementation, ...] = ("local", "azure")

# The storage emulator's well-known development account (Azurite uses it too).  Public by design.
DEV_ACCOUNT_NAME = "devstoreaccount1"
DEV_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
_EMULATOR_BLOB = "http://127.0.0.1:10000"


def select_implementation(
    storage: str | None, account: StorageAccount | None = None
) -> Implementation:
    """``"local"`` or ``"azure"``: ``storage=`` › ``$BATCHAI_COMPAT_STORAGE`` › endpoint › backend."""
    for source, value in (("storage", storage), (ENV_STORAGE, os.environ.get(ENV_STORAGE))):
        if value:
            normalized = value.strip().lower()
            if normalized not in _IMPLEMENTATIONS:
                raise ValidationError(
                    source, f"must be one of {', '.join(_IMPLEMENTATIONS)}", value
                )
            return "local" if normalized == "local" else "azure"
    if account is not None and account.explicit_endpoint:
        return "azure"
    backend = (os.environ.get(ENV_BACKEND) or "local").strip().lower()
    return "local" if backend == "local" else "azure"


@dataclass(frozen=True)
class StorageAccount:
    """One storage account and how to reach its ``service`` (``"blob"`` or ``"file"``).

    ``endpoint`` is the service's base URL without a trailing slash
    (``https://acct.blob.core.windows.net``, ``http://127.0.0.1:10000/devstoreaccount1``).
    Secrets are excluded from ``repr``.
    """

    name: str
    service: str
    endpoint: str
    key: str | None = field(default=None, repr=False)
    sas_token: str | None = field(default=None, repr=False)
    connection_string: str | None = field(default=None, repr=False)
    is_emulated: bool = False
    explicit_endpoint: bool = False

    @property
    def protocol(self) -> str:
        return urlsplit(self.endpoint).scheme

    @property
    def primary_endpoint(self) -> str:
        """Host (and path) without the scheme, as the legacy ``primary_endpoint`` attribute."""
        parts = urlsplit(self.endpoint)
        return parts.netloc + parts.path


def _parse_connection_string(text: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in text.split(";"):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep:
            # Never echo the text: it holds the account key.
            raise ValidationError("connection_string", "must be Key=Value pairs separated by ';'")
        settings[key.strip()] = value.strip()
    return settings


def resolve_account(
    service: str,
    *,
    account_name: str | None,
    account_key: str | None,
    sas_token: str | None,
    is_emulated: bool,
    protocol: str | None,
    endpoint_suffix: str | None,
    custom_domain: str | None,
    connection_string: str | None,
) -> StorageAccount:
    """Resolve the legacy constructor arguments (see the module docstring) for ``service``."""
    if connection_string:
        settings = _parse_connection_string(connection_string)
        if settings.get("UseDevelopmentStorage", "").lower() == "true":
            return _emulated(service, custom_domain, sas_token)
        name = settings.get("AccountName")
        explicit = settings.get("BlobEndpoint" if service == "blob" else "FileEndpoint")
        if explicit:
            endpoint = explicit.rstrip("/")
            if not name:
                name = urlsplit(endpoint).netloc.split(".")[0]
        else:
            if not name:
                raise ValidationError(
                    "connection_string", "must name AccountName or a service endpoint"
                )
            scheme = settings.get("DefaultEndpointsProtocol", "https")
            suffix = settings.get("EndpointSuffix", "core.windows.net")
            endpoint = f"{scheme}://{name}.{service}.{suffix}"
        return StorageAccount(
            name=name,
            service=service,
            endpoint=endpoint,
            key=settings.get("AccountKey") or None,
            sas_token=settings.get("SharedAccessSignature") or None,
            connection_string=connection_string,
            explicit_endpoint=bool(explicit),
        )
    if is_emulated:
        return _emulated(service, custom_domain, sas_token)
    if not account_name:
        raise ValidationError(
            "account_name",
            "is required (or pass connection_string, or is_emulated=True)",
        )
    scheme = (protocol or "https").lower()
    if custom_domain:
        parts = urlsplit(custom_domain if "//" in custom_domain else f"//{custom_domain}")
        endpoint = f"{parts.scheme or scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    else:
        endpoint = f"{scheme}://{account_name}.{service}.{endpoint_suffix or 'core.windows.net'}"
    return StorageAccount(
        name=account_name,
        service=service,
        endpoint=endpoint,
        key=account_key.strip() if account_key else None,
        sas_token=sas_token.lstrip("?") if sas_token else None,
        explicit_endpoint=bool(custom_domain),
    )


def _emulated(service: str, custom_domain: str | None, sas_token: str | None) -> StorageAccount:
    base = (custom_domain or _EMULATOR_BLOB).rstrip("/")
    return StorageAccount(
        name=DEV_ACCOUNT_NAME,
        service=service,
        endpoint=f"{base}/{DEV_ACCOUNT_NAME}",
        key=None if sas_token else DEV_ACCOUNT_KEY,
        sas_token=sas_token.lstrip("?") if sas_token else None,
        is_emulated=True,
        explicit_endpoint=True,
    )

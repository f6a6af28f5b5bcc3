"""Local storage accounts themselves: what ``az storage account create | show | list | delete |
keys list`` did for the accounts Batch AI runbooks mounted.

The legacy ``BlockBlobService`` / ``FileService`` faces only ever saw an account's data.  On
local folders an account is the folder ``$BATCHAI_COMPAT_HOME/storage/<account>/`` (see
:mod:`batchai_compat.home.layout`); one written by the faces without being created
here still lists, with an unknown resource group.  Creating one records its resource group,
location, SKU and kind in ``storage/<account>/.account.json``.

Keys: local folders check no key, so an account's two keys are derived from its name
(:func:`account_keys`): stable, printable, and worth nothing — a runbook's
``az storage account keys list ... --query [0].value`` gets a value to pass on, as before.
Accounts on Azure Storage are Azure Resource Manager's to create and to list keys of
(``az storage account ...``); this module is for the local folders only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import exceptions
from ..exceptions import ValidationError
from ..home import layout

__all__ = [
    "AccountRecord",
    "account_keys",
    "create_account",
    "delete_account",
    "get_account",
    "list_accounts",
]

_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_RECORD = ".account.json"


@dataclass(frozen=True)
class AccountRecord:
    """One local storage account: its name and what ``az storage account create`` was told."""

    name: str
    resource_group: str | None
    location: str | None
    sku: str
    kind: str
    creation_time: str | None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError(
            "account_name", "must be 3-24 characters of lower-case letters and digits", name
        )
    return name


def _folder(name: str, root: Path | None) -> Path:
    return (root or layout.home()) / "storage" / _check_name(name)


def _read(folder: Path) -> AccountRecord:
    try:
        data = json.loads((folder / _RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return AccountRecord(
        name=folder.name,
        resource_group=data.get("resource_group"),
        location=data.get("location"),
        sku=data.get("sku") or "Standard_LRS",
        kind=data.get("kind") or "StorageV2",
        creation_time=data.get("creation_time"),
    )


def create_account(
    name: str,
    resource_group: str,
    location: str,
    sku: str = "Standard_LRS",
    kind: str = "StorageV2",
    root: Path | None = None,
) -> AccountRecord:
    """Create (or, like ARM's PUT, update) account ``name``; 409 when another group owns it."""
    folder = _folder(name, root)
    if folder.is_dir():
        existing = _read(folder)
        if existing.resource_group and existing.resource_group.lower() != resource_group.lower():
            raise exceptions.cloud_error(
                409,
                "StorageAccountAlreadyTaken",
                f"The storage account named {name} is already taken.",
            )
        created = existing.creation_time
    else:
        created = None
    record = AccountRecord(
        name=name,
        resource_group=resource_group,
        location=location,
        sku=sku,
        kind=kind,
        creation_time=created or datetime.now(timezone.utc).isoformat(),
    )
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".account.{secrets.token_hex(4)}.tmp"
    tmp.write_text(json.dumps(asdict(record)), encoding="utf-8")
    os.replace(tmp, folder / _RECORD)
    return record


def get_account(name: str, root: Path | None = None) -> AccountRecord:
    """Account ``name``; 404 ``StorageAccountNotFound`` when its folder does not exist."""
    folder = _folder(name, root)
    if not folder.is_dir():
        raise exceptions.cloud_error(
            404, "StorageAccountNotFound", f"The storage account {name} was not found."
        )
    return _read(folder)


def list_accounts(
    resource_group: str | None = None, root: Path | None = None
) -> list[AccountRecord]:
    """Every local account (of ``resource_group`` when given), by name."""
    base = (root or layout.home()) / "storage"
    if not base.is_dir():
        return []
    records = [_read(Path(entry.path)) for entry in os.scandir(base) if entry.is_dir()]
    records = [r for r in records if _NAME.match(r.name)]
    if resource_group is not None:
        wanted = resource_group.lower()
        records = [r for r in records if (r.resource_group or "").lower() == wanted]
    return sorted(records, key=lambda r: r.name)


def delete_account(name: str, root: Path | None = None) -> bool:
    """Remove the account and all its containers and shares; False when it does not exist."""
    folder = _folder(name, root)
    if not folder.is_dir():
        return False
    doomed = folder.with_name(f".deleted-{name}-{secrets.token_hex(4)}")
    os.replace(folder, doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    return True


def account_keys(name: str) -> tuple[str, str]:
    """``key1`` and ``key2`` of local account ``name`` (derived from its name; see above)."""
    _check_name(name)
    return tuple(  # type: ignore[return-value]
        base64.b64encode(
            hashlib.sha512(f"batchai_compat local storage account {name} key{n}".encode()).digest()
        ).decode()
        for n in (1, 2)
    )

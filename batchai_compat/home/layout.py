"""Where the local backend keeps things on disk.

Everything lives under ``BATCHAI_COMPAT_HOME`` (default ``~/.batchai_compat``)::

    state.db                                  SQLite control plane (no secret ever)
    storage/<account>/blob/<container>/...    Azure blob containers of storage account <account>
    storage/<account>/file/<share>/...        Azure file shares of storage account <account>
    fileservers/<rg>/<ws>/<name>/             Batch AI file servers (NFS) as folders
    jobs/<rg>/<ws>/<experiment>/<job>/<uuid>/ a job run: nodes' homes, temp dirs, default outputs

Storage accounts are folders: what the legacy ``BlockBlobService`` / ``FileService`` faces write
with the local backend is what a local job sees through its ``mount_volumes``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import ValidationError

ENV_HOME = "BATCHAI_COMPAT_HOME"


def home() -> Path:
    """The local backend's root folder (``$BATCHAI_COMPAT_HOME`` or ``~/.batchai_compat``)."""
    root = os.environ.get(ENV_HOME) or os.path.join(os.path.expanduser("~"), ".batchai_compat")
    return Path(root).resolve()


def _segment(kind: str, value: str) -> str:
    if not value or value in (".", "..") or "/" in value or "\\" in value or "\x00" in value:
        raise ValidationError(kind, "must be a single, non-empty path segment", value)
    return value


def state_db_path(root: Path | None = None) -> Path:
    return (root or home()) / "state.db"


def blob_container_dir(account: str, container: str, root: Path | None = None) -> Path:
    """Folder standing for blob container ``container`` of storage account ``account``."""
    return (
        (root or home())
        / "storage"
        / _segment("account_name", account)
        / "blob"
        / _segment("container_name", container)
    )


def file_share_dir(account: str, share: str, root: Path | None = None) -> Path:
    """Folder standing for Azure file share ``share`` of storage account ``account``."""
    return (
        (root or home())
        / "storage"
        / _segment("account_name", account)
        / "file"
        / _segment("share_name", share)
    )


def file_server_dir(
    resource_group: str, workspace: str, name: str, root: Path | None = None
) -> Path:
    """Folder standing for a Batch AI file server's NFS export."""
    return (
        (root or home())
        / "fileservers"
        / _segment("resource_group_name", resource_group)
        / _segment("workspace_name", workspace)
        / _segment("file_server_name", name)
    )


def job_run_dir(
    resource_group: str,
    workspace: str,
    experiment: str,
    job: str,
    job_uuid: str,
    root: Path | None = None,
) -> Path:
    """Folder of one job run: node homes, temp dirs, supervisor files."""
    return (
        (root or home())
        / "jobs"
        / _segment("resource_group_name", resource_group)
        / _segment("workspace_name", workspace)
        / _segment("experiment_name", experiment)
        / _segment("job_name", job)
        / _segment("job_uuid", job_uuid)
    )


def resolve_inside(base: Path, relative: str) -> Path:
    """``base / relative``, refusing paths that escape ``base`` (``..``, absolute paths, links)."""
    target = (base / relative.lstrip("/")).resolve()
    base = base.resolve()
    if target != base and base not in target.parents:
        raise ValidationError("path", f"must stay inside {base}", relative)
    return target

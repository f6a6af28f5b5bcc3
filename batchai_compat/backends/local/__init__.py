"""The ``local`` backend: Batch AI on this machine (SQLite control plane, local processes).

``LocalBackend`` is imported on first access, so importing a submodule (the store, the
scheduler) does not load the models.  The folders under ``$BATCHAI_COMPAT_HOME`` and the loopback
file server, shared with the legacy storage faces, are in :mod:`batchai_compat.home`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["LocalBackend"]

if TYPE_CHECKING:
    from .backend import LocalBackend


def __getattr__(name: str) -> Any:
    if name == "LocalBackend":
        from .backend import LocalBackend

        return LocalBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

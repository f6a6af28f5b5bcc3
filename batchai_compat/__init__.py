"""batchai_compat: the Azure Batch AI client (azure-mgmt-batchai 2.0.0), on backends that exist.

Change one import and old Batch AI code keeps running::

    from batchai_compat import BatchAIManagementClient
    import batchai_compat.models as models

or alias the old package names once with ``import batchai_compat.install`` (or
``batchai_compat.install()``).

Heavy pieces load on first use: ``import batchai_compat`` imports neither pydantic, azure-core
nor any backend SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = [
    "BatchAI",
    "BatchAIManagementClient",
    "__version__",
    "exceptions",
    "models",
]

if TYPE_CHECKING:
    from . import exceptions, models
    from .client import BatchAI, BatchAIManagementClient

_LAZY = {
    "BatchAIManagementClient": (".client", "BatchAIManagementClient"),
    "BatchAI": (".client", "BatchAI"),
    "models": (".models", None),
    "exceptions": (".exceptions", None),
    # ``batchai_compat.install()``: importing the module installs the aliases; it is callable.
    # Not in __all__, so a star import never installs them as a side effect.
    "install": (".install", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(module_name, __name__)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The curated names, dunders and loaded submodules; not helpers such as ``Any``.
    loaded = {n for n, v in globals().items() if n.startswith("__") or type(v) is type(importlib)}
    return sorted(loaded | set(__all__))

"""The seven Batch AI operation groups of ``BatchAIManagementClient`` (azure-mgmt-batchai 2.0.0).

Each group owns 2.0.0's method signatures (positional order, ``custom_headers=None, raw=False,
polling=True, **operation_config``), validates every argument before any side effect, calls the
backend through :class:`~batchai_compat.backends.base.Backend`, and returns what 2.0.0 returned:
models, pollers (:class:`LROPoller`) or pagers (``*Paged``).

They are typed for the caller: pagers of their model (``JobPaged`` yields ``Job``), pollers of
their result (``LROPoller[Job]``), and each method returning a model or a poller has three
overloads on ``raw``: ``Literal[False]`` (the default) gives the model (``LROPoller[Job]``),
``raw=True`` a :class:`~batchai_compat.core.raw.ClientRawResponse` of it
(``LROPoller[ClientRawResponse[Job]]``), a ``bool`` either.  ``tests/typecheck/`` holds the
mypy checks of those types.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.polling import LROPoller
    from .clusters import ClustersOperations
    from .experiments import ExperimentsOperations
    from .file_servers import FileServersOperations
    from .jobs import JobsOperations
    from .operations import Operations
    from .usages import UsagesOperations
    from .workspaces import WorkspacesOperations

#: Each name and the module holding it, imported on first use: a process reading one job builds
#: one group (start-up is measured, benchmarks 1b and 6).
_MODULES = {
    "ClustersOperations": ".clusters",
    "ExperimentsOperations": ".experiments",
    "FileServersOperations": ".file_servers",
    "JobsOperations": ".jobs",
    "LROPoller": "..core.polling",
    "Operations": ".operations",
    "UsagesOperations": ".usages",
    "WorkspacesOperations": ".workspaces",
}

__all__ = [
    "ClustersOperations",
    "ExperimentsOperations",
    "FileServersOperations",
    "JobsOperations",
    "LROPoller",
    "Operations",
    "UsagesOperations",
    "WorkspacesOperations",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

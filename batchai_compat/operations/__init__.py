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

from ..core.polling import LROPoller
from .clusters import ClustersOperations
from .experiments import ExperimentsOperations
from .file_servers import FileServersOperations
from .jobs import JobsOperations
from .operations import Operations
from .usages import UsagesOperations
from .workspaces import WorkspacesOperations

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

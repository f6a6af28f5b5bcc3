"""The Azure Machine Learning v1 backend (``backend="azureml"``; extra ``batchai-compat[azureml]``).

:mod:`.translate` holds the pure Batch AI → azureml-core translation (on the decisions shared with
the v2 backend in :mod:`batchai_compat.backends._azureml_common`), :mod:`.backend` and its thin
adapters the side effects (:mod:`._private` is the only user of azureml-core's private API),
:mod:`.node` the node-side adapter that runs inside Azure ML runs.  Importing this
package imports neither azureml-core nor pydantic: :class:`AzureMLBackend` is loaded on first
access, when the registry selects the backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AzureMLBackend"]

if TYPE_CHECKING:
    from .backend import AzureMLBackend


def __getattr__(name: str) -> Any:
    if name == "AzureMLBackend":
        from .backend import AzureMLBackend

        return AzureMLBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

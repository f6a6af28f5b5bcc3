"""The Azure Machine Learning v2 backend (``backend="azureml-v2"``; extra ``batchai-compat[azureml-v2]``).

:mod:`.translate` holds the pure Batch AI -> Azure ML v2 translation (YAML-shaped documents, no
azure-ai-ml import), :mod:`.entities` builds azure-ai-ml objects from them, :mod:`.backend` the
side effects, :mod:`.shims` the private azure-ai-ml attributes it reads.  The node side is
:mod:`batchai_compat.backends._azureml_common.node` (one node adapter for both SDKs).
Importing this package imports neither azure-ai-ml nor pydantic: :class:`AzureMLV2Backend` is
loaded on first access, when the registry selects the backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AzureMLV2Backend"]

if TYPE_CHECKING:
    from .backend import AzureMLV2Backend


def __getattr__(name: str) -> Any:
    if name == "AzureMLV2Backend":
        from .backend import AzureMLV2Backend

        return AzureMLV2Backend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

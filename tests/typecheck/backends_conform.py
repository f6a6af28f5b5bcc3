"""Each built-in backend class satisfies the ``Backend`` protocol, as mypy sees it.

mypy checks this module (``[tool.mypy] files`` in pyproject.toml; CI runs mypy), and
``test_typecheck.py`` runs mypy on it.  Each function below makes mypy check that a
backend class, built from a client's config as the registry builds it, is a ``Backend``
(every method, with its signature).  A backend added to the registry adds its function here,
keyed by its registry target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from batchai_compat.backends.azureml import AzureMLBackend
    from batchai_compat.backends.azureml_v2 import AzureMLV2Backend
    from batchai_compat.backends.base import Backend, BackendConfig
    from batchai_compat.backends.local import LocalBackend


def local(config: BackendConfig) -> Backend:
    return LocalBackend(config)


def azureml(config: BackendConfig) -> Backend:
    return AzureMLBackend(config)


def azureml_v2(config: BackendConfig) -> Backend:
    return AzureMLV2Backend(config)


#: registry target -> the function that makes mypy check that class
CHECKED: dict[str, Callable[[BackendConfig], Backend]] = {
    "batchai_compat.backends.local:LocalBackend": local,
    "batchai_compat.backends.azureml:AzureMLBackend": azureml,
    "batchai_compat.backends.azureml_v2:AzureMLV2Backend": azureml_v2,
}

"""``client.operations``: the provider's REST operations (2.0.0's ``Operations``)."""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ..domain.ids import PROVIDER
from ._group import OperationGroup, ResourcePath

__all__ = ["Operations"]


class Operations(OperationGroup):
    """``list()``: the Microsoft.BatchAI operations the backend serves."""

    def list(
        self,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.OperationPaged:
        """An :class:`~batchai_compat.models.OperationPaged` of ``models.Operation``."""
        at = ResourcePath((), f"/providers/{PROVIDER}/operations")
        return self._paged(_models.OperationPaged, at, self._backend.list_operations, raw=raw)

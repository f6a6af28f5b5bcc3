"""``client.usages``: regional core quota (2.0.0's ``UsagesOperations``)."""

from __future__ import annotations

from typing import Any

from .. import models as _models
from ..domain.ids import PROVIDER
from ._group import OperationGroup
from ._validation import check_location

__all__ = ["UsagesOperations"]


class UsagesOperations(OperationGroup):
    """``list(location)``: dedicated and low-priority cores in use versus the quota."""

    def list(
        self,
        location: str,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> _models.UsagePaged:
        """The Usage entries of ``location``, as a :class:`~batchai_compat.models.UsagePaged`."""
        location = check_location(location)
        at = self._subscription().joinpath(f"providers/{PROVIDER}/locations/{location}/usages")
        return self._paged(_models.UsagePaged, at, self._backend.list_usages, location, raw=raw)

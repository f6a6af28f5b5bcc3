"""Subscription quota usages (``usages.list``) and the provider's operation catalogue
(``operations.list``)."""

from typing import Any

from ._base import Model, field, readonly
from .enums import UsageUnit

__all__ = ["UsageName", "Usage", "OperationDisplay", "Operation"]


class UsageName(Model):
    """The name of a quota (e.g. cores of a VM family), plain and localized."""

    value: str | None = readonly("value")
    localized_value: str | None = readonly("localizedValue")


class Usage(Model):
    """The current use and limit of one quota."""

    unit: UsageUnit | None = readonly("unit", wire="str")
    current_value: int | None = readonly("currentValue")
    limit: int | None = readonly("limit", wire="long")
    name: UsageName | None = readonly("name")


class OperationDisplay(Model):
    """Human-readable description of a provider operation."""

    provider: str | None = readonly("provider")
    operation: str | None = readonly("operation")
    resource: str | None = readonly("resource")
    description: str | None = readonly("description")


class Operation(Model):
    """One REST operation the Microsoft.BatchAI provider offers."""

    name: str | None = readonly("name")
    display: OperationDisplay | None = field("display", default=None)
    origin: str | None = readonly("origin")
    properties: Any = field("properties", default=None)

"""Batch AI ``usages.list`` on Azure ML v1: the subscription's quota in a location.

azureml-core reads it with ``AmlCompute.list_usages(workspace)``, which only needs the workspace
for its subscription and location; the REST list itself needs no workspace, so it is read
directly with the SDK's authentication header (public API only).  The Batch AI layout of the
entries is :func:`batchai_compat.backends._azureml_common.usages.batchai_usages`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["usage_entries"]


#: Azure ML's usages REST API version (the list has kept its shape since Batch AI's days).
_USAGES_API_VERSION = "2022-10-01"


def usage_entries(auth: Any, subscription_id: str, location: str) -> list[Any]:
    """The subscription's Azure ML usage entries in ``location``, every page."""
    import requests

    url: str | None = (
        f"https://management.azure.com/subscriptions/{subscription_id}/providers/"
        f"Microsoft.MachineLearningServices/locations/{location}/usages"
    )
    params: dict[str, str] | None = {"api-version": _USAGES_API_VERSION}
    entries: list[Any] = []
    while url:
        response = requests.get(
            url, params=params, headers=auth.get_authentication_header(), timeout=60
        )
        response.raise_for_status()
        page = response.json()
        entries += page.get("value") or []
        url, params = page.get("nextLink"), None
    return entries

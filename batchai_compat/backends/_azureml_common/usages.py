"""Azure ML's usage list -> Batch AI's ``usages.list``.

Batch AI's quota lived on: Azure ML's ``Microsoft.MachineLearningServices/locations/{location}
/usages`` answers with the same names Batch AI used (``Clusters``, ``Total Cluster Dedicated
Regional vCPUs``, ``Standard NC Family Cluster Dedicated vCPUs``, ...) plus, below them, the
share of each workspace and compute.  :func:`batchai_usages` keeps the subscription's own
entries and lays them out as Batch AI did (:func:`batchai_compat.domain.answers.usage_entries`);
a family Azure ML leaves without a limit of its own (``-1``, low-priority families) gets its
priority's regional limit, which is what bounds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...domain import answers

__all__ = ["batchai_usages"]

_REGIONAL = re.compile(
    r"Total Cluster (?P<priority>Dedicated|LowPriority|Low Priority) Regional vCPUs"
)
_FAMILY = re.compile(
    r"Standard (?P<family>.+) Family Cluster (?P<priority>Dedicated|LowPriority|Low Priority) vCPUs"
)


def _priority(word: str) -> str:
    return "dedicated" if word == "Dedicated" else "lowpriority"


def batchai_usages(azureml_usages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Azure ML usage entries (REST, camelCase) -> Batch AI ``Usage`` fields (snake_case)."""
    clusters = cluster_limit = 0
    cores: dict[str, dict[str, int]] = {"dedicated": {}, "lowpriority": {}}
    limits: dict[str, int] = {}
    totals: dict[str, int] = {}
    family_limits: dict[str, dict[str, int]] = {"dedicated": {}, "lowpriority": {}}
    families: list[str] = []
    for entry in azureml_usages:
        kind = str(entry.get("type") or "")
        if "/workspace" in kind.lower():  # a workspace's or a compute's share, not the quota
            continue
        name = str((entry.get("name") or {}).get("value") or "")
        current, limit = int(entry.get("currentValue") or 0), int(entry.get("limit") or 0)
        if name == "Clusters":
            clusters, cluster_limit = current, limit
        elif regional := _REGIONAL.fullmatch(name):
            limits[_priority(regional["priority"])] = limit
            totals[_priority(regional["priority"])] = current
        elif family := _FAMILY.fullmatch(name):
            priority = _priority(family["priority"])
            cores[priority][family["family"]] = current
            if limit >= 0:
                family_limits[priority][family["family"]] = limit
            if family["family"] not in families:
                families.append(family["family"])
    for priority, total in totals.items():  # vCPUs of sizes in no listed family
        cores[priority][""] = max(0, total - sum(cores[priority].values()))
    return answers.usage_entries(clusters, cluster_limit, cores, limits, family_limits, families)

"""Cluster helpers of the Batch AI recipes: ``print_cluster_status``.

Our own implementation of the recipe helper of that name: one status line per call, then the
cluster's errors.  It reads only the 2.0.0 ``Cluster`` model's fields, so it works the same on a
genuine ``azure.mgmt.batchai.models.Cluster`` and on batchai_compat's.
"""

from __future__ import annotations

from typing import Any


def _target_nodes(cluster: Any) -> object:
    scale = cluster.scale_settings
    if scale is None:
        return None
    if scale.manual is not None:
        return scale.manual.target_node_count
    if scale.auto_scale is not None:
        return f"{scale.auto_scale.minimum_node_count}-{scale.auto_scale.maximum_node_count} (auto scale)"
    return None


def print_cluster_status(cluster: Any) -> None:
    """Print ``cluster``'s allocation state, target and node counts by state, then its errors."""
    counts = cluster.node_state_counts

    def count(name: str) -> int | None:
        return getattr(counts, name) if counts is not None else None

    print(
        "Cluster state: {} Target: {}; Allocated: {}; Idle: {}; "
        "Unusable: {}; Running: {}; Preparing: {}; Leaving: {}".format(
            cluster.allocation_state,
            _target_nodes(cluster),
            cluster.current_node_count,
            count("idle_node_count"),
            count("unusable_node_count"),
            count("running_node_count"),
            count("preparing_node_count"),
            count("leaving_node_count"),
        )
    )
    for error in cluster.errors or ():
        print(f"Cluster error: {error.code}: {error.message}")
        if error.details:
            print("Details:")
            for detail in error.details:
                print(f"{detail.name}: {detail.value}")

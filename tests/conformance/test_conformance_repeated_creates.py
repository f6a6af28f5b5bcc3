"""Creating what exists already: the same parameters return it, other parameters are 409.

Batch AI answered a repeated ``clusters.create`` / ``jobs.create`` with the existing resource
when the parameters were the same (notebook cells run twice, a retry after a lost reply) and
with ``409 Conflict`` when they were not; every backend does the same.
"""

from __future__ import annotations

import pytest

from batchai_compat.exceptions import CloudError

from .conftest import EXP, RG, WS, cluster_parameters, job_parameters


def test_a_cluster_created_again(client, workspace):
    first = client.clusters.create(RG, WS, "nc6", cluster_parameters()).result()
    again = client.clusters.create(RG, WS, "nc6", cluster_parameters()).result()
    assert (again.id, again.vm_size, again.creation_time) == (
        first.id,
        first.vm_size,
        first.creation_time,
    )
    assert [c.name for c in client.clusters.list_by_workspace(RG, WS)] == ["nc6"]
    with pytest.raises(CloudError) as raised:
        client.clusters.create(RG, WS, "nc6", cluster_parameters(nodes=2)).result()
    assert raised.value.status_code == 409
    assert client.clusters.get(RG, WS, "nc6").scale_settings.manual.target_node_count == 1


def test_a_job_created_again(client, experiment, cluster, backend):
    if not backend.has("jobs"):
        pytest.skip(f"{backend.name} runs no jobs")
    first = client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id)).result()
    again = client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id)).result()
    assert again.id == first.id
    assert again.job_output_directory_path_segment == first.job_output_directory_path_segment
    assert [j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)] == ["job"]
    with pytest.raises(CloudError) as raised:
        client.jobs.create(RG, WS, EXP, "job", job_parameters(cluster.id, "echo other")).result()
    assert raised.value.status_code == 409

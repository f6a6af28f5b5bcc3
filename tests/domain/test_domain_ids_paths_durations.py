"""ARM ids, output path segments and wall-clock durations (one implementation each)."""

from __future__ import annotations

from datetime import timedelta

import azure.mgmt.batchai.models as genuine
import pytest
from msrest import Serializer

from batchai_compat.domain import ids, paths
from batchai_compat.domain.durations import wall_clock_seconds
from batchai_compat.exceptions import CloudError, ValidationError

SUB = "00000000-0000-0000-0000-000000000001"


def test_ids_round_trip_case_insensitively():
    cluster = ids.child_id(SUB, "rg", "ws", "clusters", "c1")
    assert cluster == (
        f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws"
        "/clusters/c1"
    )
    assert ids.parse(cluster.upper().replace("/CLUSTERS/", "/Clusters/")).kind == "clusters"
    job = ids.job_id(SUB, "rg", "ws", "exp", "j1")
    assert ids.parse(job) == ids.ParsedId(SUB, "rg", "ws", "jobs", "j1", "exp")
    assert ids.parse(ids.workspace_id(SUB, "rg", "ws")).kind == "workspaces"
    assert ids.parse(None) is None
    assert ids.parse("nc6") is None
    assert ids.parse("/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/x/y") is None
    assert ids.parse(ids.child_id(SUB, "My.RG", "ws", "fileservers", "nfs")) == ids.ParsedId(
        SUB, "My.RG", "ws", "fileservers", "nfs"
    )


def test_a_job_cluster_id_must_name_a_cluster_of_the_subscription():
    cluster = ids.child_id(SUB, "rg", "ws", "clusters", "c1")
    assert ids.job_cluster(cluster, SUB.upper()).name == "c1"
    for bad in (
        "nc6",
        ids.child_id("other", "rg", "ws", "clusters", "c1"),
        ids.job_id(SUB, "rg", "ws", "e", "j"),
    ):
        with pytest.raises(CloudError) as error:
            ids.job_cluster(bad, SUB)
        assert error.value.status_code == 400
        assert error.value.error.error == "InvalidClusterId"


def test_subnet_ids():
    subnet = (
        f"/subscriptions/{SUB}/resourceGroups/net/providers/Microsoft.Network"
        "/virtualNetworks/vnet/subnets/default"
    )
    reference = ids.parse_subnet_id(subnet)
    assert reference == ids.SubnetReference(SUB, "net", "vnet", "default")
    assert ids.subnet_id(reference) == subnet
    with pytest.raises(ValidationError, match="parameters.subnet.id"):
        ids.parse_subnet_id("/subscriptions/s/resourceGroups/net/virtualNetworks/vnet")


def test_output_path_segment_and_folders():
    segment = paths.output_path_segment(SUB, "rg", "ws", "exp", "job", "u-1")
    assert segment == f"{SUB}/rg/workspaces/ws/experiments/exp/jobs/job/u-1"
    assert paths.stdouterr_dir("/mnt/afs/", segment) == f"/mnt/afs/{segment}/stdouterr"
    assert paths.output_dir("/mnt/afs", segment, "Models") == f"/mnt/afs/{segment}/outputs/Models"
    assert paths.output_dir("/mnt/afs", segment) == f"/mnt/afs/{segment}/outputs"
    assert paths.is_stdouterr("StdOutErr")


def test_wall_clock_in_every_form_the_sdk_produces():
    default = genuine.JobBasePropertiesConstraints().max_wall_clock_time  # '7.00:00:00'
    assert wall_clock_seconds(default) == 7 * 24 * 3600
    assert wall_clock_seconds(timedelta(hours=2)) == 7200
    iso = Serializer().serialize_duration(timedelta(days=1, minutes=30))  # what the wire holds
    assert wall_clock_seconds(iso) == 86400 + 1800
    assert wall_clock_seconds(90) == 90
    assert wall_clock_seconds(None) is None
    for bad in (timedelta(0), "0:00:00", "soon"):
        with pytest.raises(ValidationError, match="max_wall_clock_time"):
            wall_clock_seconds(bad)

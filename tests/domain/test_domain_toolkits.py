"""The toolkit table and launch rules, checked against the genuine azure-mgmt-batchai 2.0.0."""

from __future__ import annotations

import azure.mgmt.batchai.models as genuine
import pytest

from batchai_compat import models
from batchai_compat.domain.toolkits import (
    BY_FIELD,
    TOOLKITS,
    Launch,
    chosen_toolkit,
    task_layout,
    tensorflow_role_args,
)
from batchai_compat.exceptions import ValidationError

#: ``*_settings`` fields of JobCreateParameters that are not a toolkit.
NOT_TOOLKITS = {"container_settings"}


def _settings_fields(cls: type) -> dict[str, str]:
    """``*_settings`` field -> REST key (under ``properties``) of a model class."""
    return {
        name: spec["key"].split(".")[-1]
        for name, spec in cls._attribute_map.items()
        if name.endswith("_settings") and name not in NOT_TOOLKITS
    }


@pytest.mark.parametrize(
    "cls",
    [genuine.JobCreateParameters, genuine.Job, models.JobCreateParameters, models.Job],
    ids=lambda c: f"{c.__module__.split('.')[0]}.{c.__name__}",
)
def test_every_toolkit_settings_field_is_in_the_domain_table(cls):
    """A new toolkit settings field in the models (or a renamed REST key) fails here."""
    assert _settings_fields(cls) == {t.field: t.rest_key for t in TOOLKITS}


def test_reported_tool_types_are_members_of_the_genuine_tool_type():
    assert {t.tool_type for t in TOOLKITS} <= {member.value for member in genuine.ToolType}
    # the 2.0.0 enum has no PyTorch member: PyTorch jobs reported "custom"
    assert BY_FIELD["py_torch_settings"].tool_type == "custom"


def test_kinds_are_unique():
    assert len({t.kind for t in TOOLKITS}) == len(TOOLKITS)


def _job(**settings: object) -> genuine.JobCreateParameters:
    return genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="/c"), node_count=2, std_out_err_path_prefix="/p", **settings
    )


def test_exactly_one_toolkit_is_chosen_from_a_genuine_model_or_its_as_dict():
    job = _job(horovod_settings=genuine.HorovodSettings(python_script_file_path="t.py"))
    for form in (job, job.as_dict()):
        toolkit, settings = chosen_toolkit(form)
        assert toolkit.field == "horovod_settings"
        assert toolkit.kind == "horovod"
    with pytest.raises(ValidationError, match="exactly one toolkit"):
        chosen_toolkit(_job())
    with pytest.raises(ValidationError, match="custom_toolkit_settings, custom_mpi_settings"):
        chosen_toolkit(
            _job(
                custom_toolkit_settings=genuine.CustomToolkitSettings(command_line="x"),
                custom_mpi_settings=genuine.CustomMpiSettings(command_line="y"),
            )
        )


LAYOUTS = [
    # (settings, node count) -> (launch, processes, ps, workers)
    (genuine.TensorFlowSettings(python_script_file_path="t.py"), 1, (Launch.SINGLE, 1, 0, 0)),
    (genuine.TensorFlowSettings(python_script_file_path="t.py"), 3, (Launch.TENSORFLOW, 4, 1, 3)),
    (
        genuine.TensorFlowSettings(
            python_script_file_path="t.py", worker_count=4, parameter_server_count=2
        ),
        2,
        (Launch.TENSORFLOW, 6, 2, 4),
    ),
    (genuine.HorovodSettings(python_script_file_path="t.py"), 2, (Launch.MPI, 2, 0, 0)),
    (genuine.CustomMpiSettings(command_line="x", process_count=8), 2, (Launch.MPI, 8, 0, 0)),
    (genuine.CNTKsettings(config_file_path="c.cntk", process_count=4), 2, (Launch.MPI, 4, 0, 0)),
    (genuine.ChainerSettings(python_script_file_path="t.py"), 3, (Launch.MPI, 3, 0, 0)),
    (genuine.CaffeSettings(config_file_path="s.prototxt"), 2, (Launch.MPI, 2, 0, 0)),
    (
        genuine.PyTorchSettings(python_script_file_path="t.py", communication_backend="MPI"),
        2,
        (Launch.MPI, 2, 0, 0),
    ),
    (
        genuine.PyTorchSettings(
            python_script_file_path="t.py", communication_backend="gloo", process_count=4
        ),
        2,
        (Launch.RANKS, 4, 0, 0),
    ),
    (genuine.Caffe2Settings(python_script_file_path="t.py"), 3, (Launch.PER_NODE, 3, 0, 0)),
    (genuine.CustomToolkitSettings(command_line="x"), 4, (Launch.SINGLE, 1, 0, 0)),
]


@pytest.mark.parametrize(("settings", "nodes", "expected"), LAYOUTS)
def test_task_layout_follows_batch_ai(settings, nodes, expected):
    field = next(
        name
        for name, spec in genuine.JobCreateParameters._attribute_map.items()
        if spec["type"] == type(settings).__name__
    )
    layout = task_layout(BY_FIELD[field], settings, nodes)
    assert (layout.launch, layout.processes, layout.parameter_servers, layout.workers) == expected
    assert layout.node_count == nodes


@pytest.mark.parametrize("count", [0, -1, True, "2"])
def test_bad_process_counts_name_their_field(count):
    settings = {"command_line": "x", "process_count": count}
    with pytest.raises(ValidationError) as error:
        task_layout(BY_FIELD["custom_mpi_settings"], settings, 2)
    assert error.value.parameter == "parameters.custom_mpi_settings.process_count"


def test_bad_node_count_and_tensorflow_counts():
    with pytest.raises(ValidationError, match="node_count"):
        task_layout(BY_FIELD["custom_toolkit_settings"], {"command_line": "x"}, 0)
    with pytest.raises(ValidationError, match="worker_count"):
        task_layout(BY_FIELD["tensor_flow_settings"], {"worker_count": 0}, 2)


def test_tensorflow_role_arguments():
    both = genuine.TensorFlowSettings(
        python_script_file_path="t.py",
        master_command_line_args="M",
        worker_command_line_args="W",
        parameter_server_command_line_args="P",
    )
    assert [tensorflow_role_args(both, "worker", i) for i in range(3)] == ["M", "W", "W"]
    assert tensorflow_role_args(both, "ps", 0) == "P"
    master_only = {"master_command_line_args": "M"}
    assert [tensorflow_role_args(master_only, "worker", i) for i in range(2)] == ["M", "M"]
    worker_only = {"worker_command_line_args": "W"}
    assert [tensorflow_role_args(worker_only, "worker", i) for i in range(2)] == ["W", "W"]
    assert tensorflow_role_args(worker_only, "ps", 0) is None

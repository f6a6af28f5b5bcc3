"""The $AZ_BATCHAI_* contract, paths, per-role args and log names, as pure functions.

Job parameters come from the genuine azure-mgmt-batchai 2.0.0 models (``as_dict()``), so the
runtime is checked against what real Batch AI code sends."""

from __future__ import annotations

import json
import shlex
from datetime import timedelta

import azure.mgmt.batchai.models as genuine
import pytest

from batchai_compat.exceptions import ValidationError
from batchai_compat.runtime import (
    MpiOptions,
    TaskRole,
    expand,
    job_environment,
    job_paths,
    job_spec,
    task_environment,
    task_plans,
    tensorflow_task_counts,
)


def test_expand_replaces_known_names_and_keeps_unknown_ones():
    variables = {"AZ_BATCHAI_JOB_MOUNT_ROOT": "/m", "A": "x"}
    assert expand("$AZ_BATCHAI_JOB_MOUNT_ROOT/afs", variables) == "/m/afs"
    assert expand("${AZ_BATCHAI_JOB_MOUNT_ROOT}x/$A-$A", variables) == "/mx/x-x"
    assert (
        expand("$HOME/$AZ_BATCHAI_JOB_MOUNT_ROOTX", variables)
        == "$HOME/$AZ_BATCHAI_JOB_MOUNT_ROOTX"
    )


def test_output_and_stdouterr_paths_follow_batch_ai_layout(guide_tf_job, make_topology):
    topology = make_topology()
    spec = job_spec(guide_tf_job())  # a genuine model with as_dict()
    paths = job_paths(spec, topology)
    segment = "sub-1/rg/workspaces/ws/experiments/exp/jobs/job1/0000-uuid"
    afs = f"{topology.job_mount_root}/afs"
    assert paths.stdouterr_dir == f"{afs}/{segment}/stdouterr"
    assert paths.outputs == {
        "MODEL": f"{afs}/{segment}/outputs/Models",
        "TENSORBOARD": f"{afs}/{segment}/outputs/Logs",
    }
    assert paths.inputs["DATASET"] == f"{topology.job_mount_root}/bfs/mnist_dataset"
    assert topology.identity.output_path_segment == segment


def test_output_without_suffix_ends_at_outputs(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="/logs",
        output_directories=[
            genuine.OutputDirectory(id="OUTPUTS", path_prefix="$AZ_BATCHAI_MOUNT_ROOT/azfiles/")
        ],
        custom_toolkit_settings=genuine.CustomToolkitSettings(command_line="true"),
    )
    topology = make_topology()
    paths = job_paths(job_spec(params.as_dict()), topology)
    assert paths.outputs["OUTPUTS"].endswith("/jobs/job1/0000-uuid/outputs")
    assert paths.outputs["OUTPUTS"].startswith(f"{topology.mount_root}/azfiles/sub-1/")


def test_tf_environment_has_the_whole_contract(guide_tf_job, make_topology, free_ports):
    ports = free_ports(3)
    topology = make_topology(tf_ports={"ps": ports[:1], "worker": ports[1:]})
    spec = job_spec(
        guide_tf_job(
            environment_variables=[
                genuine.EnvironmentVariable(name="DATA", value="$AZ_BATCHAI_INPUT_DATASET/train"),
            ],
            secrets=[
                genuine.EnvironmentVariableWithSecretValue(name="TOKEN", value="ignored-here")
            ],
        )
    )
    env = job_environment(spec, topology, {"TOKEN": "s3cret"})
    expected = {
        "AZ_BATCHAI_MOUNT_ROOT",
        "AZ_BATCHAI_JOB_MOUNT_ROOT",
        "AZ_BATCHAI_JOB_TEMP",
        "AZ_BATCHAI_JOB_TEMP_DIR",
        "AZ_BATCHAI_SHARED_JOB_TEMP",
        "AZ_BATCHAI_STDOUTERR_DIR",
        "AZ_BATCHAI_MPI_HOST_FILE",
        "AZ_BATCHAI_NUM_GPUS",
        "AZ_BATCHAI_PS_HOSTS",
        "AZ_BATCHAI_WORKER_HOSTS",
        "AZ_BATCHAI_INPUT_SCRIPT",
        "AZ_BATCHAI_INPUT_DATASET",
        "AZ_BATCHAI_OUTPUT_MODEL",
        "AZ_BATCHAI_OUTPUT_TENSORBOARD",
        "DATA",
        "TOKEN",
    }
    assert expected <= set(env)
    assert env["AZ_BATCHAI_PS_HOSTS"] == f"127.0.0.1:{ports[0]}"
    assert env["AZ_BATCHAI_WORKER_HOSTS"] == f"127.0.0.1:{ports[1]},127.0.0.1:{ports[2]}"
    assert env["AZ_BATCHAI_JOB_TEMP"] == f"{topology.job_temp_dir}/job1"
    assert env["AZ_BATCHAI_MPI_HOST_FILE"].startswith(env["AZ_BATCHAI_JOB_TEMP"])
    assert env["AZ_BATCHAI_NUM_GPUS"] == "0"
    assert env["DATA"] == env["AZ_BATCHAI_INPUT_DATASET"] + "/train"
    assert env["TOKEN"] == "s3cret"

    worker1 = task_environment(env, spec, topology, TaskRole("worker", 1))
    assert worker1["AZ_BATCHAI_TASK_INDEX"] == "1"
    tf_config = json.loads(worker1["TF_CONFIG"])
    assert tf_config["task"] == {"type": "worker", "index": 1}
    assert tf_config["cluster"]["ps"] == env["AZ_BATCHAI_PS_HOSTS"].split(",")
    assert tf_config["cluster"]["worker"] == env["AZ_BATCHAI_WORKER_HOSTS"].split(",")


def test_tf_tasks_get_their_role_arguments(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=2,
        std_out_err_path_prefix="/logs",
        tensor_flow_settings=genuine.TensorFlowSettings(
            python_script_file_path="$AZ_BATCHAI_JOB_MOUNT_ROOT/s.py",
            python_interpreter_path="/opt/py/bin/python3",
            master_command_line_args="--role master",
            worker_command_line_args="--role worker",
            parameter_server_command_line_args="--role ps",
            worker_count=3,
            parameter_server_count=2,
        ),
    )
    spec = job_spec(params)
    assert tensorflow_task_counts(spec) == (2, 3)
    topology = make_topology(nodes=2)
    plans = task_plans(spec, topology, {"AZ_BATCHAI_JOB_MOUNT_ROOT": "/m"})
    by_name = {(p.role, p.index): p for p in plans}
    assert set(by_name) == {("ps", 0), ("ps", 1), ("worker", 0), ("worker", 1), ("worker", 2)}
    assert by_name["ps", 1].command == "/opt/py/bin/python3 /m/s.py --role ps"
    assert by_name["worker", 0].command.endswith("--role master")
    assert by_name["worker", 2].command.endswith("--role worker")
    assert [by_name["worker", i].node_index for i in range(3)] == [0, 1, 0]
    assert by_name["ps", 1].node_index == 1
    assert not by_name["ps", 0].required and by_name["worker", 1].required
    assert (by_name["ps", 0].stdout_name, by_name["worker", 2].stderr_name) == (
        "stdout-ps-0.txt",
        "stderr-wk-2.txt",
    )


def test_single_machine_tensorflow_runs_master_args_into_stdout_txt(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="/logs",
        tensor_flow_settings=genuine.TensorFlowSettings(
            python_script_file_path="/s.py", master_command_line_args="--m"
        ),
    )
    spec = job_spec(params)
    assert tensorflow_task_counts(spec) is None
    (plan,) = task_plans(spec, make_topology(), {}, default_python="/usr/bin/python3")
    assert plan.command == "/usr/bin/python3 /s.py --m"
    assert (plan.stdout_name, plan.stderr_name) == ("stdout.txt", "stderr.txt")


@pytest.mark.parametrize(
    ("field", "settings", "program"),
    [
        (
            "horovod_settings",
            genuine.HorovodSettings(
                python_script_file_path="/h.py", command_line_args="--x", process_count=4
            ),
            "py /h.py --x",
        ),
        (
            "custom_mpi_settings",
            genuine.CustomMpiSettings(command_line="hostname", process_count=4),
            "hostname",
        ),
        (
            "chainer_settings",
            genuine.ChainerSettings(python_script_file_path="/c.py", process_count=4),
            "py /c.py",
        ),
        (
            "cntk_settings",
            genuine.CNTKsettings(
                language_type="BrainScript",
                config_file_path="/cfg.cntk",
                command_line_args="a=1",
                process_count=4,
            ),
            "cntk configFile=/cfg.cntk a=1",
        ),
        (
            "cntk_settings",
            genuine.CNTKsettings(
                language_type="Python", python_script_file_path="/k.py", process_count=4
            ),
            "py /k.py",
        ),
        (
            "caffe_settings",
            genuine.CaffeSettings(config_file_path="/solver.prototxt", process_count=4),
            "caffe train --solver=/solver.prototxt",
        ),
    ],
)
def test_mpi_toolkits_run_under_mpirun(make_topology, field, settings, program):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=2,
        std_out_err_path_prefix="/logs",
        **{field: settings},
    )
    mpi = MpiOptions(allow_run_as_root=True)
    (plan,) = task_plans(job_spec(params), make_topology(nodes=2), {}, default_python="py", mpi=mpi)
    words = shlex.split(plan.command)
    assert words[:5] == ["mpirun", "-np", "4", "--hostfile", "$AZ_BATCHAI_MPI_HOST_FILE"]
    assert "--allow-run-as-root" in words and "--oversubscribe" in words
    assert plan.command.endswith(program)
    assert (plan.node_index, plan.stdout_name) == (0, "stdout.txt")


def test_pytorch_runs_process_count_ranks(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=2,
        std_out_err_path_prefix="/logs",
        py_torch_settings=genuine.PyTorchSettings(
            python_script_file_path="/t.py",
            command_line_args="--rank $AZ_BATCHAI_TASK_INDEX",
            process_count=3,
            communication_backend="Gloo",
        ),
    )
    spec = job_spec(params)
    topology = make_topology(nodes=2)
    plans = task_plans(spec, topology, {}, default_python="py")
    assert [(p.index, p.node_index, p.stdout_name) for p in plans] == [
        (0, 0, "stdout-0.txt"),
        (1, 1, "stdout-1.txt"),
        (2, 0, "stdout-2.txt"),
    ]
    env = job_environment(spec, topology)
    assert env["AZ_BATCHAI_PYTORCH_BACKEND"] == "gloo"
    assert (
        env["AZ_BATCHAI_PYTORCH_INIT_METHOD"]
        == f"file://{topology.shared_job_temp}/pytorch_init_method"
    )


def test_caffe2_runs_one_shard_per_node(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=3,
        std_out_err_path_prefix="/logs",
        caffe2_settings=genuine.Caffe2Settings(python_script_file_path="/c2.py"),
    )
    plans = task_plans(job_spec(params), make_topology(nodes=3), {}, default_python="py")
    assert [(p.index, p.node_index) for p in plans] == [(0, 0), (1, 1), (2, 2)]


def test_custom_toolkit_runs_once_on_the_first_node(make_topology):
    params = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=2,
        std_out_err_path_prefix="/logs",
        custom_toolkit_settings=genuine.CustomToolkitSettings(
            command_line="echo $AZ_BATCHAI_TASK_INDEX"
        ),
    )
    (plan,) = task_plans(job_spec(params), make_topology(nodes=2), {})
    assert (plan.command, plan.node_index, plan.stdout_name) == (
        "echo $AZ_BATCHAI_TASK_INDEX",
        0,
        "stdout.txt",
    )


def test_wall_clock_accepts_timedelta_iso_and_the_2_0_0_default_string():
    base = {
        "node_count": 1,
        "std_out_err_path_prefix": "/l",
        "custom_toolkit_settings": {"command_line": "true"},
    }
    genuine_dict = genuine.JobCreateParameters(
        cluster=genuine.ResourceId(id="c"),
        node_count=1,
        std_out_err_path_prefix="/l",
        custom_toolkit_settings=genuine.CustomToolkitSettings(command_line="true"),
        constraints=genuine.JobBasePropertiesConstraints(max_wall_clock_time=timedelta(minutes=90)),
    ).as_dict()
    assert job_spec(genuine_dict).max_wall_clock_seconds == 5400
    assert (
        job_spec(
            {**base, "constraints": {"max_wall_clock_time": "7.00:00:00"}}
        ).max_wall_clock_seconds
        == 7 * 86400
    )
    assert (
        job_spec(
            {**base, "constraints": {"max_wall_clock_time": timedelta(seconds=3)}}
        ).max_wall_clock_seconds
        == 3
    )
    with pytest.raises(ValidationError, match="max_wall_clock_time"):
        job_spec({**base, "constraints": {"max_wall_clock_time": "soon"}})


def test_a_job_needs_exactly_one_toolkit():
    base = {"node_count": 1, "std_out_err_path_prefix": "/l"}
    with pytest.raises(ValidationError, match="exactly one toolkit"):
        job_spec(base)
    with pytest.raises(ValidationError, match="custom_toolkit_settings, custom_mpi_settings"):
        job_spec(
            {
                **base,
                "custom_toolkit_settings": {"command_line": "a"},
                "custom_mpi_settings": {"command_line": "b"},
            }
        )


def test_rest_body_and_as_dict_give_the_same_spec(guide_tf_job):
    params = guide_tf_job(
        environment_variables=[genuine.EnvironmentVariable(name="A", value="1")],
        job_preparation=genuine.JobPreparation(command_line="pip install x"),
        constraints=genuine.JobBasePropertiesConstraints(max_wall_clock_time=timedelta(hours=2)),
    )
    rest = params.serialize()  # camelCase REST body, as the local state store keeps it
    assert "tensorFlowSettings" in json.dumps(rest)
    assert job_spec(rest) == job_spec(params.as_dict())
    assert job_spec(rest["properties"]) == job_spec(params)  # with or without ARM nesting
    assert job_spec(rest).max_wall_clock_seconds == 7200

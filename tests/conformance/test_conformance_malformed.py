"""Malformed input on every backend: refused before any side effect, naming the field.

Each case below is a request the Batch AI service refused (or would certainly refuse).  Every
backend must answer it the same way: a ``RequestValidationError`` (a ``ValueError``, and msrest's
``ValidationError``) whose ``parameter`` is the field's full path, and nothing done: the same
resources listed, the same rows in the state database, the same files under the test's home,
no process started.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import msrest.exceptions

import batchai_compat.models as models
from batchai_compat.exceptions import ValidationError
from batchai_compat.home.processes import find_supervisors

from .conftest import EXP, LOCATION, RG, WS, cluster_parameters, job_parameters

CLUSTER_ID = (
    "/subscriptions/00000000-0000-0000-0000-0000000000c1/resourceGroups/conformance-rg"
    "/providers/Microsoft.BatchAI/workspaces/ws1/clusters/nc6"
)
SHARE = "https://acct.file.core.windows.net/share"
SUBNET = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
)


def _cluster(**fields: Any) -> models.ClusterCreateParameters:
    params = cluster_parameters()
    for name, value in fields.items():
        setattr(params, name, value)
    return params


def _manual(target: Any) -> models.ScaleSettings:
    return models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=target))


def _auto(minimum: Any, maximum: Any, initial: Any = None) -> models.ScaleSettings:
    return models.ScaleSettings(
        auto_scale=models.AutoScaleSettings(
            minimum_node_count=minimum, maximum_node_count=maximum, initial_node_count=initial
        )
    )


def _setup(**fields: Any) -> models.NodeSetup:
    task = models.SetupTask(
        command_line="echo setup", std_out_err_path_prefix="$AZ_BATCHAI_MOUNT_ROOT/logs"
    )
    for name, value in fields.items():
        setattr(task, name, value)
    return models.NodeSetup(setup_task=task)


def _share_mount(relative_mount_path: str) -> models.MountVolumes:
    return models.MountVolumes(
        azure_file_shares=[
            models.AzureFileShareReference(
                account_name="acct",
                azure_file_url=SHARE,
                relative_mount_path=relative_mount_path,
                credentials=models.AzureStorageCredentialsInfo(account_key="k"),
            )
        ]
    )


def _job(**fields: Any) -> models.JobCreateParameters:
    params = job_parameters(CLUSTER_ID)
    for name, value in fields.items():
        setattr(params, name, value)
    return params


def _file_server(**disks: Any) -> models.FileServerCreateParameters:
    values = {"disk_size_in_gb": 10, "disk_count": 1, "storage_account_type": "standard_lrs"}
    values.update(disks)
    return models.FileServerCreateParameters(
        vm_size="STANDARD_D2",
        ssh_configuration=models.SshConfiguration(
            user_account_settings=models.UserAccountSettings(admin_user_name="u")
        ),
        data_disks=models.DataDisks(**values),
    )


Call = Callable[[Any], Any]


def _create_cluster(params: Any) -> Call:
    return lambda c: c.clusters.create(RG, WS, "bad", params)


def _create_job(params: Any) -> Call:
    return lambda c: c.jobs.create(RG, WS, EXP, "bad", params)


#: (case, call, the parameter the error must name)
CASES: list[tuple[str, Call, str]] = [
    # clusters: node counts >= 0, min <= max, one of manual/auto, sizes, ids, setup task
    (
        "manual target < 0",
        _create_cluster(_cluster(scale_settings=_manual(-1))),
        "parameters.scale_settings.manual.target_node_count",
    ),
    (
        "auto minimum < 0",
        _create_cluster(_cluster(scale_settings=_auto(-1, 2))),
        "parameters.scale_settings.auto_scale.minimum_node_count",
    ),
    (
        "auto minimum > maximum",
        _create_cluster(_cluster(scale_settings=_auto(3, 2))),
        "parameters.scale_settings.auto_scale.minimum_node_count",
    ),
    (
        "auto initial < 0",
        _create_cluster(_cluster(scale_settings=_auto(0, 2, -1))),
        "parameters.scale_settings.auto_scale.initial_node_count",
    ),
    (
        "manual and auto",
        _create_cluster(
            _cluster(
                scale_settings=models.ScaleSettings(
                    manual=models.ManualScaleSettings(target_node_count=1),
                    auto_scale=models.AutoScaleSettings(minimum_node_count=0, maximum_node_count=1),
                )
            )
        ),
        "parameters.scale_settings",
    ),
    ("empty vm size", _create_cluster(_cluster(vm_size="")), "parameters.vm_size"),
    ("None vm size", _create_cluster(_cluster(vm_size=None)), "parameters.vm_size"),
    (
        "malformed subnet id",
        _create_cluster(_cluster(subnet=models.ResourceId(id="/subscriptions/s/subnets/x"))),
        "parameters.subnet.id",
    ),
    (
        "empty admin user",
        _create_cluster(
            _cluster(user_account_settings=models.UserAccountSettings(admin_user_name=""))
        ),
        "parameters.user_account_settings.admin_user_name",
    ),
    (
        "setup task without a command",
        _create_cluster(_cluster(node_setup=_setup(command_line=" "))),
        "parameters.node_setup.setup_task.command_line",
    ),
    (
        "setup task logs at /",
        _create_cluster(_cluster(node_setup=_setup(std_out_err_path_prefix="/"))),
        "parameters.node_setup.setup_task.std_out_err_path_prefix",
    ),
    (
        "setup task variable 'A B=C'",
        _create_cluster(
            _cluster(
                node_setup=_setup(
                    environment_variables=[models.EnvironmentVariable(name="A B=C", value="1")]
                )
            )
        ),
        "parameters.node_setup.setup_task.environment_variables[0].name",
    ),
    (
        "cluster mount outside the mount root",
        _create_cluster(
            _cluster(node_setup=models.NodeSetup(mount_volumes=_share_mount("../escape")))
        ),
        "parameters.node_setup.mount_volumes.azure_file_shares[0].relative_mount_path",
    ),
    (
        "update to a negative target",
        lambda c: c.clusters.update(RG, WS, "nc6", scale_settings=_manual(-5)),
        "scale_settings.manual.target_node_count",
    ),
    # file servers: disks and sizes (refused before the backend is asked, where it has none)
    (
        "no data disks",
        lambda c: c.file_servers.create(RG, WS, "nfs", _file_server(disk_count=0)),
        "parameters.data_disks.disk_count",
    ),
    (
        "negative disk size",
        lambda c: c.file_servers.create(RG, WS, "nfs", _file_server(disk_size_in_gb=-1)),
        "parameters.data_disks.disk_size_in_gb",
    ),
    # jobs: node counts >= 1, one toolkit, wall clock, mounts, variables, secrets, ids, folders
    ("node_count 0", _create_job(_job(node_count=0)), "parameters.node_count"),
    ("node_count -1", _create_job(_job(node_count=-1)), "parameters.node_count"),
    ("no toolkit", _create_job(_job(custom_toolkit_settings=None)), "parameters"),
    (
        "two toolkits",
        _create_job(
            _job(custom_mpi_settings=models.CustomMpiSettings(command_line="echo", process_count=1))
        ),
        "parameters",
    ),
    (
        "custom toolkit without a command",
        _create_job(_job(custom_toolkit_settings=models.CustomToolkitSettings())),
        "parameters.custom_toolkit_settings.command_line",
    ),
    (
        "MPI with 0 processes",
        _create_job(
            _job(
                custom_toolkit_settings=None,
                custom_mpi_settings=models.CustomMpiSettings(command_line="echo", process_count=0),
            )
        ),
        "parameters.custom_mpi_settings.process_count",
    ),
    (
        "TensorFlow without a script",
        _create_job(
            _job(
                custom_toolkit_settings=None,
                tensor_flow_settings=models.TensorFlowSettings(python_script_file_path=""),
            )
        ),
        "parameters.tensor_flow_settings.python_script_file_path",
    ),
    (
        "zero wall clock",
        _create_job(
            _job(constraints=models.JobBasePropertiesConstraints(max_wall_clock_time=timedelta(0)))
        ),
        "parameters.constraints.max_wall_clock_time",
    ),
    (
        "job mount outside the mount root",
        _create_job(_job(mount_volumes=_share_mount("a/../../escape"))),
        "parameters.mount_volumes.azure_file_shares[0].relative_mount_path",
    ),
    (
        "variable 'A B=C'",
        _create_job(
            _job(environment_variables=[models.EnvironmentVariable(name="A B=C", value="1")])
        ),
        "parameters.environment_variables[0].name",
    ),
    (
        "empty variable name",
        _create_job(_job(environment_variables=[models.EnvironmentVariable(name="", value="1")])),
        "parameters.environment_variables[0].name",
    ),
    (
        "variable value still None",
        _create_job(
            _job(environment_variables=[models.EnvironmentVariable(name="EPOCHS", value=None)])
        ),
        "parameters.environment_variables[0].value",
    ),
    (
        "secret with neither value nor reference",
        _create_job(_job(secrets=[models.EnvironmentVariableWithSecretValue(name="TOKEN")])),
        "parameters.secrets[0]",
    ),
    (
        "duplicate output ids",
        _create_job(
            _job(
                output_directories=[
                    models.OutputDirectory(id="MODEL", path_prefix="$AZ_BATCHAI_JOB_TEMP"),
                    models.OutputDirectory(id="model", path_prefix="$AZ_BATCHAI_JOB_TEMP"),
                ]
            )
        ),
        "parameters.output_directories[1].id",
    ),
    (
        "logs at /",
        _create_job(_job(std_out_err_path_prefix="/")),
        "parameters.std_out_err_path_prefix",
    ),
    (
        "logs climbing out of the job's folder",
        _create_job(_job(std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP/../../x")),
        "parameters.std_out_err_path_prefix",
    ),
    (
        "outputs in /tmp",
        _create_job(
            _job(output_directories=[models.OutputDirectory(id="OUT", path_prefix="/tmp")])
        ),
        "parameters.output_directories[0].path_prefix",
    ),
    (
        "job preparation without a command",
        _create_job(_job(job_preparation=models.JobPreparation(command_line=""))),
        "parameters.job_preparation.command_line",
    ),
    # names: ASCII 1-64, resource groups never '.' or '..'
    (
        "resource group '.'",
        lambda c: c.workspaces.create(".", WS, LOCATION),
        "resource_group_name",
    ),
    (
        "resource group '..'",
        lambda c: c.jobs.create("..", WS, EXP, "job", _job()),
        "resource_group_name",
    ),
    (
        "resource group of 91 characters",
        lambda c: c.workspaces.create("r" * 91, WS, LOCATION),
        "resource_group_name",
    ),
    (
        "non-ASCII workspace name",
        lambda c: c.workspaces.create(RG, "wsé", LOCATION),
        "workspace_name",
    ),
    (
        "non-ASCII job name",
        lambda c: c.jobs.create(RG, WS, EXP, "jöb", _job()),
        "job_name",
    ),
]


def _rows(home: Path) -> dict[str, int]:
    database = home / "state.db"
    if not database.exists():
        return {}
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _files(home: Path) -> set[str]:
    return {str(p.relative_to(home)) for p in home.rglob("*")}


def _resources(client: Any) -> tuple[Any, ...]:
    return (
        sorted(w.id for w in client.workspaces.list()),
        sorted(e.name for e in client.experiments.list_by_workspace(RG, WS)),
        sorted(
            (c.name, c.scale_settings.serialize())
            for c in client.clusters.list_by_workspace(RG, WS)
        ),
        sorted(j.name for j in client.jobs.list_by_experiment(RG, WS, EXP)),
    )


def _snapshot(client: Any, home: Path) -> tuple[Any, ...]:
    resources = _resources(client)  # reading first: a read may cache something, every time
    return resources, _rows(home), _files(home), find_supervisors(home)


def test_malformed_input_is_refused_naming_the_field_with_no_side_effect(
    client, experiment, cluster, batchai_home
):
    before = _snapshot(client, batchai_home)
    wrong = []
    for case, call, parameter in CASES:
        try:
            call(client)
        except msrest.exceptions.ValidationError as error:  # what 2.0.0's client raised
            assert isinstance(error, ValidationError) and isinstance(error, ValueError)
            if error.parameter != parameter:
                wrong.append(f"{case}: named {error.parameter!r}, not {parameter!r} ({error})")
        except Exception as error:
            wrong.append(f"{case}: {type(error).__name__}: {error}")
        else:
            wrong.append(f"{case}: accepted")
        after = _snapshot(client, batchai_home)
        if after != before:
            wrong.append(f"{case}: left a side effect: {_difference(before, after)}")
            before = after
    assert not wrong, "\n".join(wrong)


def _difference(before: tuple[Any, ...], after: tuple[Any, ...]) -> str:
    names = ("resources", "rows", "files", "processes")
    parts = []
    for name, old, new in zip(names, before, after, strict=True):
        if old != new:
            if isinstance(old, set):
                parts.append(f"{name}: +{sorted(new - old)} -{sorted(old - new)}")
            else:
                parts.append(f"{name}: {old} -> {new}")
    return "; ".join(parts)

"""Per-toolkit task plans: which processes a Batch AI job starts, where, with which arguments.

A plan is pure data computed from a :class:`~.spec.JobSpec` and a :class:`~.topology.Topology`;
every node computes the same plan and starts the tasks whose ``node_index`` is its own.  Command
lines are bash strings: arguments Batch AI took as strings (``command_line_args``,
``command_line``) are passed through unquoted so bash expands ``$AZ_BATCHAI_*`` in them; paths
the runtime expanded itself are quoted.

How each toolkit ran on Batch AI, and so here:

* **tensorflow** — single-machine (``node_count`` 1, no ``worker_count``/``parameter_server_count``):
  one task with ``master_command_line_args``.  Distributed: ``parameter_server_count`` ps tasks
  (default 1) and ``worker_count`` workers (default ``node_count``), task ``i`` of a role on node
  ``i % node_count``, each on its own port; workers use ``worker_command_line_args`` (worker 0,
  the master, ``master_command_line_args`` when given), ps tasks
  ``parameter_server_command_line_args``.  The job completes when every worker has exited;
  parameter servers (which usually ``join()`` forever) are then stopped.
* **horovod, mpi (custom MPI), cntk, chainer, caffe** — one ``mpirun -np <process_count>
  --hostfile $AZ_BATCHAI_MPI_HOST_FILE`` on the first node (``process_count`` defaults to
  ``node_count``); CNTK BrainScript runs ``cntk configFile=...``, Caffe with a config file runs
  ``caffe train --solver=...``.
* **pytorch** — ``process_count`` processes (default ``node_count``) with
  ``AZ_BATCHAI_TASK_INDEX`` as the rank; with the ``MPI`` backend, under ``mpirun``.
* **caffe2** — one process per node, ``AZ_BATCHAI_TASK_INDEX`` = node index (the shard id).
* **custom** — ``command_line`` under bash, once, on the first node.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..exceptions import ValidationError
from .environment import expand
from .logs import task_log_names
from .spec import JobSpec, ToolkitSpec
from .topology import Topology

__all__ = ["MpiOptions", "TaskPlan", "task_plans", "tensorflow_task_counts"]

MPI_TOOLKITS = frozenset({"horovod", "mpi", "cntk", "chainer", "caffe"})


@dataclass(frozen=True)
class TaskPlan:
    """One process of a job.

    ``role`` is ``worker``/``ps`` (TensorFlow) or ``task``; ``required`` is False for tasks the
    job does not wait for (TensorFlow parameter servers).  ``executables`` lists the programs
    the command needs, checked before start so a missing one fails fast with its name.
    """

    role: str
    index: int
    node_index: int
    command: str
    stdout_name: str
    stderr_name: str
    required: bool = True
    executables: tuple[str, ...] = ()
    mpi: bool = False


@dataclass(frozen=True)
class MpiOptions:
    """How to call ``mpirun`` (Open MPI) on this machine."""

    program: str = "mpirun"
    allow_run_as_root: bool = False
    oversubscribe: bool = True
    extra_args: tuple[str, ...] = ()

    def prefix(self, process_count: int) -> str:
        args = [self.program, "-np", str(process_count), "--hostfile", "$AZ_BATCHAI_MPI_HOST_FILE"]
        if self.allow_run_as_root:
            args.append("--allow-run-as-root")
        if self.oversubscribe:
            args.append("--oversubscribe")
        args.extend(self.extra_args)
        return " ".join(a if a.startswith("$") else shlex.quote(a) for a in args)


def tensorflow_task_counts(spec: JobSpec) -> tuple[int, int] | None:
    """(parameter servers, workers) of a distributed TensorFlow job; None when not distributed."""
    if spec.toolkit.tool_type != "tensorflow":
        return None
    settings = spec.toolkit
    workers = settings.get("worker_count")
    ps = settings.get("parameter_server_count")
    if workers is None and ps is None and spec.node_count == 1:
        return None
    return (1 if ps is None else int(ps)), (spec.node_count if workers is None else int(workers))


def _python_command(
    toolkit: ToolkitSpec, variables: dict[str, str], default_python: str
) -> tuple[str, str]:
    """(command prefix ``<python> <script>``, interpreter) for a python-script toolkit."""
    script = toolkit.get("python_script_file_path")
    if not script:
        raise ValidationError(
            f"parameters.{toolkit.tool_type}_settings.python_script_file_path", "is required"
        )
    interpreter = expand(str(toolkit.get("python_interpreter_path", default_python)), variables)
    return f"{shlex.quote(interpreter)} {shlex.quote(expand(str(script), variables))}", interpreter


def _with_args(command: str, args: str | None) -> str:
    return f"{command} {args}" if args else command


def _process_count(spec: JobSpec) -> int:
    count = spec.toolkit.get("process_count", spec.node_count)
    if not isinstance(count, int) or count < 1:
        raise ValidationError(
            f"parameters.{spec.toolkit.tool_type}_settings.process_count",
            "must be an integer >= 1",
            count,
        )
    return count


def task_plans(
    spec: JobSpec,
    topology: Topology,
    variables: dict[str, str],
    *,
    default_python: str = "python",
    mpi: MpiOptions | None = None,
) -> list[TaskPlan]:
    """Every task of the job, on every node.  ``variables``: the node's expanded contract."""
    mpi = mpi or MpiOptions()
    toolkit = spec.toolkit
    kind = toolkit.tool_type
    nodes = topology.node_count
    args = toolkit.get("command_line_args")

    if kind == "custom":
        command = toolkit.get("command_line")
        if not command:
            raise ValidationError("parameters.custom_toolkit_settings.command_line", "is required")
        return [_single(str(command))]

    if kind == "tensorflow":
        python, interpreter = _python_command(toolkit, variables, default_python)
        counts = tensorflow_task_counts(spec)
        if counts is None:
            return [
                _single(_with_args(python, toolkit.get("master_command_line_args")), (interpreter,))
            ]
        ps_count, worker_count = counts
        plans = []
        for i in range(ps_count):
            out, err = task_log_names("ps", i, single=False)
            plans.append(
                TaskPlan(
                    "ps",
                    i,
                    i % nodes,
                    _with_args(python, toolkit.get("parameter_server_command_line_args")),
                    out,
                    err,
                    required=False,
                    executables=(interpreter,),
                )
            )
        master = toolkit.get("master_command_line_args")
        worker = toolkit.get("worker_command_line_args")
        for i in range(worker_count):
            role_args = (master or worker) if i == 0 else (worker or master)
            out, err = task_log_names("worker", i, single=False)
            plans.append(
                TaskPlan(
                    "worker",
                    i,
                    i % nodes,
                    _with_args(python, role_args),
                    out,
                    err,
                    executables=(interpreter,),
                )
            )
        return plans

    if kind in MPI_TOOLKITS or (
        kind == "pytorch" and str(toolkit.get("communication_backend", "")).lower() == "mpi"
    ):
        count = _process_count(spec)
        executables: tuple[str, ...] = (mpi.program,)
        if kind == "mpi":
            program = toolkit.get("command_line")
            if not program:
                raise ValidationError("parameters.custom_mpi_settings.command_line", "is required")
        elif kind == "cntk" and not _cntk_is_python(toolkit):
            config = toolkit.get("config_file_path")
            if not config:
                raise ValidationError(
                    "parameters.cntk_settings.config_file_path", "is required for BrainScript"
                )
            program = _with_args(
                f"cntk configFile={shlex.quote(expand(str(config), variables))}", args
            )
            executables += ("cntk",)
        elif kind == "caffe" and toolkit.get("config_file_path"):
            solver = shlex.quote(expand(str(toolkit.get("config_file_path")), variables))
            program = _with_args(f"caffe train --solver={solver}", args)
            executables += ("caffe",)
        else:
            python, interpreter = _python_command(toolkit, variables, default_python)
            program = _with_args(python, args)
            executables += (interpreter,)
        return [_single(f"{mpi.prefix(count)} {program}", executables, mpi=True)]

    if kind == "pytorch":
        python, interpreter = _python_command(toolkit, variables, default_python)
        count = _process_count(spec)
        return _per_index(_with_args(python, args), count, nodes, (interpreter,))

    if kind == "caffe2":
        python, interpreter = _python_command(toolkit, variables, default_python)
        return _per_index(_with_args(python, args), nodes, nodes, (interpreter,))

    raise ValidationError("parameters", f"unknown toolkit {kind!r}")


def _cntk_is_python(toolkit: ToolkitSpec) -> bool:
    language = str(toolkit.get("language_type", "")).lower()
    if language:
        return language == "python"
    return bool(toolkit.get("python_script_file_path"))


def _single(command: str, executables: tuple[str, ...] = (), *, mpi: bool = False) -> TaskPlan:
    out, err = task_log_names("task", 0, single=True)
    return TaskPlan("task", 0, 0, command, out, err, executables=executables, mpi=mpi)


def _per_index(
    command: str, count: int, nodes: int, executables: tuple[str, ...]
) -> list[TaskPlan]:
    plans = []
    for i in range(count):
        out, err = task_log_names("task", i, single=count == 1)
        plans.append(TaskPlan("task", i, i % nodes, command, out, err, executables=executables))
    return plans

"""Per-toolkit task plans: which processes a Batch AI job starts, where, with which arguments.

A plan is pure data computed from a :class:`~.spec.JobSpec` and a :class:`~.topology.Topology`;
every node computes the same plan and starts the tasks whose ``node_index`` is its own.  How many
processes each toolkit starts, MPI or not, and the TensorFlow per-role arguments are Batch AI's
rules in :mod:`batchai_compat.domain.toolkits` (``spec.layout``); this module writes the command
lines.  They are bash strings: arguments Batch AI took as strings (``command_line_args``,
``command_line``) are passed through unquoted so bash expands ``$AZ_BATCHAI_*`` in them; paths
the runtime expanded itself are quoted.

* TensorFlow: ps task ``i`` and worker ``i`` on node ``i % node_count``, each on its own port;
  the job completes when every worker has exited; parameter servers (which usually ``join()``
  forever) are then stopped.
* MPI launches: one ``mpirun -np <processes> --hostfile $AZ_BATCHAI_MPI_HOST_FILE`` on the
  first node; CNTK BrainScript runs ``cntk configFile=...``, Caffe with a config file runs
  ``caffe train --solver=...``, the others ``<python> <script>`` (custom MPI: ``command_line``).
* PyTorch ranks: rank ``i`` on node ``i % node_count`` with ``AZ_BATCHAI_TASK_INDEX`` = ``i``.
* Caffe2: one process per node, ``AZ_BATCHAI_TASK_INDEX`` = node index (the shard id).
* custom: ``command_line`` under bash, once, on the first node.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..domain.toolkits import Launch, task_program, tensorflow_role_args
from ..exceptions import ValidationError
from .environment import expand
from .logs import task_log_names
from .spec import JobSpec
from .topology import Topology

__all__ = ["MpiOptions", "TaskPlan", "task_plans", "tensorflow_task_counts"]


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
    layout = spec.layout
    if layout.launch != Launch.TENSORFLOW:
        return None
    return layout.parameter_servers, layout.workers


def _program_command(
    spec: JobSpec, variables: dict[str, str], default_python: str
) -> tuple[str, str | None]:
    """(the task's program as a bash command, the executable it needs besides mpirun) from
    the toolkit's :func:`~batchai_compat.domain.toolkits.task_program`."""
    program = task_program(spec.toolkit.toolkit, spec.toolkit.settings)
    if program.kind == "shell":
        return str(program.text), None
    path = shlex.quote(expand(str(program.path), variables))
    if program.kind == "cntk":
        return f"cntk configFile={path}", "cntk"
    if program.kind == "caffe":
        return f"caffe train --solver={path}", "caffe"
    interpreter = expand(program.interpreter or default_python, variables)
    return f"{shlex.quote(interpreter)} {path}", interpreter


def _with_args(command: str, args: str | None) -> str:
    return f"{command} {args}" if args else command


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
    kind = toolkit.kind
    layout = spec.layout
    nodes = topology.node_count
    args = toolkit.get("command_line_args")

    program, executable = _program_command(spec, variables, default_python)
    needs = (executable,) if executable else ()
    if kind == "custom":
        return [_single(program)]
    if layout.launch == Launch.MPI:
        command = f"{mpi.prefix(layout.processes)} {_with_args(program, args)}"
        return [_single(command, (mpi.program, *needs), mpi=True)]

    if layout.launch == Launch.TENSORFLOW:
        plans = []
        for role, count in (("ps", layout.parameter_servers), ("worker", layout.workers)):
            for i in range(count):
                out, err = task_log_names(role, i, single=False)
                command = _with_args(program, tensorflow_role_args(toolkit.settings, role, i))
                plans.append(
                    TaskPlan(
                        role,
                        i,
                        i % nodes,
                        command,
                        out,
                        err,
                        required=role == "worker",
                        executables=needs,
                    )
                )
        return plans
    if layout.launch in (Launch.RANKS, Launch.PER_NODE):
        count = layout.processes if layout.launch == Launch.RANKS else nodes
        return _per_index(_with_args(program, args), count, nodes, needs)
    if kind == "tensorflow":  # single-machine: the master's arguments
        return [_single(_with_args(program, toolkit.get("master_command_line_args")), needs)]
    raise ValidationError("parameters", f"unknown toolkit {kind!r}")


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

"""Batch AI toolkits: which settings field a job names, and how many processes it starts where.

A ``JobCreateParameters`` names exactly one of nine ``*_settings`` fields.  The table
:data:`TOOLKITS` says, per field, its REST key, the toolkit *kind* the runtime dispatches on, and
the ``Job.tool_type`` the 2018-05-01 service reported for it (its ``ToolType`` enum has no
PyTorch member: PyTorch jobs reported ``custom``).

:func:`task_layout` is the launch rule every backend follows, the way Batch AI ran each kind:

* **tensorflow** — single-machine (``node_count`` 1, no ``worker_count`` /
  ``parameter_server_count``): one task.  Distributed: ``parameter_server_count`` ps tasks
  (default 1) and ``worker_count`` workers (default ``node_count``); worker 0 (the master) takes
  ``master_command_line_args`` when given (:func:`tensorflow_role_args`).
* **horovod, mpi (custom MPI), cntk, chainer, caffe**, and **pytorch** with the ``MPI``
  communication backend — one ``mpirun`` of ``process_count`` ranks (default ``node_count``).
* **pytorch** (gloo/nccl) — ``process_count`` ranks (default ``node_count``).
* **caffe2** — one process per node (the shard id is the node index).
* **custom** — ``command_line`` once, on the first node.

:func:`task_program` says what each task runs (a shell command line, a Python script, CNTK's
BrainScript or Caffe's solver), before any ``$AZ_BATCHAI_*`` expansion.

The node runtime (:mod:`batchai_compat.runtime.toolkits`) turns a layout into command lines;
the Azure ML backends turn it into a distribution (:mod:`batchai_compat.backends._azureml_common`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..exceptions import ValidationError
from .documents import get

__all__ = [
    "BY_FIELD",
    "BY_KIND",
    "MPI_KINDS",
    "TOOLKITS",
    "Launch",
    "Program",
    "TaskLayout",
    "Toolkit",
    "check_launchable",
    "chosen_toolkit",
    "cntk_is_python",
    "process_count",
    "task_layout",
    "task_program",
    "tensorflow_role_args",
    "tensorflow_task_counts",
    "uses_mpi",
]


class Toolkit(NamedTuple):
    """One toolkit settings field of ``JobCreateParameters``.

    ``field`` is the Python attribute (``tensor_flow_settings``), ``rest_key`` its key under
    ``properties`` in the REST body, ``kind`` what the runtime dispatches on and ``tool_type``
    what ``Job.tool_type`` reports.
    """

    field: str
    rest_key: str
    kind: str
    tool_type: str


#: Every toolkit settings field, in the service's order.  A test compares it with the genuine
#: azure-mgmt-batchai 2.0.0 ``JobCreateParameters._attribute_map``.
TOOLKITS: tuple[Toolkit, ...] = (
    Toolkit("cntk_settings", "cntkSettings", "cntk", "cntk"),
    Toolkit("py_torch_settings", "pyTorchSettings", "pytorch", "custom"),
    Toolkit("tensor_flow_settings", "tensorFlowSettings", "tensorflow", "tensorflow"),
    Toolkit("caffe_settings", "caffeSettings", "caffe", "caffe"),
    Toolkit("caffe2_settings", "caffe2Settings", "caffe2", "caffe2"),
    Toolkit("chainer_settings", "chainerSettings", "chainer", "chainer"),
    Toolkit("custom_toolkit_settings", "customToolkitSettings", "custom", "custom"),
    Toolkit("custom_mpi_settings", "customMpiSettings", "mpi", "mpi"),
    Toolkit("horovod_settings", "horovodSettings", "horovod", "horovod"),
)
BY_FIELD: Mapping[str, Toolkit] = {t.field: t for t in TOOLKITS}
BY_KIND: Mapping[str, Toolkit] = {t.kind: t for t in TOOLKITS}

#: Kinds that always run under ``mpirun`` (PyTorch does with the MPI backend: :func:`uses_mpi`).
MPI_KINDS = frozenset({"horovod", "mpi", "cntk", "chainer", "caffe"})


def chosen_toolkit(parameters: Any) -> tuple[Toolkit, Any]:
    """(toolkit, its settings) of a job (model or snake_case mapping).

    Raises :class:`~batchai_compat.exceptions.ValidationError` when the job names no toolkit or
    more than one.
    """
    chosen = [(t, get(parameters, t.field)) for t in TOOLKITS]
    chosen = [(t, settings) for t, settings in chosen if settings is not None]
    if not chosen:
        raise ValidationError(
            "parameters",
            "a job needs exactly one toolkit settings field (e.g. custom_toolkit_settings)",
        )
    if len(chosen) > 1:
        names = ", ".join(t.field for t, _ in chosen)
        raise ValidationError(
            "parameters", f"a job takes exactly one toolkit settings field, got {names}"
        )
    return chosen[0]


def cntk_is_python(settings: Any) -> bool:
    """Whether a CNTK job runs a Python script (``language_type='Python'``, or a script given
    without a language) rather than a BrainScript configuration."""
    language = str(get(settings, "language_type", "") or "").lower()
    if language:
        return language == "python"
    return bool(get(settings, "python_script_file_path"))


def check_launchable(toolkit: Toolkit, settings: Any) -> None:
    """Refuse a toolkit's settings that name nothing to run: the custom toolkit and custom MPI
    need ``command_line``; CNTK BrainScript ``config_file_path``; Caffe ``config_file_path`` or
    ``python_script_file_path``; every other toolkit ``python_script_file_path``."""

    def need(name: str, rule: str = "is required") -> None:
        value = get(settings, name)
        if value is None or not str(value).strip():
            raise ValidationError(f"parameters.{toolkit.field}.{name}", rule)

    kind = toolkit.kind
    if kind in ("custom", "mpi"):
        need("command_line")
    elif kind == "cntk" and not cntk_is_python(settings):
        need("config_file_path", "is required for BrainScript")
    elif not (kind == "caffe" and get(settings, "config_file_path")):
        need("python_script_file_path")


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(where, "must be an integer >= 1", value)
    return value


def uses_mpi(kind: str, settings: Any) -> bool:
    """Whether the toolkit's processes start under ``mpirun``."""
    if kind in MPI_KINDS:
        return True
    return kind == "pytorch" and str(get(settings, "communication_backend", "")).lower() == "mpi"


def process_count(toolkit: Toolkit, settings: Any, node_count: int) -> int:
    """``process_count`` of an MPI or PyTorch toolkit (default: one per node), validated."""
    return _count(
        get(settings, "process_count", node_count), f"parameters.{toolkit.field}.process_count"
    )


def tensorflow_task_counts(settings: Any, node_count: int) -> tuple[int, int] | None:
    """(parameter servers, workers) of a distributed TensorFlow job; None when it is not."""
    workers = get(settings, "worker_count")
    ps = get(settings, "parameter_server_count")
    if workers is None and ps is None and node_count == 1:
        return None
    where = "parameters.tensor_flow_settings"
    return (
        1 if ps is None else _count(ps, f"{where}.parameter_server_count"),
        node_count if workers is None else _count(workers, f"{where}.worker_count"),
    )


def tensorflow_role_args(settings: Any, role: str, index: int) -> str | None:
    """The command-line arguments of TensorFlow task ``index`` of ``role`` (``ps``/``worker``).

    Worker 0 is the master: ``master_command_line_args`` when given, else the workers'; the
    other workers fall back to the master's when they have none (Batch AI's rule).
    """
    if role == "ps":
        value = get(settings, "parameter_server_command_line_args")
        return None if value is None else str(value)
    master = get(settings, "master_command_line_args")
    worker = get(settings, "worker_command_line_args")
    value = (master or worker) if index == 0 else (worker or master)
    return None if value is None else str(value)


class Launch:
    """How a job's processes start (the values of :attr:`TaskLayout.launch`)."""

    SINGLE = "single"  #: one process on the first node
    TENSORFLOW = "tensorflow"  #: ps and worker tasks, task i of a role on node i % node_count
    MPI = "mpi"  #: one mpirun of ``processes`` ranks
    RANKS = "ranks"  #: ``processes`` ranks started one by one (PyTorch), rank i on node i % n
    PER_NODE = "per_node"  #: one process per node (Caffe2)


class TaskLayout(NamedTuple):
    """How many processes a job starts and how (:class:`Launch`).

    ``processes`` counts every process of the job (ps and workers for TensorFlow).
    """

    toolkit: Toolkit
    launch: str
    node_count: int
    processes: int
    parameter_servers: int = 0
    workers: int = 0


def task_layout(toolkit: Toolkit, settings: Any, node_count: int) -> TaskLayout:
    """The launch rule of a job's toolkit on ``node_count`` nodes (see the module docstring)."""
    node_count = _count(node_count, "parameters.node_count")
    kind = toolkit.kind
    if kind == "tensorflow":
        counts = tensorflow_task_counts(settings, node_count)
        if counts is None:
            return TaskLayout(toolkit, Launch.SINGLE, node_count, 1)
        ps, workers = counts
        return TaskLayout(toolkit, Launch.TENSORFLOW, node_count, ps + workers, ps, workers)
    if uses_mpi(kind, settings):
        count = process_count(toolkit, settings, node_count)
        return TaskLayout(toolkit, Launch.MPI, node_count, count)
    if kind == "pytorch":
        count = process_count(toolkit, settings, node_count)
        return TaskLayout(toolkit, Launch.RANKS, node_count, count)
    if kind == "caffe2":
        return TaskLayout(toolkit, Launch.PER_NODE, node_count, node_count)
    return TaskLayout(toolkit, Launch.SINGLE, node_count, 1)


class Program(NamedTuple):
    """What every task of a job runs, as the job wrote it (``$AZ_BATCHAI_*`` unexpanded).

    ``kind`` is ``shell`` (``text``: a bash command line, custom and custom MPI toolkits),
    ``python`` (``path``: the script, ``interpreter``: ``python_interpreter_path`` or None for
    the image's ``python``), ``cntk`` (``path``: the BrainScript ``configFile``) or ``caffe``
    (``path``: the solver of ``caffe train``).  The toolkit's arguments come after it.
    """

    kind: str
    text: str | None = None
    path: str | None = None
    interpreter: str | None = None


def task_program(toolkit: Toolkit, settings: Any) -> Program:
    """The program a toolkit's tasks run (Batch AI's rule; see :class:`Program`), once
    :func:`check_launchable` has found what it needs."""
    check_launchable(toolkit, settings)
    if toolkit.kind in ("custom", "mpi"):
        return Program("shell", text=str(get(settings, "command_line")))
    if toolkit.kind == "cntk" and not cntk_is_python(settings):
        return Program("cntk", path=str(get(settings, "config_file_path")))
    if toolkit.kind == "caffe" and get(settings, "config_file_path"):
        return Program("caffe", path=str(get(settings, "config_file_path")))
    interpreter = get(settings, "python_interpreter_path")
    return Program(
        "python",
        path=str(get(settings, "python_script_file_path")),
        interpreter=None if interpreter is None else str(interpreter),
    )

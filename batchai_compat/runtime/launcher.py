"""The thin process-running part of the node runtime: one call runs one node of a job.

What a Batch AI node agent did, in order:

1. prepare the node's folders (stdouterr, output directories, job temp, shared temp, home) and
   the Open MPI host file;
2. run ``job_preparation.command_line`` under bash (``stdout-job_prep.txt``/``stderr-job_prep.txt``);
3. start the node's tasks (see :mod:`.toolkits`) with the environment contract
   (:mod:`.environment`), each writing its Batch AI log files;
4. wait for the tasks the job waits for, stop the rest, and report an exit code and errors.
   The rest (TensorFlow parameter servers) serve the workers of every node: a node whose
   workers are done keeps its parameter servers until every node's workers are done (each node
   leaves a marker in the shared job temp folder, see :func:`workers_done_marker`).

Each task runs in its own process group inside the launcher's session: the launcher stops a
task with one ``killpg``, and whoever started the launcher in a new session (the local
supervisor) stops the whole node by signalling that session.  Secret values are
only ever placed in child environments: never in logs, command lines or the result.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from ..domain import answers
from .environment import TaskRole, job_environment, task_environment
from .logs import execution_log_name, job_prep_log_names
from .reasons import failure_reason
from .spec import JobSpec
from .toolkits import MpiOptions, TaskPlan, task_plans
from .topology import Topology

__all__ = [
    "NodeError",
    "NodeResult",
    "run_node",
    "shell_exit_code",
    "workers_done_marker",
    "write_host_file",
]

#: Exit code bash uses for "command not found"; reported when an interpreter/framework is missing.
EXIT_NOT_FOUND = 127
_FIRST_POLL_SECONDS = 0.005
_LAST_POLL_SECONDS = 0.1


def poll_interval(elapsed: float) -> float:
    """How long to sleep between checks on running processes, ``elapsed`` seconds in.

    Short jobs end promptly (a few ms of latency), long ones cost ~10 wake-ups a second.
    """
    return min(_LAST_POLL_SECONDS, _FIRST_POLL_SECONDS + elapsed * 0.01)


_STOP_GRACE_SECONDS = 3.0


def shell_exit_code(returncode: int) -> int:
    """A process's end as a shell reports it: its exit code, or ``128 + N`` when signal ``N``
    killed it (``subprocess`` gives ``-N``).  Batch AI ran tasks under bash and reported this;
    a task killed by ``kill -9`` and a node runtime killed by ``kill -9`` both end the job with
    exit code 137."""
    return returncode if returncode >= 0 else 128 - returncode


@dataclass(frozen=True)
class NodeError:
    """One ``BatchAIError``: ``code``, ``message`` and ``details`` (name -> value)."""

    code: str
    message: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeResult:
    """How a node's part of the job ended."""

    exit_code: int
    errors: tuple[NodeError, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "exit_code": self.exit_code,
                "errors": [
                    {"code": e.code, "message": e.message, "details": e.details}
                    for e in self.errors
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> NodeResult:
        data = json.loads(text)
        return cls(
            int(data["exit_code"]),
            tuple(
                NodeError(e["code"], e["message"], dict(e.get("details") or {}))
                for e in data["errors"]
            ),
        )


def write_host_file(topology: Topology, path: str) -> None:
    """Open MPI host file: one line per distinct host, slots summed (duplicates upset mpirun)."""
    slots: dict[str, int] = {}
    for host in topology.hosts:
        slots[host] = slots.get(host, 0) + max(1, topology.slots_per_node)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("".join(f"{host} slots={n}\n" for host, n in slots.items()))


class _ExecutionLog:
    """``execution.log``: what the node agent did, with UTC timestamps (never env values)."""

    def __init__(self, path: Path) -> None:
        self._file: IO[str] = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def write(self, message: str) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self._file.write(f"{stamp} {message}\n")

    def close(self) -> None:
        self._file.close()


def _find_executable(name: str, env: Mapping[str, str]) -> bool:
    if "/" in name:
        return os.path.isfile(name) and os.access(name, os.X_OK)
    return shutil.which(name, path=env.get("PATH")) is not None


def _prepare_folders(topology: Topology, env: Mapping[str, str], spec: JobSpec) -> None:
    folders = [
        env["AZ_BATCHAI_STDOUTERR_DIR"],
        topology.job_temp,
        topology.shared_job_temp,
        *(env[f"AZ_BATCHAI_OUTPUT_{d.id}"] for d in spec.output_directories),
    ]
    if topology.home:
        folders.append(topology.home)
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
    write_host_file(topology, topology.mpi_host_file)


def _start(
    command: str, env: Mapping[str, str], cwd: str, stdout: Path, stderr: Path
) -> subprocess.Popen[bytes]:
    """Start ``bash -c command`` as the leader of its own process group (same session)."""
    group: dict[str, Any] = (
        {"process_group": 0} if sys.version_info >= (3, 11) else {"preexec_fn": os.setpgrp}
    )
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        return subprocess.Popen(
            ["bash", "-c", command],
            env=dict(env),
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            **group,
        )


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop every task's whole process group (bash, the program, mpirun and its ranks)."""
    for p in processes:
        _signal_group(p, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE_SECONDS
    for p in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(max(0.0, deadline - time.monotonic()))
        _signal_group(p, signal.SIGKILL)  # stragglers of a group whose leader already exited
        p.wait()


def node_environment(
    spec: JobSpec,
    topology: Topology,
    secrets: Mapping[str, str],
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of the node's job user: the submitting env, a node HOME, the contract."""
    env = dict(os.environ if base is None else base)
    if topology.home:
        env["HOME"] = topology.home
    env.update(job_environment(spec, topology, secrets))
    return env


def run_node(
    spec: JobSpec,
    topology: Topology,
    secrets: Mapping[str, str] | None = None,
    *,
    default_python: str | None = None,
    mpi: MpiOptions | None = None,
    base_environment: Mapping[str, str] | None = None,
) -> NodeResult:
    """Run this node's part of the job (preparation + its tasks) and wait for it."""
    secrets = dict(secrets or {})
    env = node_environment(spec, topology, secrets, base_environment)
    _prepare_folders(topology, env, spec)
    stdouterr = Path(env["AZ_BATCHAI_STDOUTERR_DIR"])
    single_node = topology.node_count == 1
    log = _ExecutionLog(stdouterr / execution_log_name(topology.node_id, single_node=single_node))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        return _run(
            spec,
            topology,
            env,
            secrets,
            log,
            default_python or sys.executable,
            mpi,
            single_node,
            processes,
        )
    finally:
        # Whatever way we leave (done, failed, SIGTERM raised as SystemExit), nothing stays.
        leftover = [p for p in processes if p.poll() is None]
        if leftover:
            log.write(f"stopping {len(leftover)} process(es) still running")
        _stop(processes)
        log.close()


def _run(
    spec: JobSpec,
    topology: Topology,
    env: dict[str, str],
    secrets: dict[str, str],
    log: _ExecutionLog,
    default_python: str,
    mpi: MpiOptions | None,
    single_node: bool,
    processes: list[subprocess.Popen[bytes]],
) -> NodeResult:
    stdouterr = Path(env["AZ_BATCHAI_STDOUTERR_DIR"])
    node = topology.node_id
    log.write(
        f"node {node} ({topology.node_index + 1}/{topology.node_count}) of job {topology.identity.job}"
    )
    if spec.container_image:
        log.write(
            f"container image {spec.container_image!r} recorded; running on the host (no container engine)"
        )
    cwd = topology.job_temp

    if spec.job_preparation:
        out_name, err_name = job_prep_log_names(node, single_node=single_node)
        log.write(f"job preparation started: {spec.job_preparation}")
        prep = _start(spec.job_preparation, env, cwd, stdouterr / out_name, stdouterr / err_name)
        processes.append(prep)
        code = shell_exit_code(prep.wait())
        log.write(f"job preparation exited with code {code}")
        if code != 0:
            reason = failure_reason(stdouterr / err_name, secrets)
            return NodeResult(
                code,
                (
                    NodeError(
                        answers.JOB_PREPARATION_FAILED[0],
                        answers.job_error_message(
                            answers.JOB_PREPARATION_FAILED,
                            f"it exited with code {code} on node {node}"
                            + (f": {reason}" if reason else ""),
                        ),
                        {"node": node, "exitCode": str(code), "stderr": err_name},
                    ),
                ),
            )

    job_plans = task_plans(spec, topology, env, default_python=default_python, mpi=mpi)
    plans = [p for p in job_plans if p.node_index == topology.node_index]
    for plan in plans:
        missing = [exe for exe in plan.executables if not _find_executable(exe, env)]
        if missing:
            message = f"{missing[0]!r} was not found on node {node}: the job's interpreter or framework is missing"
            log.write(message)
            return NodeResult(
                EXIT_NOT_FOUND,
                (NodeError("JobFailed", message, {"node": node, "executable": missing[0]}),),
            )

    started: list[tuple[TaskPlan, subprocess.Popen[bytes]]] = []
    for plan in plans:
        task_env = task_environment(env, spec, topology, TaskRole(plan.role, plan.index))
        if not plan.mpi:
            # Each task owns its log file: unbuffered output streams while the job runs.  (Not
            # under mpirun, where unbuffered ranks would interleave mid-line in one file.)
            task_env.setdefault("PYTHONUNBUFFERED", "1")
        log.write(f"task {plan.role}-{plan.index} started: {plan.command}")
        out, err = stdouterr / plan.stdout_name, stdouterr / plan.stderr_name
        started.append((plan, _start(plan.command, task_env, cwd, out, err)))
        processes.append(started[-1][1])
    result = _wait(started, log, node, stdouterr, secrets)
    if result.exit_code == 0 and any(not plan.required for plan in job_plans):
        _serve_until_every_node_is_done(topology, started, log)
    return result


def coordination_dir(shared_job_temp: str | os.PathLike[str]) -> Path:
    """Where the node runtimes of one run leave files for each other, in the job's shared temp
    folder (a rerun of a requeued job starts without them)."""
    return Path(shared_job_temp) / ".batchai_compat"


def workers_done_marker(topology: Topology, node_index: int) -> Path:
    """The file node ``node_index`` writes once its required tasks all succeeded (only in jobs
    with parameter servers), in the run's coordination folder."""
    return coordination_dir(topology.shared_job_temp) / f"workers-done-{node_index}"


def _serve_until_every_node_is_done(
    topology: Topology,
    started: list[tuple[TaskPlan, subprocess.Popen[bytes]]],
    log: _ExecutionLog,
) -> None:
    """Keep this node's parameter servers for the workers of the other nodes.

    A parameter server never exits by itself; Batch AI stopped them once the job's workers were
    all done.  Stopping them when only this node's workers are done would cut off a worker of
    another node still talking to them.  A worker failing elsewhere fails its node, and the
    supervisor then stops this one.
    """
    marker = workers_done_marker(topology, topology.node_index)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    servers = [p for plan, p in started if not plan.required]
    others = [workers_done_marker(topology, i) for i in range(topology.node_count)]
    if not any(p.poll() is None for p in servers) or all(m.exists() for m in others):
        return
    log.write("workers done here: parameter servers wait for the other nodes' workers")
    since = time.monotonic()
    while any(p.poll() is None for p in servers) and not all(m.exists() for m in others):
        time.sleep(poll_interval(time.monotonic() - since))
    log.write("workers of every node done")


class _ChildExits:
    """Wakes a waiting loop as soon as a child process exits (SIGCHLD) rather than at its next
    poll: a task's end is seen at once, not up to a poll interval later.  Only in the main
    thread (where signal handlers run); elsewhere :meth:`wait` just sleeps."""

    def __init__(self) -> None:
        self._read = self._write = -1
        self._restore: tuple[int, Any] | None = None

    def __enter__(self) -> _ChildExits:
        if threading.current_thread() is threading.main_thread():
            read_end, write_end = os.pipe()
            for fd in (read_end, write_end):
                os.set_blocking(fd, False)
            try:
                previous_fd = signal.set_wakeup_fd(write_end)
            except ValueError:
                os.close(read_end)
                os.close(write_end)
                return self
            self._read, self._write = read_end, write_end
            self._restore = (previous_fd, signal.signal(signal.SIGCHLD, _wake_only))
        return self

    def wait(self, seconds: float) -> None:
        if self._restore is None:
            time.sleep(seconds)
            return
        ready, _, _ = select.select([self._read], [], [], seconds)
        if ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._read, 256):
                    pass

    def __exit__(self, *exc: object) -> None:
        if self._restore is not None:
            previous_fd, handler = self._restore
            signal.set_wakeup_fd(previous_fd)
            signal.signal(signal.SIGCHLD, handler)
            os.close(self._read)
            os.close(self._write)
            self._restore = None


def _wake_only(signum: int, frame: object) -> None:
    """A SIGCHLD handler that only makes the wake-up descriptor readable."""


def _wait(
    started: list[tuple[TaskPlan, subprocess.Popen[bytes]]],
    log: _ExecutionLog,
    node: str,
    stdouterr: Path,
    secrets: Mapping[str, str],
) -> NodeResult:
    with _ChildExits() as exits:
        return _wait_for_tasks(started, log, node, stdouterr, secrets, exits)


def _wait_for_tasks(
    started: list[tuple[TaskPlan, subprocess.Popen[bytes]]],
    log: _ExecutionLog,
    node: str,
    stdouterr: Path,
    secrets: Mapping[str, str],
    exits: _ChildExits,
) -> NodeResult:
    pending = [(plan, p) for plan, p in started if plan.required]
    since = time.monotonic()
    while pending:
        still = []
        for plan, process in pending:
            returncode = process.poll()
            if returncode is None:
                still.append((plan, process))
                continue
            code = shell_exit_code(returncode)
            log.write(f"task {plan.role}-{plan.index} exited with code {code}")
            if code != 0:
                reason = failure_reason(stdouterr / plan.stderr_name, secrets)
                return NodeResult(
                    code,
                    (
                        NodeError(
                            answers.JOB_FAILED[0],
                            answers.job_error_message(
                                answers.JOB_FAILED,
                                f"task {plan.role}-{plan.index} on node {node} exited with "
                                f"code {code}" + (f": {reason}" if reason else ""),
                            ),
                            {"node": node, "exitCode": str(code), "stderr": plan.stderr_name},
                        ),
                    ),
                )
        pending = still
        if pending:
            exits.wait(poll_interval(time.monotonic() - since))
    return NodeResult(0)


def load_launch(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data

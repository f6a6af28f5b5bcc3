"""The supervisor of one running local job: a process forked from the home's scheduler daemon.

What the Batch AI service did for a job once it had nodes, done by one process per *running*
job (a queued job is only a row: see :mod:`.daemon`).  The daemon gives the job its nodes
(``StateStore.allocate_nodes``), forks, and the child, in a session of its own, calls
:func:`supervise`:

1. link the cluster's and the job's mount volumes (:mod:`.mounts`) and run the cluster's setup
   task on nodes that have not run it yet (:mod:`.node_setup`);
2. start one node runtime per node (forked again, as warm as the daemon; the same code
   ``python -m batchai_compat.runtime`` runs), each in a session of its own;
3. watch them: the first failing node fails the job and stops the others; ``jobs.terminate``
   (SIGTERM, or the job turning ``terminating``) and ``max_wall_clock_time`` stop every node;
4. record the outcome in the state store (``execution_info``: exit code, errors) — which also
   gives the nodes back to the cluster — and stop whatever the job left running.

A cluster scale-down that takes the job's nodes turns its row back to ``queued``
(``node_deallocation_option='requeue'``): the supervisor stops the nodes and ends, and the
daemon starts the job again when the cluster has nodes for it, as Batch AI put it back in its
queue.  With ``'terminate'`` the row turns ``terminating`` with the reason (``JobPreempted``)
and the job fails with it.

A supervisor serves one state database (:class:`.helpers.DatabaseFile`): when that file is gone
— deleted with its home, or replaced by another file at the same path — it stops its nodes and
ends quietly: nothing is left to report to.  When the daemon that forked it is gone (killed) and
its job ended on its own, it starts a new daemon, so the queue moves on without any client.

Secret values (``JobCreateParameters.secrets``, the setup task's) reach it in memory from the
daemon, and only reach the node runtimes and the setup task's environment.
``RUN_DIR/supervisor.log`` records what the supervisor did (never a value of the environment).

One module (over 600 lines) because it is one process's program: the steps above share the
job's run folder, its signal handling and its store connection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import select
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

from ...domain.documents import rest_to_snake
from ...domain.durations import DEFAULT_MAX_WALL_CLOCK_SECONDS
from ...home.helpers import DatabaseFile
from ...home.processes import ProcessRef, stop_session
from ...runtime import (
    MpiOptions,
    NodeError,
    NodeResult,
    Topology,
    job_spec,
    run_node,
    shell_exit_code,
)
from ...runtime.launcher import coordination_dir, poll_interval
from .mounts import link_mounts, mount_targets
from .node_setup import NodeSetupError, prepare_cluster_mounts, run_setup_task
from .scheduler import node_topologies
from .state import ClusterRecord, JobRecord, NodeRecord, StateStore, error_body
from .supervision import RunFiles, termination_errors, write_atomically

__all__ = ["JobHandover", "Supervisor", "supervise"]

_STATE_CHECK_SECONDS = 0.25


@dataclass(frozen=True)
class JobHandover:
    """What the submitting client handed over for a job, kept in the daemon's memory only:
    the secret values of the job and of its cluster's setup task, the environment the job's
    nodes inherit and the Python that runs a script without ``python_interpreter_path``
    (the submitter's, as if it had started the job itself)."""

    secrets: Mapping[str, str] = field(default_factory=dict)
    setup_secrets: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] | None = None
    python: str = sys.executable

    def __repr__(self) -> str:  # values never show (they include secrets)
        return (
            f"JobHandover(secrets={sorted(self.secrets)}, "
            f"setup_secrets={sorted(self.setup_secrets)}, python={self.python!r})"
        )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@dataclass
class _NodeProcess:
    """A forked node runtime (our child): its identity and, once reaped, its exit code."""

    ref: ProcessRef
    pid: int
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL  # reaped elsewhere: report it as lost
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        while self.poll() is None:
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode


@dataclass
class Supervisor:
    """Runs one job on the nodes it was given, to its end (or until a scale-down requeues it).

    ``handover``: secrets, environment and Python of the job (:class:`JobHandover`).
    ``database``: the state database file this supervisor serves (None: not checked); once it
    is gone the supervisor stops the job's nodes and ends without recording anything.
    """

    store: StateStore
    files: RunFiles
    job_row: int
    storage_root: Path
    handover: JobHandover = field(default_factory=JobHandover)
    database: DatabaseFile | None = None
    stop_requested: bool = False
    _nodes: list[_NodeProcess] = field(default_factory=list)
    _wakeup: int | None = None

    def request_stop(self, signum: int = 0, frame: object = None) -> None:
        self.stop_requested = True

    def handle_signals(self) -> None:
        """SIGTERM (``jobs.terminate`` with the supervisor alive, or someone stopping it) asks
        the job to stop; it and SIGCHLD (a node runtime ended) wake :meth:`pause` at once.
        Main thread only."""
        read_end, write_end = os.pipe()
        for fd in (read_end, write_end):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(write_end)
        self._wakeup = read_end
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGCHLD, _ignore)

    def pause(self, seconds: float) -> None:
        """Sleep up to ``seconds``; a signal ends the sleep early."""
        if self._wakeup is None:
            time.sleep(seconds)
            return
        ready, _, _ = select.select([self._wakeup], [], [], seconds)
        if ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._wakeup, 64):
                    pass

    def database_gone(self) -> bool:
        return self.database is not None and not self.database.present()

    def should_stop(self) -> bool:
        """Asked to stop, or nothing left to run for (the state database is gone)."""
        return self.stop_requested or self.database_gone()

    def log(self, message: str) -> None:
        """Append to ``supervisor.log``; never creates a folder (the home may be gone)."""
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with contextlib.suppress(OSError), open(self.files.log, "a", encoding="utf-8") as f:
            f.write(f"{stamp} {message}\n")

    # ------------------------------------------------------------------------------------------
    def run(
        self,
        nodes: list[NodeRecord],
        cluster: ClusterRecord | None = None,
        job: JobRecord | None = None,
    ) -> bool:
        """Run the job on ``nodes`` (already its own: the row says ``running``) of ``cluster``
        until it ends; True when a scale-down requeued it instead (the daemon starts it again
        later).  ``cluster`` and ``job`` are the records the daemon just read (None: read here;
        the job's state is read again while it runs)."""
        if job is None:
            job = self.store.get_job_by_row(self.job_row)
        if job is None or self.database_gone():
            return False
        if cluster is None and job.cluster_row is not None:
            cluster = self.store.get_cluster_by_row(job.cluster_row)
        self.log(f"allocated nodes {[n.node_id for n in nodes]}")
        try:
            try:
                topologies = self._prepare(job, nodes, cluster)
            except NodeSetupError as error:
                self.log(str(error))
                if self.stop_requested:  # terminated while the setup task ran
                    self._finish_terminated()
                else:
                    self._finish(False, None, [error_body("NodeSetupFailed", str(error))])
                return False
            except Exception as error:  # a bad mount or spec: the job fails, nodes go back
                self.log(f"job could not start: {error}")
                self._finish(
                    False, None, [error_body("JobFailed", f"The job could not start: {error}")]
                )
                return False
            self._start_nodes(job, topologies)
            requeued = self._watch(job)
        finally:
            # Nodes still running are stopped now; what finished nodes' sessions may hold
            # (background daemons of the tasks) is swept by whoever outlives this process.
            self._stop_nodes(finished_too=False)
        if requeued:
            self._stop_nodes()  # (their next run must start clean)
            self._forget_nodes()
            self.log("a cluster scale-down took the job's nodes: back in the queue")
        return requeued

    def _forget_nodes(self) -> None:
        """Drop what a requeued run left (node identities, node results) before the next run."""
        for index in range(len(self._nodes)):
            with contextlib.suppress(FileNotFoundError):
                self.files.result(index).unlink()
        self._nodes = []
        with contextlib.suppress(FileNotFoundError):
            self.files.nodes.unlink()
        # The node runtimes' coordination files (``workers-done-<i>``) belong to the run that was
        # requeued; left behind, they would let the next run stop its ps tasks too early.
        shutil.rmtree(coordination_dir(self.files.run_dir / "shared"), ignore_errors=True)

    def _prepare(
        self, job: JobRecord, nodes: list[Any], cluster: ClusterRecord | None
    ) -> list[Topology]:
        mount_root = None
        if cluster is not None:
            node_setup = rest_to_snake(cluster.parameters).get("node_setup") or {}
            mount_root = prepare_cluster_mounts(cluster, node_setup, self.storage_root)
            setup_task = node_setup.get("setup_task")
            if setup_task:
                for node in nodes:
                    self.log(f"setup task on node {node.node_id}")
                    run_setup_task(
                        cluster,
                        node.node_id,
                        setup_task,
                        mount_root,
                        self.handover.setup_secrets,
                        self.should_stop,
                        self.storage_root,
                    )
        if mount_root is not None:
            # The job's AZ_BATCHAI_MOUNT_ROOT is a link to the cluster's, so the job's folders
            # stay resolvable (list_output_files) after the cluster is gone.
            link = self.files.run_dir / "mounts"
            if not link.is_symlink():
                link.symlink_to(mount_root, target_is_directory=True)
        topologies = node_topologies(
            job, nodes, self.files.run_dir, slots_per_node=self._slots(cluster)
        )
        spec = job_spec(job.parameters)
        link_mounts(
            Path(topologies[0].job_mount_root), mount_targets(spec.mount_volumes, self.storage_root)
        )
        return topologies

    @staticmethod
    def _slots(cluster: ClusterRecord | None) -> int:
        if cluster is None:
            return 1
        return max(1, cluster.gpus_per_node or cluster.cores_per_node)

    def _start_nodes(self, job: JobRecord, topologies: list[Topology]) -> None:
        """Start one node runtime per node, each in a session of its own.

        The runtime is forked from this process (already warm: no interpreter start, no
        imports) rather than started as ``python -m batchai_compat.runtime``; its launch file
        is still written, so a node can be re-run by hand with that command.
        """
        mpi = MpiOptions(allow_run_as_root=os.geteuid() == 0, oversubscribe=True)
        spec = job_spec(job.parameters)
        for topology in topologies:
            launch = self.files.launch(topology.node_index)
            launch.parent.mkdir(parents=True, exist_ok=True)
            gc.freeze()  # the child's collections leave our objects (and their pages) alone
            pid = os.fork()
            if pid == 0:  # the node runtime; never returns
                self._node_main(spec, topology, mpi, launch.parent / "runtime.log")
            node = _NodeProcess(ProcessRef.of(pid) or ProcessRef(pid, 0), pid)
            self._nodes.append(node)
            write_atomically(self.files.nodes, json.dumps([n.ref.to_dict() for n in self._nodes]))
            launch.write_text(  # (after the fork: only for running the node again by hand)
                json.dumps(
                    {
                        "job": job.parameters,
                        "topology": json.loads(topology.to_json()),
                        "mpi": dataclasses.asdict(mpi),
                        "python": self.handover.python,
                    }
                )
            )
            self.log(f"node {topology.node_id} started (pid {pid})")

    def _node_main(self, spec: Any, topology: Topology, mpi: MpiOptions, log: Path) -> NoReturn:
        """Body of a forked node runtime: its own session, its own stderr, then ``run_node``."""
        code = 1
        try:
            os.setsid()
            signal.set_wakeup_fd(-1)  # the supervisor's wake-up pipe is not the node's
            if self._wakeup is not None:
                os.close(self._wakeup)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), 2)
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            result = run_node(
                spec,
                topology,
                self.handover.secrets,
                default_python=self.handover.python,
                mpi=mpi,
                base_environment=self.handover.environment,
            )
            write_atomically(self.files.result(topology.node_index), result.to_json())
            code = result.exit_code
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            # No interpreter shutdown: the parent's SQLite connections and files are not ours.
            os._exit(shell_exit_code(code) & 0xFF)

    def _watch(self, job: JobRecord) -> bool:
        """Watch the running nodes until the job ends (recorded here); True if it was requeued
        instead (a scale-down took its nodes and put it back in the queue)."""
        spec = job_spec(job.parameters)
        wall_clock = spec.max_wall_clock_seconds or DEFAULT_MAX_WALL_CLOCK_SECONDS
        deadline = time.monotonic() + wall_clock
        next_state_check = 0.0
        started = time.monotonic()
        results: dict[int, NodeResult] = {}
        while True:
            now = time.monotonic()
            if now >= next_state_check or self.stop_requested:
                next_state_check = now + _STATE_CHECK_SECONDS
                if self.database_gone():
                    return False  # the home is gone: stop the nodes, nothing to record
                current = self.store.get_job_by_row(self.job_row)
                if current is None:
                    self.log("job deleted while running: stopping its nodes")
                    return False
                if current.execution_state == "queued":  # requeued by a cluster scale-down
                    if self.stop_requested:  # ... and asked to stop: leave it in the queue
                        self.log("stop requested: leaving the requeued job in the queue")
                        return False
                    self.log("the job was requeued: stopping its nodes")
                    return True
                if current.execution_state == "terminating":
                    self.stop_requested = True
                elif current.execution_state in ("succeeded", "failed"):
                    self.log(
                        f"job finished elsewhere ({current.execution_state}): stopping its nodes"
                    )
                    return False
            if self.stop_requested:
                self.log("terminate requested: stopping the job's nodes")
                self._stop_nodes()
                self._finish_terminated()
                return False
            if now >= deadline:
                self.log("max_wall_clock_time reached: stopping the job's nodes")
                self._stop_nodes()
                self._finish(
                    False,
                    None,
                    [
                        error_body(
                            "MaxWallClockTimeExceeded",
                            f"The job ran longer than its max_wall_clock_time "
                            f"({wall_clock:g} seconds) and was stopped.",
                        )
                    ],
                )
                return False
            for index, node in enumerate(self._nodes):
                if index in results or node.poll() is None:
                    continue
                assert node.returncode is not None
                result = self._node_result(index, node.returncode)
                results[index] = result
                self.log(f"node {index} finished with exit code {result.exit_code}")
                if result.exit_code != 0:
                    self._stop_nodes()
                    return self._end_run(
                        False, result.exit_code, [self._error_body(e) for e in result.errors]
                    )
            if len(results) == len(self._nodes):
                return self._end_run(True, 0, [])
            self.pause(poll_interval(time.monotonic() - started))

    def _node_result(self, index: int, returncode: int) -> NodeResult:
        try:
            return NodeResult.from_json(self.files.result(index).read_text())
        except (OSError, ValueError, KeyError):
            how = (
                f"was killed by signal {-returncode}"
                if returncode < 0
                else f"exited with code {returncode}"
            )
            return NodeResult(
                shell_exit_code(returncode),
                (
                    NodeError(
                        "NodeFailed",
                        f"The runtime of node {index} {how} before reporting a result.",
                        {"node": str(index)},
                    ),
                ),
            )

    @staticmethod
    def _error_body(error: Any) -> dict[str, Any]:
        return error_body(error.code, error.message, error.details)

    def _finish(self, succeeded: bool, exit_code: int | None, errors: list[dict[str, Any]]) -> None:
        if self.database_gone():
            return  # no state left to record it in (and none must be created)
        self.store.finish_job(self.job_row, succeeded=succeeded, exit_code=exit_code, errors=errors)
        self.log(f"job {'succeeded' if succeeded else 'failed'} (exit code {exit_code})")

    def _end_run(
        self, succeeded: bool, exit_code: int | None, errors: list[dict[str, Any]]
    ) -> bool:
        """Record how this run's nodes ended; True when a scale-down requeued the job before
        that could be recorded (the run was preempted: its result is dropped, the job runs
        again)."""
        if self.database_gone():
            return False
        if self.store.finish_job(
            self.job_row,
            succeeded=succeeded,
            exit_code=exit_code,
            errors=errors,
            from_states=("running", "terminating"),
        ):
            self.log(f"job {'succeeded' if succeeded else 'failed'} (exit code {exit_code})")
            return False
        current = self.store.get_job_by_row(self.job_row)
        if current is not None and current.execution_state == "queued":
            self.log("the job was requeued before this run's result was recorded: result dropped")
            return True
        return False

    def _finish_terminated(self) -> None:
        if self.database_gone():
            return
        current = self.store.get_job_by_row(self.job_row)
        self._finish(False, None, termination_errors(current.errors if current else []))

    def _stop_nodes(self, finished_too: bool = True) -> None:
        """Stop each node's whole session (only those whose runtime still runs, unless
        ``finished_too``)."""
        for node in self._nodes:
            if finished_too or node.poll() is None:
                stop_session(node.ref)
            node.wait()


def _ignore(signum: int, frame: object) -> None:
    """A handler that does nothing: the signal only wakes :meth:`Supervisor.pause`."""


def supervise(
    store: StateStore,
    files: RunFiles,
    job: JobRecord,
    nodes: list[NodeRecord],
    cluster: ClusterRecord | None,
    handover: JobHandover,
    database: DatabaseFile,
) -> tuple[bool, Supervisor]:
    """The body of a supervisor process (forked by the daemon, already in its own session):
    run ``job`` on ``nodes`` of ``cluster``; ``(requeued, supervisor)``.

    ``store`` may be the daemon's (a forked process opens its own connection on first use);
    it is left open: the process ends with ``os._exit``, and closing the daemon's inherited
    connection here would drop this process's SQLite locks on the file.  Its standard output
    and error go to ``supervisor.log``.  Whatever breaks, the job does not stay ``running``:
    it is recorded ``failed`` (``SupervisorFailed``).
    """
    log = os.open(files.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    supervisor = Supervisor(store, files, job.row_id, database.home, handover, database)
    supervisor.handle_signals()
    try:
        return supervisor.run(nodes, cluster, job), supervisor
    except Exception as error:
        if supervisor.database_gone():
            return False, supervisor  # its home went away under it: nothing to report to
        supervisor.log(f"supervisor failed: {type(error).__name__}: {error}")
        traceback.print_exc()
        store.finish_job(
            job.row_id,
            succeeded=False,
            exit_code=None,
            errors=[
                error_body(
                    "SupervisorFailed", f"The job's supervisor failed: {type(error).__name__}"
                )
            ],
        )
        return False, supervisor

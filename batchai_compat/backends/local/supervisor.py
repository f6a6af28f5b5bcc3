"""The supervisor of one local job: ``python -m batchai_compat.backends.local.supervisor``.

What the Batch AI service did for a job, done by one detached process per job (its own session,
so it outlives the notebook that submitted the job):

1. wait, ``queued``, until the job's cluster gives it ``node_count`` nodes (:mod:`.scheduler`);
2. link the cluster's and the job's mount volumes (:mod:`.mounts`) and run the cluster's setup
   task on nodes that have not run it yet (:mod:`.node_setup`);
3. start one node runtime per node (forked from the supervisor, as warm as it is; the same
   code ``python -m batchai_compat.runtime`` runs), each in a session of its own;
4. watch them: the first failing node fails the job and stops the others; ``jobs.terminate``
   (SIGTERM, or the job turning ``terminating``) and ``max_wall_clock_time`` stop every node;
5. record the outcome in the state store (``execution_info``: exit code, errors) — which also
   gives the nodes back to the cluster — and stop whatever the job left running.

Its assignment arrives on standard input (``{"run_dir": ..., "job": {...}, "setup_task":
{...}}``, see :func:`main`); secret values travel only that way and only reach the node
runtimes and the cluster setup task's environment.
``RUN_DIR/supervisor.log`` records what the supervisor did (never a value of the environment).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

from ...runtime import MpiOptions, NodeError, NodeResult, Topology, job_spec, run_node
from ...runtime.launcher import poll_interval
from ...runtime.spec import rest_to_snake
from .mounts import link_mounts, mount_targets
from .node_setup import NodeSetupError, prepare_cluster_mounts, run_setup_task
from .processes import ProcessRef, stop_session
from .records import JobRecord
from .scheduler import node_topologies, wait_for_nodes
from .store import StateStore

__all__ = ["RunFiles", "Supervisor", "main"]

_STATE_CHECK_SECONDS = 0.25


@dataclass(frozen=True)
class RunFiles:
    """The files of a job run folder the supervisor and the executor share (no secrets)."""

    run_dir: Path

    @property
    def job(self) -> Path:
        """What to supervise: state database, job row, storage root."""
        return self.run_dir / "job.json"

    @property
    def supervisor(self) -> Path:
        """``ProcessRef`` of the supervisor (written by whoever started it)."""
        return self.run_dir / "supervisor.json"

    @property
    def nodes(self) -> Path:
        """``ProcessRef`` of each node runtime, as soon as it is started."""
        return self.run_dir / "nodes.json"

    @property
    def log(self) -> Path:
        return self.run_dir / "supervisor.log"

    def launch(self, index: int) -> Path:
        return self.run_dir / "nodes" / str(index) / "launch.json"

    def result(self, index: int) -> Path:
        return self.run_dir / "nodes" / str(index) / "result.json"

    def node_refs(self) -> list[ProcessRef]:
        try:
            return [ProcessRef.from_dict(d) for d in json.loads(self.nodes.read_text())]
        except (OSError, ValueError):
            return []

    def supervisor_ref(self) -> ProcessRef | None:
        try:
            return ProcessRef.from_dict(json.loads(self.supervisor.read_text()))
        except (OSError, ValueError, KeyError):
            return None


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


def _error(code: str, message: str, details: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "details": [{"name": k, "value": v} for k, v in (details or {}).items()],
    }


@dataclass
class Supervisor:
    """Runs one job to its end.  ``secrets``: name -> value of the job's secret variables."""

    store: StateStore
    files: RunFiles
    job_row: int
    storage_root: Path
    secrets: dict[str, str] = field(default_factory=dict)
    setup_secrets: dict[str, str] = field(default_factory=dict)
    stop_requested: bool = False
    _nodes: list[_NodeProcess] = field(default_factory=list)

    def request_stop(self, signum: int = 0, frame: object = None) -> None:
        self.stop_requested = True

    def log(self, message: str) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with open(self.files.log, "a", encoding="utf-8") as f:
            f.write(f"{stamp} {message}\n")

    # ------------------------------------------------------------------------------------------
    def run(self) -> None:
        nodes = wait_for_nodes(self.store, self.job_row, lambda: self.stop_requested)
        if nodes is None:
            self.log("job left the queue without running (terminated or deleted)")
            return
        job = self.store.get_job_by_row(self.job_row)
        if job is None:
            return
        self.log(f"allocated nodes {[n.node_id for n in nodes]}")
        try:
            try:
                topologies = self._prepare(job, nodes)
            except NodeSetupError as error:
                self.log(str(error))
                if self.stop_requested:  # terminated while the setup task ran
                    terminated = _error("JobTerminated", "The job was terminated by the user.")
                    self._finish(False, None, [terminated])
                else:
                    self._finish(False, None, [_error("NodeSetupFailed", str(error))])
                return
            except Exception as error:  # a bad mount or spec: the job fails, nodes go back
                self.log(f"job could not start: {error}")
                self._finish(
                    False, None, [_error("JobFailed", f"The job could not start: {error}")]
                )
                return
            self._start_nodes(topologies)
            self._watch(job)
        finally:
            self._stop_nodes()  # whatever the tasks left running (background daemons) stops too

    def _prepare(self, job: JobRecord, nodes: list[Any]) -> list[Topology]:
        cluster = (
            self.store.get_cluster_by_row(job.cluster_row) if job.cluster_row is not None else None
        )
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
                        self.setup_secrets,
                        lambda: self.stop_requested,
                        self.storage_root,
                    )
        if mount_root is not None:
            # The job's AZ_BATCHAI_MOUNT_ROOT is a link to the cluster's, so the job's folders
            # stay resolvable (list_output_files) after the cluster is gone.
            link = self.files.run_dir / "mounts"
            if not link.is_symlink():
                link.symlink_to(mount_root, target_is_directory=True)
        topologies = node_topologies(
            job, nodes, self.files.run_dir, slots_per_node=self._slots(job)
        )
        spec = job_spec(job.parameters)
        link_mounts(
            Path(topologies[0].job_mount_root), mount_targets(spec.mount_volumes, self.storage_root)
        )
        return topologies

    def _slots(self, job: JobRecord) -> int:
        cluster = (
            self.store.get_cluster_by_row(job.cluster_row) if job.cluster_row is not None else None
        )
        if cluster is None:
            return 1
        return max(1, cluster.gpus_per_node or cluster.cores_per_node)

    def _start_nodes(self, topologies: list[Topology]) -> None:
        """Start one node runtime per node, each in a session of its own.

        The runtime is forked from this process (already warm: no interpreter start, no
        imports) rather than started as ``python -m batchai_compat.runtime``; its launch file
        is still written, so a node can be re-run by hand with that command.
        """
        job = self.store.get_job_by_row(self.job_row)
        assert job is not None
        mpi = MpiOptions(allow_run_as_root=os.geteuid() == 0, oversubscribe=True)
        spec = job_spec(job.parameters)
        for topology in topologies:
            index = topology.node_index
            launch = self.files.launch(index)
            launch.parent.mkdir(parents=True, exist_ok=True)
            launch.write_text(
                json.dumps(
                    {
                        "job": job.parameters,
                        "topology": json.loads(topology.to_json()),
                        "mpi": dataclasses.asdict(mpi),
                        "python": sys.executable,
                    }
                )
            )
            pid = os.fork()
            if pid == 0:  # the node runtime; never returns
                self._node_main(spec, topology, mpi, launch.parent / "runtime.log")
            node = _NodeProcess(ProcessRef.of(pid) or ProcessRef(pid, 0), pid)
            self._nodes.append(node)
            self.files.nodes.write_text(json.dumps([n.ref.to_dict() for n in self._nodes]))
            self.log(f"node {topology.node_id} started (pid {pid})")

    def _node_main(self, spec: Any, topology: Topology, mpi: MpiOptions, log: Path) -> NoReturn:
        """Body of a forked node runtime: its own session, its own stderr, then ``run_node``."""
        code = 1
        try:
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), 2)
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
            result = run_node(spec, topology, self.secrets, default_python=sys.executable, mpi=mpi)
            target = self.files.result(topology.node_index)
            temporary = target.with_suffix(".tmp")
            temporary.write_text(result.to_json())
            os.replace(temporary, target)
            code = result.exit_code
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            # No interpreter shutdown: the parent's SQLite connections and files are not ours.
            os._exit(code & 0xFF if code >= 0 else 128 + (-code & 0x7F))

    def _watch(self, job: JobRecord) -> None:
        spec = job_spec(job.parameters)
        deadline = (
            time.monotonic() + spec.max_wall_clock_seconds
            if spec.max_wall_clock_seconds is not None
            else None
        )
        next_state_check = 0.0
        started = time.monotonic()
        results: dict[int, NodeResult] = {}
        while True:
            now = time.monotonic()
            if now >= next_state_check:
                next_state_check = now + _STATE_CHECK_SECONDS
                current = (
                    self.store.get_job_by_row(self.job_row) if self.store.path.exists() else None
                )
                if current is None:
                    self.log("job deleted while running: stopping its nodes")
                    return
                if current.execution_state == "terminating":
                    self.stop_requested = True
                elif current.execution_state in ("succeeded", "failed"):
                    self.log(
                        f"job finished elsewhere ({current.execution_state}): stopping its nodes"
                    )
                    return
            if self.stop_requested:
                self.log("terminate requested: stopping the job's nodes")
                self._stop_nodes()
                self._finish(
                    False, None, [_error("JobTerminated", "The job was terminated by the user.")]
                )
                return
            if deadline is not None and now >= deadline:
                self.log("max_wall_clock_time reached: stopping the job's nodes")
                self._stop_nodes()
                self._finish(
                    False,
                    None,
                    [
                        _error(
                            "MaxWallClockTimeExceeded",
                            f"The job ran longer than its max_wall_clock_time "
                            f"({spec.max_wall_clock_seconds:g} seconds) and was stopped.",
                        )
                    ],
                )
                return
            for index, node in enumerate(self._nodes):
                if index in results or node.poll() is None:
                    continue
                assert node.returncode is not None
                result = self._node_result(index, node.returncode)
                results[index] = result
                self.log(f"node {index} finished with exit code {result.exit_code}")
                if result.exit_code != 0:
                    self._stop_nodes()
                    self._finish(
                        False, result.exit_code, [self._error_body(e) for e in result.errors]
                    )
                    return
            if len(results) == len(self._nodes):
                self._finish(True, 0, [])
                return
            time.sleep(poll_interval(time.monotonic() - started))

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
                returncode if returncode > 0 else 128 - returncode,
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
        return _error(error.code, error.message, error.details)

    def _finish(self, succeeded: bool, exit_code: int | None, errors: list[dict[str, Any]]) -> None:
        self.store.finish_job(self.job_row, succeeded=succeeded, exit_code=exit_code, errors=errors)
        self.log(f"job {'succeeded' if succeeded else 'failed'} (exit code {exit_code})")

    def _stop_nodes(self) -> None:
        for node in self._nodes:
            stop_session(node.ref)
            node.wait()


def main(argv: list[str] | None = None) -> int:
    """Wait for one assignment on stdin, then supervise that job.

    The assignment is one JSON line: ``{"run_dir": ..., "job": {secret name: value},
    "setup_task": {...}}``.  A supervisor may be started ahead of need (a warm spare, see
    :mod:`.execution`); end of input before any assignment means its client went away.
    """
    # A session of our own: stopping the job never touches the submitter.  (PermissionError:
    # already a session leader.)
    with contextlib.suppress(PermissionError):
        os.setsid()
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    received = json.loads(line)
    files = RunFiles(Path(received["run_dir"]))
    log = os.open(files.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    config = json.loads(files.job.read_text())
    secrets = {str(k): str(v) for k, v in (received.get("job") or {}).items()}
    setup_secrets = {str(k): str(v) for k, v in (received.get("setup_task") or {}).items()}
    store = StateStore(Path(config["database"]))
    supervisor = Supervisor(
        store, files, int(config["job_row"]), Path(config["storage_root"]), secrets, setup_secrets
    )
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    try:
        supervisor.run()
    except Exception as error:  # the job must not stay running because the supervisor broke
        supervisor.log(f"supervisor failed: {type(error).__name__}: {error}")
        store.finish_job(
            supervisor.job_row,
            succeeded=False,
            exit_code=None,
            errors=[
                _error("SupervisorFailed", f"The job's supervisor failed: {type(error).__name__}")
            ],
        )
        raise
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

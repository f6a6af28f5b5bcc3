"""The scheduler daemon of a local home: Batch AI's job queue and cluster clock, one process.

``python -m batchai_compat.backends.local.daemon --database <home>/state.db`` — started on
demand by the first client that needs it (:func:`.helpers.ensure`), found by the others through
``<home>/helpers/scheduler.json``.  It does what the service did between client calls:

* **runs the queue.**  A queued job is a row and nothing else.  Whenever nodes may have freed
  (a job ended, a client said something changed, a cluster moved), the daemon walks each
  cluster's queue in Batch AI's order (:func:`.scheduler.next_starts`), gives the next jobs
  their nodes (``StateStore.allocate_nodes``) and forks one supervisor per started job
  (:func:`.supervisor.supervise`): a process exists only for work that runs;
* **keeps the state current.**  It settles every cluster when its next transition is due
  (resizes, node preparation, auto-scale), so the database tells the truth within a second
  whether or not anyone reads it; supervisors record job ends themselves;
* **holds what must not touch disk.**  A client hands each new job over through the daemon's
  socket (an abstract Unix socket, same user only): secret values, the environment and the
  Python of the submitter (:class:`.supervisor.JobHandover`).  They live in this process's
  memory until the job ends.  A queued job whose handover has not arrived waits for it (and
  holds up the queue behind it) for :data:`HANDOVER_GRACE_SECONDS`; after that it runs with the
  daemon's own environment, or, if it has secrets, fails with ``SecretsUnavailable`` — their
  values were only ever in memory;
* **repairs.**  When a supervisor ends before its job (killed), the daemon stops the job's nodes
  and fails it (``SupervisorDied``, saying so).  At start it adopts the supervisors of a
  previous daemon that are still running and repairs the jobs whose supervisor is gone.

It exits when it has had nothing to do for :func:`.helpers.idle_seconds` (no running job, no
cluster transition pending, no handover held) — a queued job that only a client call can move
(its cluster has no node for it) does not keep it alive — on SIGTERM (it starts no job once
signalled), and at once, quietly, when its state database disappears (it stops the jobs'
processes and writes nothing).  Killed with ``kill -9``, it leaves its supervisors running their
jobs; the first of them to finish, or the next client call, starts a new daemon.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from ...home.helpers import SCHEDULER, DatabaseFile, HelperLife, ensure, idle_seconds
from ...home.processes import ProcessRef, stop_sessions
from .scheduler import cluster_capacity, next_starts
from .state import ClusterRecord, JobRecord, NodeRecord, StateStore, error_body, lifecycle
from .supervision import RunFiles, fail_abandoned, write_atomically
from .supervisor import JobHandover, supervise

__all__ = ["HANDOVER_GRACE_SECONDS", "Daemon", "main"]

HANDOVER_GRACE_SECONDS = 10.0
"""How long a queued job waits for its submitter's handover before it runs without it."""

_ACTIVE_CHECK_SECONDS = 0.25
"""Wake-up period while the daemon has work (adopted supervisors, jobs awaiting handover)."""
_QUIET_CHECK_SECONDS = 1.0
_QUEUE_PAGE = 32
_SWEEP_SECONDS = 1.0
"""While jobs run, what ended jobs' nodes left is swept at most this often (a sweep reads
``/proc``: not between one job and the next)."""
_HANDOVER_CHECK_SECONDS = 10.0
_SAFETY_PASS_SECONDS = 5.0
"""With no job running, a scheduling pass at least this often, whatever happened (a job queued
by a process that does not hand jobs over, say); while jobs run, their ends bring passes."""
_MESSAGE_LIMIT = 4 << 20
_CLIENT_TIMEOUT_SECONDS = 5.0


def _expects_secrets(job: JobRecord) -> bool:
    """True when the job's parameters name secret variables (their values are not stored)."""
    return bool(job.parameters.get("properties", {}).get("secrets"))


@dataclass
class _Run:
    """A job whose supervisor runs: our child (``child``) or adopted from a previous daemon."""

    job_row: int
    ref: ProcessRef
    files: RunFiles
    child: bool


class Daemon:
    """The scheduling loop of one home (see the module docstring)."""

    def __init__(self, store: StateStore, database: DatabaseFile, life: HelperLife) -> None:
        self.store = store
        self.database = database
        self.home = database.home
        self.life = life
        self.started_at = time.time()
        self.handovers: dict[int, JobHandover] = {}
        self.environments: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
        self.setup_secrets: dict[int, dict[str, str]] = {}  # by cluster row
        self.runs: dict[int, _Run] = {}  # by job row
        self.children: dict[int, int] = {}  # pid -> job row
        self.stopping = False
        self.dirty = True
        self.awaiting = False  # a queued job next in line waits for its handover
        self.next_change: float | None = None
        self.handovers_checked = 0.0
        self.sweeps: list[ProcessRef] = []  # node sessions of runs that ended, to sweep
        self.swept = 0.0
        self.passed = 0.0
        self.last_busy = time.monotonic()
        self._listener: socket.socket | None = None
        self._wakeup: int | None = None
        self._wakeup_write: int | None = None

    # setup -----------------------------------------------------------------------------------
    def listen(self) -> str:
        """Bind the abstract Unix socket clients talk to; returns its name (for the record)."""
        name = f"\0batchai-compat-{os.getuid()}-{os.urandom(12).hex()}"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(name)
        listener.listen(128)
        listener.setblocking(False)
        self._listener = listener
        return name[1:]

    def handle_signals(self) -> None:
        read_end, write_end = os.pipe()
        for fd in (read_end, write_end):
            os.set_blocking(fd, False)
        self._wakeup, self._wakeup_write = read_end, write_end
        signal.set_wakeup_fd(write_end)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _on_sigterm(self, signum: int, frame: object) -> None:
        self.stopping = True

    # the loop --------------------------------------------------------------------------------
    def serve(self) -> None:
        """Schedule until idle, stopped, or the home is gone (call :meth:`repair` first)."""
        while not self.stopping:
            if not self.database.present():
                self._abandon()
                return
            try:
                next_change = self._step()
            except Exception:  # a busy database, a full disk...: log it, try again shortly
                import traceback

                traceback.print_exc()
                next_change, self.dirty = None, True
                time.sleep(_ACTIVE_CHECK_SECONDS)
            if self._idle(next_change):
                return
            self._wait(self._timeout(next_change))

    def _step(self) -> float | None:
        self._reap()
        self._watch_adopted()
        # A pass when something changed (a supervisor ended, a client said so), a cluster
        # transition is due, or a job next in line waits for its handover; otherwise only now
        # and then (a supervisor that recorded its job's end may still be exiting: its node is
        # free in the database, and its successor should not start beside it).
        now = time.monotonic()
        due = self.next_change is not None and self.store.now() >= self.next_change
        safety = not self.runs and now - self.passed >= _SAFETY_PASS_SECONDS
        if self.dirty or self.awaiting or due or safety:
            self.dirty, self.passed = False, now
            self.next_change = self._schedule()
        self._forget_finished_handovers()  # (after any start: it reads many rows)
        if self.sweeps and (not self.runs or time.monotonic() - self.swept >= _SWEEP_SECONDS):
            sweeps, self.sweeps, self.swept = self.sweeps, [], time.monotonic()
            stop_sessions(sweeps)
        return self.next_change

    def _timeout(self, next_change: float | None) -> float:
        busy = self.awaiting or any(not run.child for run in self.runs.values())
        timeout = _ACTIVE_CHECK_SECONDS if busy else _QUIET_CHECK_SECONDS
        if next_change is not None:
            timeout = min(timeout, max(0.0, next_change - self.store.now()) + 0.01)
        return timeout

    def _idle(self, next_change: float | None) -> bool:
        if self.runs or self.handovers or self.awaiting or next_change is not None:
            self.last_busy = time.monotonic()
            return False
        return time.monotonic() - self.last_busy >= idle_seconds()

    def _wait(self, timeout: float) -> None:
        assert self._listener is not None and self._wakeup is not None
        ready, _, _ = select.select([self._listener, self._wakeup], [], [], timeout)
        if self._wakeup in ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._wakeup, 256):
                    pass
        if self._listener in ready:
            self._accept()

    # clients ---------------------------------------------------------------------------------
    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                conn, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            # A client that went away or spoke nonsense: nothing to answer.
            with conn, contextlib.suppress(OSError, ValueError):
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        conn.setblocking(True)
        conn.settimeout(_CLIENT_TIMEOUT_SECONDS)
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", creds)
        if uid != os.getuid():
            return  # another user of this machine: not ours to serve
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
            if len(data) > _MESSAGE_LIMIT:
                return
        message = json.loads(data)
        if not isinstance(message, dict):
            return
        self._handle(message)
        conn.sendall(b'{"ok": true}\n')

    def _handle(self, message: dict[str, Any]) -> None:
        self.dirty = True
        self.last_busy = time.monotonic()
        if message.get("op") != "submit":
            return  # "wake": something changed (terminate, delete, a cluster update)
        row = int(message["job"])
        setup = {str(k): str(v) for k, v in (message.get("setup_secrets") or {}).items()}
        cluster_row = message.get("cluster")
        if setup and cluster_row is not None:
            self.setup_secrets[int(cluster_row)] = setup
        environment = message.get("environment")
        self.handovers[row] = JobHandover(
            secrets={str(k): str(v) for k, v in (message.get("secrets") or {}).items()},
            setup_secrets=setup,
            environment=self._shared(environment) if isinstance(environment, dict) else None,
            python=str(message.get("python") or sys.executable),
        )

    def _shared(self, environment: dict[str, Any]) -> dict[str, str]:
        """One copy of each distinct environment (a sweep's jobs all bring the same one)."""
        key = tuple(sorted((str(k), str(v)) for k, v in environment.items()))
        return self.environments.setdefault(key, dict(key))

    # scheduling ------------------------------------------------------------------------------
    def _schedule(self) -> float | None:
        """Settle every cluster, start what its queue allows; when a cluster next changes."""
        next_change: float | None = None
        self.awaiting = False
        for cluster_row in self.store.cluster_rows():
            if self.stopping:
                break
            cluster = self.store.get_cluster_by_row(cluster_row)  # settled
            if cluster is None:
                continue
            when = lifecycle.next_transition_at(cluster, self.store.now(), self.store.policy)
            if when is not None:
                next_change = when if next_change is None else min(next_change, when)
            self._start_queued(cluster)
        return next_change

    def _start_queued(self, cluster: ClusterRecord) -> None:
        offset = 0
        while not self.stopping and any(node.state == "idle" for node in cluster.nodes):
            queue = self.store.queued_jobs(cluster.row_id, limit=_QUEUE_PAGE, offset=offset)
            if not queue:
                return
            queue = [
                job
                for job in queue
                if job.row_id in self.handovers
                or not self._handover_overdue(job)
                or self._without_handover(job)
            ]
            starts = next_starts(cluster, queue, self._held)
            for job in starts:
                if self.stopping:
                    return
                nodes = self.store.allocate_nodes(job.row_id)
                if nodes is None:
                    self.dirty = True  # the row or the nodes changed meanwhile: next pass
                    return
                self._start(job, nodes, cluster)
            capacity = cluster_capacity(cluster)
            if starts or len(queue) < _QUEUE_PAGE or any(j.node_count <= capacity for j in queue):
                return
            offset += _QUEUE_PAGE  # a whole page of jobs the cluster cannot hold: look further

    def _handover_overdue(self, job: JobRecord) -> bool:
        since = max(job.creation_time, self.started_at)
        return time.time() - since >= HANDOVER_GRACE_SECONDS

    def _held(self, job: JobRecord) -> bool:
        if job.row_id in self.runs:
            return True  # its previous run (requeued) is still stopping
        if job.row_id not in self.handovers and not self._handover_overdue(job):
            self.awaiting = True
            return True
        return False

    def _without_handover(self, job: JobRecord) -> bool:
        """No client handed this job over in time (its submitter died, or a previous daemon
        held the handover and was killed): it runs without one, unless it needs secret values
        (it fails then).  True if it is still queued."""
        if not _expects_secrets(job):
            self.handovers[job.row_id] = JobHandover()
            return True
        self.store.finish_job(
            job.row_id,
            succeeded=False,
            exit_code=None,
            errors=[
                error_body(
                    "SecretsUnavailable",
                    "The job's secret values (JobCreateParameters.secrets) are kept only in the "
                    "memory of the local scheduler, which stopped before the job could start "
                    "(they are never written to disk); create the job again.",
                )
            ],
            from_states=("queued",),
        )
        return False

    def _start(self, job: JobRecord, nodes: list[NodeRecord], cluster: ClusterRecord) -> None:
        handover = self.handovers[job.row_id]
        if not handover.setup_secrets and job.cluster_row in self.setup_secrets:
            handover = JobHandover(
                handover.secrets,
                self.setup_secrets[job.cluster_row],
                handover.environment,
                handover.python,
            )
        files = RunFiles.of(job, self.home)
        files.run_dir.mkdir(parents=True, exist_ok=True)
        gc.freeze()  # the child's collections leave our objects (and their pages) alone
        pid = os.fork()
        if pid == 0:
            self._supervisor_main(job, nodes, cluster, handover, files)
        ref = ProcessRef.of(pid) or ProcessRef(pid, 0)
        write_atomically(files.supervisor, json.dumps(ref.to_dict()))
        self.runs[job.row_id] = _Run(job.row_id, ref, files, child=True)
        self.children[pid] = job.row_id

    def _supervisor_main(
        self,
        job: JobRecord,
        nodes: list[NodeRecord],
        cluster: ClusterRecord,
        handover: JobHandover,
        files: RunFiles,
    ) -> NoReturn:
        """The forked supervisor: drop the daemon's descriptors and signals, supervise, end."""
        requeued = False
        try:
            if not self.database.present():
                os._exit(0)  # its home went away: create nothing there
            os.setsid()
            signal.set_wakeup_fd(-1)
            for fd in (self._wakeup, self._wakeup_write):
                if fd is not None:
                    os.close(fd)
            if self._listener is not None:
                self._listener.close()
            self.life.close_in_child()
            for signum in (signal.SIGTERM, signal.SIGCHLD):
                signal.signal(signum, signal.SIG_DFL)
            daemon_pid = os.getppid()
            requeued, supervisor = supervise(
                self.store,  # its own connection on first use (see supervise)
                files,
                job,
                nodes,
                cluster,
                handover,
                self.database,
            )
            if os.getppid() != daemon_pid:
                # Killed (kill -9), the daemon left us running: nobody else will sweep what
                # the nodes left, and the queue still has to move on.
                supervisor._stop_nodes()
                if not requeued and not supervisor.stop_requested and self.database.present():
                    with contextlib.suppress(Exception):
                        ensure(self.home, SCHEDULER)
        except BaseException:  # never return into the daemon's loop
            with contextlib.suppress(Exception):
                import traceback

                traceback.print_exc()
        finally:
            os._exit(0)

    def _forget_finished_handovers(self) -> None:
        """Drop what was handed over for queued jobs that were terminated or deleted (a job
        that ran loses its handover when its supervisor ends).  Now and then: a long queue's
        handovers are many."""
        if not self.handovers or (
            time.monotonic() - self.handovers_checked < _HANDOVER_CHECK_SECONDS
        ):
            return
        self.handovers_checked = time.monotonic()
        rows = [row for row in self.handovers if row not in self.runs]
        if not rows:
            return
        active = {job.row_id: job for job in self.store.get_jobs_by_rows(rows)}
        for row in rows:
            job = active.get(row)
            if job is None or job.execution_state not in ("queued", "running", "terminating"):
                del self.handovers[row]

    # supervisors that end --------------------------------------------------------------------
    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            row = self.children.pop(pid, None)
            if row is not None:
                run = self.runs.pop(row)
                self._supervisor_ended(run, os.waitstatus_to_exitcode(status))

    def _watch_adopted(self) -> None:
        for row, run in list(self.runs.items()):
            if not run.child and not run.ref.alive():
                del self.runs[row]
                self._supervisor_ended(run, None)

    def _supervisor_ended(self, run: _Run, status: int | None) -> None:
        """A supervisor is gone: if its job is still running, it died before the job did."""
        self.dirty = True
        if not self.database.present():
            return  # the home is gone: nothing to record, nothing to create
        # What the job's nodes may have left (background processes of its tasks) is swept once
        # the next jobs are started (the supervisor ends as soon as it recorded the end).
        self.sweeps += run.files.node_refs()
        job = self.store.get_job_by_row(run.job_row)
        if job is None or job.execution_state not in ("running", "terminating"):
            if job is None or job.execution_state != "queued":  # (requeued: it runs again)
                self.handovers.pop(run.job_row, None)
            return  # it recorded the end (or the job was requeued or deleted)
        self.handovers.pop(run.job_row, None)
        how = f"was killed by signal {-status}" if status is not None and status < 0 else "ended"
        fail_abandoned(
            self.store, job, run.files, f"The job's supervisor process (pid {run.ref.pid}) {how}"
        )

    def repair(self) -> None:
        """At start: adopt the live supervisors of a previous daemon, repair the rest."""
        for job in self.store.jobs_in_states(("running", "terminating")):
            files = RunFiles.of(job, self.home)
            ref = files.supervisor_ref(since=job.start_time)
            if ref is not None and ref.alive():
                self.runs[job.row_id] = _Run(job.row_id, ref, files, child=False)
                continue
            what = (
                "The job's supervisor process was never started"
                if ref is None
                else f"The job's supervisor process (pid {ref.pid}) ended"
            )
            fail_abandoned(
                self.store, job, files, f"{what} (found by the local scheduler at its start)"
            )

    def _abandon(self) -> None:
        """The state database is gone: stop every job process, record nothing, end."""
        refs: list[ProcessRef] = []
        for run in self.runs.values():
            refs += [run.ref, *run.files.node_refs()]
        stop_sessions(refs)
        self._reap()


def main(argv: list[str] | None = None) -> int:
    life = HelperLife.begin(SCHEDULER, argv)
    if life is None:
        return 0  # its home is already gone, or another daemon serves it
    database = life.database
    store = StateStore(database.path)
    daemon = Daemon(store, database, life)
    daemon.handle_signals()
    address = daemon.listen()
    try:
        daemon.repair()
        life.announce(address)
        daemon.serve()
    finally:
        if database.present():
            life.retire()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

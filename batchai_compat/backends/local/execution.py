"""Local job execution, as the control plane (:mod:`.backend`) sees it: :class:`LocalExecutor`.

The local backend stores a job (``StateStore.put_job``, ``queued``) and then hands it to the
executor, which talks to the home's scheduler daemon (:mod:`.daemon`, started on demand by
:func:`.helpers.ensure`).  The seam is the backend's ``JobExecutor`` protocol (``LocalBackend``
builds one with :func:`create_executor`):

* :meth:`LocalExecutor.submit` — after ``put_job`` created the job: hand it over to the daemon
  (secret values of the job and of the cluster's setup task, this process's environment and
  Python) through its socket; it returns once the daemon holds them.  The job then waits as a
  row until the daemon gives it nodes;
* :meth:`LocalExecutor.terminate` — after ``StateStore.request_termination``, a cluster
  deletion or a scale-down that took the job's nodes: a ``terminating`` job's supervisor is
  signalled (SIGTERM) and records ``failed`` with the reason (``JobTerminated`` unless the row
  already names one); a job a ``requeue`` scale-down put back to ``queued`` is left to its
  supervisor, which sees the row, stops the nodes and ends (the daemon runs the job again);
* :meth:`LocalExecutor.delete` — after the job row was deleted (``delete_job``,
  ``delete_experiment``, ...): stop every process it still has;
* :meth:`LocalExecutor.changed` — a cluster was created, updated or deleted: the daemon settles
  it and starts what its nodes allow;
* :meth:`LocalExecutor.refresh` — on reads of an unfinished job: make sure the daemon runs.  A
  daemon started now repairs what a killed one left (jobs whose supervisor is gone are failed,
  ``SupervisorDied``) before it answers, so the read sees the repaired job;
* :meth:`LocalExecutor.list_output_files` — ``jobs.list_output_files`` (see :mod:`.outputs`).

Everything the daemon, the supervisor and the executor share on disk lives in the job's run
folder (``layout.job_run_dir``): ``supervisor.json`` / ``nodes.json`` (process identities),
``supervisor.log``.  None of them holds a secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ...core.logs import LazyLogger
from ...home import layout
from ...home.helpers import SCHEDULER, HelperUnavailable, ensure, read_record
from .state import ACTIVE_STATES, JobRecord, StateStore
from .supervision import RunFiles, fail_abandoned

__all__ = ["LocalExecutor", "create_executor", "secret_values"]

_log = LazyLogger(__name__)  # no logging import until a record needs it

_ANSWER_TIMEOUT_SECONDS = 90.0
"""The daemon answers at once unless SQLite makes it wait (busy timeout: 60 s)."""
_LIVENESS_CHECK_SECONDS = 0.5
"""How often reads of unfinished jobs check that the daemon still runs."""
_TERMINATE_WAIT_SECONDS = 60.0
"""The most ``jobs.terminate`` waits for the job to stop (a node ignoring SIGTERM is killed
after 3 s; a cluster setup task in progress runs to its end first)."""


def secret_values(secrets: Iterable[Any] | None) -> dict[str, str]:
    """Name -> value of ``JobCreateParameters.secrets`` (models or dicts).

    A secret given only as a Key Vault reference has no value on this machine: it is left out
    (the variable is unset in the job), as the local backend cannot read Key Vault.
    """
    values: dict[str, str] = {}
    for secret in secrets or ():
        if isinstance(secret, Mapping):
            name, value = secret.get("name"), secret.get("value")
        else:
            name, value = getattr(secret, "name", None), getattr(secret, "value", None)
        if name and value is not None:
            values[str(name)] = str(value)
    return values


class LocalExecutor:
    """Hands local jobs to the home's scheduler daemon and stops their processes."""

    def __init__(
        self,
        store: StateStore,
        root: Path | None = None,
        cluster_parameters: Mapping[int, Any] | None = None,
    ) -> None:
        self.store = store
        self.root = root
        # ClusterCreateParameters (secrets included) of clusters this process created, by row.
        self._cluster_parameters = cluster_parameters if cluster_parameters is not None else {}
        self._checked_at = -_LIVENESS_CHECK_SECONDS

    @property
    def home(self) -> Path:
        return self.root or layout.home()

    # the daemon ------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> bool:
        """Deliver ``message`` to the daemon (started if need be); False if none answers.

        A daemon that was just exiting (idle) refuses the connection: a new one is started.
        """
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        for _ in range(3):
            try:
                record = ensure(self.home, SCHEDULER)
            except HelperUnavailable as error:
                _log.warning("the local scheduler could not be started: %s", error)
                return False
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                    conn.settimeout(_ANSWER_TIMEOUT_SECONDS)
                    conn.connect("\0" + record.address)
                    conn.sendall(data)
                    answer = b""
                    while not answer.endswith(b"\n"):
                        chunk = conn.recv(1024)
                        if not chunk:
                            break
                        answer += chunk
                if answer.endswith(b"\n"):
                    self._checked_at = time.monotonic()
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        _log.warning("the local scheduler of %s did not answer", self.home)
        return False

    def submit(self, job: JobRecord, parameters: Any = None) -> None:
        """Hand ``job`` over to the daemon.

        ``parameters``: the ``JobCreateParameters`` the job was created from, secret values
        included (only their ``secrets`` are read; the rest comes from the store).
        """
        self._send(
            {
                "op": "submit",
                "job": job.row_id,
                "cluster": job.cluster_row,
                "secrets": secret_values(getattr(parameters, "secrets", None)),
                "setup_secrets": self._setup_task_secrets(job),
                "environment": dict(os.environ),
                "python": sys.executable,
            }
        )

    def _setup_task_secrets(self, job: JobRecord) -> dict[str, str]:
        cluster = (
            self._cluster_parameters.get(job.cluster_row) if job.cluster_row is not None else None
        )
        node_setup = getattr(cluster, "node_setup", None)
        setup_task = getattr(node_setup, "setup_task", None)
        return secret_values(getattr(setup_task, "secrets", None))

    def changed(self) -> None:
        """A cluster was created, updated or deleted: let the daemon act on it now."""
        self._send({"op": "wake"})

    def terminate(self, job: JobRecord) -> None:
        """Stop a running job whose row now says ``terminating`` (``jobs.terminate``, cluster
        deleted, ``terminate`` scale-down) and return once it ended, as Batch AI's terminate
        operation completed when the job had stopped.  A row back to ``queued`` (``requeue``
        scale-down) is left to its supervisor, which notices, stops the nodes and ends."""
        files = RunFiles.of(job, self.home)
        ref = files.supervisor_ref(since=job.start_time)
        if job.execution_state == "queued":
            if ref is None or not ref.alive():
                files.stop_processes()  # nobody else stops what its previous run left
            self._send({"op": "wake"})
            return
        if ref is not None and not ref.alive():
            self.refresh(self.store.get_job_by_row(job.row_id) or job)  # recorded now
            self._send({"op": "wake"})
            return
        signalled = self._signal(ref)
        self._send({"op": "wake"})
        deadline = time.monotonic() + _TERMINATE_WAIT_SECONDS
        while time.monotonic() < deadline:
            current = self.store.get_job_by_row(job.row_id)
            if current is None or current.execution_state not in ("running", "terminating"):
                return
            if not signalled:  # the daemon forks its supervisor just after the job starts
                signalled = self._signal(files.supervisor_ref(since=job.start_time))
            elif ref is not None and not ref.alive():
                self.refresh(current)  # it died stopping the job: record it now
                return
            time.sleep(0.02)

    @staticmethod
    def _signal(ref: Any) -> bool:
        if ref is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(ref.pid, signal.SIGTERM)
        return True

    def delete(self, job: JobRecord) -> None:
        """Stop every process of ``job`` (already deleted from the store)."""
        RunFiles.of(job, self.home).stop_processes()
        self._send({"op": "wake"})

    def close(self) -> None:
        """Nothing to let go: the daemon and the jobs outlive the client on purpose."""

    def refresh(self, job: JobRecord) -> JobRecord:
        """``job`` as it really is: a running job whose supervisor is gone is failed now, and
        the daemon runs (a new one repairs what a killed one left before it answers)."""
        if job.execution_state not in ACTIVE_STATES:
            return job
        if job.execution_state != "queued":
            files = RunFiles.of(job, self.home)
            ref = files.supervisor_ref(since=job.start_time)
            if ref is not None and not ref.alive():
                what = f"The job's supervisor process (pid {ref.pid}) ended"
                fail_abandoned(self.store, job, files, what)
                return self.store.get_job_by_row(job.row_id) or job
        now = time.monotonic()
        if now - self._checked_at < _LIVENESS_CHECK_SECONDS:
            return job
        self._checked_at = now
        if read_record(self.home, SCHEDULER) is not None:
            return job
        try:
            ensure(self.home, SCHEDULER)
        except HelperUnavailable as error:
            _log.warning("the local scheduler could not be started: %s", error)
            return job
        return self.store.get_job_by_row(job.row_id) or job

    def list_output_files(self, job: JobRecord, options: Any) -> list[Any]:
        from .outputs import list_output_files

        return list_output_files(job, options, root=self.root)


def create_executor(backend: Any) -> LocalExecutor:
    """What ``LocalBackend`` calls to get its executor."""
    return LocalExecutor(backend.store, backend.root, getattr(backend, "_cluster_parameters", None))

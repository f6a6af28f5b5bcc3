"""Local job execution, as the control plane (:mod:`.backend`) sees it: :class:`LocalExecutor`.

The local backend stores a job (``StateStore.put_job``, ``queued``) and then hands it to the
executor, which starts the job's detached supervisor (:mod:`.supervisor`).  The seam is the
backend's ``JobExecutor`` protocol (``LocalBackend`` builds one with :func:`create_executor`):

* :meth:`LocalExecutor.submit` — after ``put_job`` created the job: hand it to a supervisor
  with the secret values (``JobCreateParameters.secrets``) through a pipe.  The executor keeps
  one spare supervisor started ahead of need (idle, already imported; it exits when this
  client closes or the state database disappears), so a job starts without waiting for an
  interpreter;
* :meth:`LocalExecutor.terminate` — after ``StateStore.request_termination``, a cluster
  deletion or a scale-down that took the job's nodes: a ``terminating`` job is stopped by its
  supervisor (SIGTERM), which records ``failed`` with the reason (``JobTerminated`` unless the
  row already names one); a job a ``requeue`` scale-down put back to ``queued`` is left to its
  supervisor, which sees the row, stops the nodes and waits for nodes again;
* :meth:`LocalExecutor.delete` — after the job row was deleted (``delete_job``,
  ``delete_experiment``, ...): stop every process it still has;
* :meth:`LocalExecutor.refresh` — on reads of an unfinished job: a job whose supervisor died is
  failed (``SupervisorDied``) and its processes stopped, so no job stays ``running`` forever;
* :meth:`LocalExecutor.list_output_files` — ``jobs.list_output_files`` (see :mod:`.outputs`).

Everything the executor and the supervisor share lives in the job's run folder
(``layout.job_run_dir``): ``job.json`` (what to run), ``supervisor.json`` / ``nodes.json``
(process identities), ``supervisor.log``.  None of them holds a secret.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ...home import layout
from .processes import DATABASE_OPTION, SUPERVISOR_MODULE, ProcessRef, stop_session
from .state import ACTIVE_STATES, JobRecord, StateStore, error_body
from .supervision import DatabaseFile, RunFiles, termination_errors

__all__ = ["LocalExecutor", "create_executor", "run_files", "secret_values"]

#: How long a job may exist without a supervisor record before a reader declares it lost
#: (covers the moment between ``put_job`` and ``submit`` in another process).
SUPERVISOR_START_GRACE_SECONDS = 30.0


def run_files(job: JobRecord, root: Path | None = None) -> RunFiles:
    rg, ws = job.workspace.resource_group, job.workspace.workspace
    return RunFiles(layout.job_run_dir(rg, ws, job.experiment, job.name, job.job_uuid, root))


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


class _Spare:
    """A supervisor waiting for its assignment: its identity and the write end of its stdin.

    The pipe is a bare descriptor closed by ``close()`` or, if the executor is simply dropped,
    when this object is collected — either way the spare reads end of input and exits.
    """

    def __init__(self, ref: ProcessRef, fd: int) -> None:
        self.ref = ref
        self.fd = fd
        self._finalizer = weakref.finalize(self, os.close, fd)

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def close(self) -> None:
        self._finalizer()


class LocalExecutor:
    """Starts, stops and watches the supervisors of local jobs (one per job)."""

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
        # A supervisor started ahead of need, idle until its job arrives (or this client ends).
        self._spare: _Spare | None = None
        self._spare_lock = threading.Lock()
        self._closed = False

    @property
    def _database(self) -> str:
        """The state database, as supervisors are told it (``--database``, ``job.json``)."""
        return os.path.abspath(self.store.path)

    def submit(self, job: JobRecord, parameters: Any = None) -> None:
        """Start ``job``'s supervisor (detached: it outlives this process).

        ``parameters``: the ``JobCreateParameters`` the job was created from, secret values
        included (only their ``secrets`` are read; the rest comes from the store).
        """
        secrets = {
            "job": secret_values(getattr(parameters, "secrets", None)),
            "setup_task": self._setup_task_secrets(job),
        }
        files = run_files(job, self.root)
        files.run_dir.mkdir(parents=True, exist_ok=True)
        if files.supervisor_ref() is not None:
            return  # already submitted (an idempotent re-create of the same job)
        files.job.write_text(
            json.dumps(
                {
                    "database": self._database,
                    "job_row": job.row_id,
                    "storage_root": str(self.root or layout.home()),
                }
            )
        )
        assignment = {"run_dir": str(files.run_dir), **secrets}
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is None or not self._hand_over(spare, files, assignment):
            self._hand_over(self._spawn(), files, assignment)  # refresh() reports a failure
        with self._spare_lock:  # warm the next job's supervisor while this one runs
            if self._spare is None and not self._closed:
                self._spare = self._spawn()

    def _spawn(self) -> _Spare:
        """Start a supervisor that waits for its assignment on a pipe we keep.

        ``sh`` starts it in the background and exits: the supervisor is adopted by init (no
        zombie here, no tie to this process), calls setsid() itself, and keeps this pipe as its
        stdin (fd 3 detour: sh gives background jobs /dev/null otherwise).  It imports
        everything while it waits, so a job handed to it starts at once; it ends when the pipe
        closes or the state database it is given disappears: ``--database`` names it,
        ``--database-file`` says which file it is now (device and inode, taken here: the spare
        may finish starting after the file was already replaced).
        """
        database = DatabaseFile.at(self._database)
        read_end, write_end = os.pipe()
        try:
            launcher = subprocess.Popen(
                [
                    "/bin/sh",
                    "-c",
                    'exec 3<&0; "$@" <&3 3<&- >/dev/null 2>&1 & echo $!',
                    "sh",
                    sys.executable,
                    "-m",
                    SUPERVISOR_MODULE,
                    DATABASE_OPTION,
                    self._database,
                    *(["--database-file", database.file_id] if database is not None else []),
                ],
                stdin=read_end,
                stdout=subprocess.PIPE,
                close_fds=True,
                start_new_session=True,  # off the terminal (Ctrl-C) even before its setsid()
            )
        finally:
            os.close(read_end)
        assert launcher.stdout is not None
        with launcher.stdout:
            pid = int(launcher.stdout.readline())
        launcher.wait()
        os.set_inheritable(write_end, False)
        return _Spare(ProcessRef.of(pid) or ProcessRef(pid, 0), write_end)

    @staticmethod
    def _hand_over(spare: _Spare, files: RunFiles, assignment: dict[str, Any]) -> bool:
        """Give ``spare`` its job; False when it is gone (killed while waiting)."""
        if not spare.ref.alive():
            spare.close()
            return False
        files.supervisor.write_text(json.dumps(spare.ref.to_dict()))
        try:
            spare.send(json.dumps(assignment).encode() + b"\n")
        except BrokenPipeError:
            return False
        finally:
            spare.close()
        return True

    def _setup_task_secrets(self, job: JobRecord) -> dict[str, str]:
        cluster = (
            self._cluster_parameters.get(job.cluster_row) if job.cluster_row is not None else None
        )
        node_setup = getattr(cluster, "node_setup", None)
        setup_task = getattr(node_setup, "setup_task", None)
        return secret_values(getattr(setup_task, "secrets", None))

    def terminate(self, job: JobRecord) -> None:
        """Stop a running job whose row now says ``terminating`` (``jobs.terminate``, cluster
        deleted, ``terminate`` scale-down).  A row back to ``queued`` (``requeue`` scale-down)
        is left to its supervisor, which notices, stops the nodes and queues for new ones."""
        files = run_files(job, self.root)
        ref = files.supervisor_ref()
        supervised = ref is not None and ref.alive()
        if job.execution_state == "queued":
            if not supervised:  # nobody else stops the old run's nodes
                self._stop_processes(files)  # (the next read fails the job: SupervisorDied)
            return
        if ref is not None and supervised:
            try:
                os.kill(ref.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            else:
                return
        # No supervisor to do it: stop the nodes and record the outcome here.
        self._stop_processes(files)
        self.store.finish_job(
            job.row_id, succeeded=False, exit_code=None, errors=termination_errors(job.errors)
        )

    def delete(self, job: JobRecord) -> None:
        """Stop every process of ``job`` (already deleted from the store)."""
        self._stop_processes(run_files(job, self.root))

    def close(self) -> None:
        """Let the idle spare supervisor go (end of its input).  Supervisors of submitted jobs
        are detached and outlive the client on purpose."""
        with self._spare_lock:
            self._closed = True
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()

    def refresh(self, job: JobRecord) -> JobRecord:
        """``job`` as it really is: an unfinished job whose supervisor is gone is failed now."""
        if job.execution_state not in ACTIVE_STATES:
            return job
        files = run_files(job, self.root)
        ref = files.supervisor_ref()
        if ref is None:
            if time.time() - job.creation_time < SUPERVISOR_START_GRACE_SECONDS:
                return job
            message = "The job has no supervisor process: it was never started on this machine."
        elif ref.alive():
            return job
        else:
            message = f"The job's supervisor process (pid {ref.pid}) exited before the job ended."
        self._stop_processes(files)
        if job.execution_state == "terminating":  # it died while stopping the job as asked
            errors = termination_errors(job.errors)
        else:
            errors = [error_body("SupervisorDied", message)]
        self.store.finish_job(job.row_id, succeeded=False, exit_code=None, errors=errors)
        return self.store.get_job_by_row(job.row_id) or job

    def list_output_files(self, job: JobRecord, options: Any) -> list[Any]:
        from .outputs import list_output_files

        return list_output_files(job, options, root=self.root)

    @staticmethod
    def _stop_processes(files: RunFiles) -> None:
        ref = files.supervisor_ref()
        if ref is not None:
            stop_session(ref)
        for node in files.node_refs():
            stop_session(node)


def create_executor(backend: Any) -> LocalExecutor:
    """What ``LocalBackend`` calls to get its executor."""
    return LocalExecutor(backend.store, backend.root, getattr(backend, "_cluster_parameters", None))

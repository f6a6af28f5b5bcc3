"""Local job execution, as the control plane (:mod:`.backend`) sees it: :class:`LocalExecutor`.

The local backend stores a job (``StateStore.put_job``, ``queued``) and then hands it to the
executor, which starts the job's detached supervisor (:mod:`.supervisor`).  The seam is the
backend's ``JobExecutor`` protocol (``LocalBackend`` builds one with :func:`create_executor`):

* :meth:`LocalExecutor.submit` — after ``put_job`` created the job: start its supervisor and
  give it the secret values (``JobCreateParameters.secrets``) through a pipe;
* :meth:`LocalExecutor.terminate` — after ``StateStore.request_termination`` (or a cluster
  deletion): ask the supervisor to stop the job (it records ``failed``/``JobTerminated``);
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
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import layout
from .processes import ProcessRef, stop_session
from .records import JobRecord
from .store import ACTIVE_STATES, StateStore
from .supervisor import RunFiles

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
                    "database": str(self.store.path),
                    "job_row": job.row_id,
                    "storage_root": str(self.root or layout.home()),
                }
            )
        )
        # ``sh`` starts the supervisor in the background and exits: the supervisor is adopted by
        # init (no zombie in this process, no tie to it) and calls setsid() itself.  Its stdin
        # stays this pipe (fd 3 detour: sh gives background jobs /dev/null otherwise).
        launcher = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                'log=$1; shift; exec 3<&0; "$@" <&3 3<&- >>"$log" 2>&1 & echo $!',
                "sh",
                str(files.log),
                sys.executable,
                "-m",
                "batchai_compat.backends.local.supervisor",
                str(files.run_dir),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        assert launcher.stdin is not None and launcher.stdout is not None
        pid = int(launcher.stdout.readline())
        launcher.stdout.close()
        launcher.wait()
        ref = ProcessRef.of(pid) or ProcessRef(pid, 0)
        files.supervisor.write_text(json.dumps(ref.to_dict()))
        try:
            launcher.stdin.write(json.dumps(secrets).encode())
        except BrokenPipeError:  # the supervisor died at once; refresh() will report it
            pass
        finally:
            launcher.stdin.close()

    def _setup_task_secrets(self, job: JobRecord) -> dict[str, str]:
        cluster = (
            self._cluster_parameters.get(job.cluster_row) if job.cluster_row is not None else None
        )
        node_setup = getattr(cluster, "node_setup", None)
        setup_task = getattr(node_setup, "setup_task", None)
        return secret_values(getattr(setup_task, "secrets", None))

    def terminate(self, job: JobRecord) -> None:
        """Stop a running job (call after ``StateStore.request_termination``)."""
        files = run_files(job, self.root)
        ref = files.supervisor_ref()
        if ref is not None and ref.alive():
            try:
                os.kill(ref.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            else:
                return
        # No supervisor to do it: stop the nodes and record the outcome here.
        self._stop_processes(files)
        self.store.finish_job(
            job.row_id,
            succeeded=False,
            exit_code=None,
            errors=[_error("JobTerminated", "The job was terminated by the user.")],
        )

    def delete(self, job: JobRecord) -> None:
        """Stop every process of ``job`` (already deleted from the store)."""
        self._stop_processes(run_files(job, self.root))

    def close(self) -> None:
        """Nothing to release: supervisors are detached and outlive the client on purpose."""

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
            error = _error("JobTerminated", "The job was terminated by the user.")
        else:
            error = _error("SupervisorDied", message)
        self.store.finish_job(job.row_id, succeeded=False, exit_code=None, errors=[error])
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


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "details": []}

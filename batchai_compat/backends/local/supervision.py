"""What a running local job's sides share: the daemon, the job's supervisor and the executor.

The home's scheduler daemon (:mod:`.daemon`) forks a running job's supervisor
(:mod:`.supervisor`); the executor (:mod:`.execution`, in the client) and the daemon later
watch, terminate, repair or delete the job through what they agree on here: the files of the
job's run folder (:class:`RunFiles`), the errors recorded when a job is stopped
(:func:`termination_errors`) and the repair of a job whose supervisor died
(:func:`fail_abandoned`).  None of it holds a secret.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...domain import answers
from ...home import layout
from ...home.processes import ProcessRef, stop_sessions
from .state import JobRecord, StateStore, error_body

__all__ = ["RunFiles", "fail_abandoned", "termination_errors", "write_atomically"]


@dataclass(frozen=True)
class RunFiles:
    """The files of a job run folder the supervisor and the executor share (no secrets)."""

    run_dir: Path

    @classmethod
    def of(cls, job: JobRecord, home: Path) -> RunFiles:
        """The run folder of ``job`` in the home ``home``."""
        rg, ws = job.workspace.resource_group, job.workspace.workspace
        return cls(layout.job_run_dir(rg, ws, job.experiment, job.name, job.job_uuid, home))

    @property
    def supervisor(self) -> Path:
        """``ProcessRef`` of the supervisor (written by the daemon that forked it)."""
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

    def supervisor_ref(self, since: float | None = None) -> ProcessRef | None:
        """The supervisor; with ``since`` (a run's ``start_time``), only one started for that
        run (a requeued job's folder still names the previous run's until the daemon forks
        the next)."""
        try:
            if since is not None and self.supervisor.stat().st_mtime < since:
                return None
            return ProcessRef.from_dict(json.loads(self.supervisor.read_text()))
        except (OSError, ValueError, KeyError):
            return None

    def stop_processes(self) -> None:
        """Stop the supervisor's session and every node's (whatever the run left)."""
        stop_sessions([ref for ref in (self.supervisor_ref(),) if ref] + self.node_refs())


def write_atomically(path: Path, text: str) -> None:
    """Readers (the daemon, the executor, a test) see the old content or the new one, never a
    part."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def fail_abandoned(store: StateStore, job: JobRecord, files: RunFiles, what: str) -> bool:
    """``job``'s supervisor ended before the job did (killed): stop what is left of the run and
    record the job ``failed``, saying what happened (``what``: "The job's supervisor process
    (pid N) was killed by signal 9"...).  A job being terminated ends as terminated.  False
    when the job had already ended (someone else recorded it)."""
    files.stop_processes()
    if job.execution_state == "terminating":
        errors = termination_errors(job.errors)
    else:
        errors = [
            error_body(
                "SupervisorDied",
                f"{what} before the job ended; its processes were stopped and the job failed.",
            )
        ]
    return store.finish_job(
        job.row_id,
        succeeded=False,
        exit_code=None,
        errors=errors,
        from_states=("running", "terminating"),
    )


def termination_errors(recorded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors to add when a job is stopped: none when its row already says why (a cluster
    deletion's ``ClusterDeleted``, a ``terminate`` scale-down's ``JobPreempted``), otherwise
    ``JobTerminated`` (``jobs.terminate``)."""
    if recorded:
        return []
    return [answers.job_error(answers.JOB_TERMINATED)]

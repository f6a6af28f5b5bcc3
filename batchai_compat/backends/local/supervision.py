"""What a local job's two sides share: the executor (in the client) and its supervisor process.

The executor (:mod:`.execution`) starts a job's supervisor (``python -m
batchai_compat.backends.local.supervisor``, a process boundary: no module imports the
supervisor's main module) and later watches, terminates or deletes the job through what both
sides agree on here: the files of the job's run folder (:class:`RunFiles`), which state database
the supervisor serves (:class:`DatabaseFile`), and the errors recorded when a job is stopped
(:func:`termination_errors`).  None of it holds a secret.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...domain import answers
from .processes import ProcessRef

__all__ = ["DatabaseFile", "RunFiles", "termination_errors"]


@dataclass(frozen=True)
class DatabaseFile:
    """The state database a supervisor serves: its path and the file found there at start."""

    path: Path
    device: int
    inode: int

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> DatabaseFile | None:
        """The file now at ``path``; None if there is none."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return cls(Path(path), stat.st_dev, stat.st_ino)

    @classmethod
    def identified(cls, path: str | os.PathLike[str], file_id: str) -> DatabaseFile:
        """The file ``file_id`` (see :attr:`file_id`) was at ``path`` (it may be gone since)."""
        device, inode = (int(part) for part in file_id.split(":"))
        return cls(Path(path), device, inode)

    @property
    def file_id(self) -> str:
        """``device:inode``: which file this is, for ``--database-file``."""
        return f"{self.device}:{self.inode}"

    def present(self) -> bool:
        """True while ``path`` still names this very file (not deleted, not replaced)."""
        return DatabaseFile.at(self.path) == self


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


def termination_errors(recorded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors to add when a job is stopped: none when its row already says why (a cluster
    deletion's ``ClusterDeleted``, a ``terminate`` scale-down's ``JobPreempted``), otherwise
    ``JobTerminated`` (``jobs.terminate``)."""
    if recorded:
        return []
    return [answers.job_error(answers.JOB_TERMINATED)]

"""``jobs.list_output_files`` on the local backend.

Batch AI listed the immediate entries of one folder of a job — ``'stdouterr'`` (the job's logs)
or an ``OutputDirectory`` id, optionally a ``directory`` inside it — as ``File`` models: ``name``
(relative to that folder), ``file_type`` (``file``/``directory``), ``download_url`` (a URL that
expires after ``linkexpiryinminutes``; None for directories), ``last_modified`` and
``content_length``.  Here the folders are the ones the node runtime wrote (same path rules, see
:mod:`batchai_compat.runtime.environment`) and the URLs come from the home's file service
(:mod:`.fileservice`): each grants exactly one file and keeps working after this process ends,
until it expires.  A symbolic link in the folder is listed without a URL (and without a
length): the service never follows links.  ``max_results`` is the page size the operations
layer's pager applies.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ... import models
from ...domain.paths import STDOUTERR, is_stdouterr
from ...exceptions import ValidationError, cloud_error
from ...home import fileservice, layout
from ...runtime import JobIdentity, Topology, job_paths, job_spec
from .state import JobRecord

__all__ = ["list_output_files", "output_folder"]


def _topology(job: JobRecord, root: Path | None) -> Topology:
    """Node 0's view of the job's folders (every node shares them locally)."""
    run_dir = layout.job_run_dir(
        job.workspace.resource_group,
        job.workspace.workspace,
        job.experiment,
        job.name,
        job.job_uuid,
        root,
    )
    return Topology(
        identity=JobIdentity(*job.workspace, job.experiment, job.name, job.job_uuid),
        hosts=("127.0.0.1",) * max(1, job.node_count),
        node_index=0,
        mount_root=str(run_dir / "mounts"),
        job_mount_root=str(run_dir / "jobmounts"),
        job_temp_dir=str(run_dir / "nodes" / "0" / "temp"),
        shared_job_temp=str(run_dir / "shared"),
    )


def output_folder(job: JobRecord, output_directory_id: str, root: Path | None = None) -> Path:
    """The folder behind ``'stdouterr'`` or an ``OutputDirectory`` id (ids compare case-insensitively)."""
    paths = job_paths(job_spec(job.parameters), _topology(job, root))
    if is_stdouterr(output_directory_id):
        return Path(paths.stdouterr_dir)
    for name, folder in paths.outputs.items():
        if name.lower() == output_directory_id.lower():
            return Path(folder)
    known = ", ".join([STDOUTERR, *paths.outputs])
    raise cloud_error(
        400,
        "InvalidOutputDirectoryId",
        f"The job '{job.name}' has no output directory '{output_directory_id}'; it has: {known}.",
    )


def list_output_files(job: JobRecord, options: Any, root: Path | None = None) -> list[models.File]:
    """Entries of the requested folder, sorted by name (empty while the job has written none)."""
    base = output_folder(job, str(options.outputdirectoryid), root)
    directory = options.directory if options.directory not in (None, "") else "."
    if not base.is_dir():
        return []
    real_base = base.resolve()
    try:
        folder = layout.resolve_inside(real_base, str(directory))
    except ValidationError:
        raise ValidationError(
            "jobs_list_output_files_options.directory",
            "must stay inside the output directory",
            directory,
        ) from None
    if not folder.is_dir():
        return []
    links = fileservice.FolderLinks(
        real_base, timedelta(minutes=int(options.linkexpiryinminutes or 60)), root
    )
    files = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        try:
            info = entry.stat()  # follows links, as a mounted share would show its target
        except OSError:
            if not entry.is_symlink():
                continue  # vanished meanwhile
            info = entry.stat(follow_symlinks=False)  # a dangling link: listed as a file
        is_dir = stat.S_ISDIR(info.st_mode)
        if not is_dir and not stat.S_ISREG(info.st_mode) and not entry.is_symlink():
            continue
        # A symbolic link is listed, never served: the file service follows no link, and
        # whatever it points to is not the job's to hand out.
        link = entry.is_symlink()
        files.append(
            models.File.from_service(
                name=entry.name,
                file_type=models.FileType.directory if is_dir else models.FileType.file,
                download_url=None if is_dir or link else links.url(Path(entry.path)),
                last_modified=datetime.fromtimestamp(
                    (entry.stat(follow_symlinks=False) if link else info).st_mtime, timezone.utc
                ),
                content_length=None if is_dir or link else info.st_size,
            )
        )
    return files

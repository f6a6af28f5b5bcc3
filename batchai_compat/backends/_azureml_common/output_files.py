"""A job's output files as the entries of one Batch AI folder (``jobs.list_output_files``).

Batch AI listed one folder of a job's output directory: the files directly in it and one entry
per subfolder, at most ``max_results`` of them, in name order.  Azure ML keeps a job's files as
flat blob names (run-history artifacts on v1, datastore blobs on v2); both backends key them by
their Batch AI names (``"ckpt/1.index"``) and :func:`directory_entries` folds them into that
folder's entries, each directory carrying its files (for its newest time).  Pure; how each
backend reads sizes and times is its own (``azureml/run_files.py``, ``azureml_v2/responses.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Entry", "RunFile", "directory_entries"]


@dataclass(frozen=True)
class RunFile:
    """One file of a job: its ``path`` (v1: the run artifact's, v2: the blob's) and its download
    ``url`` (a SAS URL; empty where the backend signs it later)."""

    path: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One Batch AI ``File`` of a listing: a file, or a directory standing for ``files``."""

    name: str
    is_directory: bool
    files: tuple[RunFile, ...]


def directory_entries(
    files: Mapping[str, RunFile], directory: str | None, limit: int
) -> list[Entry]:
    """The entries of Batch AI folder ``directory`` (None or "." for the top), at most ``limit``,
    from ``files`` keyed by their Batch AI names (``"ckpt/1.index"``)."""
    folder = (directory or ".").strip("/")
    prefix = "" if folder in ("", ".") else folder + "/"
    entries: list[Entry] = []
    directories: dict[str, list[RunFile]] = {}
    for name in sorted(files):
        if not name.startswith(prefix):
            continue
        head, sep, _ = name[len(prefix) :].partition("/")
        if sep:
            members = directories.get(head)
            if members is None:
                if len(entries) >= limit:
                    continue
                members = directories[head] = []
                entries.append(Entry(prefix + head, True, ()))
            members.append(files[name])
        elif len(entries) < limit:
            entries.append(Entry(name, False, (files[name],)))
    return [
        Entry(e.name, True, tuple(directories[e.name[len(prefix) :]])) if e.is_directory else e
        for e in entries
    ]

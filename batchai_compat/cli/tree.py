"""The top of the ``batchai`` command tree: each first word and the module that holds its commands.

``az batchai`` had ``workspace``, ``cluster``, ``experiment``, ``job``, ``file-server`` and
``list-usages``; runbooks also ran ``az storage``, ``az group`` and ``az configure`` lines, which
``batchai storage``, ``batchai group`` and ``batchai configure`` accept.  Only the module of the
word being run is imported (:func:`area`), so ``batchai job show`` never loads the storage or
cluster commands.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spec import Area

#: first word -> (module under batchai_compat.cli.commands, summary shown by ``batchai -h``)
TOP: dict[str, tuple[str, str]] = {
    "workspace": ("workspaces", "Commands to manage workspaces."),
    "cluster": ("clusters", "Commands to manage clusters."),
    "experiment": ("experiments", "Commands to manage experiments."),
    "job": ("jobs", "Commands to manage jobs."),
    "file-server": ("file_servers", "Commands to manage file servers."),
    "list-usages": (
        "usages",
        "Gets the current usage information as well as limits for Batch AI resources for "
        "given location.",
    ),
    "export": (
        "export",
        "Write native Azure ML v2 files for a Batch AI job or cluster (no batchai_compat "
        "needed to run them).",
    ),
    "storage": ("storage", "The `az storage` commands of Batch AI runbooks."),
    "group": ("groups", "The `az group` commands of Batch AI runbooks (local backend)."),
    "configure": ("configure", "Manage default values of arguments (like `az configure`)."),
}


def area(word: str) -> Area:
    """The commands of top-level ``word`` (a key of :data:`TOP`)."""
    module = importlib.import_module(f".commands.{TOP[word][0]}", __package__)
    result: Area = module.AREA
    return result

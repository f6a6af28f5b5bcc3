"""The ``batchai`` command line: ``az batchai`` runbooks with the prefix changed.

``az batchai`` (API 2018-05-01) went with the service.  ``batchai`` keeps its command tree,
options, defaults, confirmation prompts, table formats and JSON files, and runs every command
through :class:`~batchai_compat.BatchAIManagementClient` on the selected backend, plus the
``az storage``, ``az group`` and ``az configure`` lines Batch AI runbooks used::

    batchai workspace create -g rg -n ws -l eastus
    batchai job create -g rg -w ws -e exp -n job -c nc6 -f job.json --storage-account-name acct
    batchai job file stream -g rg -w ws -e exp -j job -f stdout.txt

Layout: :mod:`.dispatch` (finding and running a command, exit codes), :mod:`.tree` and :mod:`.spec` (the command table),
:mod:`.parser` (argparse and help), :mod:`.output` (az's result shape, ``--query``, formats),
:mod:`.config` (``batchai configure``), :mod:`.context` (client, credentials, prompts),
:mod:`.files` (``--config-file`` JSON), :mod:`.mounts` (storage and NFS mounts of clusters and
jobs), :mod:`.tables` (``-o table`` columns), and :mod:`.commands` (one module per top-level
word).  It is built on the public client and the legacy storage layer only, so it works on
every backend.
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``batchai`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from .dispatch import main as run

    return run(argv)

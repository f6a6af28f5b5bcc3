"""The two failures of a ``batchai`` command of our own making, with az's exit codes.

az exits 0 on success, 1 when the service or the command fails at run time, 2 when the command
line itself is wrong.  :class:`UsageError` is the latter (unknown command or option, missing or
invalid value, conflicting options, an unreadable or malformed ``--config-file``): nothing was
done.  :class:`CommandError` is a failure the command detects while running (a resource that
already exists, a job that failed in ``job wait``, no TTY for a confirmation).  Library
exceptions (``CloudError``, ``ValidationError``, ``NoEquivalentError``) also exit 1.
"""

from __future__ import annotations


class CommandError(Exception):
    """The command could not do what was asked; printed as one ``ERROR:`` line, exit code 1."""

    exit_code = 1


class UsageError(CommandError):
    """The command line (or a file it names) is wrong; nothing was done.  Exit code 2."""

    exit_code = 2

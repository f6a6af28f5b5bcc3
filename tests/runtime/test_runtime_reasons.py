"""The reason a failed task gives: its last meaningful stderr line.

The MPI banner below is what Open MPI's ``mpirun`` really prints when a rank fails (captured on
this machine); the end-to-end check with a real ``mpirun`` is in
``tests/execution/test_execution_toolkits.py``.
"""

from __future__ import annotations

import textwrap

import pytest

from batchai_compat.runtime.reasons import MAX_REASON, failure_reason, meaningful_line

TRACEBACK = textwrap.dedent(
    """\
    starting
    Traceback (most recent call last):
      File "/tmp/fail.py", line 5, in <module>
        f()
      File "/tmp/fail.py", line 3, in f
        raise ValueError("learning rate must be positive")
    ValueError: learning rate must be positive
    """
)

OPEN_MPI_BANNERS = textwrap.dedent(
    """\
    --------------------------------------------------------------------------
    Primary job  terminated normally, but 1 process returned
    a non-zero exit code. Per user-direction, the job has been aborted.
    --------------------------------------------------------------------------
    --------------------------------------------------------------------------
    mpirun detected that one or more processes exited with non-zero status, thus causing
    the job to be terminated. The first process to do so was:

      Process name: [[10321,1],1]
      Exit code:    1
    --------------------------------------------------------------------------
    """
)

MPI_ABORT = textwrap.dedent(
    """\
    rank 1: NaN loss at step 300
    --------------------------------------------------------------------------
    MPI_ABORT was invoked on rank 1 in communicator MPI_COMM_WORLD
    with errorcode 3.

    NOTE: invoking MPI_ABORT causes Open MPI to kill all MPI processes.
    You may or may not see output from other processes, depending on
    exactly when Open MPI kills them.
    --------------------------------------------------------------------------
    [node-0:04211] 1 more process has sent help message help-mpi-api.txt / mpi-abort
    [node-0:04211] Set MCA parameter "orte_base_help_aggregate" to 0 to see all help / error messages
    """
)


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("", ""),
        ("\n\n  \n", ""),
        ("loading data\nerror: file not found: train.csv\n", "error: file not found: train.csv"),
        (TRACEBACK, "ValueError: learning rate must be positive"),
        (TRACEBACK + OPEN_MPI_BANNERS, "ValueError: learning rate must be positive"),
        # two ranks failed: their tracebacks interleave with the banners
        (TRACEBACK + OPEN_MPI_BANNERS + TRACEBACK, "ValueError: learning rate must be positive"),
        (MPI_ABORT, "rank 1: NaN loss at step 300"),
        ("cuda out of memory\n" + OPEN_MPI_BANNERS, "cuda out of memory"),
        # the traceback's exception line, even when the task printed more after it
        (TRACEBACK + "cleaning up\n", "ValueError: learning rate must be positive"),
        # a chained exception: the last one is the reason
        (
            TRACEBACK
            + "\nDuring handling of the above exception, another exception occurred:\n\n"
            + TRACEBACK.replace("ValueError: learning rate", "RuntimeError: retry").replace(
                "starting\n", ""
            ),
            "RuntimeError: retry must be positive",
        ),
        (
            'Traceback (most recent call last):\n  File "x.py", line 1\n    def (:\n        ^\n'
            "SyntaxError: invalid syntax\n",
            "SyntaxError: invalid syntax",
        ),
        # the task's own dash-ruled block is kept
        ("-" * 20 + "\nsummary: 3 failures\n" + "-" * 20 + "\n", "summary: 3 failures"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else value,
)
def test_meaningful_line(stderr, reason):
    assert meaningful_line(stderr) == reason


def test_failure_reason_masks_secrets_and_stays_short(tmp_path):
    err = tmp_path / "stderr.txt"
    err.write_text(TRACEBACK.replace("learning rate", "token s3cr3t-value"))
    assert failure_reason(err, {"TOKEN": "s3cr3t-value"}) == (
        "ValueError: token *** must be positive"
    )
    err.write_text("x" * 10_000 + "\n")
    assert len(failure_reason(err, {})) == MAX_REASON
    assert failure_reason(tmp_path / "missing.txt", {}) == ""

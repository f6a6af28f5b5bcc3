"""TerminalProgress draws on a real terminal (a pseudo-terminal here) and stays silent in a pipe."""

from __future__ import annotations

import contextlib
import itertools
import os
import pty
import select
import threading

import pytest

from batchai_compat.core.progress import TerminalProgress, is_terminal
from batchai_compat.storage.blob import BlockBlobService


def _read_all(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other side is closed
            break
        if not chunk:
            break
        data += chunk
    return data


@contextlib.contextmanager
def silent_pipe():
    """A pipe's writing end; on leaving, checks that nothing was written into it."""
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w")
    yield stream
    stream.close()
    with os.fdopen(read_end, "rb") as pipe:
        assert pipe.read() == b""


@pytest.fixture
def terminal():
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w")
    yield stream, master
    stream.close()
    os.close(master)


def test_an_upload_draws_its_progress_on_a_terminal(terminal, batchai_home, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    stream, master = terminal
    assert is_terminal(stream)
    ticks = itertools.count(step=1.0)  # every call a second later: each step is drawn
    service = BlockBlobService("acct", "a2V5")
    service.MAX_SINGLE_PUT_SIZE = service.MAX_BLOCK_SIZE = 400
    service.create_container("data")
    with TerminalProgress("train.bin", stream, clock=lambda: next(ticks)) as bar:
        service.create_blob_from_bytes("data", "train.bin", b"x" * 1000, progress_callback=bar)
    shown = _read_all(master).decode()
    frames = [frame.rstrip() for frame in shown.split("\r") if frame.strip()]
    assert frames == [
        "train.bin: 0 B / 1000 B    0%",
        "train.bin: 400 B / 1000 B   40%",
        "train.bin: 800 B / 1000 B   80%",
        "train.bin: 1000 B / 1000 B  100%",
    ]
    assert shown.endswith("\n")


def test_redraws_are_rate_limited_but_the_last_step_is_always_shown(terminal, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    stream, master = terminal
    bar = TerminalProgress("big", stream, interval=10, clock=lambda: 0.0)
    for done in range(0, 5 * 1024 * 1024 + 1, 1024 * 1024):
        bar(done, 5 * 1024 * 1024)
    bar.close()
    frames = [f.rstrip() for f in _read_all(master).decode().split("\r") if f.strip()]
    assert frames == ["big: 0 B / 5.0 MiB    0%", "big: 5.0 MiB / 5.0 MiB  100%"]


def test_a_wait_shows_a_spinner_and_its_state(terminal, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    stream, master = terminal
    ticks = itertools.count(step=1.0)
    with TerminalProgress("job tf_job", stream, clock=lambda: next(ticks)) as wait:
        for state in ("queued", "running", "running"):
            wait.status(state)
        wait.close("succeeded")
    frames = [f.rstrip() for f in _read_all(master).decode().split("\r") if f.strip()]
    assert frames == [
        "job tf_job: | queued",
        "job tf_job: / running",
        "job tf_job: - running",
        "job tf_job: succeeded",
    ]


def test_nothing_is_written_into_a_pipe(batchai_home):
    with silent_pipe() as stream:
        bar = TerminalProgress("train.bin", stream)
        assert not bar.enabled
        service = BlockBlobService("acct", "a2V5")
        service.create_container("data")
        service.create_blob_from_bytes("data", "train.bin", b"x" * 1000, progress_callback=bar)
        bar.status("waiting")
        bar.close("done")


def test_a_dumb_terminal_is_not_drawn_on(terminal, monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    stream, master = terminal
    bar = TerminalProgress("x", stream)
    bar(1, 2)
    bar.close()
    assert not bar.enabled and _read_all(master) == b""


def test_clear_erases_the_line_for_a_message_and_the_next_step_draws_it_again(
    terminal, monkeypatch
):
    monkeypatch.setenv("TERM", "xterm")
    stream, master = terminal
    wait = TerminalProgress("job tf_job", stream, interval=10, clock=lambda: 0.0)
    wait.clear()  # nothing drawn yet: nothing to erase
    wait.status("queued")
    wait.clear()
    stream.write("WARNING: Job state: running\n")
    wait.status("running")  # within the interval, yet drawn: the line was erased
    wait.clear()
    wait.close()  # nothing drawn since the last clear: no empty line
    shown = _read_all(master).decode().replace("\r\n", "\n")
    first, second = "job tf_job: | queued", "job tf_job: / running"
    assert shown == (
        f"\r{first}\r{' ' * len(first)}\rWARNING: Job state: running\n"
        f"\r{second}\r{' ' * len(second)}\r"
    )


def test_pause_turns_the_spinner_on_a_terminal_and_only_sleeps_in_a_pipe(terminal, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    stream, master = terminal
    with TerminalProgress("job tf_job", stream, interval=0.01) as wait:
        wait.pause(0.05, "running")
    drawn = [f.rstrip() for f in _read_all(master).decode().split("\r") if f.strip()]
    assert drawn and all(f[:12] == "job tf_job: " and f[13:] == " running" for f in drawn)
    assert all(f[12] in "|/-\\" for f in drawn)

    with silent_pipe() as piped, TerminalProgress("job tf_job", piped, interval=0.01) as quiet:
        quiet.pause(0.02, "running")


def test_spinning_turns_while_the_body_blocks_then_erases_the_line(terminal, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    stream, master = terminal
    shown = b""
    progress = TerminalProgress("batchai cluster create", stream, interval=0.01)
    with progress, progress.spinning("Running"):
        # The body blocks (as a poller's result() does) until a second frame is drawn.
        while shown.count(b"\r") < 2:
            assert select.select([master], [], [], 60)[0]
            shown += os.read(master, 65536)
    shown += _read_all(master)
    text = shown.decode()
    *drawn, erased, rest = text.split("\r")
    assert rest == ""  # the cursor is back at the start of an empty line: nothing left
    assert erased.strip() == "" and len(erased) == len("batchai cluster create: | Running")
    frames = [f for f in drawn if f.strip()]
    assert len(frames) >= 2
    assert all(f.rstrip()[:-9] == "batchai cluster create: " for f in frames)
    assert [f.rstrip()[-7:] for f in frames] == ["Running"] * len(frames)


def test_spinning_in_a_pipe_runs_no_thread_and_writes_nothing():
    with silent_pipe() as piped:
        progress = TerminalProgress("batchai cluster create", piped)
        with progress.spinning("Running"):
            assert "progress" not in [thread.name for thread in threading.enumerate()]

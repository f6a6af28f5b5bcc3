"""TerminalProgress draws on a real terminal (a pseudo-terminal here) and stays silent in a pipe."""

from __future__ import annotations

import itertools
import os
import pty
import select

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
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w")
    bar = TerminalProgress("train.bin", stream)
    assert not bar.enabled
    service = BlockBlobService("acct", "a2V5")
    service.create_container("data")
    service.create_blob_from_bytes("data", "train.bin", b"x" * 1000, progress_callback=bar)
    bar.status("waiting")
    bar.close("done")
    stream.close()
    with os.fdopen(read_end, "rb") as pipe:
        assert pipe.read() == b""


def test_a_dumb_terminal_is_not_drawn_on(terminal, monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    stream, master = terminal
    bar = TerminalProgress("x", stream)
    bar(1, 2)
    bar.close()
    assert not bar.enabled and _read_all(master) == b""

"""``batchai``'s progress lines (``core.progress.TerminalProgress``): uploads, downloads,
upload-batch and ``job wait`` draw on a terminal -- a real pseudo-terminal holding the command's
stderr here -- and write nothing of the kind into a pipe or with ``--only-show-errors``; stdout
stays the command's output, and ``job wait``'s ``WARNING:`` lines each keep a line of their own."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import tty
from pathlib import Path

import pytest

BASE = ("-g", "rg", "-w", "ws")
ACCOUNT = ("--account-name", "acct1")


class Terminal:
    """``batchai ARGS...`` with its stderr on a pseudo-terminal (raw: bytes as written)."""

    def __init__(self, cli_env: dict[str, str], cwd: Path) -> None:
        self.env = {**cli_env, "TERM": "xterm"}
        self.cwd = cwd

    def start(self, *args: str) -> Running:
        master, slave = pty.openpty()
        tty.setraw(slave)
        process = subprocess.Popen(
            [sys.executable, "-m", "batchai_compat", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=self.env,
            cwd=self.cwd,
        )
        os.close(slave)
        return Running(process, master)

    def run(self, *args: str) -> tuple[int, str, str]:
        running = self.start(*args)
        return running.finish()


class Running:
    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        self.process = process
        self.master = master
        self.shown = b""

    def read_until(self, wanted: bytes, timeout: float = 120) -> None:
        """Read the terminal until ``wanted`` has been drawn (or the command ended)."""
        while wanted not in self.shown and self._read(timeout):
            pass
        assert wanted in self.shown, self.shown.decode(errors="replace")

    def _read(self, timeout: float) -> bool:
        if not select.select([self.master], [], [], timeout)[0]:
            return self.process.poll() is None
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # every writer of the terminal is gone
            return False
        self.shown += chunk
        return bool(chunk)

    def finish(self) -> tuple[int, str, str]:
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        self.process.stdout.close()
        code = self.process.wait(timeout=300)
        while self._read(0.2):
            pass
        os.close(self.master)
        return code, out.decode(), self.shown.decode()


def screen(shown: str) -> list[str]:
    """What a terminal shows after ``shown``: ``\\r`` returns to the line's start, and text
    written there overwrites what was drawn."""
    lines: list[list[str]] = [[]]
    column = 0
    for char in shown:
        if char == "\n":
            lines.append([])
            column = 0
        elif char == "\r":
            column = 0
        else:
            line = lines[-1]
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
    text = ["".join(line).rstrip() for line in lines]
    return text[:-1] if text and not text[-1] else text


def frames(shown: str) -> list[str]:
    """Each drawing of a progress line, in order."""
    return [
        part.rstrip() for line in shown.split("\n") for part in line.split("\r") if part.strip()
    ]


@pytest.fixture
def terminal(cli_env, tmp_path):
    return Terminal(cli_env, tmp_path)


@pytest.fixture
def storage(run_cli, tmp_path):
    for kind, name in (("container", "data"), ("share", "scripts")):
        assert run_cli("storage", kind, "create", "-n", name, *ACCOUNT).code == 0
    (tmp_path / "train.bin").write_bytes(b"x" * 1000)
    folder = tmp_path / "mnist"
    (folder / "nested").mkdir(parents=True)
    (folder / "train.txt").write_bytes(b"1" * 300)
    (folder / "nested" / "test.txt").write_bytes(b"2" * 200)
    return tmp_path


TRANSFERS = [
    (
        ("storage", "blob", "upload", "-c", "data", "-n", "train.bin", "-f", "train.bin"),
        "Uploading train.bin: 1000 B / 1000 B  100%",
    ),
    (
        ("storage", "file", "upload", "-s", "scripts", "--source", "train.bin"),
        "Uploading train.bin: 1000 B / 1000 B  100%",
    ),
    (
        ("storage", "blob", "upload-batch", "-d", "data", "-s", "mnist"),
        "Uploading mnist: 500 B / 500 B  100%",
    ),
    (
        ("storage", "file", "upload-batch", "-d", "scripts", "-s", "mnist"),
        "Uploading mnist: 500 B / 500 B  100%",
    ),
]


@pytest.mark.parametrize(
    ("command", "last"), TRANSFERS, ids=[" ".join(c[1:3]) for c, _ in TRANSFERS]
)
def test_transfers_draw_their_progress_on_a_terminal(terminal, storage, command, last):
    code, out, shown = terminal.run(*command, *ACCOUNT)
    assert code == 0, shown
    assert "Uploading" not in out and (out == "" or json.loads(out))  # the result alone
    drawn = frames(shown)
    assert drawn[0].endswith("  0%") and drawn[-1] == last
    assert shown.endswith("\n")  # the line is ended: the prompt comes back below it


def test_a_download_draws_its_progress_on_a_terminal(terminal, storage, run_cli):
    upload = ("storage", "blob", "upload", "-c", "data", "-n", "train.bin")
    assert run_cli(*upload, "-f", str(storage / "train.bin"), *ACCOUNT).code == 0
    download = ("storage", "blob", "download", "-c", "data", "-n", "train.bin", "-f", "copy.bin")
    code, _, shown = terminal.run(*download, *ACCOUNT)
    assert code == 0, shown
    assert frames(shown)[-1] == "Downloading train.bin: 1000 B / 1000 B  100%"
    assert (storage / "copy.bin").read_bytes() == b"x" * 1000


@pytest.mark.parametrize(("command", "last"), TRANSFERS[::2], ids=("upload", "upload-batch"))
def test_nothing_is_drawn_into_a_pipe_or_with_only_show_errors(
    batchai, terminal, storage, command, last
):
    piped = batchai(*command, *ACCOUNT, cwd=storage)
    assert (piped.code, piped.err) == (0, "")
    code, _, shown = terminal.run(*command, *ACCOUNT, "--only-show-errors")
    assert (code, shown) == (0, "")


def _job_file(tmp_path: Path, go: Path) -> str:
    path = tmp_path / "job.json"
    command = f"while [ ! -e {go} ]; do sleep 0.05; done; echo went"
    path.write_text(
        json.dumps(
            {
                "nodeCount": 1,
                "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_TEMP",
                "customToolkitSettings": {"commandLine": command},
            }
        )
    )
    return str(path)


def test_job_wait_spins_between_its_warning_lines_on_a_terminal(
    terminal, run_cli, batchai, tmp_path
):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    assert run_cli("experiment", "create", *BASE, "-n", "exp").code == 0
    created = run_cli(
        "cluster", "create", *BASE, "-n", "c", "-s", "STANDARD_D1", "-t", "1", "-p", "pw"
    )
    assert created.code == 0, created.err
    go = tmp_path / "go"
    job = ("job", "create", *BASE, "-e", "exp", "-n", "j1", "-c", "c", "-f")
    assert run_cli(*job, _job_file(tmp_path, go)).code == 0

    wait = ("job", "wait", *BASE, "-e", "exp", "-n", "j1", "--interval", "0.2")
    running = terminal.start(*wait)
    running.read_until(b"job j1: | ")  # the spinner turns while the job waits for its go
    go.touch()
    code, out, shown = running.finish()
    assert (code, out) == (0, "")

    lines = screen(shown)
    # Every line left on the screen is one of az's messages, whole: the spinner was erased
    # before each of them and after the last.
    assert lines and all(line.startswith("WARNING: Job ") for line in lines), lines
    assert lines[0].startswith("WARNING: Job submitted at ")
    assert lines[-1].startswith("WARNING: Job completed at ")
    assert "WARNING: Job state: succeeded" in lines
    spinner = [f for f in frames(shown) if f.startswith("job j1: ")]
    assert spinner and all(f[8] in "|/-\\" and f[10:] in ("queued", "running") for f in spinner)

    piped = batchai(*wait)  # into a pipe: az's lines alone
    assert piped.code == 0
    assert "job j1:" not in piped.err and "\r" not in piped.err
    assert piped.err.splitlines()[-1].startswith("WARNING: Job completed at ")


def test_long_running_operations_leave_the_terminal_clean(terminal):
    # az's "Running" spinner turns while a create or delete waits for the service; once the
    # command ends nothing of it is left on the screen (on `local` it may not have drawn at all).
    code, out, shown = terminal.run("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus")
    assert code == 0, shown
    assert json.loads(out)["name"] == "ws"
    assert screen(shown) == []
    spinner = frames(shown)  # (what was drawn, then erased)
    assert all(
        f.startswith("batchai workspace create: ") and f.endswith(" Running") for f in spinner
    )
    code, out, shown = terminal.run("workspace", "delete", "-g", "rg", "-n", "ws", "-y")
    assert (code, out, screen(shown)) == (0, "", [])

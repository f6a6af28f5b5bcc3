"""The file server attacked (issue 13): it serves only what a token grants, race-free, answers
every request, and stays bounded in threads, connections and time.

Each test runs a real server on 127.0.0.1 in this process (so its threads can be counted) with
the same code the home's file service runs; requests are raw HTTP over real sockets.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from batchai_compat.home.file_grants import Tokens
from batchai_compat.home.fileserver import FileServer

INSIDE = b"inside the grant\n"
OUTSIDE = b"OUTSIDE THE GRANT\n"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A granted folder with ``sub/file.txt``, and an outside folder with the same names."""
    granted, outside = tmp_path / "granted", tmp_path / "outside"
    for root, content in ((granted, INSIDE), (outside, OUTSIDE)):
        (root / "sub").mkdir(parents=True)
        (root / "sub" / "file.txt").write_bytes(content)
        (root / "file.txt").write_bytes(content)
    return granted, outside


@pytest.fixture
def server(tmp_path: Path):
    with FileServer(Tokens(tmp_path / "home"), head_timeout=1.0, io_timeout=5.0) as srv:
        yield srv


def raw(server: FileServer, request: bytes, timeout: float = 10) -> tuple[int, bytes, bytes]:
    """Send ``request`` as is; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head, body


def get(server: FileServer, target: str, *headers: str) -> tuple[int, bytes, bytes]:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return raw(server, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# -- the symlink swap race -------------------------------------------------------------------


def _swap_forever(real: Path, target: Path, stop: threading.Event) -> int:
    """Swap ``real`` (a folder or a file) for a symbolic link to ``target`` and back."""
    swaps = 0
    parked = real.with_name(real.name + ".parked")
    while not stop.is_set():
        os.rename(real, parked)
        os.symlink(target, real)
        os.unlink(real)
        os.rename(parked, real)
        swaps += 1
    return swaps


@pytest.mark.parametrize("swapped", ["sub", "sub/file.txt"])
def test_symlink_swap_race_never_serves_outside_the_grant(server, folders, swapped):
    granted, outside = folders
    url = server.url_for(granted / "sub" / "file.txt", granted, timedelta(minutes=5))
    stop = threading.Event()
    swaps: list[int] = []
    swapper = threading.Thread(
        target=lambda: swaps.append(_swap_forever(granted / swapped, outside / swapped, stop))
    )
    answers: dict[int, int] = {}
    wrong: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def hammer(count: int) -> None:
        for _ in range(count):
            status, _, body = get(server, path_of(url))
            with lock:
                answers[status] = answers.get(status, 0) + 1
                if OUTSIDE in body or (status == 200 and body != INSIDE):
                    wrong.append((status, body))

    swapper.start()
    try:
        clients = [threading.Thread(target=hammer, args=(750,)) for _ in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    finally:
        stop.set()
        swapper.join()
    assert sum(answers.values()) == 3000
    assert wrong == []
    assert set(answers) <= {200, 403, 404}
    assert answers.get(200, 0) > 0 and swaps[0] > 100  # both sides really raced


def test_a_folder_grant_does_not_follow_links_out_or_in(server, folders, tmp_path):
    granted, outside = folders
    os.symlink(outside / "file.txt", granted / "out.txt")
    os.symlink(granted / "file.txt", granted / "in.txt")  # even pointing inside: a link
    os.symlink(outside, granted / "elsewhere")
    token = server.token_for(granted, None, timedelta(minutes=5))
    for name in ("out.txt", "in.txt", "elsewhere/file.txt"):
        status, _, body = get(server, f"/{token}/{name}")
        assert status == 403, name
        assert OUTSIDE not in body and INSIDE not in body
    assert get(server, f"/{token}/file.txt")[2] == INSIDE


def test_the_granted_folder_replaced_by_a_link_serves_nothing(server, folders):
    granted, outside = folders
    url = server.url_for(granted / "file.txt", granted, timedelta(minutes=5))
    os.rename(granted, granted.with_name("moved"))
    os.symlink(outside, granted)
    status, _, body = get(server, path_of(url))
    assert status == 403 and OUTSIDE not in body


# -- traversal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../outside/file.txt",
        "%2e%2e/outside/file.txt",
        "sub/%2e%2e/%2e%2e/outside/file.txt",
        "%2Fetc%2Fpasswd",
        "/etc/passwd",
        "sub/./file.txt",
        "sub//file.txt",
        "..%2foutside%2ffile.txt",
        "sub%5c..%5c..%5coutside%5cfile.txt",
        "file.txt%00.png",
    ],
)
def test_traversal_is_refused(server, folders, name):
    granted, _ = folders
    token = server.token_for(granted, None, timedelta(minutes=5))
    status, _, body = get(server, f"/{token}/{name}")
    assert status == 403, name
    assert OUTSIDE not in body and b"root:" not in body


def test_overlong_or_invalid_percent_encoding_is_400(server, folders):
    granted, _ = folders
    token = server.token_for(granted, None, timedelta(minutes=5))
    for name in ("%c0%ae%c0%ae/outside/file.txt", "%ff%fe.txt"):
        status, _, body = get(server, f"/{token}/{name}")
        assert status == 400, name
        assert OUTSIDE not in body


# -- tokens ------------------------------------------------------------------------------------


def test_forged_expired_and_foreign_tokens_are_403(folders, tmp_path):
    granted, _ = folders
    now = [1_800_000_000.0]
    tokens = Tokens(tmp_path / "home", clock=lambda: now[0])
    with FileServer(tokens) as srv:
        good = tokens.issue(granted, "file.txt", now[0] + 60)
        body, signature = good.split(".")
        forged = [
            f"{body}.{signature[::-1]}",
            f"{body}.",
            body,
            "",
            "x" * 5000,
            f"{body[:-2]}AA.{signature}",
            Tokens(tmp_path / "other-home").issue(granted, "file.txt", now[0] + 60),
        ]
        for token in forged:
            assert get(srv, f"/{token}/file.txt")[0] == 403, token[:40]
        assert get(srv, f"/{good}/file.txt")[0] == 200
        now[0] += 60
        assert get(srv, f"/{good}/file.txt")[0] == 403


def test_a_token_for_a_folder_no_grant_records_is_refused(folders, tmp_path):
    """A validly signed token whose grant id is unknown (its grants table lost) is 403."""
    granted, _ = folders
    home = tmp_path / "home"
    token = Tokens(home).issue(granted, "file.txt", time.time() + 60)
    (home / "fileservice" / "grants.db").unlink()
    with FileServer(Tokens(home)) as srv:
        assert get(srv, f"/{token}/file.txt")[0] == 403


# -- header abuse ------------------------------------------------------------------------------


@pytest.fixture
def file_url(server, folders) -> str:
    granted, _ = folders
    return path_of(server.url_for(granted / "file.txt", granted, timedelta(minutes=5)))


def test_a_range_of_thousands_of_digits_is_answered(server, file_url):
    size = len(INSIDE)
    huge = "9" * 4400
    status, head, body = get(server, file_url, f"Range: bytes={huge}-")
    assert status == 416 and f"bytes */{size}".encode() in head
    status, head, body = get(server, file_url, f"Range: bytes=0-{huge}")
    assert (status, body) == (206, INSIDE)
    status, head, body = get(server, file_url, f"Range: bytes=-{huge}")
    assert (status, body) == (206, INSIDE)
    status, head, body = get(server, file_url, "Range: bytes=" + "0" * 4400 + "1-")
    assert (status, body) == (206, INSIDE[1:])


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /x HTTP/9.9\r\n\r\n", 400),
        (b"GET http://127.0.0.1/x HTTP/1.1\r\n\r\n", 400),
        (b"GET /x HTTP/1.1\r\nNoColonHere\r\n\r\n", 400),
        (b"GET /x HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n", 400),
        (b"GET /x HTTP/1.1\r\nX\xff: 1\r\n\r\n", 400),
        (b"GET /x HTTP/1.1\r\nRange: bytes=0-\r\nRange: bytes=1-\r\n\r\n", 400),
        (b"GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 400),
        (b"GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        (b"GET /x HTTP/1.1\r\n" + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
        (b"GET /x HTTP/1.1\r\n" + b"X-A: 1\r\n" * 200 + b"\r\n", 431),
        (b"BREW /x HTTP/1.1\r\n\r\n", 405),
        (b"G\xc3\xa9T /x HTTP/1.1\r\n\r\n", 400),
    ],
)
def test_malformed_requests_get_an_answer(server, request_bytes, status):
    got, head, _ = raw(server, request_bytes)
    assert got == status, head
    assert head.startswith(b"HTTP/1.1 ")


def test_malformed_headers_on_a_granted_file_never_leak_it(server, file_url):
    for header in ("Range: bytes=²-", "Range: bytes=0x10-", "Range: bytes= - ", "Range: b"):
        status, _, body = get(server, file_url, header)
        assert status in (200, 416), header  # another unit (b) is ignored, as RFC 9110 allows
        if status == 416:
            assert INSIDE not in body


# -- floods --------------------------------------------------------------------------------------


def _server_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("fileserver-"))


def test_a_flood_of_idle_connections_is_bounded_in_count_and_time(tmp_path, folders):
    granted, _ = folders
    before = _server_threads()
    with FileServer(Tokens(tmp_path / "home"), max_connections=32, head_timeout=1.0) as srv:
        threads = _server_threads() - before
        url = path_of(srv.url_for(granted / "file.txt", granted, timedelta(minutes=5)))
        flood = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(400)]
        try:
            started = time.monotonic()
            # A real request during the flood is answered.
            status, _, body = get(srv, url)
            assert (status, body) == (200, INSIDE)
            assert _server_threads() - before == threads  # no thread per connection
            # Every flooding connection is closed by the server: the oldest at once (only 32
            # may wait for their request head), the rest once their head timeout is over.
            for conn in flood:
                conn.settimeout(10)
                assert conn.recv(1) == b""
            assert time.monotonic() - started < 8
        finally:
            for conn in flood:
                conn.close()
        assert _server_threads() - before == threads


def test_a_slow_sender_is_cut_off_and_others_are_served(tmp_path, folders):
    granted, _ = folders
    with FileServer(Tokens(tmp_path / "home"), head_timeout=1.0) as srv:
        url = path_of(srv.url_for(granted / "file.txt", granted, timedelta(minutes=5)))
        slow = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        started = time.monotonic()
        try:
            slow.sendall(b"GET ")
            for _ in range(5):  # it trickles its head; others are served meanwhile
                assert get(srv, url)[0] == 200
                time.sleep(0.1)
                with contextlib.suppress(OSError):
                    slow.sendall(b"/")
            try:  # its head never completed in time: closed without an answer
                answer = slow.recv(1)
            except ConnectionResetError:
                answer = b""
            assert answer == b""
        finally:
            slow.close()
        assert time.monotonic() - started < 5


# -- loopback only -------------------------------------------------------------------------------


def _other_addresses() -> list[str]:
    """IPv4 addresses of this machine that are not loopback (none on an isolated box)."""
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: picks the outgoing address
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


def test_the_server_listens_on_loopback_only(server):
    assert server._listener is not None
    assert server._listener.getsockname()[0] == "127.0.0.1"
    for address in _other_addresses():
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=2):
            pass

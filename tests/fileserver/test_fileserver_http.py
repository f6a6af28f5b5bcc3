"""The loopback file server over real HTTP (requests on 127.0.0.1): tokens, Range, refusals.

The server runs in this process (its own threads) so that a fake clock drives expiry; the
home's file service runs the same server in a process of its own (test_fileservice_process).
"""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from batchai_compat.home import file_grants, fileservice
from batchai_compat.home.file_grants import Tokens
from batchai_compat.home.fileserver import FileServer


class FakeClock:
    """Drives token expiry without sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


_MODULE_CLOCK = FakeClock()


@pytest.fixture(scope="module")
def _module_server(tmp_path_factory):
    # One server for the module (stopping a server waits for its poll loop); its key lives in
    # a home of its own, like a real home's key file.
    home = tmp_path_factory.mktemp("fileserver_home")
    with FileServer(Tokens(home, clock=_MODULE_CLOCK)) as srv:
        yield srv


@pytest.fixture
def clock():
    _MODULE_CLOCK.now = FakeClock().now
    return _MODULE_CLOCK


@pytest.fixture
def server(_module_server, clock):
    return _module_server


@pytest.fixture
def job_dir(tmp_path):
    root = tmp_path / "stdouterr"
    root.mkdir()
    (root / "stdout-wk-0.txt").write_bytes(b"0123456789")
    (root / "sub").mkdir()
    (root / "sub" / "model.ckpt").write_bytes(b"weights")
    (root / "empty.txt").write_bytes(b"")
    return root


def get(url, **headers):
    return requests.get(url, headers=headers, timeout=10)


def test_whole_file_is_200_with_length_and_accept_ranges(server, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    assert url.startswith(server.base_url + "/")
    assert url.endswith("/stdout-wk-0.txt")
    r = get(url)
    assert r.status_code == 200
    assert r.content == b"0123456789"
    assert r.headers["Content-Length"] == "10"
    assert r.headers["Accept-Ranges"] == "bytes"
    assert r.headers["Content-Type"].startswith("text/plain")


def test_head_sends_headers_only(server, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    r = requests.head(url, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Length"] == "10"
    assert r.content == b""


@pytest.mark.parametrize(
    ("header", "body", "content_range"),
    [
        ("bytes=4-", b"456789", "bytes 4-9/10"),
        ("bytes=2-5", b"2345", "bytes 2-5/10"),
        ("bytes=8-100", b"89", "bytes 8-9/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=9-", b"9", "bytes 9-9/10"),
    ],
)
def test_ranges_answer_206(server, job_dir, header, body, content_range):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    r = get(url, Range=header)
    assert r.status_code == 206
    assert r.content == body
    assert r.headers["Content-Range"] == content_range
    assert r.headers["Content-Length"] == str(len(body))


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=11-", "bytes=10-20"])
def test_range_at_or_past_the_end_never_resends_the_file(server, job_dir, header):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    r = get(url, Range=header)
    assert r.status_code == 416
    assert r.headers["Content-Range"] == "bytes */10"
    assert b"0123456789" not in r.content


def test_empty_file_range_is_unsatisfiable_but_plain_get_works(server, job_dir):
    url = server.url_for(job_dir / "empty.txt", job_dir, timedelta(minutes=5))
    assert get(url, Range="bytes=0-").status_code == 416
    r = get(url)
    assert r.status_code == 200
    assert r.content == b""


def test_tail_pattern_of_the_recipes_streams_each_byte_once(server, job_dir):
    """The recipes' OutputStreamer: GET with bytes=N-, add len(content) on 2xx, repeat."""
    log = job_dir / "stdout-wk-0.txt"
    url = server.url_for(log, job_dir, timedelta(minutes=5))
    seen = b""
    with requests.Session() as session:
        for more in (b"", b"abc", b"", b"defg"):
            with open(log, "ab") as handle:
                handle.write(more)
            r = session.get(url, headers={"Range": f"bytes={len(seen)}-"}, timeout=10)
            if r.status_code // 100 == 2:
                seen += r.content
    assert seen == log.read_bytes() == b"0123456789abcdefg"


def test_multiple_ranges_or_another_unit_send_the_whole_file(server, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    for header in ("bytes=0-1,4-5", "items=0-3"):
        r = get(url, Range=header)
        assert r.status_code == 200, header
        assert r.content == b"0123456789"


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=abc", "bytes=-", "bytes=1", "bytes=²-"])
def test_malformed_byte_ranges_are_416_never_the_file(server, job_dir, header):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    r = get(url, Range=header)
    assert r.status_code == 416, header
    assert r.headers["Content-Range"] == "bytes */10"
    assert b"0123456789" not in r.content


def test_expired_token_is_403(server, clock, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    clock.now += 5 * 60 - 1
    assert get(url).status_code == 200
    clock.now += 1
    assert get(url).status_code == 403


def test_forged_or_tampered_tokens_are_403(server, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    parts = urlsplit(url)
    token, name = parts.path.lstrip("/").split("/", 1)
    body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    def with_token(tok):
        return urlunsplit(parts._replace(path=f"/{tok}/{name}"))

    assert get(with_token(f"{body}.{flipped}")).status_code == 403
    assert get(with_token(body)).status_code == 403
    assert get(with_token("not-a-token")).status_code == 403
    # A token signed with another key (another home's) is refused too.
    other = Tokens(job_dir.parent / "other-home", clock=server.tokens.clock)
    foreign = other.issue(job_dir, "stdout-wk-0.txt", server.tokens.clock() + 300)
    assert get(with_token(foreign)).status_code == 403
    # Widening the grant (drop the name from the payload) breaks the signature.
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["n"] = None
    widened = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert (
        get(urlunsplit(parts._replace(path=f"/{widened}.{signature}/sub/model.ckpt"))).status_code
        == 403
    )


def test_a_file_token_does_not_open_other_files(server, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    other = url.rsplit("/", 1)[0] + "/empty.txt"
    assert get(other).status_code == 403


def test_folder_token_grants_files_inside_and_404_for_missing(server, job_dir):
    token = server.token_for(job_dir, None, timedelta(minutes=5))
    assert get(server.url_for_name(token, "sub/model.ckpt")).content == b"weights"
    assert get(server.url_for_name(token, "missing.txt")).status_code == 404
    assert get(server.url_for_name(token, "sub")).status_code == 404


def test_traversal_is_refused(server, job_dir, tmp_path):
    (tmp_path / "secret.txt").write_text("top secret")
    token = server.token_for(job_dir, None, timedelta(minutes=5))
    base = server.base_url
    for path in (
        f"/{token}/../secret.txt",
        f"/{token}/%2e%2e/secret.txt",
        f"/{token}/sub/%2e%2e/%2e%2e/secret.txt",
        f"/{token}/%2Fetc%2Fpasswd",
        f"/{token}//etc/passwd",
    ):
        # requests would normalise dot segments itself: send the raw path with http.client.
        import http.client

        host, port = urlsplit(base).netloc.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status == 403, path
        assert b"top secret" not in body


def test_symlink_escaping_the_root_is_refused(server, job_dir, tmp_path):
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", job_dir / "link.txt")
    os.symlink(tmp_path, job_dir / "up")
    token = server.token_for(job_dir, None, timedelta(minutes=5))
    assert get(server.url_for_name(token, "link.txt")).status_code == 403
    assert get(server.url_for_name(token, "up/secret.txt")).status_code == 403
    with pytest.raises(ValueError):
        server.url_for(job_dir / "link.txt", job_dir, timedelta(minutes=5))
    with pytest.raises(ValueError):
        server.url_for(tmp_path / "secret.txt", job_dir, timedelta(minutes=5))


def test_only_get_and_head(server, job_dir):
    url = server.url_for(job_dir / "stdout-wk-0.txt", job_dir, timedelta(minutes=5))
    for method in ("PUT", "POST", "DELETE"):
        r = requests.request(method, url, data=b"x", timeout=10)
        assert r.status_code == 405, method
        assert r.headers["Allow"] == "GET, HEAD"
    assert (job_dir / "stdout-wk-0.txt").read_bytes() == b"0123456789"


def test_key_file_is_private_and_stable(batchai_home):
    key = file_grants.signing_key(batchai_home)
    path = batchai_home / file_grants.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert file_grants.signing_key(batchai_home) == key
    assert len(key) == 32


def test_tokens_validate_across_server_restarts(clock, batchai_home, job_dir):
    """The key and the grants live in the home: a new server validates older tokens."""
    first = Tokens(batchai_home, clock=clock)
    token = first.issue(job_dir, "stdout-wk-0.txt", clock() + 300)
    with FileServer(Tokens(batchai_home, clock=clock)) as second:
        assert get(second.url_for_name(token, "stdout-wk-0.txt")).content == b"0123456789"


def test_tokens_name_no_local_path(server, job_dir):
    url = server.url_for(job_dir / "sub" / "model.ckpt", job_dir, timedelta(minutes=5))
    token = urlsplit(url).path.split("/")[1]
    body = token.split(".")[0]
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    assert str(job_dir) not in payload and job_dir.name not in payload
    assert str(job_dir) not in url and "stdouterr" not in url
    assert "sub/model.ckpt" in json.loads(payload)["n"]  # the name in the grant, as in the URL


def test_module_level_url_for_uses_the_homes_file_service(job_dir, batchai_home):
    url = fileservice.url_for(job_dir / "sub" / "model.ckpt", job_dir, timedelta(minutes=1))
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/sub/model.ckpt")
    assert get(url).content == b"weights"
    with pytest.raises(ValueError):
        fileservice.url_for(job_dir / "x", job_dir, timedelta(0))


def test_names_with_spaces_and_unicode_round_trip(server, job_dir):
    (job_dir / "sub" / "résumé 1#.txt").write_text("ok")
    url = server.url_for(job_dir / "sub" / "résumé 1#.txt", job_dir, timedelta(minutes=5))
    assert "%23" in url and not urlsplit(url).fragment
    assert get(url).text == "ok"


def test_tokens_honour_not_before_and_past_expiry(server, clock, job_dir):
    now = clock.now
    early = server.tokens.issue(job_dir, "stdout-wk-0.txt", now + 60, not_before=now + 10)
    assert get(server.url_for_name(early, "stdout-wk-0.txt")).status_code == 403
    clock.now = now + 10
    assert get(server.url_for_name(early, "stdout-wk-0.txt")).status_code == 200
    stale = server.tokens.issue(job_dir, "stdout-wk-0.txt", clock.now - 1)
    assert get(server.url_for_name(stale, "stdout-wk-0.txt")).status_code == 403

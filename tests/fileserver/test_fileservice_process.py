"""The home's file service (issue 14 item 3): download URLs outlive the process that listed them,
the service is found by later processes, restarts on its port after a crash, and goes away when
no URL is valid any more or its home is deleted."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from batchai_compat.home import fileservice
from batchai_compat.home.helpers import ENV_IDLE_SECONDS, FILES, read_record
from batchai_compat.home.processes import ProcessRef

_LIST_AND_EXIT = textwrap.dedent(
    """
    import json, time
    import batchai_compat.models as models
    from batchai_compat import BatchAIManagementClient

    with BatchAIManagementClient(object(), "sub-1", backend="local") as client:
        client.workspaces.create("rg", "ws", "eastus").result()
        client.experiments.create("rg", "ws", "exp").result()
        cluster = client.clusters.create(
            "rg", "ws", "c",
            models.ClusterCreateParameters(
                vm_size="STANDARD_D1",
                scale_settings=models.ScaleSettings(
                    manual=models.ManualScaleSettings(target_node_count=1)
                ),
                user_account_settings=models.UserAccountSettings(admin_user_name="u"),
            ),
        ).result()
        client.jobs.create(
            "rg", "ws", "exp", "j",
            models.JobCreateParameters(
                cluster=models.ResourceId(id=cluster.id),
                node_count=1,
                std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
                custom_toolkit_settings=models.CustomToolkitSettings(
                    command_line="printf 'line one\\\\nline two\\\\n'"
                ),
            ),
        ).result()
        while client.jobs.get("rg", "ws", "exp", "j").execution_state not in (
            "succeeded", "failed"
        ):
            time.sleep(0.05)
        files = client.jobs.list_output_files(
            "rg", "ws", "exp", "j",
            models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr"),
        )
        print(json.dumps({f.name: f.download_url for f in files}))
    """
)


def list_in_a_process_that_exits(home: Path) -> dict[str, str]:
    env = {**os.environ, "BATCHAI_COMPAT_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", _LIST_AND_EXIT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    urls: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return urls


def test_urls_listed_by_a_process_that_exited_serve_ranges_to_another(batchai_home: Path):
    urls = list_in_a_process_that_exits(batchai_home)
    url = urls["stdout.txt"]
    assert str(batchai_home) not in url and "stdouterr" not in url  # no local path in it
    whole = requests.get(url, timeout=10)
    assert (whole.status_code, whole.content) == (200, b"line one\nline two\n")
    tail = requests.get(url, headers={"Range": "bytes=9-"}, timeout=10)
    assert (tail.status_code, tail.content) == (206, b"line two\n")
    assert tail.headers["Content-Range"] == "bytes 9-17/18"
    past = requests.get(url, headers={"Range": "bytes=18-"}, timeout=10)
    assert past.status_code == 416
    # From yet another process, with nothing of ours imported.
    code = "import sys, urllib.request as u; print(u.urlopen(sys.argv[1]).read().decode())"
    other = subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, text=True, timeout=30
    )
    assert other.stdout == "line one\nline two\n\n"


def test_a_killed_service_comes_back_on_its_port_and_old_urls_work_again(
    batchai_home: Path, tmp_path: Path
):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha")
    (folder / "b.txt").write_text("beta")
    old = fileservice.url_for(folder / "a.txt", folder, timedelta(minutes=5))
    record = read_record(batchai_home, FILES)
    assert record is not None
    os.kill(record.ref.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while record.ref.alive():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(requests.ConnectionError):
        requests.get(old, timeout=5)  # nobody listens until a process of the home needs URLs
    new = fileservice.url_for(folder / "b.txt", folder, timedelta(minutes=5))
    again = read_record(batchai_home, FILES)
    assert again is not None and again.ref != record.ref
    assert again.address == record.address  # the same port...
    assert requests.get(old, timeout=10).text == "alpha"  # ...so earlier URLs work again
    assert requests.get(new, timeout=10).text == "beta"


def test_the_service_exits_once_no_url_is_valid_and_when_its_home_goes(
    batchai_home: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv(ENV_IDLE_SECONDS, "0.2")  # the service inherits it from its starter
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha")
    token = fileservice.token_until(folder, "a.txt", time.time() + 1.5)
    url = fileservice.url_for_name(token, "a.txt")
    assert requests.get(url, timeout=10).text == "alpha"
    service = read_record(batchai_home, FILES)
    assert service is not None
    _wait_gone(service.ref, 15)  # the URL expired and nobody asked for a while
    assert read_record(batchai_home, FILES) is None

    monkeypatch.setenv(ENV_IDLE_SECONDS, "600")
    fileservice.token_until(folder, "a.txt", time.time() + 3600)
    fileservice.base_url()
    service = read_record(batchai_home, FILES)
    assert service is not None
    shutil.rmtree(batchai_home)
    _wait_gone(service.ref, 10)
    assert not batchai_home.exists()  # it recreated nothing


def _wait_gone(ref: ProcessRef, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while ref.alive():
        assert time.monotonic() < deadline, f"pid {ref.pid} still alive"
        time.sleep(0.05)

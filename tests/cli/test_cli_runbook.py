"""A Batch AI recipe runbook, with ``az batchai`` / ``az storage`` / ``az group`` replaced by
``batchai``, runs to its end on the local backend (real processes, real storage folders).

``data/runbook.sh`` is the runbook: group, storage account and its key, shares, a directory, a
file upload, a container, a blob upload-batch, a workspace, clusters from flags and from
``cluster.json``, an experiment, ``job create -f job.json`` with the storage placeholders, the
worker log streamed while the job runs, ``job wait``, output listings with their download URLs, a
resize and deletes; ``data/cleanup.sh`` deletes the group.  The URLs the listings printed are
downloaded, with ``Range``, after every ``batchai`` process has ended: as Batch AI's SAS URLs did,
they keep working until they expire -- the job's deletion aside, since its logs and outputs live
on the storage share -- and stop when the storage account goes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import requests

from .conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture
def workdir(tmp_path):
    work = tmp_path / "runbook"
    work.mkdir()
    for name in ("runbook.sh", "cleanup.sh", "job.json", "cluster.json", "train.py"):
        shutil.copy(DATA / name, work / name)
    dataset = work / "mnist"
    (dataset / "nested").mkdir(parents=True)
    (dataset / "train.txt").write_text("1 2 3 4 5\n6 7 8 9 10\n")
    (dataset / "nested" / "test.txt").write_text("11 12 13\n")
    return work


def _run(script, workdir, env):
    done = subprocess.run(
        ["bash", script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_recipe_runbook_runs_to_the_end(workdir, shim, cli_env, batchai_home):
    env = {
        **cli_env,
        "PATH": f"{shim}{os.pathsep}{cli_env['PATH']}",
        "STORAGE_ACCOUNT": "recipes01",
    }
    done = _run("runbook.sh", workdir, env)

    # The log streamed while the job ran is worker 0's whole log, in order.
    log = (workdir / "streamed-wk-0.txt").read_bytes()
    streamed = log.decode().splitlines()
    assert streamed[0] == "worker 0: 2 files, 13 samples"
    assert streamed[1:6] == [f"worker 0 step {n} loss {1.0 / n:.3f}" for n in range(1, 6)]
    assert streamed[-1] == "worker 0 done"

    jobs = (workdir / "jobs.txt").read_text().splitlines()
    assert jobs[0].split() == [
        "Name", "Cluster", "Cluster", "RG", "Cluster", "Workspace", "Tool", "Nodes", "State",
        "Exit", "code",
    ]  # fmt: skip
    assert jobs[2].split() == [
        "distributed_tensorflow", "nc6", "batchai.recipes", "recipe_workspace", "tensorflow",
        "2", "succeeded", "0",
    ]  # fmt: skip

    listed = {line.split()[0] for line in (workdir / "stdouterr.txt").read_text().splitlines()[2:]}
    assert {"stdout-wk-0.txt", "stdout-wk-1.txt", "stdout-ps-0.txt"} <= listed
    assert any(name.startswith("execution") for name in listed)
    model = "trained on 13 samples\n"
    assert (workdir / "model.tsv").read_text() == f"model.txt\t{len(model)}\n"
    # az's own wait message when the stream starts before the node wrote the log: whether it
    # shows depends on how soon the job's node starts, not on batchai.
    waited = 'WARNING: The file "stdout-wk-0.txt" not found. Waiting for the job to generate it.'
    assert "WARNING" not in done.stderr.replace("WARNING: Job", "").replace(
        "WARNING: Reusing", ""
    ).replace("WARNING: SSH key files", "").replace(waited, "")

    # Every batchai process has ended (the job deleted, too): the printed URLs still download,
    # whole and from an offset, as az users fetched them (curl, requests, a browser).
    model_url = (workdir / "model-url.txt").read_text().strip()
    assert model_url.startswith("http://127.0.0.1:")
    whole = requests.get(model_url, timeout=30)
    assert (whole.status_code, whole.text) == (200, model)
    tail = requests.get(model_url, headers={"Range": "bytes=8-"}, timeout=30)
    assert (tail.status_code, tail.text) == (206, model[8:])
    assert tail.headers["Content-Range"] == f"bytes 8-{len(model) - 1}/{len(model)}"

    urls = {
        f["name"]: f["downloadUrl"] for f in json.loads((workdir / "stdouterr.json").read_text())
    }
    offset = len(streamed[0]) + 1  # the worker's log after its first line, as `file stream` reads
    worker = requests.get(
        urls["stdout-wk-0.txt"], headers={"Range": f"bytes={offset}-"}, timeout=30
    )
    assert (worker.status_code, worker.content) == (206, log[offset:])
    assert worker.headers["Content-Range"] == f"bytes {offset}-{len(log) - 1}/{len(log)}"

    # The clean-up deletes the group and its storage account: the files, and their URLs, go.
    _run("cleanup.sh", workdir, env)
    assert not (batchai_home / "storage" / "recipes01").exists()
    assert requests.get(model_url, timeout=30).status_code == 404

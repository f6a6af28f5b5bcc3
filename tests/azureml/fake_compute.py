"""Runs a submitted Azure ML run on this machine, the way AmlCompute would start it.

:func:`execute_run` takes a run the fake service accepted and does what the Azure ML node agent
does: unpack the run's snapshot (the files azureml-core uploaded) into a working directory, mount
each data reference (the storage folder of the datastore's container or share, see
``FakeAzureML.storage_folder``), start one process per
TensorFlow task / MPI rank (with ``TF_CONFIG`` / ``OMPI_COMM_WORLD_*``) or a single process,
with the run configuration's environment, the run token and a credential endpoint serving the
workspace Key Vault on loopback; then it uploads ``./logs`` and ``./outputs`` to the run's files
and sets the run's final status.  A failed run gets the error Azure ML gives a failed user
process: "Execution failed. User process ... exited with status code N. ... Error: " followed
by the end of that process's stderr (kept in ``user_logs/std_log_<n>.txt``).  No Azure; real
processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fake_service import FakeAzureML

RUN_TOKEN = "fake-run-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _secret_server(secrets: dict[str, str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            name = self.path.rsplit("/", 1)[-1]
            if self.headers.get("Authorization") != f"Bearer {RUN_TOKEN}" or name not in secrets:
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps({"name": name, "value": secrets[name]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _processes(configuration: dict[str, Any]) -> list[dict[str, str]]:
    """The per-process variables Azure ML sets for a v1 run configuration's distribution."""
    framework, communicator = configuration.get("framework"), configuration.get("communicator")
    if framework == "TensorFlow" and communicator == "ParameterServer":
        tf = configuration["tensorflow"]
        return distribution_processes(
            "tensorflow", workers=tf["workerCount"], parameter_servers=tf["parameterServerCount"]
        )
    if framework == "PyTorch":
        torch = configuration["pytorch"]
        return distribution_processes(
            "pytorch", processes=torch["processCount"], nodes=torch["nodeCount"]
        )
    if communicator == "IntelMpi":
        mpi = configuration["mpi"]
        return distribution_processes(
            "mpi",
            processes=mpi["processCountPerNode"] * mpi["nodeCount"],
            nodes=mpi["nodeCount"],
        )
    return [{}]


def run_processes(
    command: list[str],
    work: Path,
    base: dict[str, str],
    per_process: list[dict[str, str]],
    install_cancel: Any,
    mark_running: Any,
) -> tuple[dict[str, int], bool]:
    """Start one process per entry of ``per_process`` (its variables over ``base``) the way
    Azure ML starts a job's containers, and wait for them: ``({label: exit code}, canceled)``.

    ``install_cancel(stop)`` receives the function that kills them (what the service does on
    cancel), installed before ``mark_running()`` so a client cancelling as soon as it sees the
    job running stops it, however slowly its processes start.  TensorFlow parameter servers
    are stopped once the workers are done, as Azure ML stops them with the job.
    """
    # the image's python: this interpreter without site-packages (no Azure SDK on the node)
    argv = [sys.executable, "-S", *command[1:]] if command[0] == "python" else list(command)
    canceled = threading.Event()
    codes: dict[str, int] = {}
    started: list[tuple[str, dict[str, str], subprocess.Popen[bytes]]] = []
    starting = threading.Lock()

    def stop() -> None:  # a cancel while the containers start stops those started, and the rest
        with starting:
            canceled.set()
            for _, _, process in started:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)

    install_cancel(stop)
    mark_running()
    for extra in per_process:
        with starting:
            if canceled.is_set():
                break
            user_logs = work / "user_logs"
            user_logs.mkdir(exist_ok=True)
            with open(user_logs / f"std_log_{len(started)}.txt", "wb") as log:
                process = subprocess.Popen(
                    argv, cwd=work, env={**base, **extra}, start_new_session=True, stderr=log
                )
            started.append((json.dumps(extra, sort_keys=True), extra, process))
    for label, extra, process in started:
        if '"type": "ps"' not in extra.get("TF_CONFIG", ""):
            codes[label] = process.wait(timeout=120)
    for label, _extra, process in started:
        if label not in codes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return codes, canceled.is_set()


def user_process_error(
    command: list[str], work: Path, per_process: list[dict[str, str]], codes: dict[str, int]
) -> dict[str, str] | None:
    """The error Azure ML gives a run whose user process failed: "Execution failed. User process
    ... exited with status code N. ... Error: " and the end of that process's stderr (as
    :func:`run_processes` kept it); None when no process failed."""
    for index, extra in enumerate(per_process):
        code = codes.get(json.dumps(extra, sort_keys=True))
        if code:
            stderr = (work / "user_logs" / f"std_log_{index}.txt").read_text(errors="replace")
            return {
                "code": "UserError",
                "message": f"Execution failed. User process '{command[0]}' exited with status "
                f"code {code}. Please check log file 'user_logs/std_log.txt' for error details. "
                f"Error: {stderr[-2000:]}",
            }
    return None


def distribution_processes(
    kind: str | None,
    *,
    workers: int = 0,
    parameter_servers: int = 0,
    processes: int = 1,
    nodes: int = 1,
) -> list[dict[str, str]]:
    """The per-process variables Azure ML sets for a distribution: ``TF_CONFIG`` per TensorFlow
    task, ``MASTER_ADDR``/``RANK``... per PyTorch rank, ``OMPI_COMM_WORLD_*`` per MPI rank."""
    if kind == "tensorflow":
        cluster = {
            "ps": [f"127.0.0.1:{_free_port()}" for _ in range(parameter_servers)],
            "worker": [f"127.0.0.1:{_free_port()}" for _ in range(workers)],
        }
        return [
            {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": role, "index": i}})}
            for role in ("ps", "worker")
            for i in range(len(cluster[role]))
        ]
    if kind == "pytorch":
        port = str(_free_port())
        per_node = max(1, processes // nodes)
        return [
            {
                "MASTER_ADDR": "127.0.0.1",
                "MASTER_PORT": port,
                "RANK": str(rank),
                "WORLD_SIZE": str(processes),
                "LOCAL_RANK": str(rank % per_node),
                "NODE_RANK": str(rank // per_node),
            }
            for rank in range(processes)
        ]
    if kind == "mpi":
        per_node = max(1, processes // nodes)
        return [
            {
                "OMPI_COMM_WORLD_RANK": str(rank),
                "OMPI_COMM_WORLD_SIZE": str(processes),
                "OMPI_COMM_WORLD_LOCAL_SIZE": str(per_node),
            }
            for rank in range(processes)
        ]
    return [{}]


def execute_run(
    fake: FakeAzureML, resource_group: str, workspace: str, run_id: str, work_root: Path
) -> dict[str, int]:
    """Run ``run_id`` to completion in a working folder under ``work_root``; returns
    ``{process label: exit code}``."""
    run = fake.runs[(resource_group, workspace, run_id)]
    configuration = run.definition["Configuration"]
    snapshot = fake.snapshots[run.definition["SnapshotId"]]
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="amlrun_", dir=work_root))
    for node in snapshot["FileRevisionList"]["FileNodes"]:
        blob = node["BlobUri"].split("/snapshotblobs/", 1)[1].split("?", 1)[0]
        target = work / node["FullName"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(fake.uploads[blob])

    secrets = {
        name: value
        for (rg, ws, name), value in fake.secrets.items()
        if (rg, ws) == (resource_group, workspace)
    }
    server = _secret_server(secrets)
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(work),
        "TMPDIR": str(work),
        "AZUREML_SERVICE_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}",
        "AZUREML_ARM_SUBSCRIPTION": fake.subscription,
        "AZUREML_ARM_RESOURCEGROUP": resource_group,
        "AZUREML_ARM_WORKSPACE_NAME": workspace,
        "AZUREML_ARM_PROJECT_NAME": run.experiment,
        "AZUREML_RUN_ID": run_id,
        "AZUREML_RUN_TOKEN": RUN_TOKEN,
        **configuration.get("environmentVariables", {}),
    }
    for name, reference in configuration.get("dataReferences", {}).items():
        # a datastore is a registered container/share of a storage account: mount that folder
        store = fake.datastores[(resource_group, workspace, reference["dataStoreName"])]
        section = store["azureStorageSection"]
        kind = "blob" if store["dataStoreType"] == "AzureBlob" else "file"
        folder = fake.storage_folder(kind, section["accountName"], section["containerName"])
        mounted = folder / (reference.get("pathOnDataStore") or "")
        mounted.mkdir(parents=True, exist_ok=True)
        base[f"AZUREML_DATAREFERENCE_{name}"] = str(mounted)

    command = configuration["command"]
    if isinstance(command, str):
        command = shlex.split(command)
    stop_hooks = fake.cancel_hooks
    key = (resource_group, workspace, run_id)
    per_process = _processes(configuration)
    try:
        codes, canceled = run_processes(
            command,
            work,
            base,
            per_process,
            lambda stop: stop_hooks.__setitem__(key, stop),
            lambda: fake.set_run_status(resource_group, workspace, run_id, "Running"),
        )
    finally:
        fake.cancel_hooks.pop(key, None)
        server.shutdown()
        server.server_close()
    for folder in ("logs", "outputs"):
        for path in sorted((work / folder).rglob("*")):
            if path.is_file():
                run.put_file(str(path.relative_to(work)), path.read_bytes())
    final = "Canceled" if canceled else "Failed" if any(codes.values()) else "Completed"
    error = user_process_error(command, work, per_process, codes) if final == "Failed" else None
    fake.set_run_status(resource_group, workspace, run_id, final, error=error)
    return codes

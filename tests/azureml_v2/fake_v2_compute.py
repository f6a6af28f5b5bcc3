"""Runs a submitted Azure ML v2 command job on this machine, the way AmlCompute would start it.

:func:`execute_job` takes a command job the fake service accepted and does what the Azure ML
node agent does: download the job's code asset (the files azure-ai-ml uploaded) into a working
folder, mount every ``uri_folder`` input / output of an ``azureml://datastores/<ds>/paths/<p>``
path (the storage folder of the datastore's container or share, see
``FakeAzureMLV2.storage_folder``), substitute ``${{inputs.<name>}}`` / ``${{outputs.<name>}}``
in the command, and start one process per TensorFlow task / PyTorch rank / MPI rank with the
variables Azure ML sets for the job's distribution (shared with the v1 fake compute:
``fake_compute.run_processes``), the job's environment variables, the run token and a
credential endpoint serving the workspace Key Vault on loopback.  Then it sets the job's final
status.  A job without code (what ``batchai export`` writes) runs its command under ``bash``, with
``python`` the image's: this interpreter without site-packages.  ``${{name}}`` in a datastore
path is the job's name, as the service resolves it.  No Azure; real processes.
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).parent.parent / "azureml"))

from fake_compute import (  # noqa: E402
    RUN_TOKEN,
    _secret_server,
    distribution_processes,
    run_processes,
    user_process_error,
)

if TYPE_CHECKING:
    from fake_v2_service import FakeAzureMLV2

_DATASTORE_PATH = re.compile(r"^azureml://datastores/(?P<ds>[^/]+)/paths/(?P<path>.*)$")


def datastore_folder(fake: FakeAzureMLV2, rg: str, ws: str, uri: str) -> Path:
    """The local folder an ``azureml://datastores/<ds>/paths/<p>`` uri mounts."""
    match = _DATASTORE_PATH.match(uri)
    if match is None:
        raise ValueError(f"not a datastore path: {uri}")
    store = fake.resources[(rg, ws, "datastores", match["ds"])]["properties"]
    if store["datastoreType"] == "AzureBlob":
        root = fake.storage_folder(store["accountName"], store["containerName"])
    else:
        root = fake.storage_folder(store["accountName"], store["fileShareName"], kind="file")
    folder = root / match["path"].strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _download_code(fake: FakeAzureMLV2, rg: str, ws: str, code_id: str, work: Path) -> None:
    found = re.search(r"/codes/([^/]+)/versions/([^/]+)$", code_id)
    assert found is not None, code_id
    code = fake.resources[(rg, ws, "codes", f"{found[1]}:{found[2]}")]["properties"]
    parts = urlsplit(code["codeUri"])
    account = parts.netloc.split(".", 1)[0]
    container, _, prefix = unquote(parts.path).lstrip("/").partition("/")
    source = fake.storage_folder(account, container) / prefix
    for path in source.rglob("*"):
        if path.is_file():
            target = work / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def _processes(props: dict[str, Any]) -> list[dict[str, str]]:
    distribution = props.get("distribution") or {}
    nodes = int((props.get("resources") or {}).get("instanceCount") or 1)
    kind = str(distribution.get("distributionType") or "").lower()
    if kind == "tensorflow":
        return distribution_processes(
            "tensorflow",
            workers=int(distribution.get("workerCount") or nodes),
            parameter_servers=int(distribution.get("parameterServerCount") or 0),
        )
    per_instance = int(distribution.get("processCountPerInstance") or 1)
    if kind in ("pytorch", "mpi"):
        return distribution_processes(kind, processes=per_instance * nodes, nodes=nodes)
    return [{}]


def execute_job(
    fake: FakeAzureMLV2, rg: str, ws: str, name: str, work_root: Path
) -> dict[str, int]:
    """Run command job ``name`` to completion in a folder under ``work_root``; returns
    ``{process label: exit code}``."""
    job = fake.job(rg, ws, name)
    props = job["properties"]
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="amlv2job_", dir=work_root))
    if props.get("codeId"):
        _download_code(fake, rg, ws, props["codeId"], work)
    places: dict[str, str] = {}
    for kind in ("inputs", "outputs"):
        for input_name, spec in (props.get(kind) or {}).items():
            uri = spec["uri"].replace("${{name}}", name)  # the service's job-name expression
            places[f"{kind}.{input_name}"] = str(datastore_folder(fake, rg, ws, uri))
    command = re.sub(
        r"\$\{\{(inputs|outputs)\.([A-Za-z0-9_]+)\}\}",
        lambda m: places[f"{m[1]}.{m[2]}"],
        props["command"],
    )
    argv = shlex.split(command)
    if not props.get("codeId"):
        # a job without code (a `batchai export`): its command is a bash script, as Azure ML
        # runs it, whose `python` is the image's (this interpreter without site-packages)
        argv = ["bash", "-c", command]
    vault = fake.workspaces[(rg, ws)].vault
    secrets = {n: v for (v_name, n), v in fake.secrets.items() if v_name == vault}
    server = _secret_server(secrets)
    base = {
        "PATH": __import__("os").environ["PATH"],
        "HOME": str(work),
        "TMPDIR": str(work),
        "AZUREML_SERVICE_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}",
        "AZUREML_ARM_SUBSCRIPTION": fake.subscription,
        "AZUREML_ARM_RESOURCEGROUP": rg,
        "AZUREML_ARM_WORKSPACE_NAME": ws,
        "AZUREML_ARM_PROJECT_NAME": props.get("experimentName", ""),
        "AZUREML_RUN_ID": name,
        "AZUREML_RUN_TOKEN": RUN_TOKEN,
        **(props.get("environmentVariables") or {}),
    }
    if not props.get("codeId"):
        shims = work / ".image-bin"
        shims.mkdir()
        (shims / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
        (shims / "python").chmod(0o755)
        base["PATH"] = f"{shims}:{base['PATH']}"
    compute = str(props.get("computeId", "")).rstrip("/").rsplit("/", 1)[-1]
    nodes = int((props.get("resources") or {}).get("instanceCount") or 1)
    held = fake.resources.get((rg, ws, "computes", compute), {}).get("properties", {})
    key = (rg, ws, name)
    per_process = _processes(props)
    try:
        held.setdefault("_running_jobs", {})[name] = set(range(nodes))
        held["_busy"] = held.get("_busy", 0) + nodes
        codes, canceled = run_processes(
            argv,
            work,
            base,
            per_process,
            lambda stop: fake.cancel_hooks.__setitem__(key, stop),
            lambda: fake.set_job_status(rg, ws, name, "Running"),
        )
    finally:
        fake.cancel_hooks.pop(key, None)
        held.get("_running_jobs", {}).pop(name, None)
        held["_busy"] = max(0, held.get("_busy", 0) - nodes)
        server.shutdown()
        server.server_close()
    final = "Canceled" if canceled else "Failed" if any(codes.values()) else "Completed"
    error = user_process_error(shlex.split(command), work, per_process, codes)
    fake.set_job_status(
        rg, ws, name, final, error["message"] if error and final == "Failed" else None
    )
    return codes

"""The recipe helpers (examples/utilities) on the genuine azure-mgmt-batchai 2.0.0 models.

The helpers are written for Batch AI's 2.0.0 surface; feeding them the genuine package's model
objects (deserialized from REST-shaped JSON, as the service returned them) proves they read the
real field names.  The walk-through test runs them on batchai_compat's models end to end.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

models = pytest.importorskip("azure.mgmt.batchai.models")


def _cluster(**properties):
    return models.Cluster.deserialize(
        {"id": "/subscriptions/s/x", "name": "nc6", "properties": properties}
    )


def test_print_cluster_status_manual_scale(utilities, capsys):
    cluster = _cluster(
        allocationState="steady",
        currentNodeCount=2,
        scaleSettings={"manual": {"targetNodeCount": 2}},
        nodeStateCounts={
            "idleNodeCount": 1,
            "runningNodeCount": 1,
            "preparingNodeCount": 0,
            "unusableNodeCount": 0,
            "leavingNodeCount": 0,
        },
    )
    utilities.cluster.print_cluster_status(cluster)
    assert capsys.readouterr().out == (
        "Cluster state: steady Target: 2; Allocated: 2; Idle: 1; Unusable: 0; Running: 1; "
        "Preparing: 0; Leaving: 0\n"
    )


def test_print_cluster_status_auto_scale_and_errors(utilities, capsys):
    cluster = _cluster(
        allocationState="resizing",
        currentNodeCount=0,
        scaleSettings={"autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 4}},
        errors=[
            {
                "code": "AllocationFailed",
                "message": "quota",
                "details": [{"name": "vmSize", "value": "STANDARD_NC6"}],
            }
        ],
    )
    utilities.print_cluster_status(cluster)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Cluster state: resizing Target: 0-4 (auto scale); Allocated: 0;")
    assert out[1:] == ["Cluster error: AllocationFailed: quota", "Details:", "vmSize: STANDARD_NC6"]


def test_print_job_status_failed(utilities, capsys):
    job = models.Job.deserialize(
        {
            "properties": {
                "executionState": "failed",
                "executionInfo": {
                    "exitCode": 3,
                    "errors": [{"code": "JobFailed", "message": "boom"}],
                },
            }
        }
    )
    utilities.job.print_job_status(job)
    assert capsys.readouterr().out.splitlines() == [
        "Job state: failed ExitCode: 3",
        "FailureDetails: ErrorCode: JobFailed ErrorMessage: boom",
    ]


def test_configuration_reads_the_example_file(utilities, examples_dir):
    cfg = utilities.config.Configuration(str(examples_dir / "configuration.json"))
    raw = json.loads((examples_dir / "configuration.json").read_text())
    assert cfg.resource_group == raw["resource_group"]
    assert cfg.workspace == raw["workspace"]
    assert cfg.storage_account_name == raw["storage_account"]["name"]
    assert cfg.storage_account_key == raw["storage_account"]["key"]
    assert cfg.admin == raw["admin_user"]["name"]
    assert cfg.aad_token_uri.endswith(raw["aad_tenant"] + "/oauth2/token")
    text = repr(cfg)
    for secret in (raw["aad_secret"], raw["storage_account"]["key"], raw["admin_user"]["password"]):
        assert secret not in text
    assert raw["workspace"] in text


def test_configuration_names_a_missing_key(utilities, examples_dir, tmp_path):
    raw = json.loads((examples_dir / "configuration.json").read_text())
    del raw["storage_account"]["key"]
    path = tmp_path / "configuration.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(AttributeError, match='"storage_account.key"'):
        utilities.config.Configuration(str(path))
    raw = json.loads((examples_dir / "configuration.json").read_text())
    raw["admin_user"] = {"name": "u"}
    path.write_text(json.dumps(raw))
    with pytest.raises(AttributeError, match="password or public ssh key"):
        utilities.config.Configuration(str(path))
    with pytest.raises(ValueError, match="Cannot find configuration file"):
        utilities.config.Configuration(str(tmp_path / "missing.json"))


def test_create_resource_group_rejects_a_bad_name(utilities, examples_dir, capsys):
    cfg = utilities.config.Configuration(str(examples_dir / "configuration.json"))
    utilities.config.create_resource_group(cfg)
    assert cfg.resource_group in capsys.readouterr().out
    cfg.resource_group = "bad/name"
    with pytest.raises(ValueError, match="resource_group 'bad/name'"):
        utilities.config.create_resource_group(cfg)


class _TokenEndpoint(BaseHTTPRequestHandler):
    requests: list[dict[str, list[str]]] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).requests.append(urllib.parse.parse_qs(body))
        payload = json.dumps(
            {"access_token": f"token-{len(self.requests)}", "expires_in": "3600"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def token_endpoint():
    _TokenEndpoint.requests = []
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tenant/oauth2/token", _TokenEndpoint.requests
    server.shutdown()
    server.server_close()


def test_service_principal_fetches_a_token_on_first_use_only(utilities, token_endpoint):
    url, seen = token_endpoint
    credentials = utilities.config.ServicePrincipalCredentials(
        client_id="app-id", secret="s3cret-value", token_uri=url
    )
    assert seen == []  # building it talks to nobody (the local backend never asks)
    assert "s3cret-value" not in repr(credentials)
    token = credentials.get_token("https://management.azure.com/.default")
    assert token.token == "token-1"
    assert seen == [
        {
            "grant_type": ["client_credentials"],
            "client_id": ["app-id"],
            "client_secret": ["s3cret-value"],
            "resource": ["https://management.azure.com"],
        }
    ]
    assert credentials.get_token("https://management.azure.com/.default").token == "token-1"
    session = credentials.signed_session()
    assert session.headers["Authorization"] == "Bearer token-2"  # another resource
    assert len(seen) == 2


class _FileEndpoint(BaseHTTPRequestHandler):
    body = bytes(range(256)) * 4096  # 1 MiB, more than one download chunk

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_download_file_writes_the_bytes_and_hides_the_url(utilities, tmp_path, capsys):
    server = HTTPServer(("127.0.0.1", 0), _FileEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/file?sig=SECRET-SAS-TOKEN"
        destination = tmp_path / "out" / "stdout-wk-0.txt"
        utilities.dataset.download_file(url, str(destination))
    finally:
        server.shutdown()
        server.server_close()
    assert destination.read_bytes() == _FileEndpoint.body
    out = capsys.readouterr().out
    assert "SECRET-SAS-TOKEN" not in out and str(destination) in out

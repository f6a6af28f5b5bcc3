"""Any credentials object works on the local backend, and no connection leaves the machine."""

from __future__ import annotations

import ipaddress
import socket

import pytest

import batchai_compat.models as models
from batchai_compat import BatchAIManagementClient


@pytest.fixture
def loopback_only(monkeypatch):
    """Refuse every socket connection that is not to this machine."""
    attempts = []
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None:
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                attempts.append(address)
                raise OSError(f"network access attempted: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def _token_credentials():
    from msrest.authentication import BasicTokenAuthentication

    return BasicTokenAuthentication({"access_token": "not-a-real-token"})


@pytest.mark.parametrize("make", [_token_credentials, object, lambda: "just-a-string"])
def test_local_backend_needs_no_network(loopback_only, make):
    credentials = make()
    with BatchAIManagementClient(credentials, "sub", "") as client:
        assert client.config.base_url == "https://management.azure.com"
        client.workspaces.create("rg", "ws", "eastus").result()
        params = models.ClusterCreateParameters(
            vm_size="STANDARD_NC6",
            scale_settings=models.ScaleSettings(
                manual=models.ManualScaleSettings(target_node_count=0)
            ),
            user_account_settings=models.UserAccountSettings(
                admin_user_name="u", admin_user_password="p"
            ),
        )
        client.clusters.create("rg", "ws", "c", params).result()
        assert [c.name for c in client.clusters.list_by_workspace("rg", "ws")] == ["c"]
    assert loopback_only == []

"""``cluster node exec`` / ``job node exec``: run a command on a node, forward ports to it.

az connected with paramiko to the node's public IP and SSH port (``list_remote_login_information``)
as the cluster's admin user, ran ``bash -ilc "<command>"`` and forwarded ``-L`` addresses.  Here:

* on Azure backends the system ``ssh`` does the same (``ssh -p <port> [-i key] [-L ...]
  <admin>@<ip> bash -ilc '<command>'``); ``-p`` goes to ``sshpass`` when it is installed
  (through its environment, never a command line), else ssh prompts for it;
* on the local backend a node *is* this machine (its login information says ``127.0.0.1``):
  the command runs here under ``bash -lc``, and ports need no forwarding — a ``-L`` is refused
  with the address to use instead.

The command's exit code becomes ``batchai``'s.
"""

from __future__ import annotations

from typing import Any

from .errors import CommandError, UsageError
from .messages import log
from .spec import Arg, Exit

EXEC_ARGS = (
    Arg(
        "cmdline",
        ("--exec",),
        "Optional command line to be executed on the node. If not provided, the command will "
        "perform ports forwarding only.",
    ),
    Arg(
        "node_id",
        ("--node-id", "-n"),
        "ID of the node to forward the ports to. If not provided, the command will be executed "
        "on the first available node.",
    ),
    Arg(
        "ports",
        ("--address", "-L"),
        "Specifies that connections to the given TCP port or Unix socket on the local (client) "
        "host are to be forwarded to the given host and port, or Unix socket, on the remote "
        "side. e.g. -L 8080:localhost:8080",
        action="append",
    ),
    Arg(
        "password",
        ("--password", "-p"),
        "Optional password to establish SSH connection.",
    ),
    Arg(
        "ssh_private_key",
        ("--ssh-private-key", "-k"),
        "Optional SSH private key path to establish SSH connection. If omitted, the default SSH "
        "private key will be used.",
    ),
)


def exec_on_cluster_node(local: bool, args: Any, nodes: list[Any], cluster: Any) -> Exit | None:
    """``--exec`` / ``-L`` of ``args`` on the node ``-n`` names (or the first) of ``cluster``,
    as the cluster's admin user."""
    node = pick_node(nodes, args.node_id)
    settings = cluster.user_account_settings
    user = settings.admin_user_name if settings else ""
    return run_on_node(
        local, node, user, args.cmdline, args.ports, args.ssh_private_key, args.password
    )


def pick_node(nodes: list[Any], node_id: str | None) -> Any:
    """The node named ``node_id``, else the first one."""
    if not nodes:
        raise CommandError("No nodes available in the cluster")
    if node_id is None:
        return nodes[0]
    for node in nodes:
        if node.node_id == node_id:
            return node
    raise CommandError(f"Cannot find a node with id={node_id}")


def ssh_argv(
    node: Any, user: str, cmdline: str | None, ports: list[str], key: str | None
) -> list[str]:
    """The ``ssh`` command line reaching ``node`` (see the module docstring)."""
    import shlex
    import shutil

    ssh = shutil.which("ssh") or "ssh"
    argv = [ssh, "-p", str(int(node.port)), "-o", "ServerAliveInterval=15"]
    if key:
        argv += ["-i", key]
    for spec in ports:
        parts = spec.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            raise UsageError(
                f"--address/-L must be <local port>:<host>:<remote port>, got {spec!r}"
            )
        argv += ["-L", f"{parts[0]}:{parts[1]}:{parts[2]}"]
    if cmdline:
        argv += ["-t", f"{user}@{node.ip_address}", f"bash -ilc {shlex.quote(cmdline)}"]
    else:
        argv += ["-N", f"{user}@{node.ip_address}"]
    return argv


def run_on_node(
    local: bool,
    node: Any,
    user: str,
    cmdline: str | None,
    ports: list[str] | None,
    key: str | None,
    password: str | None = None,
) -> Exit | None:
    """Run ``cmdline`` on ``node`` / forward ``ports``; the command's exit code."""
    import os
    import shutil
    import subprocess
    import sys

    ports = ports or []
    if not cmdline and not ports:
        return None
    if local:
        if ports:
            targets = ", ".join(p.split(":", 1)[-1] for p in ports)
            raise CommandError(
                "On the local backend the nodes are this machine: connect to "
                f"{targets} directly instead of forwarding ports."
            )
        done = subprocess.run(["bash", "-lc", cmdline or ""], check=False)
        return Exit(done.returncode)
    if shutil.which("ssh") is None:
        raise CommandError("node exec needs the OpenSSH client (ssh) on PATH.")
    argv = ssh_argv(node, user, cmdline, ports, key)
    env = None
    if password and shutil.which("sshpass"):
        # sshpass reads it from its environment: never on a command line others can see.
        argv = ["sshpass", "-e", *argv]
        env = {**os.environ, "SSHPASS": password}
    elif password:
        log.warning("sshpass is not installed: type the password at ssh's prompt.")
    sys.stdout.flush()
    done = subprocess.run(argv, env=env, check=False)
    return Exit(done.returncode)

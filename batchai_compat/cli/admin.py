"""The admin user of ``cluster create`` / ``file-server create`` (``-u``, ``-p``, ``-k``,
``--generate-ssh-keys``), completed as ``az batchai`` did.

The user name is ``-u``, else the file's, else the current user's; the password ``-p``, else
the file's; the SSH public key ``-k`` (a key or the path of one), else the file's, else
``~/.ssh/id_rsa.pub`` when no password is set.  One of password and key is required.
``--generate-ssh-keys`` creates ``~/.ssh/id_rsa`` with ``ssh-keygen`` when it is missing.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

from .errors import CommandError, UsageError
from .messages import log


def default_public_key() -> Path | None:
    path = Path.home() / ".ssh" / "id_rsa.pub"
    return path if path.exists() else None


def generate_ssh_keys() -> Path:
    """``~/.ssh/id_rsa(.pub)``, made with ``ssh-keygen`` unless they exist; the public key."""
    private = Path.home() / ".ssh" / "id_rsa"
    public = private.with_name("id_rsa.pub")
    if private.exists() and public.exists():
        log.warning("Reusing existing ssh public key from ~/.ssh")
        return public
    if private.exists():
        raise CommandError(
            "SSH private key id_rsa exists but public key is missing. Please export the public key."
        )
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise CommandError("--generate-ssh-keys needs ssh-keygen (OpenSSH); install it or pass -k.")
    private.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    done = subprocess.run(
        [keygen, "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(private)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CommandError(f"ssh-keygen failed: {done.stderr.strip() or done.returncode}")
    log.warning(
        "SSH key files id_rsa and id_rsa.pub have been generated under ~/.ssh to allow SSH "
        "access to the nodes. If using machines without permanent storage, back up your keys "
        "to a safe location."
    )
    return public


def generate_keys_if_asked(args: Any) -> None:
    """``--generate-ssh-keys``: make the keys, and use the public one unless ``-k`` names one."""
    if args.generate_ssh_keys:
        public = generate_ssh_keys()
        args.ssh_key = args.ssh_key or str(public)


def is_valid_public_key(text: str) -> bool:
    """An OpenSSH public key line: ``<type> <base64 blob whose first string is type> [comment]``."""
    parts = text.split()
    if len(parts) < 2:
        return False
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(blob) < 4:
        return False
    (length,) = struct.unpack(">I", blob[:4])
    return blob[4 : 4 + length] == parts[0].encode()


def complete_user_account(
    settings: Any, user_name: str | None, ssh_key: str | None, password: str | None
) -> Any:
    """``settings`` (a ``UserAccountSettings`` or None) with the effective name, key, password."""
    from .. import models

    settings = settings or models.UserAccountSettings.from_dict({})
    password = password or settings.admin_user_password
    key = ssh_key or settings.admin_user_ssh_public_key
    if not key and not password:
        default = default_public_key()
        key = str(default) if default else None
    if key and not is_valid_public_key(key):
        path = Path(key).expanduser()
        try:
            is_file = path.is_file()
        except OSError:  # a key-like text too long to be a path
            is_file = False
        if is_file:
            key = path.read_text(encoding="utf-8").strip()
        if not is_valid_public_key(key):
            raise UsageError("Incorrect ssh public key value.")
    settings.admin_user_name = user_name or settings.admin_user_name or getpass.getuser()
    settings.admin_user_ssh_public_key = key or None
    settings.admin_user_password = password or None
    if not settings.admin_user_name:
        raise UsageError("Please provide admin user name.")
    if not settings.admin_user_ssh_public_key and not settings.admin_user_password:
        raise UsageError("Please provide admin user password or ssh key.")
    return settings

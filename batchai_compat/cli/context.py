"""What every ``batchai`` command runs with: the client, the storage services, messages, prompts.

az gave each command a client for the subscription of ``--subscription`` (or ``az account
set``), authenticated by ``az login``.  Here the client is a
:class:`~batchai_compat.BatchAIManagementClient` on the backend chosen by ``--backend`` ›
``BATCHAI_COMPAT_BACKEND`` › ``[core] backend`` of the configuration › ``local``:

* ``local`` needs no credentials and no subscription (ids use ``--subscription`` or
  ``[defaults] subscription``, else ``00000000-0000-0000-0000-000000000000``);
* Azure backends authenticate with azure-identity's ``DefaultAzureCredential`` when installed
  (``az login``, a service principal in ``AZURE_CLIENT_ID``/``AZURE_TENANT_ID``/
  ``AZURE_CLIENT_SECRET``, a managed identity), else, on ``azureml``, azureml-core's
  ``AzureCliAuthentication``; the subscription is ``--subscription`` ›
  ``AZURE_SUBSCRIPTION_ID`` › ``[defaults] subscription`` › ``az account show``.

Messages go to stderr through the ``batchai_compat.cli`` logger, as az's ``WARNING:`` lines.
Storage services are the legacy ``BlockBlobService`` / ``FileService`` of
:mod:`batchai_compat.storage`, so the same commands work on local folders and Azure Storage.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from . import messages
from .errors import CommandError, UsageError

if TYPE_CHECKING:
    from ..client import BatchAIManagementClient
    from ..core.progress import TerminalProgress
    from .config import Config

LOCAL_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


class _NoCredentials:
    """What the local backend is given for credentials: it never authenticates."""

    def __repr__(self) -> str:
        return "<no credentials: local backend>"


class Context:
    """The global options of one invocation and the services built from them on first use."""

    def __init__(
        self,
        config: Config,
        *,
        backend: str | None,
        subscription: str | None,
        command: str = "batchai",
    ) -> None:
        from ..backends.registry import ENV_BACKEND, selected_backend_name

        self.config = config
        #: the command's words (``batchai cluster create``), which its progress line names
        self.command = command
        chosen = backend or os.environ.get(ENV_BACKEND) or config.get("core", "backend")
        if chosen:
            # The storage layer and the jobs this process submits follow the same backend.
            os.environ[ENV_BACKEND] = chosen
        self.backend_name = selected_backend_name(chosen).strip().lower()
        self._subscription = subscription
        self._client: BatchAIManagementClient | None = None

    @property
    def is_local(self) -> bool:
        return self.backend_name == "local"

    # the client ---------------------------------------------------------------------------
    @property
    def subscription(self) -> str:
        given = self._subscription or (
            None if self.is_local else os.environ.get("AZURE_SUBSCRIPTION_ID")
        )
        given = given or self.config.get("defaults", "subscription")
        if given:
            return given
        if self.is_local:
            return LOCAL_SUBSCRIPTION
        found = _az_account_subscription()
        if not found:
            raise UsageError(
                f"The {self.backend_name!r} backend needs a subscription: pass --subscription, "
                "set AZURE_SUBSCRIPTION_ID, or run `az login`."
            )
        self._subscription = found
        return found

    @property
    def client(self) -> BatchAIManagementClient:
        if self._client is None:
            from ..client import BatchAIManagementClient

            credentials = _NoCredentials() if self.is_local else _azure_credential(self)
            self._client = BatchAIManagementClient(
                credentials, self.subscription, backend=self.backend_name
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # interaction --------------------------------------------------------------------------
    def confirm(self, question: str, yes: bool) -> None:
        """az's confirmation prompt: ``-y`` answers it; without a terminal, ``-y`` is required."""
        if yes:
            return
        if not sys.stdin.isatty():
            raise CommandError("Unable to prompt for confirmation as no tty available. Use --yes.")
        while True:
            print(f"{question} (y/n): ", end="", file=sys.stderr, flush=True)
            answer = sys.stdin.readline().strip().lower()
            if answer in ("y", "yes"):
                return
            if answer in ("n", "no", ""):
                raise CommandError("Operation cancelled.")

    def progress(self, label: str) -> TerminalProgress:
        """az's progress line on stderr for ``label`` (an upload, a wait): drawn on a terminal
        only, and not at all with ``--only-show-errors``.  Use it with ``with``; it is a legacy
        ``progress_callback`` too."""
        from ..core.progress import TerminalProgress

        quiet = messages.level() > messages.WARNING
        return TerminalProgress(label, sys.stderr, enabled=False if quiet else None)

    def finish(self, poller: Any) -> Any:
        """The result of a long-running operation (a poller), waited for as az waited: with
        its ``Running`` spinner on a terminal meanwhile."""
        with self.progress(self.command) as progress, progress.spinning("Running"):
            return poller.result()


def _az_account_subscription() -> str | None:
    import shutil
    import subprocess

    az = shutil.which("az")
    if az is None:
        return None
    try:
        done = subprocess.run(
            [az, "account", "show", "--query", "id", "-o", "tsv"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _azure_credential(context: Context) -> Any:
    import importlib.util

    if importlib.util.find_spec("azure.identity") is not None:
        from azure.identity import DefaultAzureCredential

        return DefaultAzureCredential(exclude_interactive_browser_credential=True)
    if context.backend_name == "azureml" and importlib.util.find_spec("azureml.core") is not None:
        from azureml.core.authentication import AzureCliAuthentication

        return AzureCliAuthentication()
    raise CommandError(
        f"The {context.backend_name!r} backend needs Azure credentials: pip install azure-identity, "
        "then `az login` (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET)."
    )

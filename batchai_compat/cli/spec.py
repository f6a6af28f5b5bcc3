"""What a ``batchai`` command is: the command table and ``_params.py`` of ``az batchai``, as data.

``az batchai`` (azure-cli's ``azure-cli-batchai`` module, API 2018-05-01) declared each command
once: its words (``batchai job file list``), options with their short forms and defaults, the
function that runs it, a table format and help with examples.  :class:`Command` and :class:`Arg`
hold the same facts; each area module of :mod:`batchai_compat.cli.commands` lists its commands,
and the parser builds argparse only for the command being run (start-up stays argparse-level).

The options every Batch AI command shares (``-g``, ``-w``, ``-e`` ...) are built here once, with
the ``batchai configure --defaults`` key that can supply them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argparse import Namespace

    from .context import Context

#: ``handler(context, arguments) -> result`` (a model, a list, a dict, or None for no output).
Handler = Callable[["Context", "Namespace"], Any]


class Arg:
    """One option of a command (az's ``c.argument(...)``).

    ``options`` lists the long form first (``("--resource-group", "-g")``).  ``configured_default``
    names the ``[defaults]`` key of ``batchai configure`` that fills a missing value (then the
    option is not required on the command line).  ``group`` is the heading it is listed under in
    the help (az's ``arg_group``).
    """

    # Plain classes, not dataclasses: each dataclass costs a compile at import, and the parser
    # of every command imports these (start-up is measured, benchmarks measure 6).
    __slots__ = (
        "dest",
        "options",
        "help",
        "required",
        "default",
        "type",
        "choices",
        "action",
        "configured_default",
        "group",
        "metavar",
        "nargs",
    )

    def __init__(
        self,
        dest: str,
        options: tuple[str, ...],
        help: str,
        *,
        required: bool = False,
        default: Any = None,
        type: Callable[[str], Any] | None = None,
        choices: tuple[str, ...] | None = None,
        action: str | None = None,
        configured_default: str | None = None,
        group: str = "Arguments",
        metavar: str | None = None,
        nargs: str | None = None,
    ) -> None:
        self.dest = dest
        self.options = options
        self.help = help
        self.required = required
        self.default = default
        self.type = type
        self.choices = choices
        self.action = action
        self.configured_default = configured_default
        self.group = group
        self.metavar = metavar
        self.nargs = nargs

    def __repr__(self) -> str:
        return f"Arg({self.dest!r}, {self.options!r})"


class Command:
    """One command: its words after the top-level group, help, options and what runs it.

    ``confirm`` is the question ``-y/--yes`` answers in advance (az's ``confirmation=True``);
    ``no_wait`` adds ``--no-wait`` (the long-running operation starts, the command returns at
    once and prints nothing).  ``table`` turns the JSON result into ``-o table`` rows (az's
    ``table_transformer``).
    """

    __slots__ = (
        "words",
        "summary",
        "handler",
        "args",
        "examples",
        "long_summary",
        "table",
        "confirm",
        "no_wait",
    )

    def __init__(
        self,
        words: tuple[str, ...],
        summary: str,
        handler: Handler,
        args: tuple[Arg, ...] = (),
        *,
        examples: tuple[tuple[str, str], ...] = (),
        long_summary: str = "",
        table: Callable[[Any], Any] | None = None,
        confirm: str | None = None,
        no_wait: bool = False,
    ) -> None:
        self.words = words
        self.summary = summary
        self.handler = handler
        self.args = args
        self.examples = examples
        self.long_summary = long_summary
        self.table = table
        self.confirm = confirm
        self.no_wait = no_wait

    def __repr__(self) -> str:
        return f"Command({' '.join(self.words)!r})"


class Area:
    """The commands under one top-level word (``job``, ``storage``, ...), with group help."""

    __slots__ = ("summary", "commands", "groups")

    def __init__(
        self,
        summary: str,
        commands: tuple[Command, ...],
        groups: dict[tuple[str, ...], str],
    ) -> None:
        self.summary = summary
        self.commands = commands
        #: Summaries of the sub-groups (``("file",)`` -> "Commands to list and stream ...").
        self.groups = groups


class Exit:
    """A handler result that prints nothing and ends with exit code ``code`` (``job wait``)."""

    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Exit) and other.code == self.code

    __hash__ = None  # type: ignore[assignment]


#: az's confirmation question (``confirmation=True`` commands: deletes, ``job terminate``).
CONFIRM = "Are you sure you want to perform this operation?"

#: The ``-o/--output`` formats (knack's).
FORMATS = ("json", "jsonc", "yaml", "yamlc", "table", "tsv", "none")


def positive_int(text: str) -> int:
    """An argparse ``type``: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


# --------------------------------------------------------------------------------------------
# The options Batch AI commands share
# --------------------------------------------------------------------------------------------

RESOURCE_GROUP = Arg(
    "resource_group",
    ("--resource-group", "-g"),
    "Name of resource group. You can configure the default group using "
    "`batchai configure --defaults group=<name>`.",
    required=True,
    configured_default="group",
)

WORKSPACE = Arg(
    "workspace",
    ("--workspace", "-w"),
    "Name of workspace. You can configure the default workspace using "
    "`batchai configure --defaults workspace=<name>`.",
    required=True,
    configured_default="workspace",
)

EXPERIMENT = Arg(
    "experiment",
    ("--experiment", "-e"),
    "Name of experiment. You can configure the default experiment using "
    "`batchai configure --defaults experiment=<name>`.",
    required=True,
    configured_default="experiment",
)


def name(what: str, options: tuple[str, ...] = ("--name", "-n")) -> Arg:
    """The ``-n/--name`` of the resource a command acts on."""
    return Arg(f"{what.replace(' ', '_')}_name", options, f"Name of {what}.", required=True)


def location(required: bool = False, help: str = "Location.") -> Arg:
    return Arg(
        "location",
        ("--location", "-l"),
        help + " You can configure the default location using "
        "`batchai configure --defaults location=<location>`.",
        required=required,
        configured_default="location",
    )


EXPIRY = Arg(
    "expiry",
    ("--expiry",),
    "Time in minutes for how long generated download URLs should remain valid.",
    default=60,
    type=int,
)


def storage_account_args(where: str) -> tuple[Arg, ...]:
    """``--storage-account-name/--storage-account-key`` and the share/container mounts."""
    group = "Azure Storage Mount"
    root = "$AZ_BATCHAI_MOUNT_ROOT" if where == "cluster" else "$AZ_BATCHAI_JOB_MOUNT_ROOT"
    scope = "on each cluster node" if where == "cluster" else "during the job execution"
    return (
        Arg(
            "account_name",
            ("--storage-account-name",),
            "Storage account name for Azure File Shares and/or Azure Storage Containers to be "
            f"mounted {scope}. Can be specified using AZURE_BATCHAI_STORAGE_ACCOUNT environment "
            "variable.",
            group=group,
        ),
        Arg(
            "account_key",
            ("--storage-account-key",),
            "Storage account key. Can be specified using AZURE_BATCHAI_STORAGE_KEY environment "
            "variable.",
            group=group,
        ),
        Arg(
            "azure_file_share",
            ("--afs-name",),
            f"Name of Azure File Share to be mounted {scope}. Must be used in conjunction with "
            "--storage-account-name. Multiple shares can be mounted using configuration file "
            "(see --config-file option).",
            group=group,
        ),
        Arg(
            "afs_mount_path",
            ("--afs-mount-path",),
            "Relative mount path for Azure File share. The file share will be available at "
            f"{root}/<relative_mount_path> folder.",
            default="afs",
            group=group,
        ),
        Arg(
            "container_name",
            ("--bfs-name",),
            f"Name of Azure Storage container to be mounted {scope}. Must be used in conjunction "
            "with --storage-account-name. Multiple containers can be mounted using "
            "configuration file (see --config-file option).",
            group=group,
        ),
        Arg(
            "container_mount_path",
            ("--bfs-mount-path",),
            "Relative mount path for Azure Storage container. The container will be available "
            f"at {root}/<relative_mount_path> folder.",
            default="bfs",
            group=group,
        ),
    )


def nfs_args(where: str) -> tuple[Arg, ...]:
    group = "File Server Mount"
    root = "$AZ_BATCHAI_MOUNT_ROOT" if where == "cluster" else "$AZ_BATCHAI_JOB_MOUNT_ROOT"
    return (
        Arg(
            "nfs",
            ("--nfs",),
            "Name or ARM ID of a file server to be mounted. You need to provide full ARM ID if "
            "the file server belongs to a different workspace. Multiple NFS can be mounted using "
            "configuration file (see --config-file option).",
            group=group,
        ),
        Arg(
            "nfs_mount_path",
            ("--nfs-mount-path",),
            f"Relative mount path for NFS. The NFS will be available at {root}/"
            "<relative_mount_path> folder.",
            default="nfs",
            group=group,
        ),
    )


def admin_account_args(where: str) -> tuple[Arg, ...]:
    """``-u/-p/-k/--generate-ssh-keys`` of cluster and file server creation."""
    group = "Admin Account"
    on = "each compute node" if where == "cluster" else "NFS node"
    return (
        Arg(
            "user_name",
            ("--user-name", "-u"),
            f"Name of admin user account to be created on {on}. If the value is not provided "
            "and no user configuration is provided in the config file, current user's name "
            "will be used.",
            group=group,
        ),
        Arg(
            "ssh_key",
            ("--ssh-key", "-k"),
            "Optional SSH public key value or path. If omitted and no password specified, "
            "default SSH key (~/.ssh/id_rsa.pub) will be used.",
            group=group,
        ),
        Arg(
            "generate_ssh_keys",
            ("--generate-ssh-keys",),
            "Generate SSH public and private key files in ~/.ssh directory (if missing).",
            action="store_true",
            group=group,
        ),
        Arg(
            "password",
            ("--password", "-p"),
            f"Optional password for the admin user account to be created on {on}.",
            group=group,
        ),
    )


def subnet_arg(what: str) -> Arg:
    return Arg(
        "subnet",
        ("--subnet",),
        f"ARM ID of a virtual network subnet to put the {what} in.",
        group="Virtual Network",
    )


def config_file_arg(model: str, required: bool = False) -> Arg:
    return Arg(
        "json_file",
        ("--config-file", "-f"),
        f"A path to a json file containing {model.lower().replace('createparameters', '')} "
        "create parameters (json representation of "
        f"azure.mgmt.batchai.models.{model}). Parameters given via command line override the "
        'ones of the file. The file may be the REST body ({"properties": {...}}) or its '
        'properties alone; "$schema" is ignored; <AZURE_BATCHAI_STORAGE_ACCOUNT> and '
        "<AZURE_BATCHAI_STORAGE_KEY> are replaced.",
        required=required,
        group="Advanced" if not required else "Arguments",
    )

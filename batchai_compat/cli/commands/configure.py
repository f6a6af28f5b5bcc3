"""``batchai configure --defaults key=value ...``: default argument values, like ``az configure``.

``batchai configure --defaults group=rg workspace=ws`` makes ``-g`` and ``-w`` optional;
``key=`` removes a default; ``--list-defaults`` shows them.  Keys: ``group``, ``workspace``,
``experiment``, ``location``, ``subscription``.  See :mod:`..config` for the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import DEFAULTS
from ..errors import UsageError
from ..spec import Area, Arg, Command

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context

KEYS = ("group", "workspace", "experiment", "location", "subscription")


def configure(context: Context, args: Namespace) -> Any:
    if args.defaults:
        values: dict[str, str] = {}
        for pair in args.defaults:
            key, sep, value = pair.partition("=")
            key = key.strip().lower()
            if not sep or key not in KEYS:
                raise UsageError(
                    f"--defaults takes key=value pairs with keys {', '.join(KEYS)}; got {pair!r}"
                )
            values[key] = value.strip()
        context.config.set(DEFAULTS, values)
    if args.list_defaults:
        return [{"name": k, "value": v} for k, v in sorted(context.config.items(DEFAULTS).items())]
    return None


AREA = Area(
    summary="Manage default values of arguments (like `az configure`).",
    groups={},
    commands=(
        Command(
            (),
            "Manage default values of arguments (like `az configure`).",
            configure,
            (
                Arg(
                    "defaults",
                    ("--defaults", "-d"),
                    "Space-separated 'name=value' pairs for common argument defaults: group, "
                    "workspace, experiment, location, subscription. An empty value removes one.",
                    action="extend",
                    nargs="+",
                    metavar="NAME=VALUE",
                ),
                Arg(
                    "list_defaults",
                    ("--list-defaults", "-l"),
                    "List the configured defaults.",
                    action="store_true",
                ),
            ),
            long_summary="Defaults are kept in $BATCHAI_CONFIG_DIR/config (default "
            "~/.batchai/config); BATCHAI_DEFAULTS_<NAME> environment variables override them.",
            examples=(
                (
                    "Use a resource group and a workspace by default.",
                    "batchai configure --defaults group=MyResourceGroup workspace=MyWorkspace",
                ),
                ("Clear the default workspace.", "batchai configure --defaults workspace="),
                ("List the defaults.", "batchai configure --list-defaults -o table"),
            ),
        ),
    ),
)

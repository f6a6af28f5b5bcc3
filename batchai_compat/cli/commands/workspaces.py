"""``batchai workspace create | show | list | delete``: Batch AI workspaces.

A workspace created without ``-l`` takes its resource group's location, as az did (on the local
backend from ``batchai group create``; on Azure backends ``-l`` is needed, since batchai does
not read Azure resource groups).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import tables
from ..errors import UsageError
from ..resources import complete
from ..spec import CONFIRM, RESOURCE_GROUP, Area, Arg, Command, location

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context

WORKSPACE_NAME = Arg(
    "workspace_name",
    ("--workspace", "-n"),
    "Name of workspace.",
    required=True,
)


def group_location(context: Context, resource_group: str) -> str:
    """The location of ``resource_group``, for resources created without ``-l``."""
    if context.is_local:
        from .groups import find_group

        group = find_group(context, resource_group)
        if group is not None and group.get("location"):
            return str(group["location"])
        raise UsageError(
            f"Resource group '{resource_group}' could not be found: create it with "
            f"`batchai group create -n {resource_group} -l <location>` or pass --location."
        )
    raise UsageError(
        f"--location is required on the {context.backend_name!r} backend (batchai does not read "
        "Azure resource groups)."
    )


def create(context: Context, args: Namespace) -> Any:
    where = args.location or group_location(context, args.resource_group)
    return context.finish(
        context.client.workspaces.create(args.resource_group, args.workspace_name, where)
    )


def show(context: Context, args: Namespace) -> Any:
    return context.client.workspaces.get(args.resource_group, args.workspace_name)


def list_workspaces(context: Context, args: Namespace) -> Any:
    client = context.client
    if args.resource_group:
        return list(client.workspaces.list_by_resource_group(args.resource_group))
    return list(client.workspaces.list())


def delete(context: Context, args: Namespace) -> Any:
    poller = context.client.workspaces.delete(
        args.resource_group, args.workspace_name, polling=not args.no_wait
    )
    complete(context, poller, args.no_wait)


AREA = Area(
    summary="Commands to manage workspaces.",
    groups={},
    commands=(
        Command(
            ("create",),
            "Create a workspace.",
            create,
            (
                RESOURCE_GROUP,
                WORKSPACE_NAME,
                location(
                    help="Location of the workspace. If omitted, the location of the resource "
                    "group will be used."
                ),
            ),
            examples=(
                (
                    "Create a workspace in East US region.",
                    "batchai workspace create -g MyResourceGroup -n MyWorkspace -l eastus",
                ),
            ),
        ),
        Command(
            ("show",),
            "Show information about a workspace.",
            show,
            (RESOURCE_GROUP, WORKSPACE_NAME),
            examples=(
                (
                    "Show information about a workspace.",
                    "batchai workspace show -g MyResourceGroup -n MyWorkspace -o table",
                ),
            ),
            table=tables.workspace_show,
        ),
        Command(
            ("list",),
            "List workspaces.",
            list_workspaces,
            (
                Arg(
                    "resource_group",
                    ("--resource-group", "-g"),
                    "Name of resource group. If omitted, all workspaces of the subscription "
                    "are listed.",
                ),
            ),
            examples=(
                (
                    "List all workspaces under the current subscription.",
                    "batchai workspace list -o table",
                ),
                (
                    "List workspaces in the given resource group.",
                    "batchai workspace list -g MyResourceGroup -o table",
                ),
            ),
            table=tables.workspace_list,
        ),
        Command(
            ("delete",),
            "Delete a workspace.",
            delete,
            (RESOURCE_GROUP, WORKSPACE_NAME),
            examples=(
                (
                    "Delete a workspace.",
                    "batchai workspace delete -g MyResourceGroup -n MyWorkspace",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
    ),
)

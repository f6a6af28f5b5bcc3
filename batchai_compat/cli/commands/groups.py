"""``batchai group create | show | list | exists | delete``: the ``az group`` lines of runbooks.

On the local backend a resource group is a record,
``$BATCHAI_COMPAT_HOME/groups/<name>.json`` (name as given, matched case-insensitively as ARM
did), holding its location: workspaces created without ``-l`` take it.  Groups that only exist
through the workspaces or storage accounts made in them (by Python code, say) are listed and
shown too.  Deleting a group deletes its workspaces (with their clusters, file servers,
experiments and jobs) and its local storage accounts, as deleting an Azure resource group did.

Azure resource groups belong to Azure Resource Manager: on the Azure backends these commands
say to use ``az group``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CommandError, UsageError
from ..spec import CONFIRM, Area, Arg, Command, location

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context

_NAME = re.compile(r"^[-\w\._\(\)]{1,90}$")

GROUP_NAME = Arg(
    "group_name",
    ("--name", "-n", "--resource-group", "-g"),
    "Name of resource group.",
    required=True,
)


def _folder() -> Path:
    from ...home.layout import home

    return home() / "groups"


def _record_path(name: str) -> Path:
    if not _NAME.match(name) or name.endswith("."):
        raise UsageError(
            f"Resource group name {name!r} is invalid: 1-90 letters, digits, '-', '_', '.', "
            "'(' or ')', not ending with '.'"
        )
    return _folder() / f"{name.lower()}.json"


def _local_only(context: Context) -> None:
    if not context.is_local:
        raise CommandError(
            "Resource groups are managed by Azure Resource Manager: use `az group ...` on the "
            f"{context.backend_name!r} backend (batchai group works on the local backend)."
        )


def _resource(context: Context, name: str, where: str | None) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{context.subscription}/resourceGroups/{name}",
        "location": where,
        "managedBy": None,
        "name": name,
        "properties": {"provisioningState": "Succeeded"},
        "tags": None,
        "type": "Microsoft.Resources/resourceGroups",
    }


def find_group(context: Context, name: str) -> dict[str, Any] | None:
    """The group ``name`` (a record, or the location of a workspace in it), else None."""
    try:
        record = json.loads(_record_path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if isinstance(record, dict):
        return _resource(context, record["name"], record.get("location"))
    for workspace in context.client.workspaces.list_by_resource_group(name):
        return _resource(context, name, workspace.location)
    return None


def ensure_group(context: Context, name: str, where: str) -> dict[str, Any]:
    existing = find_group(context, name)
    if existing is not None:
        return existing
    return _write(context, name, where)


def _write(context: Context, name: str, where: str) -> dict[str, Any]:
    path = _record_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps({"name": name, "location": where}), encoding="utf-8")
    os.replace(tmp, path)
    return _resource(context, name, where)


def create(context: Context, args: Namespace) -> Any:
    _local_only(context)
    if not args.location:
        raise UsageError("the following arguments are required: --location/-l")
    existing = find_group(context, args.group_name)
    if existing is not None and existing["location"] and existing["location"] != args.location:
        raise CommandError(
            f"Invalid resource group location '{args.location}'. The Resource group already "
            f"exists in location '{existing['location']}'."
        )
    return _write(context, existing["name"] if existing else args.group_name, args.location)


def show(context: Context, args: Namespace) -> Any:
    _local_only(context)
    found = find_group(context, args.group_name)
    if found is None:
        raise CommandError(f"Resource group '{args.group_name}' could not be found.")
    return found


def exists(context: Context, args: Namespace) -> Any:
    _local_only(context)
    return find_group(context, args.group_name) is not None


def list_groups(context: Context, args: Namespace) -> Any:
    from ...storage import accounts

    _local_only(context)
    found: dict[str, dict[str, Any]] = {}
    folder = _folder()
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            found[record["name"].lower()] = _resource(
                context, record["name"], record.get("location")
            )
    for workspace in context.client.workspaces.list():
        group = str(workspace.id).split("/")[4]
        found.setdefault(group.lower(), _resource(context, group, workspace.location))
    for account in accounts.list_accounts():
        if account.resource_group:
            found.setdefault(
                account.resource_group.lower(),
                _resource(context, account.resource_group, account.location),
            )
    return [found[key] for key in sorted(found)]


def delete(context: Context, args: Namespace) -> Any:
    from ...storage import accounts

    _local_only(context)
    found = find_group(context, args.group_name)
    owned = accounts.list_accounts(args.group_name)
    if found is None and not owned:
        raise CommandError(f"Resource group '{args.group_name}' could not be found.")
    client = context.client
    for workspace in list(client.workspaces.list_by_resource_group(args.group_name)):
        context.finish(client.workspaces.delete(args.group_name, str(workspace.name)))
    for account in owned:
        accounts.delete_account(account.name)
    _record_path(args.group_name).unlink(missing_ok=True)
    return None


def group_table(result: Any) -> Any:
    rows = []
    for item in result if isinstance(result, list) else [result]:
        row: dict[str, Any] = OrderedDict()
        row["Name"] = item["name"]
        row["Location"] = item["location"]
        row["Status"] = (item.get("properties") or {}).get("provisioningState")
        rows.append(row)
    return rows


AREA = Area(
    summary="The `az group` commands of Batch AI runbooks (local backend).",
    groups={},
    commands=(
        Command(
            ("create",),
            "Create a new resource group.",
            create,
            (GROUP_NAME, location(help="Location of the group.")),
            examples=(
                (
                    "Create a new resource group in the East US region.",
                    "batchai group create -l eastus -n MyResourceGroup",
                ),
            ),
            table=group_table,
        ),
        Command(
            ("show",),
            "Gets a resource group.",
            show,
            (GROUP_NAME,),
            examples=(("Show a resource group.", "batchai group show -n MyResourceGroup"),),
            table=group_table,
        ),
        Command(
            ("exists",),
            "Check if a resource group exists.",
            exists,
            (GROUP_NAME,),
            examples=(("Check a resource group.", "batchai group exists -n MyResourceGroup"),),
        ),
        Command(
            ("list",),
            "List resource groups.",
            list_groups,
            (),
            examples=(("List the resource groups.", "batchai group list -o table"),),
            table=group_table,
        ),
        Command(
            ("delete",),
            "Delete a resource group, with its workspaces and local storage accounts.",
            delete,
            (GROUP_NAME,),
            examples=(
                (
                    "Delete a resource group without asking for confirmation.",
                    "batchai group delete -n MyResourceGroup -y",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
    ),
)

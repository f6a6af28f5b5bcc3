"""``batchai storage account create | show | list | delete | keys list``: local storage accounts.

A local account (:mod:`batchai_compat.storage.accounts`) is a folder of the home; these commands
print it as ``az storage account`` printed an ARM storage account.  Azure accounts are ARM's:
on the Azure backends these commands say to use ``az storage account``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ...errors import CommandError
from ...spec import CONFIRM, Arg, Command, location

if TYPE_CHECKING:
    from argparse import Namespace

    from ...context import Context


def _local_accounts(context: Context) -> Any:
    from ....storage import accounts, select_implementation

    if select_implementation(None) != "local":
        raise CommandError(
            "Storage accounts on Azure are managed by Azure Resource Manager: use `az storage "
            "account ...` (batchai storage account works on local storage accounts)."
        )
    return accounts


def _account_resource(context: Context, record: Any) -> dict[str, Any]:
    name = record.name
    group = record.resource_group or "unknown"
    return {
        "creationTime": record.creation_time,
        "id": f"/subscriptions/{context.subscription}/resourceGroups/{group}/providers/"
        f"Microsoft.Storage/storageAccounts/{name}",
        "kind": record.kind,
        "location": record.location,
        "name": name,
        "primaryEndpoints": {
            "blob": f"https://{name}.blob.core.windows.net/",
            "file": f"https://{name}.file.core.windows.net/",
        },
        "primaryLocation": record.location,
        "provisioningState": "Succeeded",
        "resourceGroup": record.resource_group,
        "sku": {"name": record.sku, "tier": record.sku.split("_")[0]},
        "statusOfPrimary": "available",
        "type": "Microsoft.Storage/storageAccounts",
    }


def account_create(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    where = args.location
    if not where:
        from ..workspaces import group_location

        where = group_location(context, args.resource_group)
    record = accounts.create_account(
        args.account_name, args.resource_group, where, sku=args.sku, kind=args.kind
    )
    return _account_resource(context, record)


def account_show(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    return _account_resource(context, accounts.get_account(args.account_name))


def account_list(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    return [_account_resource(context, r) for r in accounts.list_accounts(args.resource_group)]


def account_delete(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    accounts.delete_account(args.account_name)
    return None


def account_keys(context: Context, args: Namespace) -> Any:
    accounts = _local_accounts(context)
    accounts.get_account(args.account_name)
    return [
        {"keyName": f"key{n}", "permissions": "FULL", "value": value}
        for n, value in enumerate(accounts.account_keys(args.account_name), start=1)
    ]


def account_table(result: Any) -> Any:
    rows = []
    for item in result if isinstance(result, list) else [result]:
        row: dict[str, Any] = OrderedDict()
        for column, key in (
            ("Name", "name"),
            ("ResourceGroup", "resourceGroup"),
            ("Location", "location"),
            ("Kind", "kind"),
            ("ProvisioningState", "provisioningState"),
        ):
            row[column] = item.get(key)
        rows.append(row)
    return rows


_ACCOUNT_NAME = Arg(
    "account_name", ("--name", "-n", "--account-name"), "The storage account name.", required=True
)
_GROUP = Arg(
    "resource_group",
    ("--resource-group", "-g"),
    "Name of resource group.",
    configured_default="group",
)

COMMANDS = (
    Command(
        ("account", "create"),
        "Create a storage account.",
        account_create,
        (
            _ACCOUNT_NAME,
            Arg(
                "resource_group",
                ("--resource-group", "-g"),
                "Name of resource group.",
                required=True,
                configured_default="group",
            ),
            location(help="Location. Default: the resource group's."),
            Arg("sku", ("--sku",), "The storage account SKU.", default="Standard_LRS"),
            Arg("kind", ("--kind",), "The type of storage account.", default="StorageV2"),
        ),
        examples=(
            (
                "Create a storage account in the resource group's location.",
                "batchai storage account create -n mystorageaccount -g MyResourceGroup "
                "--sku Standard_LRS",
            ),
        ),
    ),
    Command(
        ("account", "show"),
        "Show storage account properties.",
        account_show,
        (_ACCOUNT_NAME, _GROUP),
        examples=(
            (
                "Show a storage account.",
                "batchai storage account show -n mystorageaccount -g MyResourceGroup",
            ),
        ),
        table=account_table,
    ),
    Command(
        ("account", "list"),
        "List storage accounts.",
        account_list,
        (Arg("resource_group", ("--resource-group", "-g"), "Name of resource group."),),
        examples=(("List the storage accounts.", "batchai storage account list -o table"),),
        table=account_table,
    ),
    Command(
        ("account", "delete"),
        "Delete a storage account, with its containers and shares.",
        account_delete,
        (_ACCOUNT_NAME, _GROUP),
        examples=(
            (
                "Delete a storage account.",
                "batchai storage account delete -n mystorageaccount -g MyResourceGroup -y",
            ),
        ),
        confirm=CONFIRM,
    ),
    Command(
        ("account", "keys", "list"),
        "List the access keys of a storage account (local accounts: derived, never checked).",
        account_keys,
        (_ACCOUNT_NAME, _GROUP),
        examples=(
            (
                "Get the first key of a storage account.",
                "batchai storage account keys list -n mystorageaccount -g MyResourceGroup "
                '--query "[0].value" -o tsv',
            ),
        ),
    ),
)

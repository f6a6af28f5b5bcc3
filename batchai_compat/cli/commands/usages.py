"""``batchai list-usages -l <location>``: Batch AI core usage and quota of a location."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import tables
from ..spec import Area, Command, location

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context


def list_usages(context: Context, args: Namespace) -> Any:
    return list(context.client.usages.list(args.location))


AREA = Area(
    summary="Gets the current usage information as well as limits for Batch AI resources for "
    "given location.",
    groups={},
    commands=(
        Command(
            (),
            "Gets the current usage information as well as limits for Batch AI resources for "
            "given location.",
            list_usages,
            (location(required=True),),
            examples=(
                (
                    "Get information for eastus location.",
                    "batchai list-usages -l eastus -o table",
                ),
            ),
            table=tables.usages,
        ),
    ),
)

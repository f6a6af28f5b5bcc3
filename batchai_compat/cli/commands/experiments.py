"""``batchai experiment create | show | list | delete``: Batch AI experiments (groups of jobs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import tables
from ..resources import complete
from ..spec import CONFIRM, RESOURCE_GROUP, WORKSPACE, Area, Command, name

if TYPE_CHECKING:
    from argparse import Namespace

    from ..context import Context

EXPERIMENT_NAME = name("experiment")


def create(context: Context, args: Namespace) -> Any:
    return context.finish(
        context.client.experiments.create(args.resource_group, args.workspace, args.experiment_name)
    )


def show(context: Context, args: Namespace) -> Any:
    return context.client.experiments.get(args.resource_group, args.workspace, args.experiment_name)


def list_experiments(context: Context, args: Namespace) -> Any:
    return list(context.client.experiments.list_by_workspace(args.resource_group, args.workspace))


def delete(context: Context, args: Namespace) -> Any:
    poller = context.client.experiments.delete(
        args.resource_group, args.workspace, args.experiment_name, polling=not args.no_wait
    )
    complete(context, poller, args.no_wait)


AREA = Area(
    summary="Commands to manage experiments.",
    groups={},
    commands=(
        Command(
            ("create",),
            "Create an experiment.",
            create,
            (RESOURCE_GROUP, WORKSPACE, EXPERIMENT_NAME),
            examples=(
                (
                    "Create an experiment.",
                    "batchai experiment create -g MyResourceGroup -w MyWorkspace -n MyExperiment",
                ),
            ),
        ),
        Command(
            ("show",),
            "Show information about an experiment.",
            show,
            (RESOURCE_GROUP, WORKSPACE, EXPERIMENT_NAME),
            examples=(
                (
                    "Show information about an experiment.",
                    "batchai experiment show -g MyResourceGroup -w MyWorkspace -n MyExperiment "
                    "-o table",
                ),
            ),
            table=tables.experiment_show,
        ),
        Command(
            ("list",),
            "List experiments.",
            list_experiments,
            (RESOURCE_GROUP, WORKSPACE),
            examples=(
                (
                    "List experiments.",
                    "batchai experiment list -g MyResourceGroup -w MyWorkspace -o table",
                ),
            ),
            table=tables.experiment_list,
        ),
        Command(
            ("delete",),
            "Delete an experiment.",
            delete,
            (RESOURCE_GROUP, WORKSPACE, EXPERIMENT_NAME),
            examples=(
                (
                    "Delete an experiment. All running jobs will be terminated.",
                    "batchai experiment delete -g MyResourceGroup -w MyWorkspace -n MyExperiment",
                ),
                (
                    "Delete an experiment without asking for confirmation (for non-interactive "
                    "scenarios).",
                    "batchai experiment delete -g MyResourceGroup -w MyWorkspace -n MyExperiment "
                    "-y",
                ),
                (
                    "Request an experiment deletion without waiting for job to be deleted.",
                    "batchai experiment delete -g MyResourceGroup -w MyWorkspace -n MyExperiment "
                    "--no-wait",
                ),
            ),
            confirm=CONFIRM,
            no_wait=True,
        ),
    ),
)

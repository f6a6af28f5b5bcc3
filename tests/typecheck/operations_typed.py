"""What the public operations return, as mypy sees it (checked by mypy with the package).

``assert_type`` fails under mypy unless the type is exactly the one named, so an operation that
returned ``Any`` again would fail the check.  Nothing here runs (the functions are never called).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import assert_type

if TYPE_CHECKING:
    from batchai_compat import BatchAIManagementClient, models
    from batchai_compat.core.polling import LROPoller
    from batchai_compat.core.raw import ClientRawResponse


def jobs(client: BatchAIManagementClient, parameters: models.JobCreateParameters) -> None:
    poller = client.jobs.create("rg", "ws", "exp", "job", parameters)
    assert_type(poller, LROPoller[models.Job])
    assert_type(poller.result(), models.Job)
    assert_type(client.jobs.get("rg", "ws", "exp", "job"), models.Job)
    assert_type(client.jobs.get("rg", "ws", "exp", "job", raw=True), ClientRawResponse[models.Job])
    assert_type(
        client.jobs.create("rg", "ws", "exp", "job", parameters, raw=True),
        LROPoller[ClientRawResponse[models.Job]],
    )
    assert_type(client.jobs.delete("rg", "ws", "exp", "job"), LROPoller[None])
    assert_type(client.jobs.begin_terminate("rg", "ws", "exp", "job"), LROPoller[None])
    options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
    files = client.jobs.list_output_files("rg", "ws", "exp", "job", options)
    assert_type(files, models.FilePaged)
    for file in files:
        assert_type(file, models.File)
    assert_type(next(client.jobs.list_by_experiment("rg", "ws", "exp")), models.Job)


def flag(client: BatchAIManagementClient, raw: bool) -> None:
    assert_type(
        client.clusters.get("rg", "ws", "c", raw=raw),
        models.Cluster | ClientRawResponse[models.Cluster],
    )


def the_other_groups(
    client: BatchAIManagementClient, params: models.ClusterCreateParameters
) -> None:
    assert_type(client.workspaces.create("rg", "ws", "eastus").result(), models.Workspace)
    assert_type(client.workspaces.update("rg", "ws", {"a": "b"}), models.Workspace)
    assert_type(next(client.workspaces.list()), models.Workspace)
    assert_type(client.experiments.create("rg", "ws", "exp"), LROPoller[models.Experiment])
    assert_type(client.clusters.create("rg", "ws", "c", params), LROPoller[models.Cluster])
    assert_type(client.clusters.update("rg", "ws", "c"), models.Cluster)
    assert_type(
        next(client.clusters.list_remote_login_information("rg", "ws", "c")),
        models.RemoteLoginInformation,
    )
    assert_type(client.file_servers.get("rg", "ws", "fs"), models.FileServer)
    assert_type(next(client.usages.list("eastus")), models.Usage)
    assert_type(next(client.operations.list()), models.Operation)

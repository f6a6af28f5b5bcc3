"""Where a Batch AI job's logs and outputs go: the job output path segment and folder rules.

The 2018-05-01 service put every job's files under a *segment* it reported as
``Job.job_output_directory_path_segment``::

    {subscription}/{resource group}/workspaces/{ws}/experiments/{exp}/jobs/{job}/{job uuid}

and derived (measured from its recorded responses and SDK tests):

* ``AZ_BATCHAI_STDOUTERR_DIR`` = ``{std_out_err_path_prefix}/{segment}/stdouterr``
* ``AZ_BATCHAI_OUTPUT_<ID>`` = ``{path_prefix}/{segment}/outputs[/{path_suffix}]``

``jobs.list_output_files`` names the log folder by the output directory id ``stdouterr``.
A cluster's setup task wrote ``stdout-<node id>.txt`` / ``stderr-<node id>.txt`` under
``{std_out_err_path_prefix}/{suffix}``, the service choosing (and reporting as
``SetupTask.std_out_err_path_suffix``)
``{subscription}/{resource group}/workspaces/{ws}/clusters/{cluster}/{cluster uuid}``.
"""

from __future__ import annotations

__all__ = [
    "OUTPUTS_FOLDER",
    "STDOUTERR",
    "is_stdouterr",
    "output_dir",
    "output_path_segment",
    "setup_task_output_suffix",
    "stdouterr_dir",
]

#: The stdout/stderr folder's name, and the output directory id ``list_output_files`` knows it by.
STDOUTERR = "stdouterr"
OUTPUTS_FOLDER = "outputs"


def output_path_segment(
    subscription_id: str,
    resource_group: str,
    workspace: str,
    experiment: str,
    job: str,
    job_uuid: str,
) -> str:
    """Batch AI's ``Job.job_output_directory_path_segment``."""
    return (
        f"{subscription_id}/{resource_group}/workspaces/{workspace}"
        f"/experiments/{experiment}/jobs/{job}/{job_uuid}"
    )


def setup_task_output_suffix(
    subscription_id: str, resource_group: str, workspace: str, cluster: str, cluster_uuid: str
) -> str:
    """Batch AI's ``SetupTask.std_out_err_path_suffix`` of a cluster."""
    return f"{subscription_id}/{resource_group}/workspaces/{workspace}/clusters/{cluster}/{cluster_uuid}"


def _join(*parts: str | None) -> str:
    pieces = [p.strip("/") if i else p.rstrip("/") for i, p in enumerate(parts) if p]
    return "/".join(pieces) or "/"


def stdouterr_dir(prefix: str, segment: str) -> str:
    """The job's log folder under its (expanded) ``std_out_err_path_prefix``."""
    return _join(prefix, segment, STDOUTERR)


def output_dir(path_prefix: str, segment: str, path_suffix: str | None = None) -> str:
    """An ``OutputDirectory``'s folder under its (expanded) ``path_prefix``."""
    return _join(path_prefix, segment, OUTPUTS_FOLDER, path_suffix)


def is_stdouterr(output_directory_id: str) -> bool:
    """Whether ``jobs.list_output_files`` asks for the logs (ids compare case-insensitively)."""
    return output_directory_id.lower() == STDOUTERR

"""Job helpers of the Batch AI recipes: ``wait_for_job_completion`` and ``print_job_status``.

Our own implementation of the recipe helpers.  While a job runs, ``wait_for_job_completion``
tails one of its output files the way the Batch AI helper did: it finds the file's
``download_url`` with ``client.jobs.list_output_files`` and fetches only the new bytes with
``requests.get(url, headers={'Range': 'bytes=N-'})``.  Any backend whose download URLs are plain
HTTP(S) and honour ``Range`` (Batch AI's storage SAS URLs, batchai_compat's loopback file server,
Azure ML's SAS URLs) streams the same way.
"""

from __future__ import annotations

import codecs
import time
from typing import Any

import azure.mgmt.batchai.models as models
import requests

from .cluster import print_cluster_status

#: Seconds between status checks while the job waits in the queue.
POLLING_INTERVAL_SEC = 1.0
#: Seconds between two reads of the streamed file while the job runs.
STREAMING_INTERVAL_SEC = 0.5

_FINISHED = (models.ExecutionState.succeeded, models.ExecutionState.failed)


class OutputStreamer:
    """Streams (``tail -f``) one output file of a job: ``file_name`` of ``output_directory_id``."""

    def __init__(
        self,
        client: Any,
        resource_group: str,
        workspace_name: str,
        experiment_name: str,
        job_name: str,
        output_directory_id: str | None,
        file_name: str | None,
    ) -> None:
        self.client = client
        self.resource_group = resource_group
        self.workspace_name = workspace_name
        self.experiment_name = experiment_name
        self.job_name = job_name
        self.output_directory_id = output_directory_id
        self.file_name = file_name
        self.url: str | None = None
        self.downloaded = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def _find_url(self) -> str | None:
        files = self.client.jobs.list_output_files(
            self.resource_group,
            self.workspace_name,
            self.experiment_name,
            self.job_name,
            models.JobsListOutputFilesOptions(outputdirectoryid=self.output_directory_id),
        )
        for f in files:
            if f.name == self.file_name and f.download_url:
                return str(f.download_url)
        return None

    def tail(self) -> None:
        """Print what was appended to the file since the last call (nothing if not there yet)."""
        if self.output_directory_id is None or self.file_name is None:
            return
        if not self.url:
            self.url = self._find_url()
            if not self.url:
                return
        response = requests.get(
            self.url, headers={"Range": f"bytes={self.downloaded}-"}, timeout=60
        )
        if response.status_code == 206:
            new = response.content
        elif response.status_code == 200:  # the server ignored Range: skip what we have
            new = response.content[self.downloaded :]
        elif response.status_code == 416:  # nothing new yet
            return
        elif response.status_code in (401, 403, 404):  # the link expired: ask for a new one
            self.url = None
            return
        else:
            response.raise_for_status()
            return
        self.downloaded += len(new)
        text = self._decoder.decode(new)
        if text:
            print(text, end="", flush=True)


def print_job_status(job: Any) -> None:
    """Print the job's execution state and exit code, and its errors if it failed."""
    exit_code = job.execution_info.exit_code if job.execution_info is not None else None
    print(f"Job state: {job.execution_state} ExitCode: {exit_code}")
    if job.execution_state == models.ExecutionState.failed and job.execution_info is not None:
        for error in job.execution_info.errors or ():
            print(f"FailureDetails: ErrorCode: {error.code} ErrorMessage: {error.message}")
            for detail in error.details or ():
                print(f"  {detail.name}: {detail.value}")


def wait_for_job_completion(
    client: Any,
    resource_group: str,
    workspace_name: str,
    experiment_name: str,
    job_name: str,
    cluster_name: str,
    output_directory_id: str | None = None,
    file_name: str | None = None,
) -> Any:
    """Wait for the job to finish, streaming ``file_name`` of ``output_directory_id`` meanwhile.

    While the job is queued it prints the cluster's and the job's status; once it runs it
    prints the file as it grows; at the end it prints the job's final status.  Returns the
    finished ``Job`` (the recipe helper returned nothing; callers that ignore it are unaffected).
    """
    while True:
        cluster = client.clusters.get(resource_group, workspace_name, cluster_name)
        print_cluster_status(cluster)
        job = client.jobs.get(resource_group, workspace_name, experiment_name, job_name)
        print_job_status(job)
        if job.execution_state != models.ExecutionState.queued:
            break
        time.sleep(POLLING_INTERVAL_SEC)

    print("Waiting for job output to become available...")
    streamer = OutputStreamer(
        client,
        resource_group,
        workspace_name,
        experiment_name,
        job_name,
        output_directory_id,
        file_name,
    )
    while True:
        streamer.tail()
        job = client.jobs.get(resource_group, workspace_name, experiment_name, job_name)
        if job.execution_state in _FINISHED:
            break
        time.sleep(STREAMING_INTERVAL_SEC)
    streamer.tail()  # what was written between the last read and the end of the job
    print_job_status(job)
    return job

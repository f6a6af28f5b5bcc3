"""Submitting a Batch AI job as an Azure ML v1 run: once, and with honest clean-up.

The order: register the job's datastores, store its secrets in the workspace Key Vault, start
the run under the id derived from the job name, tag it.  Each step is retried while it fails
transiently (:class:`~.._azureml_common.retry.RetryPolicy`, honouring ``Retry-After`` where
azureml-core keeps the reply's headers; its run submission error drops them).  When starting
the run fails, the run holding the id is read (whatever failed: the SDK also updates the run it
has just created) and judged by :func:`~.._azureml_common.submission.verdict`: adopted when it
is this submission's, returned when it is an identical earlier one, ``409 Conflict`` otherwise.
The secrets are deleted only when it is known that no run of this submission exists.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from dataclasses import dataclass
from typing import Any

from ...exceptions import cloud_error
from .._azureml_common import naming, node_app, submission
from .._azureml_common.retry import RetryPolicy
from . import _private, errors
from .translate import JobSubmission

__all__ = ["SubmissionOutcomeUnknown", "submit_job"]

#: azureml-core changes the process's working directory while it snapshots a folder (git
#: metadata lookup): submissions from several threads take turns.
_SUBMIT_LOCK = threading.Lock()


class SubmissionOutcomeUnknown(Exception):
    """Internal: the start request failed and the run could not be read back."""


@dataclass
class _Submission:
    experiment: Any
    job: JobSubmission
    run_id: str
    tags: dict[str, str]
    retry: RetryPolicy
    #: known: no run of this submission exists (its secrets may go)
    no_run_of_ours: bool = False
    #: known: this submission's run exists (its secrets must stay)
    run_of_ours: bool = False


def _tags(job: JobSubmission) -> dict[str, str]:
    tags = dict(job.tags)
    tags[naming.TAG_PARAMETERS] = json.dumps(job.manifest["parameters"], sort_keys=True)
    return tags


def _existing_run(state: _Submission) -> Any | None:
    """The run holding our id (None: there is none).  One request: the caller's retry of the
    whole step repeats it."""
    from azureml.core import Run

    try:
        return Run(state.experiment, state.run_id)
    except Exception as error:
        if errors.status_of(error) == 404:
            return None
        raise


def _adopt(state: _Submission, run: Any) -> tuple[Any, dict[str, str], bool]:
    """(run, its tags, whether it is this submission's) for the run holding our id, or 409."""
    found_tags = dict(_private.run_details(run).get("tags") or {})
    submitted = (
        {}
        if naming.TAG_JOB_UUID in found_tags
        else submission.manifest_of_definition(_private.submitted_environment(run))
    )
    verdict = submission.verdict(state.job.manifest, found_tags, submitted)
    state.run_of_ours = verdict == submission.OURS
    state.no_run_of_ours = not state.run_of_ours  # the id is taken by another submission's run
    if verdict == submission.DIFFERENT:
        name = state.tags[naming.TAG_JOB_NAME]
        raise cloud_error(
            409,
            "Conflict",
            f"The job '{name}' already exists in experiment "
            f"'{state.tags[naming.TAG_EXPERIMENT]}' with different parameters (Azure ML run "
            f"'{state.run_id}'); Azure ML keeps every run, so submit under another job name.",
        )
    if naming.TAG_JOB_UUID not in found_tags:
        # started, never tagged (the reply or the tag update was lost): finish it
        tags = state.tags if verdict == submission.OURS else _tags_of_manifest(submitted)
        run.set_tags(tags)
        found_tags.update(tags)
    return run, found_tags, verdict == submission.OURS


def _tags_of_manifest(manifest: dict[str, Any]) -> dict[str, str]:
    job = manifest.get("job") or {}
    return {
        naming.TAG_JOB_NAME: str(job.get("job")),
        naming.TAG_EXPERIMENT: str(job.get("experiment")),
        naming.TAG_CLUSTER: str(job.get("cluster")),
        naming.TAG_JOB_UUID: str(job.get("uuid")),
        naming.TAG_PARAMETERS: json.dumps(manifest.get("parameters"), sort_keys=True),
    }


def _start(state: _Submission) -> tuple[Any, dict[str, str], bool]:
    """Start the run, or find what a lost reply hid: (run, tags, whether it is ours)."""
    if state.run_of_ours:  # started by an earlier attempt, its tags still missing
        existing = _existing_run(state)
        if existing is not None:
            return _adopt(state, existing)
    state.no_run_of_ours = False
    try:
        run = _private.start_run(state.experiment, state.job.run_config, state.run_id)
    except Exception as error:
        if errors.describe(error) is None:
            raise  # not a service failure: nothing was sent
        # The run may exist whatever failed: a lost reply, a 409 for our id (an SDK retry), or
        # the SDK's own update of the run it had just created.
        try:
            existing = _existing_run(state)
        except Exception:
            raise SubmissionOutcomeUnknown from error
        if existing is None:
            state.no_run_of_ours = True  # nothing was created (retried while transient)
            raise
        return _adopt(state, existing)
    state.run_of_ours = True
    run.set_tags(state.tags)
    return run, dict(state.tags), True


def submit_job(
    workspace: Any, experiment: Any, job: JobSubmission, run_id: str, retry: RetryPolicy
) -> tuple[Any, dict[str, str]]:
    """Submit ``job`` (its datastores registered already) as run ``run_id``: (run, its tags).

    Raises the service's failure as it came (the caller maps it); its secrets are then removed
    when no run of this submission can exist.
    """
    state = _Submission(experiment, job, run_id, _tags(job), retry)
    vault = workspace if job.secrets else None  # the workspace's Key Vault holds them
    try:
        if vault is not None:
            state.no_run_of_ours = True  # nothing is started before the secrets are stored
            retry.call(lambda: _private.put_secrets(workspace, job.secrets), errors.describe)
        with _SUBMIT_LOCK:
            folder = node_app.snapshot_folder()
            try:
                job.run_config.source_directory = folder
                run, tags, ours = retry.call(lambda: _start(state), errors.describe)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    except SubmissionOutcomeUnknown as unknown:
        raise _unfinished(
            state,
            unknown.__cause__,
            f"Azure ML did not confirm the job's run '{state.run_id}' and it could not be read "
            "back",
            "SubmissionOutcomeUnknown",
        ) from unknown.__cause__
    except Exception as error:
        if state.no_run_of_ours and not state.run_of_ours:
            _forget_secrets(vault, job, retry)  # refused, or another's run holds the id
            raise
        if state.run_of_ours:
            raise _unfinished(
                state,
                error,
                f"The job's run '{state.run_id}' was started, but Azure ML did not take its "
                "Batch AI tags",
                "SubmissionIncomplete",
            ) from error
        raise
    if not ours:
        _forget_secrets(vault, job, retry)  # an identical earlier job was returned
    return run, tags


def _unfinished(state: _Submission, error: BaseException | None, what: str, code: str) -> Exception:
    """The error of a submission that may or does have a run: ``what`` happened, the service's
    status/code/message, and how to finish (its secrets are kept)."""
    failure = errors.describe(error) if error is not None else None
    said = f" ({failure.status} {failure.code}): {failure.message}" if failure else ""
    return cloud_error(
        failure.status if failure and failure.status else 500,
        (failure.code if failure else None) or code,
        f"{what}{said}. Its secrets are kept; call jobs.create again with the same parameters to "
        "finish the submission (an identical job is returned, not submitted twice).",
    )


def _forget_secrets(vault: Any, job: JobSubmission, retry: RetryPolicy) -> None:
    """Delete this submission's Key Vault secrets (a missing one is already gone)."""
    if vault is None:
        return
    for name in job.secrets:

        def delete(name: str = name) -> None:
            try:
                _private.delete_secret(vault, name)
            except Exception as error:
                if errors.status_of(error) != 404:
                    raise

        with contextlib.suppress(Exception):
            retry.call(delete, errors.describe)

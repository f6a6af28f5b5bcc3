"""Azure ML runs back to Batch AI jobs: states, run-history file names, ``Job`` fields.

Shared by the Azure ML backends (v1 runs and v2 command jobs report the same states and write
the same run-history folders through the node runtime).

A job's error is Batch AI's wherever the cause is Batch AI's (:func:`job_errors`): Azure ML ends
a failed run's error message with the stderr of the process that failed, whose last line the
node runtime writes in Batch AI's words (``Job failed with non-zero exit code: task ... exited
with code N: <reason>``, or the job preparation's): that line is the job's error, under Batch
AI's code (``JobFailed``, ``JobPreparationFailed``), and N its exit code.  A canceled run was
terminated (``jobs.terminate``): ``JobTerminated`` with the service's message.  A failure of
Azure ML's own (an image that does not build, no quota...) keeps Azure ML's code and message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ...domain import answers, ids
from ...domain.durations import DEFAULT_MAX_WALL_CLOCK_SECONDS
from ...domain.paths import output_path_segment
from ...domain.toolkits import TOOLKITS
from ...runtime.reasons import meaningful_line
from . import naming

__all__ = [
    "batchai_log_name",
    "execution_state",
    "job_errors",
    "job_fields",
    "output_file_name",
    "timestamp",
]

_RUN_STATES = {
    "notstarted": "queued",
    "queued": "queued",
    "preparing": "queued",
    "starting": "queued",
    "provisioning": "queued",
    "running": "running",
    "cancelrequested": "terminating",
    "finalizing": "terminating",
    "completed": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "notresponding": "failed",
}


def execution_state(run_status: str | None) -> str:
    """Azure ML run status -> Batch AI ``ExecutionState`` (``Canceled`` is ``failed``, as a
    terminated Batch AI job was)."""
    return _RUN_STATES.get(_status_key(run_status), "queued")


def _status_key(run_status: str | None) -> str:
    """A run status as :data:`_RUN_STATES` spells it (``Cancel Requested`` -> ``cancelrequested``)."""
    return (run_status or "notstarted").replace(" ", "").lower()


_LOG_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:azureml-logs/70_driver_log|user_logs/std_log)\.txt$"), "stdout.txt"),
    (re.compile(r"^azureml-logs/70_driver_log_(?:worker_)?(\d+)\.txt$"), "stdout-{0}.txt"),
    (re.compile(r"^user_logs/std_log_process_(\d+)\.txt$"), "stdout-{0}.txt"),
    (re.compile(r"^azureml-logs/70_driver_log_ps_(\d+)\.txt$"), "stdout-ps-{0}.txt"),
    (
        re.compile(r"^azureml-logs/(?:55_azureml-execution|65_job_prep)-(.+)\.txt$"),
        "execution-{0}.log",
    ),
    (re.compile(r"^system_logs/lifecycler/execution-wrapper\.log$"), "execution.log"),
)


def batchai_log_name(run_file: str) -> str | None:
    """Name under Batch AI's ``stdouterr`` listing for an Azure ML run-history file.

    Files the node runtime wrote to ``logs/stdouterr/`` keep their Batch AI names
    (``stdout-wk-0.txt``, ``stderr.txt``, ``execution.log``...); Azure ML's own driver and
    execution logs are renamed to the nearest Batch AI name; anything else is not a log (None).
    """
    prefix = naming.STDOUTERR_FOLDER + "/"
    if run_file.startswith(prefix):
        return run_file[len(prefix) :] or None
    for pattern, template in _LOG_NAMES:
        match = pattern.match(run_file)
        if match:
            return template.format(*match.groups())
    return None


def output_file_name(run_file: str, output_id: str) -> str | None:
    """Name of a run-history file inside Batch AI output directory ``output_id`` (or None)."""
    prefix = f"{naming.OUTPUTS_FOLDER}/{output_id}/"
    return run_file[len(prefix) :] if run_file.startswith(prefix) else None


def timestamp(value: Any) -> datetime | None:
    """A service timestamp (ISO text with up to 7 fractional digits, or datetime) in UTC."""
    if isinstance(value, str):
        text = value.replace("Z", "+00:00")
        if "." in text:  # Python parses at most 6 fractional digits
            head, _, tail = text.partition(".")
            digits = "".join(c for c in tail if c.isdigit())
            text = f"{head}.{digits[:6]}{tail[len(digits) :]}"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _reason(message: Any) -> Any:
    """The line of an Azure ML error message that says why (its stderr's meaningful line)."""
    return (meaningful_line(message) or message) if isinstance(message, str) else message


#: The errors the node runtime writes in Batch AI's words when a task fails.
_NODE_ERRORS = (answers.JOB_FAILED, answers.JOB_PREPARATION_FAILED)
#: The exit code in the node runtime's detail ("... exited with code 3 ...").
_EXIT_CODE = re.compile(r" exited with code (-?\d+)")


def job_errors(status: str | None, error: Any) -> tuple[list[dict[str, Any]] | None, int | None]:
    """A run's status and error (``{"error": {"code", "message"}}`` or the inner body) ->
    the Batch AI job's ``(errors, exit_code)`` (see the module docstring).

    The exit code is the failed task's when the node runtime's line gives it, else 1 for a
    failed run; 0 for a succeeded one; None while the job runs and for a terminated job.
    """
    if _status_key(status) == "canceled":
        return [answers.job_error(answers.JOB_TERMINATED)], None
    exit_code = {"succeeded": 0, "failed": 1}.get(execution_state(status))
    body = error.get("error", error) if isinstance(error, Mapping) else {}
    if not isinstance(body, Mapping) or not (body.get("code") or body.get("message")):
        return None, exit_code
    message = body.get("message")
    if isinstance(message, str):
        for line in reversed(message.splitlines()):
            # (Azure ML may put the stderr on the same line as its own words: "... Error: ")
            at, kind = max((line.rfind(k[1]), k) for k in _NODE_ERRORS)
            if at >= 0:
                ours = line[at:].strip()
                found = _EXIT_CODE.search(ours)
                return [{"code": kind[0], "message": ours}], int(found[1]) if found else 1
    return [{"code": body.get("code"), "message": _reason(message)}], exit_code


def job_fields(
    *,
    subscription_id: str,
    resource_group: str,
    workspace: str,
    experiment: str,
    run_name: str,
    tags: Mapping[str, str],
    status: str | None,
    created: Any = None,
    started: Any = None,
    ended: Any = None,
    error: Any = None,
) -> dict[str, Any]:
    """A run as the service reported it -> Batch AI ``Job`` fields (snake_case, for
    ``Job.from_dict``): the job's parameters come from the run's tags, the rest from its
    state, times and error."""
    job = tags.get(naming.TAG_JOB_NAME) or run_name
    try:
        parameters = json.loads(tags.get(naming.TAG_PARAMETERS) or "{}")
    except ValueError:
        parameters = {}
    if not isinstance(parameters, dict):
        parameters = {}
    state = execution_state(status)
    started, ended = timestamp(started), timestamp(ended)
    created = timestamp(created) or started
    errors, exit_code = job_errors(status, error)
    if errors and errors[0]["code"] == answers.JOB_TERMINATED[0]:
        started = started or ended  # a terminated queued job had a start time (the end's)
    uuid = tags.get(naming.TAG_JOB_UUID)
    fields = dict(parameters)
    if not fields.get("constraints"):  # the service's one-week default, which the run has too
        fields["constraints"] = {
            "max_wall_clock_time": timedelta(seconds=DEFAULT_MAX_WALL_CLOCK_SECONDS)
        }
    fields.update(
        {
            "id": ids.job_id(subscription_id, resource_group, workspace, experiment, job),
            "name": job,
            "type": ids.resource_type("jobs"),
            "tool_type": next(
                (t.tool_type for t in TOOLKITS if parameters.get(t.field) is not None), None
            ),
            "job_output_directory_path_segment": output_path_segment(
                subscription_id, resource_group, workspace, experiment, job, uuid
            )
            if uuid
            else None,
            "creation_time": created,
            "provisioning_state": "succeeded",
            "provisioning_state_transition_time": created,
            "execution_state": state,
            "execution_state_transition_time": ended or started or created,
            "execution_info": {
                "start_time": started,
                "end_time": ended,
                "exit_code": exit_code,
                "errors": errors,
            }
            if started or ended or errors
            else None,
        }
    )
    return fields

"""A run's status and error -> the Batch AI job's errors and exit code, shared by the Azure ML
backends: Batch AI's code where the node runtime said why in Batch AI's words, Azure ML's own
where the failure is Azure ML's, ``JobTerminated`` for a canceled run.

The error texts below are the shapes Azure ML gives (a failed user process: its words, then the
end of the process's stderr; an image build failure: no stderr of ours at all)."""

from __future__ import annotations

from batchai_compat.backends._azureml_common.runs import job_errors, job_fields

USER_PROCESS = (
    "Execution failed. User process 'python' exited with status code 3. Please check log file "
    "'user_logs/std_log.txt' for error details. Error: "
)


def test_a_task_failure_is_job_failed_with_the_tasks_exit_code():
    stderr = (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 1, in <module>\n'
        "ValueError: learning rate must be positive\n"
        "Job failed with non-zero exit code: task task-0 on node node-0 exited with code 3: "
        "ValueError: learning rate must be positive\n"
    )
    errors, exit_code = job_errors(
        "Failed", {"error": {"code": "UserError", "message": USER_PROCESS + stderr}}
    )
    assert errors == [
        {
            "code": "JobFailed",
            "message": "Job failed with non-zero exit code: task task-0 on node node-0 exited "
            "with code 3: ValueError: learning rate must be positive",
        }
    ]
    assert exit_code == 3


def test_the_node_line_on_the_same_line_as_azure_mls_words_is_found():
    line = (
        "Job preparation task failed with non-zero exit code: it exited with code 2 on node node-1"
    )
    errors, exit_code = job_errors("Failed", {"code": "UserError", "message": USER_PROCESS + line})
    assert errors == [{"code": "JobPreparationFailed", "message": line}]
    assert exit_code == 2


def test_without_an_exit_code_in_the_line_the_exit_code_is_1():
    errors, exit_code = job_errors(
        "Failed", {"error": {"code": "UserError", "message": "Job failed with non-zero exit code"}}
    )
    assert [e["code"] for e in errors] == ["JobFailed"] and exit_code == 1


def test_an_azure_ml_failure_keeps_azure_mls_code_and_message():
    message = "Failed to build the image for the run: pip install exited with status 1"
    errors, exit_code = job_errors(
        "Failed", {"error": {"code": "ImageBuildFailure", "message": message}}
    )
    assert errors == [{"code": "ImageBuildFailure", "message": message}]
    assert exit_code == 1


def test_a_canceled_run_is_job_terminated_without_details_or_exit_code():
    for error in (None, {"error": {"code": "UserError", "message": "Run canceled by the user"}}):
        errors, exit_code = job_errors("Canceled", error)
        assert errors == [
            {
                "code": "JobTerminated",
                "message": "The specified job has been terminated by the user",
            }
        ]
        assert exit_code is None


def test_succeeded_running_and_failed_without_an_error():
    assert job_errors("Completed", None) == (None, 0)
    assert job_errors("Running", None) == (None, None)
    assert job_errors("Failed", None) == (None, 1)


def test_a_terminated_queued_run_starts_when_it_ends():
    fields = job_fields(
        subscription_id="sub",
        resource_group="rg",
        workspace="ws",
        experiment="exp",
        run_name="run",
        tags={},
        status="Canceled",
        created="2024-05-01T12:00:00Z",
        ended="2024-05-01T12:05:00Z",
    )
    info = fields["execution_info"]
    assert info["start_time"] == info["end_time"] is not None
    assert fields["execution_state"] == "failed"

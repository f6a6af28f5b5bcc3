"""LROPoller semantics over real backend operations finishing on real threads."""

from __future__ import annotations

import threading

import pytest

from batchai_compat.backends.base import Operation
from batchai_compat.exceptions import cloud_error
from batchai_compat.operations import LROPoller


class ThreadOperation:
    """A backend Operation whose work runs on its own thread once ``release`` is set."""

    def __init__(self, value=None, error: Exception | None = None):
        self.release = threading.Event()
        self._finished = threading.Event()
        self._value = value
        self._error = error
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.release.wait()
        self._finished.set()

    def done(self) -> bool:
        return self._finished.is_set()

    def result(self, timeout: float | None = None):
        if not self._finished.wait(timeout):
            raise TimeoutError("still running")
        if self._error is not None:
            raise self._error
        return self._value


def test_thread_operation_is_a_backend_operation():
    op = ThreadOperation()
    assert isinstance(op, Operation)
    op.release.set()


def test_final_value_from_the_backend_is_done_at_once():
    poller = LROPoller("cluster")
    assert poller.done()
    assert poller.status() == "Succeeded"
    assert poller.result() == "cluster"
    poller.wait()
    seen = []
    poller.add_done_callback(seen.append)
    assert seen == [poller.polling_method()]
    assert seen[0].resource() == "cluster" and seen[0].finished()
    with pytest.raises(ValueError, match="complete"):
        poller.remove_done_callback(seen.append)


def test_operation_in_progress_then_done_with_callbacks():
    op = ThreadOperation("job")
    poller = LROPoller(op, name="jobs.create")
    assert not poller.done()
    assert poller.status() == "InProgress"
    # timeout ran out: like msrest, result() gives what is available (nothing yet)
    assert poller.result(timeout=0.01) is None
    called = threading.Event()
    seen = []

    def callback(method):
        seen.append(method.status())
        called.set()

    def never(method):
        raise AssertionError("removed callbacks are not called")

    poller.add_done_callback(callback)
    poller.add_done_callback(never)
    poller.remove_done_callback(never)
    op.release.set()
    assert poller.result() == "job"
    assert called.wait(5)
    assert seen == ["Succeeded"]
    assert poller.done() and poller.status() == "Succeeded"


def test_operation_error_is_raised_by_result_and_wait():
    error = cloud_error(409, "Conflict", "busy")
    op = ThreadOperation(error=error)
    poller = LROPoller(op)
    op.release.set()
    with pytest.raises(type(error)) as info:
        poller.result()
    assert info.value is error
    assert poller.status() == "Failed"
    with pytest.raises(type(error)):
        poller.wait()


def test_polling_false_does_not_wait():
    op = ThreadOperation("late")
    poller = LROPoller(op, polling=False)
    assert poller.done()
    assert poller.result() is None  # NoPolling: nothing was ready when the call returned
    op.release.set()
    assert op.result(5) == "late"  # the operation itself still finished

    finished = ThreadOperation("ready")
    finished.release.set()
    finished.result(5)
    assert LROPoller(finished, polling=False).result() == "ready"


def test_any_polling_object_is_accepted_and_kept():
    from msrestazure.polling.arm_polling import ARMPolling

    class RecipePolling(ARMPolling):
        """What recipe helpers passed: an ARMPolling subclass with a short delay."""

    custom = RecipePolling(timeout=1)
    op = ThreadOperation("value")
    poller = LROPoller(op, polling=custom)
    assert poller.custom_polling is custom
    op.release.set()
    assert poller.result() == "value"


def test_finish_wraps_the_final_value():
    poller = LROPoller(41, finish=lambda v: v + 1)
    assert poller.result() == 42

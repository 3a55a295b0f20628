"""How a run of a wait ends (`_wait.core.WaitCore`): at its deadline, on an interrupt, or when
every job has ended. Pure tables: time passed in as numbers, no I/O, no clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from together_batches import (
    APITimeoutError,
    BatchErrorGroup,
    BatchFailedError,
    BatchJob,
    BatchStatus,
    WaitTimeoutError,
)
from together_batches._exceptions import status_error_class

from . import _wait_core as P

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)


def zero() -> float:
    return 0.0


def job(batch_job_id: str, status: str = "IN_PROGRESS", **fields: Any) -> BatchJob:
    return BatchJob(id=batch_job_id, status=BatchStatus(status), **fields)


def status_error(code: int) -> Exception:
    response = httpx.Response(code, request=httpx.Request("GET", "https://x/"))
    return status_error_class(code)("nope", response=response, body=None)


def make_run(ids: list[str], *, single: bool = False, **options: Any) -> P.WaitCore:
    return P.WaitCore(ids, P.WaitOptions(**options), single=single, mono_now=0.0, rand=zero)


def settle(run: P.WaitCore, batch_job_id: str, outcome: P.Outcome, at: float) -> Exception | None:
    return run.settle(batch_job_id, outcome, mono_now=at, wall_now=NOW)[1]


def test_a_poll_cut_at_the_deadline_is_a_timeout() -> None:
    cut = P.cut_at_deadline()
    assert isinstance(cut, APITimeoutError)
    assert str(cut) == "The poll did not finish before the wait's deadline."


# --- at the deadline -------------------------------------------------------------------------------


def many_at_their_deadline(**options: Any) -> tuple[P.WaitCore, P.Ending, dict[str, Any]]:
    """a fails, b finishes, c and d are in flight at the deadline (d started first), e is
    queued; c's job was seen once."""
    run = make_run(["a", "b", "c", "d", "e"], timeout=10.0, **options)
    assert [run.queue.pop() for _ in range(5)] == ["a", "b", "c", "d", "e"]
    gone, done, seen = status_error(404), job("b", "COMPLETED"), job("c", progress=30.0)
    assert settle(run, "a", gone, 1.0) is None
    assert settle(run, "b", done, 1.0) is None
    assert settle(run, "c", seen, 1.0) is None
    assert settle(run, "e", status_error(503), 1.0) is None
    assert run.queue.pop() == "c"  # c's second poll starts (at 3), e's stays queued
    ending = run.on_deadline(["d", "c"], mono_now=10.0, wall_now=NOW)
    return run, ending, {"gone": gone, "done": done, "seen": seen}


def test_at_the_deadline_the_polls_in_flight_count_as_timed_out_in_the_order_given() -> None:
    run, ending, _ = many_at_their_deadline()
    assert [step.tracker.batch_job_id for step in ending.steps] == ["d", "c"]
    for step in ending.steps:
        assert step.error is None and step.finished is None
        assert step.failure is not None
        assert step.failure.batch_job_id == step.tracker.batch_job_id
        assert isinstance(step.failure.error, APITimeoutError)
        assert str(step.failure.error) == "The poll did not finish before the wait's deadline."
        assert (step.failure.consecutive, step.failure.retry_in) == (1, 0.0)
        assert run.trackers[step.tracker.batch_job_id] is step.tracker
    assert [run.trackers[i].polls for i in "cd"] == [2, 1]
    assert [run.trackers[i].failures for i in "cde"] == [1, 1, 1]
    assert list(run.pending) == ["c", "d", "e"]


def test_at_the_deadline_the_error_names_what_is_unfinished_and_chains_the_failures() -> None:
    _, ending, made = many_at_their_deadline()
    error = ending.error
    assert isinstance(error, WaitTimeoutError)
    assert error.job is None and error.polls == 4  # c twice, d and e once each
    assert error.pending == {"c": made["seen"], "d": None, "e": None}
    assert str(error) == "3 batches not finished within 10s (4 polls, 3 failed)"
    cause = error.__cause__
    assert isinstance(cause, BatchErrorGroup)
    assert cause.errors == {"a": made["gone"]} and cause.jobs == {"b": made["done"]}
    assert error.__suppress_context__ is True  # the traceback shows the cause, not the context


@pytest.mark.parametrize(("cancel", "expected"), [(True, ["c", "d", "e"]), (False, [])])
def test_at_the_deadline_the_unfinished_are_cancelled_only_when_asked(
    cancel: bool, expected: list[str]
) -> None:
    run, ending, _ = many_at_their_deadline(cancel_on_timeout=cancel)
    assert ending.cancel == expected
    assert run.on_interrupt() == expected


def test_a_deadline_without_failures_has_no_cause() -> None:
    run = make_run(["a", "b"], timeout=10.0)
    ending = run.on_deadline([], mono_now=10.0, wall_now=NOW)
    assert ending.steps == [] and ending.cancel == []
    assert ending.error.__cause__ is None and ending.error.__suppress_context__ is True
    assert ending.error.pending == {"a": None, "b": None} and ending.error.polls == 0
    assert str(ending.error) == "2 batches not finished within 10s (0 polls, 0 failed)"


def test_a_single_wait_at_its_deadline_carries_its_job() -> None:
    run = make_run(["a"], single=True, timeout=30.0, cancel_on_timeout=True)
    seen = job("a", progress=40.0)
    settle(run, run.queue.pop(), seen, 1.0)
    settle(run, run.queue.pop(), status_error(503), 3.0)
    run.queue.pop()
    ending = run.on_deadline(["a"], mono_now=30.0, wall_now=NOW)
    error = ending.error
    assert (error.job, error.polls, error.pending) == (seen, 3, {"a": seen})
    assert str(error) == (
        "batch a not finished within 30s (last status IN_PROGRESS, 3 polls, 2 failed)"
    )
    assert ending.cancel == ["a"] and error.__cause__ is None
    assert [step.failure.consecutive for step in ending.steps if step.failure] == [2]


def test_without_a_timeout_the_message_names_the_jobs_deadlines() -> None:
    single = make_run(["a"], single=True).on_deadline([], mono_now=0.0, wall_now=NOW).error
    assert str(single) == (
        "batch a not finished within the job deadline plus grace "
        "(last status None, 0 polls, 0 failed)"
    )
    many = make_run(["a", "b"]).on_deadline([], mono_now=0.0, wall_now=NOW).error
    assert str(many) == (
        "2 batches not finished within the jobs' deadlines plus grace (0 polls, 0 failed)"
    )


# --- on an interrupt -----------------------------------------------------------------------------


def test_an_interrupt_cancels_the_unfinished_in_the_order_given_when_asked() -> None:
    run = make_run(["c", "a", "b"], cancel_on_timeout=True)
    assert run.on_interrupt() == ["c", "a", "b"]
    settle(run, run.queue.pop(), job("c", "COMPLETED"), 1.0)
    assert run.on_interrupt() == ["a", "b"]
    settle(run, run.queue.pop(), status_error(404), 1.0)
    assert run.on_interrupt() == ["b"]
    interrupted = run.on_interrupt()
    interrupted.clear()  # the caller's own list
    assert list(run.pending) == ["b"]


def test_an_interrupt_cancels_nothing_unless_asked() -> None:
    assert make_run(["a", "b"]).on_interrupt() == []


# --- when every job has ended ----------------------------------------------------------------------


def test_finish_without_failures_returns() -> None:
    run = make_run(["a", "b"])
    settle(run, run.queue.pop(), job("a", "COMPLETED"), 1.0)
    settle(run, run.queue.pop(), job("b", "FAILED"), 1.0)  # not an error unless asked
    run.finish()
    assert list(run.jobs) == ["a", "b"]


def test_finish_raises_the_errors_in_the_order_of_the_ids_with_the_finished_jobs() -> None:
    run = make_run(["a", "b", "c"], raise_on_failure=True)
    assert [run.queue.pop() for _ in range(3)] == ["a", "b", "c"]
    late, done = status_error(404), job("b", "COMPLETED")
    settle(run, "c", job("c", "FAILED", error="boom"), 1.0)  # c fails first
    settle(run, "b", done, 2.0)
    settle(run, "a", late, 3.0)
    assert run.pending == {}
    with pytest.raises(BatchErrorGroup) as raised:
        run.finish()
    group = raised.value
    assert list(group.errors) == ["a", "c"] and group.errors["a"] is late
    assert isinstance(group.errors["c"], BatchFailedError)
    assert group.jobs == {"b": done}
    assert [e.__notes__ for e in group.exceptions] == [
        ["while waiting for batch a"],
        ["while waiting for batch c"],
    ]

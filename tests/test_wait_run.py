"""The run of a wait (`_wait.core.WaitCore`), as tables: what it does after each poll's outcome.

Pure, like the wait core it tests: the time is passed in as numbers, the jitter comes from
an injected `rand`, and nothing is sent, slept or read from a clock. The engines
(`_wait.threads`, `_wait.tasks`) pop a due job, poll it, and hand the outcome to `settle`; these
tests play the engine's part by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import httpx
import pytest

from together_batches import APITimeoutError, BatchJob, BatchStatus
from together_batches._exceptions import status_error_class
from together_batches._wait.callbacks import PollFailure

from . import _wait_core as P

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
CAP = P.DEFAULT_WAIT_CAP


def zero() -> float:
    return 0.0


def half() -> float:
    return 0.5  # takes 5 % off each delay: 2 s becomes 1.9 s


def job(batch_job_id: str, status: str = "IN_PROGRESS", **fields: Any) -> BatchJob:
    return BatchJob(id=batch_job_id, status=BatchStatus(status), **fields)


def status_error(code: int, **headers: str) -> Exception:
    response = httpx.Response(code, headers=headers, request=httpx.Request("GET", "https://x/"))
    return status_error_class(code)("nope", response=response, body=None)


def make_run(
    ids: list[str], *, single: bool = False, at: float = 100.0, rand: Any = zero, **options: Any
) -> P.WaitCore:
    return P.WaitCore(ids, P.WaitOptions(**options), single=single, mono_now=at, rand=rand)


def poll(run: P.WaitCore, outcome: P.Outcome, at: float) -> tuple[P.Step, Exception | None]:
    """The engine's part: take the job due first out of the queue, and settle its poll."""
    return run.settle(run.queue.pop(), outcome, mono_now=at, wall_now=NOW)


def drain(queue: P.DueQueue) -> list[tuple[str, float]]:
    out = []
    while queue:
        due = queue.next_due()
        out.append((queue.pop(), due))
    return out


# --- the start -----------------------------------------------------------------------------------


def test_a_run_starts_with_every_job_due_at_once_in_the_order_given() -> None:
    options = P.WaitOptions(timeout=30.0)
    run = P.WaitCore(["b", "a", "b", "c"], options, single=False, mono_now=100.0, rand=half)
    assert run.ids == ["b", "a", "c"]  # a repeated id is waited for once
    assert list(run.pending) == ["b", "a", "c"]
    assert run.trackers == {i: P.start(i, options, 100.0) for i in ["b", "a", "c"]}
    assert (run.options, run.single, run.rand) == (options, False, half)
    assert (run.jobs, run.errors) == ({}, {})
    assert (run.not_before, run.deadline) == (100.0, 130.0)
    assert drain(run.queue) == [("b", 100.0), ("a", 100.0), ("c", 100.0)]


def test_without_a_timeout_the_run_starts_with_the_cap_as_its_deadline() -> None:
    assert make_run(["a", "b"], at=5.0).deadline == 5.0 + CAP
    assert make_run(["a"], single=True).single is True


# --- when the next poll is due --------------------------------------------------------------------


def test_due_now_and_sleep_for_follow_the_queue() -> None:
    run = make_run(["a", "b"], timeout=5.0)  # deadline 105
    assert run.due_now(100.0) and not run.due_now(99.5)  # due at 100: exactly then is due
    assert run.sleep_for(99.5) == 0.5
    poll(run, job("a"), 101.0)  # a is due again at 103
    poll(run, job("b", progress=1.0), 102.0)  # b at 104
    assert [run.due_now(t) for t in (102.0, 103.0, 104.0)] == [False, True, True]
    assert run.sleep_for(101.0) == 2.0
    assert (run.wake_in(101.0, full=False), run.wake_in(101.0, full=True)) == (2.0, 4.0)
    assert run.wake_in(106.0, full=True) == 0.0  # past the deadline: no wait
    drain(run.queue)
    assert not run.due_now(1e9)  # nothing queued: nothing is ever due
    assert run.sleep_for(101.0) == 4.0  # ... and the sleep ends at the deadline


def test_sleep_for_never_passes_the_deadline() -> None:
    run = make_run(["a"], timeout=5.0)
    poll(run, status_error(503, **{"retry-after": "30"}), 101.0)  # due again at 131
    assert run.queue.next_due() == 131.0
    assert run.sleep_for(101.0) == 4.0
    assert run.wake_in(101.0, full=False) == 4.0


def test_a_429_holds_back_every_job_not_just_the_one_polled() -> None:
    run = make_run(["a", "b"])
    step, error = poll(run, status_error(429, **{"retry-after": "30"}), 101.0)
    assert (step.pause_all, error) == (30.0, None)
    assert run.not_before == 131.0
    # b has been due since 100, but no job is polled before 131.
    assert run.queue.next_due() == 100.0
    assert not run.due_now(130.0) and run.due_now(131.0)
    assert run.sleep_for(101.0) == 30.0
    # A shorter pause later does not shorten it; a 503's hint pauses no other job.
    poll(run, status_error(429, **{"retry-after": "5"}), 102.0)
    assert run.not_before == 131.0
    poll(run, status_error(503, **{"retry-after": "60"}), 103.0)
    assert run.not_before == 131.0


# --- settling a poll -------------------------------------------------------------------------------


def test_a_job_that_moves_on_is_due_again_after_its_jittered_delay() -> None:
    run = make_run(["a", "b"], rand=half)
    seen = job("a", progress=12.5)
    step, error = poll(run, seen, 101.0)
    assert error is None and step.error is None and step.finished is None
    assert step.notify and step.delay == pytest.approx(1.9)
    assert run.trackers["a"] is step.tracker
    assert (step.tracker.job, step.tracker.polls) == (seen, 1)
    assert step.tracker.due == pytest.approx(102.9)
    assert list(run.pending) == ["a", "b"] and run.jobs == {}
    assert drain(run.queue) == [("b", 100.0), ("a", pytest.approx(102.9))]


def test_a_finished_job_is_recorded_and_leaves_the_run() -> None:
    run = make_run(["a", "b"])
    done = job("a", "COMPLETED", progress=100.0)
    step, error = poll(run, done, 101.0)
    assert (step.finished, error) == (done, None)
    assert run.jobs == {"a": done} and list(run.pending) == ["b"]
    assert drain(run.queue) == [("b", 100.0)]  # a is not polled again


def test_in_a_wait_on_many_an_error_is_collected_with_a_note_and_the_rest_go_on() -> None:
    run = make_run(["a", "b"])
    gone = status_error(404)
    step, error = poll(run, gone, 101.0)
    assert (step.error, error) == (gone, None)
    assert run.errors == {"a": gone} and run.jobs == {}
    assert gone.__notes__ == ["while waiting for batch a"]
    assert list(run.pending) == ["b"]
    assert drain(run.queue) == [("b", 100.0)]


@pytest.mark.parametrize(
    ("ids", "single", "code"), [(["a"], True, 404), (["a", "b"], False, 401), (["a"], True, 401)]
)
def test_a_single_waits_error_or_a_bad_key_is_raised_not_collected(
    ids: list[str], single: bool, code: int
) -> None:
    # The engine raises it once the callbacks are made: a bad key ends every job's wait.
    run = make_run(ids, single=single)
    failed = status_error(code)
    step, error = poll(run, failed, 101.0)
    assert step.error is failed and error is failed
    assert not hasattr(failed, "__notes__")  # the error is the caller's own: no note
    assert run.errors == {} and list(run.pending) == ids


def test_a_failed_terminal_job_under_raise_on_failure_is_an_error_of_many() -> None:
    run = make_run(["a", "b"], raise_on_failure=True)
    step, error = poll(run, job("a", "FAILED", error="boom"), 101.0)
    assert error is None and step.finished is None
    assert list(run.errors) == ["a"] and run.jobs == {}
    assert run.errors["a"].__notes__ == ["while waiting for batch a"]


# --- the deadline the jobs share -------------------------------------------------------------------


def test_the_deadline_follows_the_latest_of_the_unfinished_jobs() -> None:
    run = make_run(["a", "b"])  # timeout=None: each job's own deadline, the cap at first
    assert run.deadline == 100.0 + CAP
    poll(run, job("a", job_deadline=NOW + H), 101.0)  # a: 101 + 1 h + 10 min
    assert run.trackers["a"].deadline == 101.0 + 4200
    assert run.deadline == 100.0 + CAP  # b, not seen yet, still has the cap
    poll(run, job("b", job_deadline=NOW + 2 * H), 102.0)  # b was the latest: it moved in
    assert run.deadline == 102.0 + 7800
    poll(run, job("a", job_deadline=NOW + 5 * H), 103.0)  # a moves out past b
    assert run.deadline == 103.0 + 18600
    poll(run, job("b", job_deadline=NOW + 3 * H), 104.0)  # b moves, but a is still later
    assert run.deadline == 103.0 + 18600
    poll(run, job("a", "COMPLETED", job_deadline=NOW + 5 * H), 105.0)  # the latest ends
    assert run.deadline == 104.0 + 11400
    poll(run, job("b", "COMPLETED", job_deadline=NOW + 3 * H), 106.0)
    # The last job ended: the deadline stays as it was (not -inf, "long past").
    assert run.pending == {} and run.deadline == 104.0 + 11400


def test_a_job_that_fails_takes_its_deadline_out_of_the_run() -> None:
    run = make_run(["a", "b"])
    poll(run, job("a", job_deadline=NOW + H), 101.0)
    poll(run, status_error(404), 102.0)  # b (at the cap) ends
    assert run.deadline == 101.0 + 4200


def test_under_a_timeout_the_deadline_never_moves() -> None:
    run = make_run(["a", "b"], timeout=50.0)
    poll(run, job("a", job_deadline=NOW + H), 101.0)
    poll(run, job("b", "COMPLETED"), 102.0)
    assert run.trackers["a"].deadline == run.deadline == 150.0
    poll(run, status_error(404), 103.0)
    assert run.deadline == 150.0


# --- the callbacks ---------------------------------------------------------------------------------


def on_progress(job: BatchJob) -> None:  # pragma: no cover - only compared, never called
    raise AssertionError


def on_poll_error(failure: Any) -> None:  # pragma: no cover - only compared, never called
    raise AssertionError


@pytest.mark.parametrize(
    ("callbacks", "outcomes", "expected"),
    [
        # The first job seen is news; the same again is not; a move is.
        ({"on_progress": on_progress}, [job("a")], ["on_progress"]),
        ({"on_progress": on_progress}, [job("a"), job("a")], []),
        ({"on_progress": on_progress}, [job("a"), job("a", progress=5.0)], ["on_progress"]),
        ({"on_progress": on_progress}, [status_error(503)], []),  # no job seen
        ({"on_poll_error": on_poll_error}, [status_error(503)], ["on_poll_error"]),
        ({"on_poll_error": on_poll_error}, [job("a")], []),
        ({"on_poll_error": on_poll_error}, [status_error(404)], []),  # not survived
        ({}, [job("a")], []),
        ({}, [status_error(503)], []),
    ],
)
def test_callbacks_follow_what_the_last_poll_said(
    callbacks: dict[str, Any], outcomes: list[P.Outcome], expected: list[str]
) -> None:
    run = make_run(["a"], single=True, **callbacks)
    for at, outcome in enumerate(outcomes, start=101):
        step, _ = poll(run, outcome, float(at))
    calls = run.callbacks(step)
    assert [name for name, _, _ in calls] == expected
    for name, callback, arg in calls:
        assert callback is callbacks[name]
        assert arg is (step.tracker.job if name == "on_progress" else step.failure)


def test_a_failed_poll_after_a_job_was_seen_calls_back_on_poll_error_only() -> None:
    run = make_run(["a"], single=True, on_progress=on_progress, on_poll_error=on_poll_error)
    poll(run, job("a"), 101.0)
    step, _ = poll(run, status_error(503), 102.0)
    assert run.callbacks(step) == [("on_poll_error", on_poll_error, step.failure)]


def test_callbacks_come_progress_first() -> None:
    run = make_run(["a"], on_progress=on_progress, on_poll_error=on_poll_error)
    seen = dataclasses.replace(P.start("a", run.options, 0.0), job=job("a"))
    failure = PollFailure("a", APITimeoutError(), 1, 2.0)
    step = P.Step(seen, notify=True, failure=failure)
    assert run.callbacks(step) == [
        ("on_progress", on_progress, seen.job),
        ("on_poll_error", on_poll_error, failure),
    ]

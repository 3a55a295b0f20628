"""The waiter's decisions (the wait core: `_wait.options`, `_wait.state`, `_wait.core`), as
tables: no I/O, no clock, no event loop."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    BatchCancelledError,
    BatchErrorGroup,
    BatchFailedError,
    BatchJob,
    BatchStatus,
    InvalidFieldError,
    NotFoundError,
    TogetherError,
    WaitTimeoutError,
)
from together_batches._exceptions import status_error_class

from . import _wait_core as P

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
OPTS = P.WaitOptions()  # 2 s growing x1.5 to 60 s


def zero() -> float:
    return 0.0


def status_error(code: int, **headers: str) -> Exception:
    response = httpx.Response(code, headers=headers, request=httpx.Request("GET", "https://x/"))
    return status_error_class(code)("nope", response=response, body=None)


def make_job(status: str = "IN_PROGRESS", progress: float = 0.0, **kw: Any) -> BatchJob:
    return BatchJob(id="b1", status=BatchStatus(status), progress=progress, **kw)


def test_defaults_follow_the_api_advice() -> None:
    assert (P.DEFAULT_POLL_INTERVAL, P.DEFAULT_MAX_POLL_INTERVAL) == (2.0, 60.0)
    grace, cap = P.DEADLINE_GRACE, P.DEFAULT_WAIT_CAP
    assert grace == dt.timedelta(minutes=10) and cap == 25 * 3600
    assert P.CANCEL_TIMEOUT == 5.0 and P.DEFAULT_MAX_CONCURRENCY == 8


@pytest.mark.parametrize(
    ("previous", "changed", "expected"),
    [
        (None, False, 2.0),  # first poll
        (None, True, 2.0),
        (2.0, False, 3.0),  # nothing moved: grow x1.5
        (3.0, False, 4.5),
        (4.5, False, 6.75),
        (50.0, False, 60.0),  # capped
        (60.0, False, 60.0),
        (60.0, True, 2.0),  # moved: back to the short interval
        (0.5, False, 3.0),  # never below poll_interval
    ],
)
def test_next_interval(previous: float | None, changed: bool, expected: float) -> None:
    assert P.next_interval(previous, changed=changed, options=OPTS) == expected


def test_the_schedule_reaches_the_cap_in_about_three_and_a_half_minutes() -> None:
    interval: float | None = None
    total, steps = 0.0, 0
    while interval != 60.0:
        interval = P.next_interval(interval, changed=False, options=OPTS)
        total += interval
        steps += 1
    assert steps == 10 and 200 < total < 220


@pytest.mark.parametrize(
    ("interval", "hint", "rand", "expected"),
    [
        (10.0, None, 0.0, 10.0),
        (10.0, None, 0.5, 9.5),  # jitter takes up to 10 % off
        (10.0, None, 0.999, 9.001),
        (10.0, 5.0, 0.0, 10.0),  # a shorter hint does not speed polling up
        (10.0, 20.0, 0.0, 20.0),  # a longer one is honoured
        (10.0, 9.6, 0.5, 9.6),
        (2.0, 0.0, 0.0, 2.0),
    ],
)
def test_poll_delay(interval: float, hint: float | None, rand: float, expected: float) -> None:
    assert P.poll_delay(interval, hint, lambda: rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (APIConnectionError("reset"), True),
        (APITimeoutError(), True),
        (APIResponseValidationError("not JSON", status_code=200, body="<html>"), True),
        (status_error(408), True),
        (status_error(429), True),
        (status_error(500), True),
        (status_error(503), True),
        (status_error(520), True),
        (status_error(599), True),
        (status_error(501), False),  # Not Implemented: asking again will not help
        (status_error(505), False),  # HTTP Version Not Supported: likewise
        (status_error(400), False),
        (status_error(401), False),
        (status_error(403), False),
        (status_error(404), False),
        (status_error(409), False),
        (status_error(499), False),
        # the server's x-should-retry overrides the status (a poll is safe to resend)
        (status_error(503, **{"x-should-retry": "false"}), False),
        (status_error(429, **{"x-should-retry": "false"}), False),
        (status_error(404, **{"x-should-retry": "true"}), True),
        (status_error(501, **{"x-should-retry": "true"}), True),
        (status_error(404, **{"x-should-retry": "maybe"}), False),
        (TogetherError("other"), False),
        (ValueError("bad input"), False),
    ],
)
def test_is_transient(exc: Exception, transient: bool) -> None:
    assert P.is_transient(exc) is transient


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (status_error(429, **{"retry-after": "7"}), 7.0),
        (status_error(503, **{"retry-after-ms": "1500"}), 1.5),
        (status_error(503, **{"retry-after": "Mon, 15 Jan 2024 14:31:00 GMT"}), 60.0),
        (status_error(429), None),
        (status_error(429, **{"x-ratelimit-reset": "12"}), 12.0),  # a 429's reset
        (status_error(429, **{"x-ratelimit-reset": "12", "retry-after": "3"}), 3.0),
        (status_error(429, **{"x-ratelimit-reset": "1705329030"}), 30.0),  # a Unix time
        (status_error(503, **{"x-ratelimit-reset": "12"}), None),  # only a 429's
        (APIConnectionError(), None),
    ],
)
def test_retry_hint(exc: Exception, expected: float | None) -> None:
    assert P.retry_hint(exc, NOW) == expected


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("COMPLETED", None),
        ("FAILED", BatchFailedError),
        ("EXPIRED", BatchFailedError),
        ("CANCELLED", BatchCancelledError),
        ("IN_PROGRESS", None),
    ],
)
def test_terminal_error(status: str, error: type[Exception] | None) -> None:
    found = P.terminal_error(make_job(status, error="x"))
    assert (type(found) if found is not None else None) is error


@pytest.mark.parametrize(
    ("previous", "job", "changed"),
    [
        (None, make_job(), True),
        (make_job(), make_job(), False),
        (make_job(progress=1), make_job(progress=2), True),
        (make_job("VALIDATING"), make_job("IN_PROGRESS"), True),
        (make_job(model_id="a"), make_job(model_id="b"), False),  # only status and progress
    ],
)
def test_has_changed(previous: BatchJob | None, job: BatchJob, changed: bool) -> None:
    assert P.has_changed(previous, job) is changed


H = dt.timedelta(hours=1)
END_OF_TIME = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        (None, 100.0 + 25 * 3600),  # nothing known: the cap from the start
        (make_job(), 100.0 + 25 * 3600),
        (make_job(job_deadline=NOW + H), 500.0 + 3600 + 600),  # deadline + 10 min grace
        (make_job(job_deadline=NOW - H), 500.0 - 3600 + 600),  # long expired: in the past
        (make_job(created_at=NOW - 23 * H), 500.0 + 3600 + 600),  # created + 24 h + grace
        (make_job(job_deadline=NOW, created_at=NOW - 48 * H), 500.0 + 600),  # deadline wins
        # A malformed timestamp is no deadline: the next rule applies, nothing raises.
        (make_job(job_deadline="soon", created_at=NOW - 23 * H), 500.0 + 3600 + 600),
        (make_job(job_deadline="soon", created_at="then"), 100.0 + 25 * 3600),
        # A date at the end of the calendar cannot take the grace: it counts as absent.
        (make_job(job_deadline=END_OF_TIME), 100.0 + 25 * 3600),
        (make_job(job_deadline=END_OF_TIME, created_at=NOW - 23 * H), 500.0 + 3600 + 600),
        (make_job(created_at=END_OF_TIME), 100.0 + 25 * 3600),
    ],
)
def test_default_deadline(job: BatchJob | None, expected: float) -> None:
    assert P.default_deadline(job, started=100.0, mono_now=500.0, wall_now=NOW) == expected


def test_default_deadline_of_a_date_that_cannot_be_read() -> None:
    # Date-times are parsed when read: the deadline arithmetic never lets that read end a
    # wait, and the read's error is no HTTP-layer error (no status, no response).
    job = BatchJob._trusted({"id": "b1", "status": "IN_PROGRESS", "job_deadline": "soon"})
    with pytest.raises(InvalidFieldError) as caught:
        _ = job.job_deadline
    assert isinstance(caught.value, ValueError)
    assert not isinstance(caught.value, APIStatusError | APIResponseValidationError)
    assert P.default_deadline(job, started=100.0, mono_now=500.0, wall_now=NOW) == 90100.0


@pytest.mark.parametrize(
    ("due", "deadline", "now", "sleep"),
    [
        (105.0, 200.0, 100.0, 5.0),
        (250.0, 200.0, 100.0, 100.0),  # never past the deadline
        (90.0, 200.0, 100.0, 0.0),  # overdue: no sleep
        (math.inf, 200.0, 100.0, 100.0),
        (105.0, 99.0, 100.0, 0.0),
    ],
)
def test_sleep_seconds(due: float, deadline: float, now: float, sleep: float) -> None:
    assert P.sleep_seconds(due, deadline, now) == sleep


@pytest.mark.parametrize(
    ("deadline", "now", "left", "past"),
    [
        (110.0, 100.0, 10.0, False),
        (100.0, 100.0, 0.0, True),
        (90.0, 100.0, 0.0, True),
        (100.0004, 100.0, 0.0004, True),
        (100.01, 100.0, 0.01, False),
    ],
)
def test_seconds_left_and_is_past(deadline: float, now: float, left: float, past: bool) -> None:
    assert P.seconds_left(deadline, now) == pytest.approx(left)
    assert P.is_past(deadline, now) is past


def test_after_poll_backs_off_and_resets() -> None:
    tracker = P.start("b1", OPTS, 100.0)
    assert (tracker.due, tracker.deadline) == (100.0, 100.0 + P.DEFAULT_WAIT_CAP)
    delays = []
    for progress in [0, 0, 0, 5, 5]:
        polled_at = tracker.due
        step = P.after_poll(
            tracker,
            make_job(progress=progress, job_deadline=NOW + H),
            OPTS,
            mono_now=polled_at,
            wall_now=NOW,
            rand=zero,
        )
        tracker = step.tracker
        delays.append(step.delay)
        assert step.finished is None and step.error is None
        assert tracker.due == polled_at + step.delay
    assert delays == [2.0, 3.0, 4.5, 2.0, 3.0]
    assert tracker.polls == 5 and tracker.failures == 0
    # timeout=None: the deadline is the job's now (relative to the last poll's clocks).
    assert tracker.deadline == pytest.approx(tracker.due - 3.0 + 3600 + 600)


@pytest.mark.parametrize(
    ("outcome", "notify", "delay", "error", "abort", "pause"),
    [
        (make_job(), True, 2.0, None, False, 0.0),
        (status_error(503), False, 2.0, None, False, 0.0),
        (status_error(429, **{"retry-after": "30"}), False, 30.0, None, False, 30.0),
        (status_error(404), False, 0.0, NotFoundError, False, 0.0),
        (status_error(401), False, 0.0, status_error_class(401), True, 0.0),
        (ValueError("bug"), False, 0.0, ValueError, False, 0.0),
    ],
)
def test_after_poll_outcomes(
    outcome: Any, notify: bool, delay: float, error: type | None, abort: bool, pause: float
) -> None:
    step = P.after_poll(
        P.start("b1", OPTS, 0.0), outcome, OPTS, mono_now=1.0, wall_now=NOW, rand=zero
    )
    assert (step.notify, step.delay, step.abort, step.pause_all) == (notify, delay, abort, pause)
    assert (type(step.error) if step.error else None) is error
    assert step.tracker.polls == 1
    assert step.tracker.failures == (1 if isinstance(outcome, Exception) and not error else 0)


@pytest.mark.parametrize(
    ("status", "raise_on_failure", "finished", "error"),
    [
        ("COMPLETED", False, True, None),
        ("COMPLETED", True, True, None),
        ("FAILED", False, True, None),
        ("FAILED", True, False, BatchFailedError),
        ("EXPIRED", True, False, BatchFailedError),
        ("CANCELLED", True, False, BatchCancelledError),
        ("CANCELING", True, False, None),  # not terminal yet
        ("SOMETHING_NEW", True, False, None),
    ],
)
def test_after_poll_terminal(
    status: str, raise_on_failure: bool, finished: bool, error: type | None
) -> None:
    options = P.WaitOptions(raise_on_failure=raise_on_failure, timeout=60.0)
    step = P.after_poll(
        P.start("b1", options, 0.0),
        make_job(status),
        options,
        mono_now=1.0,
        wall_now=NOW,
        rand=zero,
    )
    assert (step.finished is not None) is finished
    assert (type(step.error) if step.error else None) is error
    assert step.tracker.deadline == 60.0  # a timeout is kept as given
    assert step.notify


def test_timeout_error_for_one_and_for_many() -> None:
    last = make_job(progress=40)
    one = evolve(P.start("b1", OPTS, 0.0), job=last, polls=7, failures=2)
    err = P.timeout_error([one], P.WaitOptions(timeout=30.0), single=True)
    assert isinstance(err, WaitTimeoutError) and isinstance(err, TimeoutError)
    assert (err.job, err.polls, err.pending) == (last, 7, {"b1": last})
    assert (
        str(err) == "batch b1 not finished within 30s (last status IN_PROGRESS, 7 polls, 2 failed)"
    )
    other = P.start("b2", OPTS, 0.0)
    many = P.timeout_error([one, other], OPTS, single=False)
    assert many.job is None and many.pending == {"b1": last, "b2": None} and many.polls == 7
    assert "2 batches" in str(many) and "deadlines plus grace" in str(many)


def evolve(tracker: P.Tracker, **changes: Any) -> P.Tracker:
    return dataclasses.replace(tracker, **changes)


def test_shared_deadline() -> None:
    a, b = P.start("a", OPTS, 0.0), evolve(P.start("b", OPTS, 0.0), deadline=5.0)
    assert P.shared_deadline([a, b]) == a.deadline
    assert P.shared_deadline([b]) == 5.0
    assert P.shared_deadline([]) == -math.inf


def test_final_error_and_the_group() -> None:
    assert P.final_error(["a"], {}, {"a": make_job()}) is None
    gone, failed = status_error(404), BatchFailedError(make_job("FAILED"))
    group = P.final_error(["x", "b", "a"], {"a": gone, "b": failed}, {"x": make_job()})
    assert isinstance(group, BatchErrorGroup) and isinstance(group, TogetherError)
    assert list(group.errors) == ["b", "a"] and list(group.exceptions) == [failed, gone]
    assert str(group).startswith("2 of 3 batch waits failed (b: BatchFailedError, a: NotFound")
    matched, rest = group.split(NotFoundError)
    assert isinstance(matched, BatchErrorGroup) and matched.errors == {"a": gone}
    assert isinstance(rest, BatchErrorGroup) and rest.errors == {"b": failed}
    assert matched.jobs == rest.jobs == group.jobs


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"timeout": 0}, ValueError),
        ({"timeout": -5}, ValueError),
        ({"timeout": math.inf}, ValueError),
        ({"timeout": "10"}, TypeError),
        ({"timeout": True}, TypeError),
        ({"poll_interval": 0}, ValueError),
        ({"poll_interval": 5, "max_poll_interval": 4}, ValueError),
        ({"request_timeout": 0}, ValueError),
        ({"max_concurrency": 0}, ValueError),
        ({"max_concurrency": 2.5}, TypeError),
        ({"on_progress": 3}, TypeError),
    ],
)
def test_make_options_rejects(kwargs: dict[str, Any], error: type[Exception]) -> None:
    args: dict[str, Any] = {
        "timeout": None,
        "poll_interval": 2.0,
        "max_poll_interval": 60.0,
        "raise_on_failure": False,
        "cancel_on_timeout": False,
        "request_timeout": None,
    }
    with pytest.raises(error):
        P.make_options(**{**args, **kwargs})


def test_make_options_accepts() -> None:
    options = P.make_options(
        timeout=10,
        poll_interval=1,
        max_poll_interval=1,
        raise_on_failure=True,
        cancel_on_timeout=True,
        request_timeout=httpx.Timeout(3.0),
        max_concurrency=2,
        on_progress=print,
    )
    assert options.timeout == 10.0 and options.poll_interval == options.max_poll_interval == 1.0
    assert options.request_timeout == httpx.Timeout(3.0)


@pytest.mark.parametrize(
    ("ids", "result"),
    [
        (["a", "b", "a"], ["a", "b", "a"]),
        (("a",), ["a"]),
        ([], []),
        ("abc", TypeError),
        (5, TypeError),
        (["a", 5], TypeError),
        (["a", ".."], ValueError),
        ([""], ValueError),
    ],
)
def test_check_ids(ids: Any, result: Any) -> None:
    if isinstance(result, list):
        assert P.check_ids(ids) == result
    else:
        with pytest.raises(result):
            P.check_ids(ids)


def test_due_queue() -> None:
    queue = P.DueQueue()
    assert len(queue) == 0 and queue.next_due() == math.inf
    for key, due in [("a", 5.0), ("b", 1.0), ("c", 5.0), ("d", 3.0)]:
        queue.push(key, due)
    assert queue.next_due() == 1.0
    assert [queue.pop() for _ in range(4)] == ["b", "d", "a", "c"]  # ties: first queued
    with pytest.raises(IndexError):
        queue.pop()

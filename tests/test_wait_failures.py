"""Failed polls in the wait core: the streak of failures a job's wait counts, what
`on_poll_error` gets, and the lines `log_poll` writes (DEBUG per poll, WARNING per streak of
`WARN_AFTER_FAILURES`). Pure: time passed in, `rand` injected, the log read with caplog."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx
import pytest

from together_batches import BatchJob, BatchStatus
from together_batches._exceptions import status_error_class

from . import _wait_core as P

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
DEBUG, WARNING = logging.DEBUG, logging.WARNING


def zero() -> float:
    return 0.0


def half() -> float:
    return 0.5  # takes 5 % off each delay


def job(status: str = "IN_PROGRESS", progress: float = 0.0) -> BatchJob:
    return BatchJob(id="a", status=BatchStatus(status), progress=progress)


def status_error(code: int) -> Exception:
    response = httpx.Response(code, request=httpx.Request("GET", "https://x/"))
    return status_error_class(code)("nope", response=response, body=None)


def test_the_streak_counts_failures_in_a_row_and_a_job_seen_starts_it_again() -> None:
    assert P.WARN_AFTER_FAILURES == 5
    tracker = P.start("a", P.WaitOptions(), 0.0)
    outcomes: list[P.Outcome] = [status_error(503), status_error(503), job()]
    outcomes += [status_error(500)] * 11
    seen: list[tuple[int | None, bool]] = []
    for at, outcome in enumerate(outcomes, start=1):
        step = P.after_poll(
            tracker, outcome, P.WaitOptions(), mono_now=float(at), wall_now=NOW, rand=zero
        )
        tracker = step.tracker
        if step.failure is None:
            assert tracker.streak == 0 and not step.warn
            seen.append((None, step.warn))
            continue
        assert step.failure.consecutive == tracker.streak
        assert step.failure.batch_job_id == "a" and step.failure.error is outcome
        seen.append((step.failure.consecutive, step.warn))
    assert seen == [(1, False), (2, False), (None, False)] + [
        (n, n in (5, 10)) for n in range(1, 12)
    ]
    assert (tracker.polls, tracker.failures) == (14, 13)


@pytest.mark.parametrize(
    ("timeout", "at", "retry_in"),
    [
        (None, 1.0, 2.0),  # the delay, the deadline being far
        (100.0, 1.0, 2.0),
        (3.0, 2.5, 0.5),  # never past the wait's deadline
        (3.0, 3.5, 0.0),
    ],
)
def test_a_failure_says_when_the_job_is_polled_again(
    timeout: float | None, at: float, retry_in: float
) -> None:
    options = P.WaitOptions(timeout=timeout)
    step = P.after_poll(
        P.start("a", options, 0.0), status_error(503), options, mono_now=at, wall_now=NOW,
        rand=zero,
    )  # fmt: skip
    assert step.failure is not None
    assert step.failure.retry_in == retry_in
    assert step.tracker.due == at + 2.0


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "together_batches"]


@pytest.mark.parametrize(
    ("outcomes", "line"),
    [
        ([job(progress=12.5)], "poll 1 of batch a: IN_PROGRESS, 12.5%; next poll in 1.90s"),
        ([job(), job()], "poll 2 of batch a: IN_PROGRESS, 0%; next poll in 2.85s"),
        ([job("COMPLETED", 100.0)], "poll 1 of batch a: COMPLETED, 100%; done"),
        ([job("FAILED")], "poll 1 of batch a: FAILED, 0%; done"),
        ([job(progress=1e20)], "poll 1 of batch a: IN_PROGRESS, 1e+20%; next poll in 1.90s"),
        # A progress that cannot be read is unknown, not a failed poll.
        ([BatchJob.from_dict({"id": "a", "status": "IN_PROGRESS", "progress": "50.0"})],
         "poll 1 of batch a: IN_PROGRESS, ?%; next poll in 1.90s"),
        ([status_error(503)],
         "poll 1 of batch a: failed: InternalServerError: nope (HTTP 503); next poll in 1.90s"),
        ([status_error(404)], "poll 1 of batch a: failed: NotFoundError: nope (HTTP 404); done"),
        ([ValueError("bug")], "poll 1 of batch a: failed: ValueError: bug; done"),
    ],
)  # fmt: skip
def test_each_poll_is_one_debug_line(
    outcomes: list[P.Outcome], line: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(DEBUG, logger="together_batches")
    run = P.WaitCore(["a"], P.WaitOptions(), single=True, mono_now=0.0, rand=half)
    for at, outcome in enumerate(outcomes, start=1):
        caplog.clear()
        run.settle(run.queue.pop(), outcome, mono_now=float(at), wall_now=NOW)
    assert logged(caplog) == [(DEBUG, line)]


def test_a_failed_terminal_job_under_raise_on_failure_is_logged_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(DEBUG, logger="together_batches")
    options = P.WaitOptions(raise_on_failure=True)
    step = P.after_poll(
        P.start("a", options, 0.0), job("CANCELLED"), options, mono_now=1.0, wall_now=NOW,
        rand=zero,
    )  # fmt: skip
    assert step.error is not None and step.finished is None
    P.log_poll(step, job("CANCELLED"))
    assert logged(caplog) == [(DEBUG, "poll 1 of batch a: CANCELLED, 0%; done")]


def test_every_fifth_failure_in_a_row_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(DEBUG, logger="together_batches")
    run = P.WaitCore(["a"], P.WaitOptions(), single=False, mono_now=0.0, rand=half)
    outcomes: list[Any] = [job()] + [status_error(503)] * 4 + [status_error(500)]
    warnings: list[list[str]] = []
    for at, outcome in enumerate(outcomes, start=1):
        caplog.clear()
        run.settle(run.queue.pop(), outcome, mono_now=float(at), wall_now=NOW)
        warnings.append([m for level, m in logged(caplog) if level == WARNING])
        assert [level for level, _ in logged(caplog)][:1] == [DEBUG]  # the poll's line first
    # Intervals 2, 3, 4.5, 6.75, 10.125, 15.1875, less 5 %: the fifth failure's wait is 14.4 s.
    assert warnings == [[]] * 5 + [[
        "batch a: 5 polls in a row failed, the last with InternalServerError: nope (HTTP 500); "
        "still waiting (next poll in 14s)"
    ]]  # fmt: skip


def test_no_warning_without_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(DEBUG, logger="together_batches")
    tracker = P.Tracker("a", started=0.0, deadline=10.0, due=0.0, polls=1)
    P.log_poll(P.Step(tracker, warn=True, delay=2.0), job())
    assert logged(caplog) == [(DEBUG, "poll 1 of batch a: IN_PROGRESS, 0%; next poll in 2.00s")]

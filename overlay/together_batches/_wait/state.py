"""One job's wait as a state machine: what follows each poll, and the wait's deadline.

Part of the wait core (`_wait.options`, `_wait.state`, `_wait.schedule`, `_wait.core`): pure,
no I/O. After each poll `after_poll` decides, from the `Tracker` (where the wait stands) and
the poll's outcome, the next `Step`: how long to sleep, whether the job is done, whether an
error is survived, and when the wait's deadline is. Table-tested in tests/test_polling.py.

Time is passed in, never read: `mono_now` is a monotonic reading, `wall_now` the
timezone-aware wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeGuard

import httpx

from .._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BatchCancelledError,
    BatchFailedError,
    InvalidFieldError,
    RateLimitError,
    TogetherError,
)
from .._http.deadlines import sleep_seconds
from .._http.retry import RETRYABLE_STATUSES, parse_retry_after
from .._models import BatchJob, readable_progress
from .callbacks import PollFailure
from .options import (
    BACKOFF_FACTOR,
    COMPLETION_WINDOW,
    DEADLINE_GRACE,
    DEFAULT_WAIT_CAP,
    JITTER,
    WARN_AFTER_FAILURES,
    WaitOptions,
)

__all__ = [
    "Step",
    "Tracker",
    "after_poll",
    "default_deadline",
    "has_changed",
    "is_transient",
    "next_interval",
    "poll_delay",
    "retry_hint",
    "start",
    "terminal_error",
]


@dataclass(frozen=True, slots=True)
class Tracker:
    """Where the wait on one job stands (replaced, never changed, after each poll).

    Attributes:
        batch_job_id: The job's id.
        started: When the wait began (monotonic seconds).
        deadline: When it ends (monotonic seconds).
        due: When to poll next (monotonic seconds).
        interval: The current backoff interval before jitter (None before the first poll).
        job: The last job seen, or None.
        polls: Polls made, failed ones included.
        failures: Polls that failed with a survivable error.
        streak: Polls that failed in a row, up to the last one (0 once one answers).
    """

    batch_job_id: str
    started: float
    deadline: float
    due: float
    interval: float | None = None
    job: BatchJob | None = None
    polls: int = 0
    failures: int = 0
    streak: int = 0


def start(batch_job_id: str, options: WaitOptions, mono_now: float) -> Tracker:
    """The wait on one job before its first poll, which is due at once."""
    span = options.timeout if options.timeout is not None else DEFAULT_WAIT_CAP
    return Tracker(batch_job_id, started=mono_now, deadline=mono_now + span, due=mono_now)


@dataclass(frozen=True, slots=True)
class Step:
    """What to do after a poll.

    Attributes:
        tracker: The job's new state.
        notify: Call `on_progress(tracker.job)`: the first job seen, or status/progress moved.
        finished: The terminal job, to hand to the caller; this job's wait is over.
        error: End this job's wait with this error (not survivable, or `raise_on_failure`).
        abort: The error is not this job's alone (a bad key): end every wait at once.
        delay: Seconds until the next poll of this job (0 when its wait is over).
        pause_all: Rate limited: no poll of any job before this many seconds (0 for none).
        failure: The poll failed and the wait goes on: what `on_poll_error` gets.
        warn: That failure makes a streak worth a WARNING (see `WARN_AFTER_FAILURES`).
    """

    tracker: Tracker
    notify: bool = False
    finished: BatchJob | None = None
    error: Exception | None = None
    abort: bool = False
    delay: float = 0.0
    pause_all: float = 0.0
    failure: PollFailure | None = None
    warn: bool = False


def has_changed(previous: BatchJob | None, job: BatchJob) -> bool:
    """Whether `job` is news: the first seen, or its status or progress moved."""
    # A progress the server sent as something else than a number is unknown (None), not a
    # failed poll: the wait reads only what it needs.
    return (
        previous is None
        or previous.status != job.status
        or readable_progress(previous) != readable_progress(job)
    )


def next_interval(previous: float | None, *, changed: bool, options: WaitOptions) -> float:
    """The backoff interval (before jitter) after a poll.

    Args:
        previous: The interval used last, None before the first poll.
        changed: The job moved: go back to the short interval to follow it closely.
        options: `poll_interval` and `max_poll_interval`.

    Returns:
        `poll_interval` on a change or at the start, else the previous one grown by
        `BACKOFF_FACTOR`, capped at `max_poll_interval`.
    """
    if changed or previous is None:
        return options.poll_interval
    return min(options.max_poll_interval, max(previous, options.poll_interval) * BACKOFF_FACTOR)


def poll_delay(interval: float, hint: float | None, rand: Callable[[], float]) -> float:
    """Seconds to sleep before the next poll (the deadline is applied by `sleep_seconds`).

    Args:
        interval: The backoff interval.
        hint: The server's `retry-after`, if any.
        rand: A source of floats in [0, 1).

    Returns:
        The interval less up to `JITTER` of it at random, or the hint when that is longer.
    """
    jittered = interval * (1.0 - JITTER * rand())
    return hint if hint is not None and hint > jittered else jittered


def is_transient(exc: BaseException) -> TypeGuard[TogetherError]:
    """Whether a failed poll is survived (the wait goes on) rather than raised.

    Connection errors and timeouts, the statuses a request is retried on (408, 429, and
    5xx but 501 and 505: `_http.retry.RETRYABLE_STATUSES`) and a 2xx whose body is not a job are
    the server's passing trouble; 400, 401, 403, 404 and other 4xx, 501 Not Implemented, 505,
    and anything that is not a `TogetherError`, will not get better by asking again.
    """
    if isinstance(exc, APIConnectionError | APIResponseValidationError):
        return True
    if isinstance(exc, APIStatusError):
        return exc.status_code in RETRYABLE_STATUSES
    return False


def retry_hint(exc: BaseException, wall_now: dt.datetime) -> float | None:
    """The server's `retry-after-ms`/`retry-after` on an error response, in seconds."""
    response = getattr(exc, "response", None)
    if not isinstance(response, httpx.Response):
        return None
    return parse_retry_after(response.headers, wall_now)


def terminal_error(job: BatchJob) -> BatchFailedError | None:
    """The error `raise_on_failure=True` raises for a terminal job, None for COMPLETED."""
    if job.status is not None and job.status.is_cancelled:
        return BatchCancelledError(job)
    if job.status is not None and job.status.is_failure:
        return BatchFailedError(job)
    return None


def _wall_end(start: dt.datetime | None, span: dt.timedelta) -> dt.datetime | None:
    # A date the server sent may be near the end of the calendar (9999-12-31): one that
    # cannot be added to is no deadline, not a reason to end the wait.
    try:
        return None if start is None else start + span
    except OverflowError:
        return None


def _readable(read: Callable[[], dt.datetime | None]) -> dt.datetime | None:
    # Date-times are parsed when read: an unreadable one is no deadline either.
    try:
        return read()
    except InvalidFieldError:
        return None


def default_deadline(
    job: BatchJob | None, *, started: float, mono_now: float, wall_now: dt.datetime
) -> float:
    """The deadline of a wait with `timeout=None` (monotonic seconds).

    The API expires a job at its `job_deadline`, so waiting longer is pointless: the job's
    `job_deadline` plus `DEADLINE_GRACE`; without a usable one, `created_at` plus the 24 h
    `COMPLETION_WINDOW` plus the grace; with neither (or no job seen yet), `started` plus
    `DEFAULT_WAIT_CAP`. A date that cannot be read or added to counts as absent: it never
    ends the wait.
    """
    end = None
    if job is not None:
        end = _wall_end(_readable(lambda: job.job_deadline), DEADLINE_GRACE)
        if end is None:
            created = _readable(lambda: job.created_at)
            end = _wall_end(created, COMPLETION_WINDOW + DEADLINE_GRACE)
    if end is None:
        return started + DEFAULT_WAIT_CAP
    return mono_now + (end - wall_now).total_seconds()


def after_poll(
    tracker: Tracker,
    outcome: BatchJob | Exception,
    options: WaitOptions,
    *,
    mono_now: float,
    wall_now: dt.datetime,
    rand: Callable[[], float],
) -> Step:
    """Decide what follows a poll of one job.

    Args:
        tracker: The job's wait before the poll.
        outcome: The job read, or the error the poll raised.
        options: The wait's options.
        mono_now: Monotonic time after the poll.
        wall_now: Wall-clock time after the poll (for the job's deadline, HTTP-date hints).
        rand: Jitter source.

    Returns:
        The `Step`: a terminal job ends the wait (with an error under `raise_on_failure`); a
        survivable error backs off, honouring a longer `retry-after`; any other error ends
        this job's wait with it.
    """
    polls = tracker.polls + 1
    if isinstance(outcome, BatchJob):
        changed = has_changed(tracker.job, outcome)
        deadline = tracker.deadline
        if options.timeout is None:
            deadline = default_deadline(
                outcome, started=tracker.started, mono_now=mono_now, wall_now=wall_now
            )
        if outcome.status is not None and outcome.status.is_terminal:
            ended = replace(tracker, job=outcome, polls=polls, deadline=deadline)
            error = terminal_error(outcome) if options.raise_on_failure else None
            finished = outcome if error is None else None
            return Step(ended, notify=changed, finished=finished, error=error)
        interval = next_interval(tracker.interval, changed=changed, options=options)
        delay = poll_delay(interval, None, rand)
        moved = replace(
            tracker,
            job=outcome,
            polls=polls,
            deadline=deadline,
            interval=interval,
            due=mono_now + delay,
            streak=0,
        )
        return Step(moved, notify=changed, delay=delay)
    if not is_transient(outcome):
        ended = replace(tracker, polls=polls)
        return Step(ended, error=outcome, abort=isinstance(outcome, AuthenticationError))
    # Survived: keep backing off (the server is struggling, not the job moving).
    interval = next_interval(tracker.interval, changed=False, options=options)
    delay = poll_delay(interval, retry_hint(outcome, wall_now), rand)
    streak = tracker.streak + 1
    failed = replace(
        tracker,
        polls=polls,
        failures=tracker.failures + 1,
        interval=interval,
        due=mono_now + delay,
        streak=streak,
    )
    pause = delay if isinstance(outcome, RateLimitError) else 0.0
    retry_in = sleep_seconds(failed.due, failed.deadline, mono_now)
    failure = PollFailure(tracker.batch_job_id, outcome, streak, retry_in)
    warn = streak % WARN_AFTER_FAILURES == 0
    return Step(failed, delay=delay, pause_all=pause, failure=failure, warn=warn)

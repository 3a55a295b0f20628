"""How to wait for batch jobs: every decision, as pure functions with no I/O.

The waiters in `_waiter.py` (sync and async) send the polls, sleep and call back; what to
do after each poll (how long to sleep, whether the job is done, whether an error is survived,
when the wait's deadline is) is decided here, once, and table-tested in tests/test_polling.py.

Time is passed in, never read: `mono_now` is a monotonic reading (`_clock.monotonic()`),
`wall_now` the timezone-aware wall clock (`_clock.now()`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import httpx

from ._config import to_timeout
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BatchCancelledError,
    BatchErrorGroup,
    BatchFailedError,
    InvalidFieldError,
    RateLimitError,
    WaitTimeoutError,
)
from ._ids import check_id
from ._models import BatchJob
from ._retry import RETRYABLE_STATUSES, parse_retry_after

__all__ = [
    "CANCEL_TIMEOUT",
    "COMPLETION_WINDOW",
    "DEADLINE_GRACE",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_CAP",
    "DueQueue",
    "Step",
    "Tracker",
    "WaitOptions",
    "after_poll",
    "check_ids",
    "default_deadline",
    "final_error",
    "has_changed",
    "is_past",
    "is_transient",
    "make_options",
    "next_interval",
    "poll_delay",
    "request_timeout",
    "retry_hint",
    "seconds_left",
    "shared_deadline",
    "sleep_seconds",
    "start",
    "terminal_error",
    "timeout_error",
]

# A short job is noticed within seconds; a long one settles at the API's advice of one poll
# every 30 to 60 s. 2 s growing x1.5 reaches 60 s on the tenth quiet poll, 3.5 minutes in.
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_MAX_POLL_INTERVAL = 60.0
BACKOFF_FACTOR = 1.5
# Up to this fraction is taken off each delay at random, so that many waiters started
# together (or one waiter's many jobs) do not poll in step.
JITTER = 0.1
# The API expires a job at its `job_deadline`; the status may take a while to show it.
DEADLINE_GRACE = dt.timedelta(minutes=10)
# The only completion window the API offers: job_deadline is about created_at + 24 h.
COMPLETION_WINDOW = dt.timedelta(hours=24)
# `timeout=None` before any job says when it expires: the window plus an hour of slack.
DEFAULT_WAIT_CAP = 25 * 3600.0
# Requests in flight at once when waiting on many jobs (async; the sync waiter sends one).
DEFAULT_MAX_CONCURRENCY = 8
# The best-effort cancel on a timeout or an interrupt: one attempt, this many seconds at most
# (for all the jobs of a wait together), so that Ctrl-C still ends the program promptly.
CANCEL_TIMEOUT = 5.0
# Less time left than this counts as none: no request can be answered in it, and it absorbs
# float rounding when a sleep ends exactly on the deadline.
_EPSILON = 1e-3

Timeout = float | httpx.Timeout | None


@dataclass(frozen=True, slots=True)
class WaitOptions:
    """The options of one wait, checked (see `make_options`).

    Attributes:
        timeout: Seconds for the whole wait, or None for the jobs' own deadlines.
        poll_interval: The first and shortest delay between polls of a job.
        max_poll_interval: The longest delay the backoff grows to.
        raise_on_failure: Raise `BatchFailedError` for FAILED/EXPIRED/CANCELLED.
        cancel_on_timeout: Cancel unfinished jobs on a timeout or an interrupt.
        request_timeout: Each poll's HTTP timeout (None: the client's), never past the
            deadline.
        max_concurrency: Polls in flight at once, for many jobs.
    """

    timeout: float | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL
    raise_on_failure: bool = False
    cancel_on_timeout: bool = False
    request_timeout: Timeout = None
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return float(value)


def make_options(
    *,
    timeout: float | None,
    poll_interval: float,
    max_poll_interval: float,
    raise_on_failure: bool,
    cancel_on_timeout: bool,
    request_timeout: Timeout,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    on_progress: Callable[[BatchJob], object] | None = None,
) -> WaitOptions:
    """Check a waiter's arguments, before anything is sent.

    Returns:
        The options.

    Raises:
        TypeError: An argument has the wrong type (`on_progress` not callable).
        ValueError: A time is not finite and > 0, `max_poll_interval < poll_interval`, or
            `max_concurrency < 1`.
    """
    interval = _positive("poll_interval", poll_interval)
    longest = _positive("max_poll_interval", max_poll_interval)
    if longest < interval:
        raise ValueError("max_poll_interval must be >= poll_interval")
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        raise TypeError("max_concurrency must be an int")
    if max_concurrency < 1:
        raise ValueError("max_concurrency must be >= 1")
    if on_progress is not None and not callable(on_progress):
        raise TypeError("on_progress must be callable")
    if request_timeout is not None and not isinstance(request_timeout, httpx.Timeout):
        request_timeout = _positive("request_timeout", request_timeout)
    return WaitOptions(
        timeout=None if timeout is None else _positive("timeout", timeout),
        poll_interval=interval,
        max_poll_interval=longest,
        raise_on_failure=bool(raise_on_failure),
        cancel_on_timeout=bool(cancel_on_timeout),
        request_timeout=request_timeout,
        max_concurrency=max_concurrency,
    )


def check_ids(batch_job_ids: object) -> list[str]:
    """The ids of a wait on many jobs, each checked, as a list in the order given.

    Raises:
        TypeError: `batch_job_ids` is a single str or not iterable, or an id is not a str.
        ValueError: An id is empty, `.` or `..`.
    """
    if isinstance(batch_job_ids, str | bytes) or not isinstance(batch_job_ids, Iterable):
        raise TypeError("batch_job_ids must be an iterable of ids (a list, not one str)")
    return [check_id(value) for value in batch_job_ids]


# --- one job's wait --------------------------------------------------------------------


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
    """

    batch_job_id: str
    started: float
    deadline: float
    due: float
    interval: float | None = None
    job: BatchJob | None = None
    polls: int = 0
    failures: int = 0


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
    """

    tracker: Tracker
    notify: bool = False
    finished: BatchJob | None = None
    error: Exception | None = None
    abort: bool = False
    delay: float = 0.0
    pause_all: float = 0.0


def has_changed(previous: BatchJob | None, job: BatchJob) -> bool:
    """Whether `job` is news: the first seen, or its status or progress moved."""
    return (
        previous is None
        or previous.status != job.status
        or previous.progress_percent != job.progress_percent
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


def is_transient(exc: BaseException) -> bool:
    """Whether a failed poll is survived (the wait goes on) rather than raised.

    Connection errors and timeouts, 408, 429, 5xx and a 2xx whose body is not a job are the
    server's passing trouble; 400, 401, 403, 404 and other 4xx, and anything that is not a
    `TogetherError`, will not get better by asking again.
    """
    if isinstance(exc, APIConnectionError | APIResponseValidationError):
        return True
    if isinstance(exc, APIStatusError):
        return exc.status_code in RETRYABLE_STATUSES or exc.status_code >= 500
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


def default_deadline(
    job: BatchJob | None, *, started: float, mono_now: float, wall_now: dt.datetime
) -> float:
    """The deadline of a wait with `timeout=None` (monotonic seconds).

    The API expires a job at its `job_deadline`, so waiting longer is pointless: the job's
    `job_deadline` plus `DEADLINE_GRACE`; without one, `created_at` plus the 24 h
    `COMPLETION_WINDOW` plus the grace; with neither (or no job seen yet), `started` plus
    `DEFAULT_WAIT_CAP`.
    """
    job_deadline, created_at = _instant(job, "job_deadline"), _instant(job, "created_at")
    if job_deadline is not None:
        end = job_deadline + DEADLINE_GRACE
    elif created_at is not None:
        end = created_at + COMPLETION_WINDOW + DEADLINE_GRACE
    else:
        return started + DEFAULT_WAIT_CAP
    return mono_now + (end - wall_now).total_seconds()


def _instant(job: BatchJob | None, attr: str) -> dt.datetime | None:
    """A timestamp of `job`, or None when absent or malformed: a deadline that cannot be
    read is no deadline, and the wait falls back to the next rule rather than ending."""
    try:
        value: dt.datetime | None = getattr(job, attr, None)
    except InvalidFieldError:
        return None
    return value


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
            tracker, job=outcome, polls=polls, deadline=deadline, interval=interval,
            due=mono_now + delay,
        )  # fmt: skip
        return Step(moved, notify=changed, delay=delay)
    if not is_transient(outcome):
        ended = replace(tracker, polls=polls)
        return Step(ended, error=outcome, abort=isinstance(outcome, AuthenticationError))
    # Survived: keep backing off (the server is struggling, not the job moving).
    interval = next_interval(tracker.interval, changed=False, options=options)
    delay = poll_delay(interval, retry_hint(outcome, wall_now), rand)
    failed = replace(
        tracker, polls=polls, failures=tracker.failures + 1, interval=interval,
        due=mono_now + delay,
    )  # fmt: skip
    pause = delay if isinstance(outcome, RateLimitError) else 0.0
    return Step(failed, delay=delay, pause_all=pause)


# --- the deadline ----------------------------------------------------------------------


def seconds_left(deadline: float, mono_now: float) -> float:
    """Seconds until the deadline, never negative."""
    return max(0.0, deadline - mono_now)


def is_past(deadline: float, mono_now: float) -> bool:
    """Whether the deadline has come (less than a millisecond left counts)."""
    return deadline - mono_now < _EPSILON


def sleep_seconds(due: float, deadline: float, mono_now: float) -> float:
    """How long to sleep for a poll due at `due`: never past the deadline, never negative."""
    return max(0.0, min(due, deadline) - mono_now)


def shared_deadline(trackers: Iterable[Tracker]) -> float:
    """The deadline of a wait on many jobs: the latest of the unfinished jobs' deadlines
    (all equal under a `timeout`); `-inf` for none."""
    return max((t.deadline for t in trackers), default=-math.inf)


def request_timeout(requested: Timeout, default: httpx.Timeout, left: float) -> httpx.Timeout:
    """A poll's HTTP timeout: the one asked for (else the client's), each part cut to `left`.

    Args:
        requested: `request_timeout=` of the wait.
        default: The client's timeout.
        left: Seconds until the wait's deadline (> 0).

    Returns:
        An `httpx.Timeout` none of whose parts is None or longer than `left`.
    """
    base = to_timeout(requested, default)

    def cut(value: float | None) -> float:
        return left if value is None else min(value, left)

    return httpx.Timeout(
        connect=cut(base.connect), read=cut(base.read), write=cut(base.write), pool=cut(base.pool)
    )


def timeout_error(
    trackers: Sequence[Tracker], options: WaitOptions, *, single: bool
) -> WaitTimeoutError:
    """The error for a deadline that passed with `trackers` unfinished.

    Args:
        trackers: The unfinished jobs' waits.
        options: The wait's options (for the message).
        single: A `wait_until_done`: the error carries the job and its poll count.

    Returns:
        A `WaitTimeoutError` with `pending` by id (and `job` for a single wait).
    """
    pending = {t.batch_job_id: t.job for t in trackers}
    polls = sum(t.polls for t in trackers)
    failures = sum(t.failures for t in trackers)
    limit = (
        f"{options.timeout:g}s"
        if options.timeout is not None
        else "the job deadline plus grace"
        if single
        else "the jobs' deadlines plus grace"
    )
    if single and len(trackers) == 1:
        only = trackers[0]
        status = only.job.status if only.job is not None else None
        message = (
            f"batch {only.batch_job_id} not finished within {limit} "
            f"(last status {status}, {polls} polls, {failures} failed)"
        )
        return WaitTimeoutError(message, job=only.job, polls=polls, pending=pending)
    message = (
        f"{len(trackers)} batches not finished within {limit} ({polls} polls, {failures} failed)"
    )
    return WaitTimeoutError(message, job=None, polls=polls, pending=pending)


def final_error(
    order: Sequence[str], errors: Mapping[str, Exception], jobs: Mapping[str, BatchJob]
) -> BatchErrorGroup | None:
    """What a wait on many jobs raises at its end: None when no job failed.

    Args:
        order: The ids as given.
        errors: The failed jobs' errors, by id.
        jobs: The finished jobs, by id.
    """
    if not errors:
        return None
    return BatchErrorGroup({k: errors[k] for k in order if k in errors}, jobs)


# --- many jobs -------------------------------------------------------------------------


class DueQueue:
    """The jobs waiting for their next poll, earliest first (a heap; no I/O).

    Each id is in it at most once: it is taken out when its poll starts and put back with
    its new due time after.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._seq = 0  # ties go to the job queued first: the order the ids were given

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, batch_job_id: str, due: float) -> None:
        """Queue a job's next poll at `due` (monotonic seconds)."""
        heapq.heappush(self._heap, (due, self._seq, batch_job_id))
        self._seq += 1

    def next_due(self) -> float:
        """The earliest due time (`inf` when empty)."""
        return self._heap[0][0] if self._heap else math.inf

    def pop(self) -> str:
        """Take out the job due first.

        Raises:
            IndexError: The queue is empty.
        """
        return heapq.heappop(self._heap)[2]

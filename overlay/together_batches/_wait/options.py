"""The options of a wait, checked before anything is sent, and the waiting defaults.

Part of the wait core (`_wait.options`, `_wait.state`, `_wait.schedule`, `_wait.core`): pure,
no I/O. The defaults follow the API's advice; every value a caller passes is checked here,
once, for all six wait methods of the two twins."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import httpx

from .._config import Timeout
from .._http.ids import check_id
from .callbacks import OnPollError, OnProgress, check_callable

__all__ = [
    "BACKOFF_FACTOR",
    "CANCEL_TIMEOUT",
    "COMPLETION_WINDOW",
    "DEADLINE_GRACE",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_CAP",
    "JITTER",
    "WARN_AFTER_FAILURES",
    "WaitOptions",
    "check_ids",
    "make_options",
    "options_from",
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
# Requests in flight at once when waiting on many jobs (threads in the sync twin).
DEFAULT_MAX_CONCURRENCY = 8
# The best-effort cancel on a timeout or an interrupt: one attempt, this many seconds at most
# (for all the jobs of a wait together), so that Ctrl-C still ends the program promptly.
CANCEL_TIMEOUT = 5.0
# A WARNING is logged when this many polls of a job in a row have failed, and again at each
# multiple: a wait that can reach nothing says so, without a line per poll.
WARN_AFTER_FAILURES = 5


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
        on_progress: Called with the job when it is first seen and when it moves.
        on_poll_error: Called with a `PollFailure` after each failed poll that is survived.
    """

    timeout: float | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL
    raise_on_failure: bool = False
    cancel_on_timeout: bool = False
    request_timeout: Timeout = None
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    on_progress: OnProgress = None
    on_poll_error: OnPollError = None


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
    on_progress: OnProgress = None,
    on_poll_error: OnPollError = None,
) -> WaitOptions:
    """Check a waiter's arguments, before anything is sent.

    Returns:
        The options.

    Raises:
        TypeError: An argument has the wrong type (a callback not callable).
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
    check_callable("on_progress", on_progress)
    check_callable("on_poll_error", on_poll_error)
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
        on_progress=on_progress,
        on_poll_error=on_poll_error,
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


def options_from(arguments: Mapping[str, Any]) -> WaitOptions:
    """`make_options` over a wait method's arguments (its `locals()`), the others ignored:
    the one place where the six wait methods of `Batches` and `AsyncBatches` build theirs.

    Raises:
        TypeError, ValueError: As `make_options`.
    """
    names = [field.name for field in fields(WaitOptions)]
    return make_options(**{name: arguments[name] for name in names if name in arguments})

"""Deadlines of requests and waits: pure arithmetic on monotonic seconds, no I/O.

A deadline is a reading of `_clock.monotonic()` after which nothing more may happen. The
client's one send loop (`_http.attempts`) asks `attempt_limits` how long one attempt may take
and which phase timeouts to give httpx; the waiters (through the wait core) ask `seconds_left`
and `is_past`.

What `timeout=` means, decided here once: it bounds each attempt *as a whole* (connecting,
sending and reading the entire body), not each phase. A number `N` is `N` seconds for the
attempt (at most 10 s of them connecting, see `_config.to_timeout`); an `httpx.Timeout`
bounds its phases as httpx does, and the attempt as a whole by its longest phase. A retry is
a new attempt with the same bound.
"""

from __future__ import annotations

import httpx

__all__ = [
    "attempt_budget",
    "attempt_limits",
    "body_read_timeout",
    "cut_timeout",
    "is_past",
    "seconds_left",
    "sleep_seconds",
]

# Less time left than this counts as none: no request can be answered in it, and it absorbs
# float rounding when a sleep ends exactly on the deadline.
_EPSILON = 1e-3
# A body's read timeout is cut only when that saves at least this long.
_WORTH_CUTTING = 1.0


def seconds_left(deadline: float, mono_now: float) -> float:
    """Seconds until the deadline, never negative."""
    return max(0.0, deadline - mono_now)


def is_past(deadline: float, mono_now: float) -> bool:
    """Whether the deadline has come (less than a millisecond left counts)."""
    return deadline - mono_now < _EPSILON


def sleep_seconds(due: float, deadline: float, mono_now: float) -> float:
    """How long to sleep for a poll due at `due`: never past the deadline, never negative."""
    return max(0.0, min(due, deadline) - mono_now)


def attempt_budget(timeout: httpx.Timeout) -> float | None:
    """Seconds one attempt may take as a whole: the longest of the timeout's phases.

    Returns:
        None when a phase is unbounded (`httpx.Timeout(None)`, or `read=None`): whoever
        asked for an endless read did not want the attempt cut either.
    """
    phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    if any(value is None for value in phases):
        return None
    return max(value for value in phases if value is not None)


def cut_timeout(timeout: httpx.Timeout, left: float) -> httpx.Timeout:
    """`timeout` with each phase cut to `left` seconds (an unbounded phase becomes `left`)."""

    def cut(value: float | None) -> float:
        return left if value is None else min(value, left)

    return httpx.Timeout(
        connect=cut(timeout.connect),
        read=cut(timeout.read),
        write=cut(timeout.write),
        pool=cut(timeout.pool),
    )


def attempt_limits(
    timeout: httpx.Timeout, mono_now: float, outer: float | None, *, whole: bool = True
) -> tuple[httpx.Timeout, float | None]:
    """The phase timeouts and the end of one attempt that starts now.

    Args:
        timeout: The call's timeout (its own, else the client's).
        mono_now: Monotonic time at the start of the attempt.
        outer: A deadline no attempt may pass (a wait's, a cancel's), or None.
        whole: Bound the attempt as a whole by `attempt_budget(timeout)`; False bounds only
            each phase (a file download, whose body may rightly take long), `outer` aside.

    Returns:
        `(phases, end)`: the timeouts to give httpx, each cut to the time left before `outer`
        (unchanged without one), and the monotonic time by which the whole attempt must be
        done (None: no such bound).
    """
    budget = attempt_budget(timeout) if whole else None
    end = None if budget is None else mono_now + budget
    if outer is None:
        return timeout, end
    end = outer if end is None else min(end, outer)
    return cut_timeout(timeout, seconds_left(end, mono_now)), end


def body_read_timeout(read: float | None, end: float, mono_now: float) -> float | None:
    """The read timeout for a body that starts now, in an attempt that must end at `end`.

    Returns:
        The time left, when that is shorter than `read` by a second or more (the headers
        came late: a server gone silent now must not be waited for past `end`); else None,
        keep `read` (the request is left as it was sent).
    """
    left = seconds_left(end, mono_now)
    return left if read is None or left <= read - _WORTH_CUTTING else None

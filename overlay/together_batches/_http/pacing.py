"""One pace per client: when the next request may go, shared by every request a client sends.

The service limits requests per account. A client learns of the limit from a 429 that says how
long to wait (`retry-after`, `retry-after-ms` or `x-ratelimit-reset`); from then on *every*
request of that client (every poll of every wait, every call) holds back until the pause ends,
instead of each poller finding the 429 for itself. A user who knows the limit can also cap the
client's rate (`max_requests_per_second`): requests then go at least `1 / rate` seconds apart.

The decisions are pure functions of a `PaceState` and the time passed in (table-tested in
tests/test_pacing.py); `Pace` holds one client's state behind a lock, for the sync client
sends from the waiter's threads. The send shells (`_http.send_sync`, `_http.send_async`) ask
`Pace.take` before each attempt (and sleep what it says, through `_http.attempts`), and tell
`Pace.saw` what came back. Requests to storage (an upload's `PUT`, `Call.bare`) are not the
API's and are not paced.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Mapping
from typing import NamedTuple

import httpx

from .retry import server_delay

__all__ = [
    "Pace",
    "PaceState",
    "check_rate",
    "hold",
    "pause_until",
    "paused",
    "take",
]

_NEVER = -math.inf
# Less than this to wait is no wait: it absorbs float rounding when a sleep ends where a pause
# does (t + (u - t) may fall an ulp short of u), far below any time the server means.
_ROUNDING = 1e-6


class PaceState(NamedTuple):
    """Where a client's pace stands, in monotonic seconds (a NamedTuple: cheap to define at
    import and to make at each request under a cap).

    Attributes:
        paused_until: No request before this (a 429's pause); -inf for none.
        next_slot: Under a rate cap, no request before this; -inf for none.
    """

    paused_until: float = _NEVER
    next_slot: float = _NEVER


def check_rate(max_requests_per_second: object) -> float | None:
    """The seconds between two requests under a cap of `max_requests_per_second`.

    Returns:
        `1 / max_requests_per_second`, or None for no cap (None given).

    Raises:
        ValueError: Not None nor a positive, finite number.
    """
    if max_requests_per_second is None:
        return None
    rate = max_requests_per_second
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < math.inf:
        raise ValueError("max_requests_per_second must be None or a number > 0, such as 5")
    return 1.0 / rate


def hold(state: PaceState, mono_now: float) -> float:
    """Seconds until the client may send: 0.0 when it may now (or within a microsecond)."""
    wait = max(state.paused_until, state.next_slot) - mono_now
    return wait if wait >= _ROUNDING else 0.0


def take(state: PaceState, mono_now: float, interval: float | None) -> tuple[float, PaceState]:
    """Ask to send a request now.

    Args:
        state: The client's pace.
        mono_now: Monotonic time.
        interval: The seconds between two requests under a cap; None for no cap.

    Returns:
        `(0.0, new state)`: send now, the slot is taken (the next one is `interval` away);
        or `(seconds, state unchanged)`: nothing taken, ask again after that long (another
        request may take the slot first, or a 429 pause the client meanwhile).
    """
    wait = hold(state, mono_now)
    if wait > 0.0 or interval is None:
        return wait, state
    return 0.0, state._replace(next_slot=mono_now + interval)


def paused(state: PaceState, until: float) -> PaceState:
    """The pace with requests held until `until` at least (a pause never shortens another)."""
    return state if until <= state.paused_until else state._replace(paused_until=until)


def pause_until(
    status: int,
    headers: Mapping[str, str],
    *,
    mono_now: float,
    wall_now: dt.datetime,
    cap: float,
) -> float | None:
    """Until when an answer pauses the whole client.

    Args:
        status: The answer's status.
        headers: Its headers.
        mono_now: Monotonic time when it came.
        wall_now: Wall-clock time then (for hints given as a date or a timestamp).
        cap: The longest pause (the client's `RetryPolicy.max_retry_after`): a client never
            holds its calls longer than it would wait to retry one. A wait's own polls still
            honour the whole hint (`_wait.state`).

    Returns:
        `mono_now` plus the server's wait (`_http.retry.server_delay`), at most `cap`, for a
        429 that says how long; None for any other answer.
    """
    if status != 429:
        return None
    delay = server_delay(status, headers, wall_now)
    return None if delay is None else mono_now + min(delay, cap)


class Pace:
    """One client's pace: `PaceState` behind a lock, shared by every request it sends.

    Args:
        interval: The seconds between two requests (`check_rate`), or None for no cap.
        cap: The longest pause a 429 imposes (see `pause_until`).
    """

    __slots__ = ("_cap", "_interval", "_lock", "_state")

    def __init__(self, interval: float | None, cap: float) -> None:
        self._interval = interval
        self._cap = cap
        self._lock = threading.Lock()  # the sync waiter sends from many threads
        self._state = PaceState()

    @property
    def state(self) -> PaceState:
        """The pace as it stands."""
        return self._state

    def take(self, mono_now: float) -> float:
        """`take` on the shared state: 0.0 to send now (the slot is taken), else the seconds
        to sleep before asking again."""
        with self._lock:
            wait, self._state = take(self._state, mono_now, self._interval)
        return wait

    def saw(self, outcome: object, *, mono_now: float, wall_now: dt.datetime) -> None:
        """Learn from what an attempt ended with: a 429 that says how long pauses the client."""
        if not isinstance(outcome, httpx.Response) or outcome.status_code != 429:
            return
        until = pause_until(
            429, outcome.headers, mono_now=mono_now, wall_now=wall_now, cap=self._cap
        )
        if until is not None:
            with self._lock:
                self._state = paused(self._state, until)

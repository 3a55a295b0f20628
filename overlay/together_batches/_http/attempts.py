"""One call's attempts as steps, sans I/O: send this request until that time, sleep this
long, or done with this result or error.

The two send shells (`_http.send_sync` and `_http.send_async`) drive an `Attempts`: they ask
`send` for the next attempt's time limits (or how long to sleep first, while the client's
pace holds requests back: `_http.pacing`), send it, hand what came back to `after`, and do
what that says: sleep and attempt again, or stop. Every decision between attempts is made
here once (the retry rules themselves are `_http.retry`'s, the time arithmetic
`_http.deadlines`'); the shells only send and sleep. Table-tested in tests/test_attempts.py.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any, NamedTuple

import httpx

from .._exceptions import TogetherError
from .._log import logger
from . import deadlines
from .calls import Call
from .errors import SendError, connection_error
from .retry import Failure, RetryPolicy, classify_exception, retry_delay

__all__ = ["ONE_ATTEMPT", "Attempts", "Done", "Outcome", "Send", "Sleep"]

#: What one attempt ends with: a response (read in full, or opened to stream), or what
#: httpx raised (an expired deadline is reported as an httpx timeout, see `_http.sending`).
Outcome = httpx.Response | SendError
#: An attempt under a caller's deadline (a wait's poll, a cancel) is the only one: its caller
#: has its own schedule of retries.
ONE_ATTEMPT = RetryPolicy(max_retries=0)


# The steps are NamedTuples, not frozen dataclasses: one is made per attempt, and defining
# them costs a tenth as much at `import together_batches` (this is the core path).


class Send(NamedTuple):
    """Send the call's request now.

    Attributes:
        phases: The timeouts to give httpx for its phases.
        end: The monotonic time by which the whole attempt (its body read in full) must be
            done; None when only each phase is bounded (a stream, an unbounded timeout).
    """

    phases: httpx.Timeout
    end: float | None


class Sleep(NamedTuple):
    """Sleep this many seconds, then ask `Attempts.send` for the next attempt (again)."""

    seconds: float


class Done(NamedTuple):
    """No more attempts: the call ends with `response` (any status: decoding it is the
    caller's) or with `error`, raised from `outcome` when that is what httpx raised."""

    outcome: Outcome
    response: httpx.Response | None = None
    error: TogetherError | None = None


class Attempts:
    """The attempts of one call: which limits the next one gets, and what follows each.

    Args:
        call: What is sent (its idempotency decides retries).
        limits: The call's timeout (its own, else the client's), for each attempt.
        policy: The client's retry policy.
        deadline: A monotonic time no attempt may run past (a wait's, a cancel's); with
            one, a single attempt is made.
        stream: The body is streamed to the caller: each phase is bounded, not the whole.
        rand: The backoff's jitter source (floats in [0, 1)).
    """

    __slots__ = (
        "_call",
        "_deadline",
        "_limits",
        "_policy",
        "_rand",
        "_whole",
        "paced",
        "retries",
    )

    def __init__(
        self,
        call: Call[Any],
        limits: httpx.Timeout,
        policy: RetryPolicy,
        deadline: float | None,
        *,
        stream: bool = False,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._call = call
        self._rand = rand
        self._limits = limits
        self._policy = policy if deadline is None else ONE_ATTEMPT
        self._deadline = deadline
        self._whole = call.whole_timeout and not stream
        #: Retries made so far.
        self.retries = 0
        #: Whether the client's pace holds this call back (`_http.pacing`): every API call,
        #: not a bare request to storage (an upload's `PUT`), which is not the API's.
        self.paced = not call.bare

    def send(self, mono_now: float, hold: float = 0.0) -> Send | Sleep:
        """The attempt that starts now, or a sleep before it.

        Args:
            mono_now: Monotonic time.
            hold: Seconds the client's pace holds requests back (`_http.pacing.Pace.take`;
                0.0: go now, the slot is taken).

        Returns:
            `Sleep` while held, never past the caller's deadline; else `Send`, the attempt's
            phase timeouts and end. A deadline that comes while held gives an attempt whose
            end has passed: the shell then sends nothing and reports that no time was left.
        """
        deadline = self._deadline
        if hold > 0.0:
            if deadline is None:
                return Sleep(hold)
            if not deadlines.is_past(deadline, mono_now):
                return Sleep(min(hold, deadlines.seconds_left(deadline, mono_now)))
        phases, end = deadlines.attempt_limits(self._limits, mono_now, deadline, whole=self._whole)
        return Send(phases, end)

    def after(self, outcome: Outcome, wall_now: dt.datetime | None = None) -> Sleep | Done:
        """What follows an attempt that ended with `outcome`: a retry after a sleep, or the end.

        Args:
            outcome: What the attempt ended with.
            wall_now: The wall clock when it ended (aware), for the server's hints given as
                a date or a timestamp; None reads the system's.

        Returns:
            `Sleep(seconds)` to attempt again after that long; `Done` with the response (any
            status not retried) or with the `TogetherError` for what httpx raised.
        """
        call, retries = self._call, self.retries
        if isinstance(outcome, httpx.Response):
            status = outcome.status_code
            if status < 400 or status in call.answers:  # a success, or what answers the call
                return Done(outcome, response=outcome)
            delay = retry_delay(
                failure=Failure.STATUS,
                status=status,
                headers=outcome.headers,
                retries_done=retries,
                idempotent=call.idempotent,
                policy=self._policy,
                rand=self._rand,
                now=wall_now,
            )
            if delay is None:
                return Done(outcome, response=outcome)
            reason = f"HTTP {status}"
        else:
            delay = retry_delay(
                failure=classify_exception(outcome),
                status=None,
                headers=None,
                retries_done=retries,
                idempotent=call.idempotent,
                policy=self._policy,
                rand=self._rand,
            )
            if delay is None:
                return Done(outcome, error=connection_error(outcome))
            reason = type(outcome).__name__
        logger.debug(
            "retrying %s %s in %.2fs (retry %d of %d) after %s",
            call.request["method"].upper(),
            call.request["url"],
            delay,
            retries + 1,
            self._policy.max_retries,
            reason,
        )
        self.retries = retries + 1
        return Sleep(delay)

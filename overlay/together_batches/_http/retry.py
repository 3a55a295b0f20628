"""When to retry a request and how long to wait first: pure functions, no I/O.

The send loop (`_http.attempts`, which both clients' shells drive) asks `retry_delay` after
every failed attempt and does what it says; the waiter's polls (`_wait.state`) read the same
server hints (`server_says_retry`, `server_delay`). Every rule lives here once.

What the server may say, and what we make of it:

- `x-should-retry: true|false` overrides the status rule. `false` stops retries. `true` allows a
  retry of any error status wherever resending is safe: never for a create that may have run
  (a call that is not idempotent is still re-sent only after 429 or 503, which promise that it
  was not acted on). Any other value is no hint.
- `retry-after-ms`, then `retry-after` (seconds or an HTTP date): how long to wait.
- On a 429 without either, `x-ratelimit-reset`: when the rate-limit window resets. The docs give
  it as seconds from now; a value of `EPOCH_FROM` or more can only be a Unix timestamp (no
  window lasts 30 years), so it is read as one (in milliseconds from `EPOCH_MS_FROM` on), and a
  time already past is no wait. A reset is held to `MAX_RESET` at most: a daily quota's far reset
  (or a misread unit) must not park a client for hours; asking again then costs one request.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

__all__ = [
    "RETRYABLE_STATUSES",
    "Failure",
    "RetryPolicy",
    "backoff_delay",
    "classify_exception",
    "parse_ratelimit_reset",
    "parse_retry_after",
    "retry_delay",
    "server_delay",
    "server_says_retry",
]

# 5xx answers that no retry can fix: the server says it does not implement the method (501)
# or speak the HTTP version (505), and it will say so again.
_PERMANENT_5XX = frozenset({501, 505})
# Statuses worth another try: the server was busy or briefly broken. That is 408, 429 and
# every 5xx (including the unofficial 520-599 of proxies and CDNs) but the two above.
RETRYABLE_STATUSES = frozenset({408, 429} | set(range(500, 600)) - _PERMANENT_5XX)
# Statuses that promise the request was not acted on, so even a create may be re-sent.
_NOT_PROCESSED_STATUSES = frozenset({429, 503})
#: `x-ratelimit-reset` values from here on are Unix timestamps in seconds (2001-09-09 on),
#: not seconds from now: no rate-limit window is 30 years long.
EPOCH_FROM = 1e9
#: ... and from here on, Unix timestamps in milliseconds (1e12 seconds is 31,000 years).
EPOCH_MS_FROM = 1e12
#: The longest wait an `x-ratelimit-reset` gives, in seconds.
MAX_RESET = 300.0


_FATAL_ERRORS = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
    httpx.InvalidURL,
    httpx.TooManyRedirects,
    httpx.StreamError,
    httpx.HTTPStatusError,
)


class Failure(enum.Enum):
    """How an attempt failed, as far as retrying cares."""

    NOT_SENT = "not_sent"  # connect error or connect/pool timeout: never reached the server
    TIMEOUT = "timeout"  # read/write timeout: the server may have acted on it
    CONNECTION = "connection"  # dropped mid-way: the server may have acted on it
    STATUS = "status"  # an HTTP status came back
    FATAL = "fatal"  # no point in trying again (bad URL scheme, local protocol misuse)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try.

    Args:
        max_retries: Retries after the first attempt (0 disables retrying).
        initial_delay: The first backoff delay in seconds, doubled each retry.
        max_delay: The cap on a backoff delay.
        max_retry_after: A server hint (`retry-after`) longer than this is not waited for:
            the error is raised at once.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0


def classify_exception(exc: httpx.HTTPError | httpx.StreamError | httpx.InvalidURL) -> Failure:
    """Whether an error raised by a send may have reached the server, or cannot get better.

    Args:
        exc: What httpx raised (anything in `_http.errors.SEND_ERRORS`).

    Returns:
        The `Failure` kind: a redirect loop, a malformed URL, local misuse of a stream, and
        an event hook's `raise_for_status()` are `FATAL`; an undecodable body came from a
        server that may have acted on the request, like a dropped connection.
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.NOT_SENT
    if isinstance(exc, _FATAL_ERRORS):
        return Failure.FATAL
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    return Failure.CONNECTION


def parse_retry_after(headers: Mapping[str, str], now: dt.datetime | None = None) -> float | None:
    """The server's requested wait in seconds, from `retry-after-ms` or `retry-after`.

    Args:
        headers: Response headers (case-insensitive mapping, as httpx gives).
        now: The current time, for the HTTP-date form (defaults to the wall clock).

    Returns:
        Seconds, never negative; None when there is no usable hint.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = None
        if value is not None and not math.isnan(value):
            return max(0.0, value)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return _seconds_until_http_date(raw, now)
    return None if math.isnan(seconds) else max(0.0, seconds)


def _seconds_until_http_date(raw: str, now: dt.datetime | None) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now if now is not None else dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


def server_says_retry(headers: Mapping[str, str] | None) -> bool | None:
    """The server's `x-should-retry`: True or False, None when absent or neither."""
    raw = (headers or {}).get("x-should-retry")
    if raw is None:
        return None
    value = raw.strip().lower()
    return True if value == "true" else False if value == "false" else None


def parse_ratelimit_reset(
    headers: Mapping[str, str], now: dt.datetime | None = None
) -> float | None:
    """The wait until the rate-limit window resets, from `x-ratelimit-reset`.

    Args:
        headers: Response headers (case-insensitive mapping, as httpx gives).
        now: The current time, for a Unix timestamp (defaults to the wall clock).

    Returns:
        Seconds from now, in [0, `MAX_RESET`]: the value itself (seconds from now), or, from
        `EPOCH_FROM` on, the time until that Unix timestamp (milliseconds from
        `EPOCH_MS_FROM`); None when absent or not a finite number.
    """
    raw = headers.get("x-ratelimit-reset")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if value >= EPOCH_FROM:
        stamp = value / 1000.0 if value >= EPOCH_MS_FROM else value
        current = now if now is not None else dt.datetime.now(dt.UTC)
        value = stamp - current.timestamp()
    return min(MAX_RESET, max(0.0, value))


def server_delay(
    status: int | None, headers: Mapping[str, str] | None, now: dt.datetime | None = None
) -> float | None:
    """How long the server asks to wait before the next request, in seconds.

    Args:
        status: The answer's HTTP status.
        headers: Its headers.
        now: The current time, for the HTTP-date and timestamp forms.

    Returns:
        `retry-after-ms`, else `retry-after`, else on a 429 `x-ratelimit-reset`; None when
        none of them is usable.
    """
    if not headers:
        return None
    hint = parse_retry_after(headers, now)
    if hint is None and status == 429:
        hint = parse_ratelimit_reset(headers, now)
    return hint


def backoff_delay(retry: int, policy: RetryPolicy, rand: Callable[[], float]) -> float:
    """Capped exponential backoff with jitter.

    Args:
        retry: 0 for the first retry, 1 for the second...
        policy: The delays to use.
        rand: A source of floats in [0, 1) (e.g. `random.random`).

    Returns:
        Seconds: `min(max_delay, initial_delay * 2**retry)`, less up to a quarter at random so
        that many clients do not retry in step.
    """
    base = min(policy.max_delay, policy.initial_delay * (2.0 ** min(retry, 30)))
    return base * (1.0 - 0.25 * rand())


def retry_delay(
    *,
    failure: Failure,
    status: int | None,
    headers: Mapping[str, str] | None,
    retries_done: int,
    idempotent: bool,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
    now: dt.datetime | None = None,
) -> float | None:
    """Whether to retry a failed attempt, and after how long.

    Args:
        failure: How the attempt failed.
        status: The HTTP status, for `Failure.STATUS`.
        headers: The response headers, for `Failure.STATUS` (server hints).
        retries_done: Retries already made for this call.
        idempotent: Whether repeating the request is harmless (GET, cancel). A create is not:
            it is re-sent only when it provably was not acted on, whatever the server says.
        policy: Limits and delays.
        rand: Jitter source.
        now: Wall clock for HTTP-date hints.

    Returns:
        Seconds to sleep before the next attempt, or None to give up now.
    """
    if retries_done >= policy.max_retries or failure is Failure.FATAL:
        return None
    if failure is Failure.STATUS:
        says = server_says_retry(headers)
        if says is False:
            return None
        allowed = says is True and idempotent and (status or 0) >= 400
        if status not in RETRYABLE_STATUSES and not allowed:
            return None
        if not idempotent and status not in _NOT_PROCESSED_STATUSES:
            return None
        hint = server_delay(status, headers, now)
        if hint is not None:
            return hint if hint <= policy.max_retry_after else None
    elif failure is not Failure.NOT_SENT and not idempotent:
        return None
    return backoff_delay(retries_done, policy, rand)

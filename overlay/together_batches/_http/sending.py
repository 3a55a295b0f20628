"""What the sync and async send primitives (`_client`) share: the decision after an attempt,
the response body that keeps a deadline, the timeouts raised when time runs out, and what
the streaming primitive decides about a response before handing its body over.

Expired deadlines are reported as httpx timeouts, so that the retry rules (`_http.retry`) and the
error tree (`_http.errors.connection_error`, which makes them `APITimeoutError`) treat them
as any other timeout.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from .. import _clock
from .._exceptions import TogetherError
from . import deadlines
from .calls import Call, decode
from .errors import SendError, connection_error
from .retry import RETRYABLE_STATUSES, Failure, RetryPolicy, classify_exception, retry_delay

__all__ = [
    "ONE_ATTEMPT",
    "BodyByDeadline",
    "Next",
    "Outcome",
    "after_attempt",
    "expired",
    "finish",
    "build_request",
    "no_time_left",
    "opened",
    "parsed_url",
    "request_args",
    "send_options",
    "streams",
]

from .._log import logger

T = TypeVar("T")
#: What one attempt ends with: a response read in full, or what httpx raised.
Outcome = httpx.Response | SendError
#: An attempt under a caller's deadline (a wait's poll, a cancel) is the only one: its caller
#: has its own schedule of retries.
ONE_ATTEMPT = RetryPolicy(max_retries=0)


@dataclass(frozen=True, slots=True)
class Next:
    """What the send loop does after an attempt: sleep `delay` and retry, or stop."""

    delay: float | None
    error: TogetherError | None = None
    response: httpx.Response | None = None


def after_attempt(
    call: Call[Any],
    outcome: Outcome,
    retries_done: int,
    policy: RetryPolicy,
) -> Next:
    """What follows an attempt: a retry after a delay, or the end (a response or an error).

    Args:
        call: The call attempted (its idempotency decides retries).
        outcome: The attempt's response, or the transport error (or expired deadline).
        retries_done: Retries made before this attempt.
        policy: The retry policy (`ONE_ATTEMPT` under a caller's deadline).

    Returns:
        `Next(delay)` to retry; `Next(None, response=...)` or `Next(None, error=...)` to stop.
    """
    if isinstance(outcome, httpx.Response):
        status = outcome.status_code
        if status not in RETRYABLE_STATUSES:
            return Next(None, response=outcome)
        delay = retry_delay(
            failure=Failure.STATUS,
            status=status,
            headers=outcome.headers,
            retries_done=retries_done,
            idempotent=call.idempotent,
            policy=policy,
        )
        reason = f"HTTP {status}"
        result = Next(delay, response=outcome)
    else:
        failure = classify_exception(outcome)
        delay = retry_delay(
            failure=failure,
            status=None,
            headers=None,
            retries_done=retries_done,
            idempotent=call.idempotent,
            policy=policy,
        )
        reason = type(outcome).__name__
        result = Next(delay, error=connection_error(outcome))
    if delay is not None:
        logger.debug(
            "retrying %s %s in %.2fs (retry %d of %d) after %s",
            call.request["method"].upper(),
            call.request["url"],
            delay,
            retries_done + 1,
            policy.max_retries,
            reason,
        )
    return result


def finish(call: Call[T], step: Next, outcome: Outcome) -> T:
    """The call's result from its last attempt, or its error raised."""
    if step.error is not None:
        raise step.error from (outcome if isinstance(outcome, Exception) else None)
    assert step.response is not None
    return decode(call, step.response)


def send_options(call: Call[Any]) -> dict[str, Any]:
    """The keyword arguments of `httpx.Client.send` that the call sets: never following a
    redirect that answers it, and no `http_client` auth on a bare request."""
    options: dict[str, Any] = {}
    if call.follow_redirects is not None:
        options["follow_redirects"] = call.follow_redirects
    if call.bare:
        options["auth"] = None
    return options


def streams(call: Call[Any], response: httpx.Response) -> bool:
    """Whether a streamed response's body is handed to the caller unread: a 2xx that is
    not an HTML page (a proxy's, never a file). Any other is read whole (it is small) and
    closed, so that retries and errors see it as `_execute` would."""
    if not 200 <= response.status_code < 300:
        return False
    return not (call.raw and response.headers.get("content-type", "").startswith("text/html"))


def opened(call: Call[Any], step: Next, outcome: Outcome) -> httpx.Response:
    """The response a stream's last attempt hands over; else its error raised (its status's,
    an HTML page's, or what the attempt raised).

    Raises:
        TogetherError: The subclass for what went wrong.
    """
    if step.error is not None:
        raise step.error from (outcome if isinstance(outcome, Exception) else None)
    assert step.response is not None
    if not streams(call, step.response):
        decode(call, step.response)  # read whole by `_open`: raises its error
        raise AssertionError(f"HTTP {step.response.status_code} was decoded, not refused")
    return step.response


def request_args(
    call: Call[Any], phases: httpx.Timeout, base_url: str, headers: httpx.Headers
) -> dict[str, Any]:
    """The keyword arguments of `build_request` for one attempt of `call`: its request on the
    base URL with the client's headers, or, bare, as it is with `User-Agent` only."""
    args = dict(call.request)
    extra = args.pop("headers", None)
    if call.bare:  # an absolute URL that must not see the key (an upload's PUT)
        args["headers"] = {"User-Agent": headers["User-Agent"], **(extra or {})}
    else:
        args["url"] = parsed_url(base_url + args["url"])
        args["headers"] = headers if extra is None else {**headers, **extra}
    if call.content is not None:
        args["content"] = call.content()  # made afresh: a retry starts from the first byte
    args["timeout"] = phases
    return args


@functools.lru_cache(maxsize=1024)
def parsed_url(url: str) -> httpx.URL:
    """`httpx.URL(url)`, remembered: parsing is half the cost of building a request, and a
    client sends to the same few URLs again and again (a wait polls one job's for hours).
    URLs are immutable, so one may serve every request to it.

    Raises:
        httpx.InvalidURL: `url` is not a valid URL (not remembered).
    """
    return httpx.URL(url)


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    call: Call[Any],
    phases: httpx.Timeout,
    base_url: str,
    headers: httpx.Headers,
) -> httpx.Request:
    """One attempt's request, built by the `http_client` (its own defaults merged in)."""
    request = http.build_request(**request_args(call, phases, base_url, headers))
    if call.bare:
        # An `http_client`'s own default headers are merged in by httpx: drop credentials.
        for name in ("authorization", "cookie"):
            request.headers.pop(name, None)
    return request


def expired(request: httpx.Request, seconds: float) -> httpx.TimeoutException:
    # A timeout like httpx's own, so that retries and the error tree treat it as one.
    return httpx.TimeoutException(
        f"the request was not done within its {seconds:.3g}s (connecting, sending and "
        "reading the whole response); pass a larger timeout= if the server is only slow",
        request=request,
    )


def no_time_left(request: httpx.Request) -> httpx.ConnectTimeout:
    # Nothing was sent: a connect timeout, which the retry rules know never reached the server.
    return httpx.ConnectTimeout("no time was left before the deadline: not sent", request=request)


class BodyByDeadline(httpx.SyncByteStream):
    """A response body that raises a timeout once `end` has passed, checked per chunk."""

    def __init__(
        self, inner: httpx.SyncByteStream, request: httpx.Request, end: float, seconds: float
    ) -> None:
        self._inner, self._request, self._end, self._seconds = inner, request, end, seconds

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if deadlines.is_past(self._end, _clock.monotonic()):
                raise expired(self._request, self._seconds)
            yield chunk

    def close(self) -> None:
        self._inner.close()

"""What the two send shells (`_http.send_sync`, `_http.send_async`) share around the steps of
`_http.attempts`: each attempt's request, the options it is sent with, the response body that
keeps a deadline, the timeouts raised when time runs out, what the streaming shell decides about
a response before handing its body over, and the result or error a call ends with.

Expired deadlines are reported as httpx timeouts, so that the retry rules (`_http.retry`) and the
error tree (`_http.errors.connection_error`, which makes them `APITimeoutError`) treat them
as any other timeout.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx

from .. import _clock
from . import deadlines
from .attempts import Done
from .calls import Call, decode

__all__ = [
    "BodyByDeadline",
    "build_request",
    "expired",
    "finish",
    "no_time_left",
    "opened",
    "parsed_url",
    "request_args",
    "send_options",
    "streams",
]

T = TypeVar("T")


def finish(call: Call[T], done: Done) -> T:
    """The call's result from its last attempt, or its error raised."""
    if done.error is not None:
        raise done.error from (done.outcome if isinstance(done.outcome, Exception) else None)
    assert done.response is not None
    return decode(call, done.response)


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


def opened(call: Call[Any], done: Done) -> httpx.Response:
    """The response a stream's last attempt hands over; else its error raised (its status's,
    an HTML page's, or what the attempt raised).

    Raises:
        TogetherError: The subclass for what went wrong.
    """
    if done.error is not None:
        raise done.error from (done.outcome if isinstance(done.outcome, Exception) else None)
    assert done.response is not None
    if not streams(call, done.response):
        decode(call, done.response)  # read whole by the shell: raises its error
        raise AssertionError(f"HTTP {done.response.status_code} was decoded, not refused")
    return done.response


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

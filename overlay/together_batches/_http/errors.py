"""Which httpx errors a send can raise, and the `TogetherError` each one becomes.

Every `httpx.HTTPError` (and the stream and URL errors outside that tree) that can escape a
send is mapped here, once, with a message that says what happened and what to do;
tests/test_send_errors.py walks httpx's exception classes so that a new one cannot slip by.
"""

from __future__ import annotations

import httpx

from .._exceptions import (
    APIConnectionError,
    APITimeoutError,
    TogetherError,
    status_error_class,
)
from .secrets import redact, sent_key

__all__ = ["SEND_ERRORS", "SendError", "connection_error"]


#: What a send can raise from httpx: its whole `HTTPError` tree, and the errors outside it
#: that a request can still meet (a closed or consumed stream, a malformed URL).
SEND_ERRORS = (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL)
SendError = httpx.HTTPError | httpx.StreamError | httpx.InvalidURL

# What happened and what to do, by class; the first match wins, and the last row matches
# every `HTTPError` (tests/test_send_errors.py walks httpx's classes through a send).
_ADVICE: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str, str], ...] = (
    (
        httpx.TimeoutException,
        "Request timed out",
        "the server did not answer in time; try again, or pass a longer timeout=",
    ),
    (httpx.ConnectError, "Could not connect", "check the base URL and the network, then retry"),
    (
        (httpx.UnsupportedProtocol, httpx.InvalidURL),
        "The request URL is not valid",
        "the base URL must be an http(s) URL such as https://api.together.ai/v1",
    ),
    (
        httpx.LocalProtocolError,
        "The request could not be sent",
        "a header or the URL holds characters HTTP does not allow; check the API key",
    ),
    (httpx.ProxyError, "The proxy refused the request", "check the proxy settings"),
    (
        httpx.DecodingError,
        "The response body could not be decoded",
        "the server or a proxy sent a body that does not match its Content-Encoding; retry",
    ),
    (httpx.TooManyRedirects, "Too many redirects", "check the base URL"),
    (httpx.StreamError, "The response stream could not be read", "retry the call"),
    (
        httpx.HTTPError,
        "Connection error",
        "the connection failed before a whole answer came back; retry the call",
    ),
)


def connection_error(exc: SendError) -> TogetherError:
    """The `TogetherError` for what httpx raised during a send.

    Args:
        exc: Anything in `SEND_ERRORS`; chain it as the cause when raising the result.

    Returns:
        `APITimeoutError` for a timeout, the `APIStatusError` subclass for an
        `httpx.HTTPStatusError` (raised by an `http_client`'s own event hook), else
        `APIConnectionError`; the message says what happened and what to do.
    """
    request = getattr(exc, "_request", None)  # the public property raises when there is none
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        cls = status_error_class(response.status_code)
        message = f"HTTP {response.status_code} error, raised by the http_client's event hook"
        return cls(message, response=response, body=None)
    # httpx quotes what it refused to send, e.g. a header value with a newline in it.
    text = redact(str(exc), sent_key(request))
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    what, advice = next((w, a) for kind, w, a in _ADVICE if isinstance(exc, kind))
    message = f"{what} ({detail}): {advice}."
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(message, request=request)
    return APIConnectionError(message, request=request)

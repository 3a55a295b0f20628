"""`Together` and `AsyncTogether`: configuration, the HTTP client, and the one send primitive.

`_execute` is the only way a request is sent, by the resources and the waiters alike: each
attempt is bounded as a whole (connect, send and the full body read) by the call's timeout
and by the caller's deadline, if any (see `_http.deadlines`). The attempts are the steps of
`_http.attempts` (send this request until that time, sleep this long, done), which two short
shells drive: `_http.send_sync` for `Together`, `_http.send_async` for `AsyncTogether`.
`_stream` is its variant for a body too large to hold: the same retries and errors, until the
body starts, which the caller then reads a chunk at a time.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import _http, resources
from ._config import DEFAULT_TIMEOUT, Timeout, resolve_api_key, resolve_base_url, to_timeout
from ._http import send_sync
from ._http.calls import Call
from ._http.pacing import Pace, check_rate
from ._http.retry import RetryPolicy
from ._version import __version__
from .resources.batches import Batches
from .resources.files import Files

__all__ = ["AsyncTogether", "Together"]

T = TypeVar("T")


class _Base:
    """What both twins hold: the key, base URL, timeout, retry policy and pace."""

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        timeout: Timeout,
        max_retries: int,
        max_requests_per_second: float | None,
    ) -> None:
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError("max_retries must be an int >= 0")
        interval = check_rate(max_requests_per_second)
        key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        self.timeout = to_timeout(timeout, DEFAULT_TIMEOUT)
        self.max_retries = max_retries
        self.max_requests_per_second = max_requests_per_second
        self._policy = RetryPolicy(max_retries=max_retries)
        # Every request of this client, from any thread or task, shares one rate state.
        self._pace = Pace(interval, cap=self._policy.max_retry_after)
        # httpx masks Authorization in a Headers repr; the key is kept nowhere else.
        self._headers = httpx.Headers(
            {
                "Authorization": f"Bearer {key}",
                "Accept": "application/json",
                "User-Agent": f"together-batches/{__version__}",
            }
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries})"

    def _limits(self, timeout: Timeout) -> httpx.Timeout:
        return self.timeout if timeout is None else to_timeout(timeout, self.timeout)


class Together(_Base):
    """The client: `Together().batches.get_batch("batch-abc123")`.

    Args:
        api_key: Defaults to the `TOGETHER_API_KEY` environment variable.
        base_url: Defaults to `TOGETHER_BASE_URL`, then `https://api.together.ai`. With or
            without `/v1` (`https://api.together.ai`, `.../v1` and `.../v1/` are the same):
            `/v1` is added unless the path ends in it, after any path prefix a proxy has
            (`https://proxy.example/together` sends to `.../together/v1/batches`). The
            same `TOGETHER_BASE_URL` serves Together's own SDK. `client.base_url` is the
            URL in use, with `/v1`.
        timeout: Per request, in seconds or as an `httpx.Timeout` (default 60 s, 10 s to
            connect).
        max_retries: Retries on connection errors, timeouts, 408, 429 and 5xx (default 2).
        max_requests_per_second: A cap on this client's rate, to stay under a known limit:
            its requests (every call, every poll of every wait) go at least `1 / rate`
            seconds apart. None (the default) sends as they come. Whatever the cap, a 429
            that says how long to wait (`retry-after`, `retry-after-ms` or
            `x-ratelimit-reset`) pauses every request of the client until then, at most 60 s.
        http_client: An `httpx.Client` to send through (proxies, custom transports); it is
            not closed by `close()`.

    Raises:
        TogetherError: No API key was given or found.
        ValueError: `max_retries` or `max_requests_per_second` is out of range.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_requests_per_second: float | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_requests_per_second=max_requests_per_second,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()
        self.batches = Batches(self)
        self.files = Files(self)

    def _execute(
        self, call: Call[T], timeout: Timeout = None, *, deadline: float | None = None
    ) -> T:
        """Send `call` and read its answer: the one way every request is sent.

        Args:
            call: What to send and how to read it.
            timeout: This call's timeout (None: the client's), for each attempt as a whole.
            deadline: A monotonic time (`_clock.monotonic()`) no attempt may run past: a
                wait's or a cancel's. With one, a single attempt is made.

        Raises:
            TogetherError: The subclass for what went wrong (`APITimeoutError` when an
                attempt ran out of time).
        """
        return send_sync.execute(self, call, timeout, deadline)

    def _stream(
        self, call: Call[Any], timeout: Timeout = None
    ) -> contextlib.AbstractContextManager[httpx.Response]:
        """`_execute` for a body too large to hold: its 2xx response, the body unread (read
        it with `_files.transfer.chunks`, which maps its errors to `TogetherError`s). Retried until
        the body starts, not after; `timeout` bounds each phase, not the whole."""
        return send_sync.stream(self, call, timeout)

    def close(self) -> None:
        """Close the HTTP client, unless it was passed in."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncTogether(_Base):
    """The asyncio client: `await AsyncTogether().batches.get_batch("batch-abc123")`.

    Takes the same arguments as `Together`; `http_client` is an `httpx.AsyncClient`.
    `max_requests_per_second` caps the rate of every request of the client (every call, every
    poll of every wait), and a 429 that says how long to wait pauses them all until then (at
    most 60 s).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_requests_per_second: float | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_requests_per_second=max_requests_per_second,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        # The async twins (and asyncio) load with the first async client.
        self.batches = resources.batches_async.AsyncBatches(self)
        self.files = resources.files_async.AsyncFiles(self)

    async def _execute(
        self, call: Call[T], timeout: Timeout = None, *, deadline: float | None = None
    ) -> T:
        """Send `call` and read its answer (see `Together._execute`)."""
        return await _http.send_async.execute(self, call, timeout, deadline)

    def _stream(
        self, call: Call[Any], timeout: Timeout = None
    ) -> contextlib.AbstractAsyncContextManager[httpx.Response]:
        """Send `call`; hand over its 2xx response, body unread (see `Together._stream`)."""
        return _http.send_async.stream(self, call, timeout)

    async def close(self) -> None:
        """Close the HTTP client, unless it was passed in."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

"""`Together` and `AsyncTogether`: configuration, the HTTP client, and the one send primitive.

`_execute` is the only way a request is sent, by the resources and the waiters alike: each
attempt is bounded as a whole (connect, send and the full body read) by the call's timeout
and by the caller's deadline, if any (see `_http.deadlines`); what to do after an attempt is
decided in `_http.sending` (and the pure rules in `_http/retry.py`), shared by both twins. `_stream`
is its variant for a body too large to hold: the same retries and errors, until the body
starts, which the caller then reads a chunk at a time.

The twins keep the whole-attempt bound differently: the async one cancels the attempt at
its end (`asyncio.timeout`); the sync one cuts each phase's timeout to the time left and
checks the end between the body's chunks (`_http.sending.BodyByDeadline`), so a server trickling
its body cannot stretch a call past it by more than a chunk. (Trickled *headers* it cannot
cut: httpcore reads them in one loop. The sync waiter stops waiting at its deadline anyway.)
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import _clock, resources
from ._config import DEFAULT_TIMEOUT, Timeout, resolve_api_key, resolve_base_url, to_timeout
from ._http import deadlines, sending
from ._http.calls import Call
from ._http.errors import SEND_ERRORS
from ._http.retry import RetryPolicy
from ._http.sending import Outcome
from ._version import __version__
from .resources.batches import Batches
from .resources.files import Files

__all__ = ["AsyncTogether", "Together"]

T = TypeVar("T")


class _Base:
    """What both twins hold: the key, base URL, timeout and retry policy."""

    def __init__(
        self, api_key: str | None, *, base_url: str | None, timeout: Timeout, max_retries: int
    ) -> None:
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError("max_retries must be an int >= 0")
        key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        self.timeout = to_timeout(timeout, DEFAULT_TIMEOUT)
        self.max_retries = max_retries
        self._policy = RetryPolicy(max_retries=max_retries)
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
        http_client: An `httpx.Client` to send through (proxies, custom transports); it is
            not closed by `close()`.

    Raises:
        TogetherError: No API key was given or found.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
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
        return sending.finish(call, *self._attempts(call, timeout, deadline))

    def _attempts(
        self, call: Call[Any], timeout: Timeout, deadline: float | None, *, stream: bool = False
    ) -> tuple[sending.Next, Outcome]:
        """Attempt `call` until `sending.after_attempt` says stop: the last step and outcome."""
        limits, retries = self._limits(timeout), 0
        policy = self._policy if deadline is None else sending.ONE_ATTEMPT
        whole = call.whole_timeout and not stream
        while True:
            phases, end = deadlines.attempt_limits(
                limits, _clock.monotonic(), deadline, whole=whole
            )
            request = sending.build_request(self._http, call, phases, self.base_url, self._headers)
            outcome = self._send(request, end, call, stream)
            step = sending.after_attempt(call, outcome, retries, policy)
            if step.delay is None:
                return step, outcome
            _clock.sleep(step.delay)
            retries += 1

    def _send(
        self, request: httpx.Request, end: float | None, call: Call[Any], stream: bool
    ) -> Outcome:
        """One attempt, its body read in full by `end` (monotonic) when there is one; or, to
        `stream`, a response whose body is left unread (unless `sending.streams` says read it)."""
        options = sending.send_options(call)
        try:
            if stream:
                response = self._http.send(request, stream=True, **options)
                if not sending.streams(call, response):
                    with contextlib.closing(response):
                        response.read()
                return response
            if end is None:
                return self._http.send(request, **options)
            now = _clock.monotonic()
            if deadlines.is_past(end, now):
                return sending.no_time_left(request)
            response = self._http.send(request, stream=True, **options)
            try:
                # httpcore reads the read timeout as the body starts: cut it to the time
                # left then, so that a server gone silent is not waited for past `end`.
                phases = request.extensions["timeout"]
                read = deadlines.body_read_timeout(phases.get("read"), end, _clock.monotonic())
                if read is not None:
                    phases["read"] = read
                assert isinstance(response.stream, httpx.SyncByteStream)
                response.stream = sending.BodyByDeadline(response.stream, request, end, end - now)
                response.read()
            finally:
                response.close()
        except SEND_ERRORS as exc:
            return exc
        return response

    @contextlib.contextmanager
    def _stream(self, call: Call[Any], timeout: Timeout = None) -> Iterator[httpx.Response]:
        """`_execute` for a body too large to hold: its 2xx response, the body unread (read
        it with `_files.transfer.chunks`, which maps its errors to `TogetherError`s). Retried until
        the body starts, not after; `timeout` bounds each phase, not the whole."""
        response = sending.opened(call, *self._attempts(call, timeout, None, stream=True))
        try:
            yield response
        finally:
            response.close()

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
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        # The async twins (and asyncio) load with the first async client.
        self.batches = resources.batches_async.AsyncBatches(self)
        self.files = resources.files_async.AsyncFiles(self)

    async def _execute(
        self, call: Call[T], timeout: Timeout = None, *, deadline: float | None = None
    ) -> T:
        """Send `call` and read its answer (see `Together._execute`)."""
        return sending.finish(call, *await self._attempts(call, timeout, deadline))

    async def _attempts(
        self, call: Call[Any], timeout: Timeout, deadline: float | None, *, stream: bool = False
    ) -> tuple[sending.Next, Outcome]:
        """Attempt `call` until told to stop (see `Together._attempts`)."""
        limits, retries = self._limits(timeout), 0
        policy = self._policy if deadline is None else sending.ONE_ATTEMPT
        whole = call.whole_timeout and not stream
        while True:
            phases, end = deadlines.attempt_limits(
                limits, _clock.monotonic(), deadline, whole=whole
            )
            request = sending.build_request(self._http, call, phases, self.base_url, self._headers)
            outcome = await self._send(request, end, call, stream)
            step = sending.after_attempt(call, outcome, retries, policy)
            if step.delay is None:
                return step, outcome
            await _clock.async_sleep(step.delay)
            retries += 1

    async def _send(
        self, request: httpx.Request, end: float | None, call: Call[Any], stream: bool
    ) -> Outcome:
        """One attempt, cancelled at `end` (monotonic) if any, or streamed (`Together._send`)."""
        import asyncio  # noqa: PLC0415 - loaded already by any program that gets here

        options = sending.send_options(call)
        try:
            if stream:
                response = await self._http.send(request, stream=True, **options)
                if not sending.streams(call, response):
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                return response
            if end is None:
                return await self._http.send(request, **options)
            seconds = deadlines.seconds_left(end, _clock.monotonic())
            if deadlines.is_past(end, _clock.monotonic()):
                return sending.no_time_left(request)
            try:
                async with asyncio.timeout(seconds):
                    return await self._http.send(request, **options)
            except TimeoutError:
                return sending.expired(request, seconds)
        except SEND_ERRORS as exc:
            return exc

    @contextlib.asynccontextmanager
    async def _stream(
        self, call: Call[Any], timeout: Timeout = None
    ) -> AsyncIterator[httpx.Response]:
        """Send `call`; hand over its 2xx response, body unread (see `Together._stream`)."""
        response = sending.opened(call, *await self._attempts(call, timeout, None, stream=True))
        try:
            yield response
        finally:
            await response.aclose()

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

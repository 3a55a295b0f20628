"""`Together` and `AsyncTogether`: configuration, the HTTP client, and the send-with-retries loop.

The two twins differ only in `await`: what to do after an attempt is decided by
`_after_attempt` (and the pure rules in `_retry.py`), shared by both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import _clock
from ._batches import AsyncBatches, Batches
from ._calls import Call, decode
from ._config import DEFAULT_TIMEOUT, resolve_api_key, resolve_base_url, to_timeout
from ._exceptions import SEND_ERRORS, SendError, TogetherError, connection_error
from ._files_resource import AsyncFiles, Files
from ._retry import RETRYABLE_STATUSES, Failure, RetryPolicy, classify_exception, retry_delay
from ._version import __version__

__all__ = ["AsyncTogether", "Together"]

logger = logging.getLogger("together_batches")
T = TypeVar("T")
Timeout = float | httpx.Timeout | None


@dataclass(frozen=True, slots=True)
class _Next:
    """What the send loop does after an attempt: sleep `delay` and retry, or stop."""

    delay: float | None
    error: TogetherError | None = None
    response: httpx.Response | None = None


def _after_attempt(
    call: Call[Any],
    outcome: httpx.Response | SendError,
    retries_done: int,
    policy: RetryPolicy,
) -> _Next:
    if isinstance(outcome, httpx.Response):
        status = outcome.status_code
        if status not in RETRYABLE_STATUSES:
            return _Next(None, response=outcome)
        delay = retry_delay(
            failure=Failure.STATUS, status=status, headers=outcome.headers,
            retries_done=retries_done, idempotent=call.idempotent, policy=policy,
        )  # fmt: skip
        reason = f"HTTP {status}"
        result = _Next(delay, response=outcome)
    else:
        failure = classify_exception(outcome)
        delay = retry_delay(
            failure=failure, status=None, headers=None, retries_done=retries_done,
            idempotent=call.idempotent, policy=policy,
        )  # fmt: skip
        reason = type(outcome).__name__
        result = _Next(delay, error=connection_error(outcome))
    if delay is not None:
        logger.debug(
            "retrying %s %s in %.2fs (retry %d of %d) after %s",
            call.request["method"].upper(), call.request["url"], delay, retries_done + 1,
            policy.max_retries, reason,
        )  # fmt: skip
    return result


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

    def _request_args(self, call: Call[Any], timeout: Timeout) -> dict[str, Any]:
        args = dict(call.request)
        args["url"] = self.base_url + args["url"]
        extra = args.pop("headers", None)
        args["headers"] = self._headers if extra is None else {**self._headers, **extra}
        args["timeout"] = self.timeout if timeout is None else to_timeout(timeout, self.timeout)
        return args


class Together(_Base):
    """The client: `Together().batches.get_batch("batch-abc123")`.

    Args:
        api_key: Defaults to the `TOGETHER_API_KEY` environment variable.
        base_url: Defaults to `TOGETHER_BASE_URL`, then `https://api.together.ai/v1`.
        timeout: Per request, in seconds or as an `httpx.Timeout` (default 60 s, 10 s to
            connect).
        max_retries: Retries on connection errors, timeouts, 408, 429 and 5xx except 501
            and 505 (default 2).
        http_client: An `httpx.Client` to send through (proxies, custom transports); it is
            not closed by `close()`.

    Raises:
        TogetherError: No API key was given or found.
        ValueError: The base URL (given or from `TOGETHER_BASE_URL`) is malformed, or
            `max_retries` is not an int >= 0.
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

    def _execute(self, call: Call[T], timeout: Timeout = None) -> T:
        args = self._request_args(call, timeout)
        retries = 0
        while True:
            outcome: httpx.Response | SendError
            try:
                outcome = self._http.request(**args)
            except SEND_ERRORS as exc:
                outcome = exc
            step = _after_attempt(call, outcome, retries, self._policy)
            if step.delay is None:
                if step.error is not None:
                    raise step.error from (outcome if isinstance(outcome, Exception) else None)
                assert step.response is not None
                return decode(call, step.response)
            _clock.sleep(step.delay)
            retries += 1

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
        self.batches = AsyncBatches(self)
        self.files = AsyncFiles(self)

    async def _execute(self, call: Call[T], timeout: Timeout = None) -> T:
        args = self._request_args(call, timeout)
        retries = 0
        while True:
            outcome: httpx.Response | SendError
            try:
                outcome = await self._http.request(**args)
            except SEND_ERRORS as exc:
                outcome = exc
            step = _after_attempt(call, outcome, retries, self._policy)
            if step.delay is None:
                if step.error is not None:
                    raise step.error from (outcome if isinstance(outcome, Exception) else None)
                assert step.response is not None
                return decode(call, step.response)
            await _clock.async_sleep(step.delay)
            retries += 1

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

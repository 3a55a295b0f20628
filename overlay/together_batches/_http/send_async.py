"""The async send shell: drives a call's `_http.attempts.Attempts` with `httpx.AsyncClient`.

The twin of `_http.send_sync` (`AsyncTogether._execute` and `AsyncTogether._stream`). It keeps
an attempt's whole-time bound by cancelling the attempt at its end (`asyncio.timeout`).

Loaded with the first async call, so that `import together_batches` does not pay for
asyncio in programs that only use the sync client.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .. import _clock
from .._config import Timeout
from . import deadlines, sending
from .attempts import Attempts, Done, Outcome, Send, Sleep
from .calls import Call
from .errors import SEND_ERRORS

if TYPE_CHECKING:
    from .._client import AsyncTogether

__all__ = ["execute", "stream"]

T = TypeVar("T")


async def execute(
    client: AsyncTogether, call: Call[T], timeout: Timeout, deadline: float | None
) -> T:
    """`AsyncTogether._execute` (see `Together._execute`)."""
    return sending.finish(call, await _attempts(client, call, timeout, deadline, stream=False))


@contextlib.asynccontextmanager
async def stream(
    client: AsyncTogether, call: Call[Any], timeout: Timeout
) -> AsyncIterator[httpx.Response]:
    """`AsyncTogether._stream` (see `Together._stream`)."""
    response = sending.opened(call, await _attempts(client, call, timeout, None, stream=True))
    try:
        yield response
    finally:
        await response.aclose()


async def _attempts(
    client: AsyncTogether,
    call: Call[Any],
    timeout: Timeout,
    deadline: float | None,
    *,
    stream: bool,
) -> Done:
    steps = Attempts(call, client._limits(timeout), client._policy, deadline, stream=stream)
    pace = client._pace if steps.paced else None
    while True:
        now = _clock.monotonic()
        step: Send | Sleep | Done = steps.send(now, 0.0 if pace is None else pace.take(now))
        if isinstance(step, Send):
            outcome, wall = await _send(client, call, step, stream=stream), _clock.now()
            if pace is not None:
                pace.saw(outcome, mono_now=_clock.monotonic(), wall_now=wall)
            step = steps.after(outcome, wall)
        if isinstance(step, Done):
            return step
        await _clock.async_sleep(step.seconds)


async def _send(client: AsyncTogether, call: Call[Any], attempt: Send, *, stream: bool) -> Outcome:
    """One attempt, cancelled at `attempt.end` if any, or streamed (see `send_sync._send`)."""
    http = client._http
    request = sending.build_request(http, call, attempt.phases, client.base_url, client._headers)
    options, end = sending.send_options(call), attempt.end
    try:
        if stream:
            response = await http.send(request, stream=True, **options)
            if not sending.streams(call, response):
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            return response
        if end is None:
            return await http.send(request, **options)
        seconds = deadlines.seconds_left(end, _clock.monotonic())
        if deadlines.is_past(end, _clock.monotonic()):
            return sending.no_time_left(request)
        try:
            async with asyncio.timeout(seconds):
                return await http.send(request, **options)
        except TimeoutError:
            return sending.expired(request, seconds)
    except SEND_ERRORS as exc:
        return exc

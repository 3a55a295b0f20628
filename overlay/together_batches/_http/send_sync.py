"""The sync send shell: drives a call's `_http.attempts.Attempts` with `httpx.Client`.

`Together._execute` and `Together._stream` are this module's `execute` and `stream`. It asks
the client's pace (`_http.pacing`) before each attempt and tells it what came back, sends each
attempt the steps ask for, sleeps as long as they say, and hands back where they end;
`_http.send_async` is its twin. Every decision is in `_http.attempts` and `_http.pacing`.

It keeps an attempt's whole-time bound by cutting each phase's timeout to the time left and
checking the end between the body's chunks (`_http.sending.BodyByDeadline`), so a server
trickling its body cannot stretch a call past it by more than a chunk. (Trickled *headers* it
cannot cut: httpcore reads them in one loop. The sync waiter stops waiting at its deadline
anyway.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .. import _clock
from .._config import Timeout
from . import deadlines, sending
from .attempts import Attempts, Done, Outcome, Send, Sleep
from .calls import Call
from .errors import SEND_ERRORS

if TYPE_CHECKING:
    from .._client import Together

__all__ = ["execute", "stream"]

T = TypeVar("T")


def execute(client: Together, call: Call[T], timeout: Timeout, deadline: float | None) -> T:
    """`Together._execute` (see there)."""
    return sending.finish(call, _attempts(client, call, timeout, deadline, stream=False))


@contextlib.contextmanager
def stream(client: Together, call: Call[Any], timeout: Timeout) -> Iterator[httpx.Response]:
    """`Together._stream` (see there)."""
    response = sending.opened(call, _attempts(client, call, timeout, None, stream=True))
    try:
        yield response
    finally:
        response.close()


def _attempts(
    client: Together, call: Call[Any], timeout: Timeout, deadline: float | None, *, stream: bool
) -> Done:
    steps = Attempts(call, client._limits(timeout), client._policy, deadline, stream=stream)
    pace = client._pace if steps.paced else None
    while True:
        now = _clock.monotonic()
        step: Send | Sleep | Done = steps.send(now, 0.0 if pace is None else pace.take(now))
        if isinstance(step, Send):
            outcome, wall = _send(client, call, step, stream=stream), _clock.now()
            if pace is not None:
                pace.saw(outcome, mono_now=_clock.monotonic(), wall_now=wall)
            step = steps.after(outcome, wall)
        if isinstance(step, Done):
            return step
        _clock.sleep(step.seconds)


def _send(client: Together, call: Call[Any], attempt: Send, *, stream: bool) -> Outcome:
    """One attempt, its body read in full by `attempt.end` when there is one; or, to
    `stream`, a response whose body is left unread (unless `sending.streams` says read it)."""
    http = client._http
    request = sending.build_request(http, call, attempt.phases, client.base_url, client._headers)
    options, end = sending.send_options(call), attempt.end
    try:
        if stream:
            response = http.send(request, stream=True, **options)
            if not sending.streams(call, response):
                with contextlib.closing(response):
                    response.read()
            return response
        if end is None:
            return http.send(request, **options)
        now = _clock.monotonic()
        if deadlines.is_past(end, now):
            return sending.no_time_left(request)
        response = http.send(request, stream=True, **options)
        try:
            # httpcore reads the read timeout as the body starts: cut it to the time left
            # then, so that a server gone silent is not waited for past `end`.
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

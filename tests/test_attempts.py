"""Table tests of the send loop's steps (`_http/attempts.py`): pure, no I/O, no clock."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import httpx
import pytest

from together_batches import APIConnectionError, APITimeoutError
from together_batches._http import calls
from together_batches._http.attempts import ONE_ATTEMPT, Attempts, Done, Outcome, Send, Sleep
from together_batches._http.calls import Call
from together_batches._http.retry import RetryPolicy

POLICY = RetryPolicy(max_retries=2, initial_delay=0.5, max_delay=8.0, max_retry_after=60.0)
LIMITS = httpx.Timeout(60.0, connect=10.0)
REQUEST = httpx.Request("GET", "https://api.example.test/v1/batches/b1")
GET = calls.get_batch("b1")
CREATE = Call(
    {"method": "post", "url": "/batches", "json": {}}, idempotent=False, parse=lambda v: v
)
DOWNLOAD = replace(GET, whole_timeout=False)


def no_jitter() -> float:
    return 0.0


def steps(
    call: Call[Any] = GET,
    *,
    deadline: float | None = None,
    stream: bool = False,
    policy: RetryPolicy = POLICY,
) -> Attempts:
    return Attempts(call, LIMITS, policy, deadline, stream=stream, rand=no_jitter)


def status(code: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(code, headers=headers, request=REQUEST)


# --- send: the limits of the attempt that starts now ----------------------------------------


@pytest.mark.parametrize(
    ("call", "deadline", "stream", "end", "read"),
    [
        (GET, None, False, 1060.0, 60.0),  # the whole attempt: its longest phase
        (GET, None, True, None, 60.0),  # a stream: each phase only
        (DOWNLOAD, None, False, None, 60.0),  # a download's body may rightly take long
        (GET, 1005.0, False, 1005.0, 5.0),  # a caller's deadline first: phases cut to it
        (GET, 2000.0, False, 1060.0, 60.0),  # a far deadline: the attempt's own bound
        (DOWNLOAD, 1005.0, False, 1005.0, 5.0),
    ],
)
def test_send_gives_the_attempt_its_end_and_phases(
    call: Call[Any], deadline: float | None, stream: bool, end: float | None, read: float
) -> None:
    attempt = steps(call, deadline=deadline, stream=stream).send(1000.0)
    assert isinstance(attempt, Send) and attempt.end == end
    assert attempt.phases.read == read


# --- after: what follows an attempt ---------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "outcome", "expected"),
    [
        # an answer that no retry can change is the end, whatever its status
        (GET, status(200), "response"),
        (GET, status(404), "response"),
        (GET, status(501), "response"),
        (CREATE, status(201), "response"),
        # the server's passing trouble: a retry, after the backoff or the server's hint
        (GET, status(503), 0.5),
        (GET, status(429, {"retry-after": "3"}), 3.0),
        (GET, status(429, {"retry-after": "3600"}), "response"),  # beyond the cap: at once
        (GET, httpx.ConnectError("refused", request=REQUEST), 0.5),
        (GET, httpx.ReadTimeout("slow", request=REQUEST), 0.5),
        (GET, httpx.InvalidURL("bad"), APIConnectionError),  # cannot get better
        # a create only when it provably did not run
        (CREATE, status(503), 0.5),
        (CREATE, httpx.ConnectError("refused", request=REQUEST), 0.5),
        (CREATE, status(500), "response"),
        (CREATE, httpx.ReadTimeout("slow", request=REQUEST), APITimeoutError),
        (CREATE, httpx.RemoteProtocolError("dropped", request=REQUEST), APIConnectionError),
    ],
)
def test_after_an_attempt(call: Call[Any], outcome: Outcome, expected: object) -> None:
    step = steps(call).after(outcome)
    if expected == "response":
        assert step == Done(outcome, response=outcome)  # type: ignore[arg-type]
    elif isinstance(expected, float):
        assert step == Sleep(expected)
    else:
        assert isinstance(step, Done) and step.response is None
        assert type(step.error) is expected and step.outcome is outcome


def test_retries_grow_the_backoff_until_the_budget_is_spent() -> None:
    loop = steps()
    assert [loop.after(status(503)) for _ in range(2)] == [Sleep(0.5), Sleep(1.0)]
    last = status(503)
    assert loop.after(last) == Done(last, response=last)
    assert loop.retries == 2


@pytest.mark.parametrize("deadline", [1005.0, 5000.0])
def test_under_a_callers_deadline_one_attempt_is_made(deadline: float) -> None:
    loop = steps(deadline=deadline)
    failed = httpx.ConnectError("refused", request=REQUEST)
    step = loop.after(failed)
    assert isinstance(step, Done) and isinstance(step.error, APIConnectionError)
    assert ONE_ATTEMPT.max_retries == 0


def test_max_retries_zero_ends_at_the_first_attempt() -> None:
    busy = status(503)
    assert steps(policy=RetryPolicy(max_retries=0)).after(busy) == Done(busy, response=busy)


def test_each_retry_is_logged_once_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    loop = steps()
    with caplog.at_level(logging.DEBUG, logger="together_batches"):
        loop.after(status(503))
        loop.after(httpx.ConnectError("refused", request=REQUEST))
        loop.after(status(200))
    lines = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert lines == [
        "retrying GET /batches/b1 in 0.50s (retry 1 of 2) after HTTP 503",
        "retrying GET /batches/b1 in 1.00s (retry 2 of 2) after ConnectError",
    ]

"""Table tests of the pure retry rules in `_http/retry.py`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from together_batches import InternalServerError
from together_batches._http.retry import (
    RETRYABLE_STATUSES,
    Failure,
    RetryPolicy,
    backoff_delay,
    classify_exception,
    parse_retry_after,
    retry_delay,
)

from ._twins import Twin
from .conftest import FakeTime

POLICY = RetryPolicy(max_retries=2, initial_delay=0.5, max_delay=8.0, max_retry_after=60.0)
NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
REQUEST = httpx.Request("GET", "https://api.example.test/v1/batches/b1")


def no_jitter() -> float:
    return 0.0


@pytest.mark.parametrize(
    ("failure", "status", "idempotent", "retries_done", "expected"),
    [
        # GET and cancel: every transient failure, until the budget is spent
        (Failure.NOT_SENT, None, True, 0, 0.5),
        (Failure.TIMEOUT, None, True, 0, 0.5),
        (Failure.CONNECTION, None, True, 1, 1.0),
        (Failure.STATUS, 500, True, 0, 0.5),
        (Failure.STATUS, 502, True, 0, 0.5),
        (Failure.STATUS, 503, True, 0, 0.5),
        (Failure.STATUS, 504, True, 0, 0.5),
        (Failure.STATUS, 408, True, 0, 0.5),
        (Failure.STATUS, 429, True, 0, 0.5),
        (Failure.STATUS, 503, True, 2, None),  # budget spent
        (Failure.TIMEOUT, None, True, 2, None),
        # never: client errors and what cannot get better
        (Failure.STATUS, 400, True, 0, None),
        (Failure.STATUS, 401, True, 0, None),
        (Failure.STATUS, 403, True, 0, None),
        (Failure.STATUS, 404, True, 0, None),
        (Failure.STATUS, 501, True, 0, None),  # Not Implemented: it never will be
        (Failure.STATUS, 505, True, 0, None),  # HTTP Version Not Supported: nor that
        (Failure.FATAL, None, True, 0, None),
        # create: only when provably not acted on
        (Failure.NOT_SENT, None, False, 0, 0.5),
        (Failure.STATUS, 429, False, 0, 0.5),
        (Failure.STATUS, 503, False, 0, 0.5),
        (Failure.TIMEOUT, None, False, 0, None),
        (Failure.CONNECTION, None, False, 0, None),
        (Failure.STATUS, 500, False, 0, None),
        (Failure.STATUS, 502, False, 0, None),
        (Failure.STATUS, 504, False, 0, None),
        (Failure.STATUS, 408, False, 0, None),
    ],
)
def test_retry_decision(
    failure: Failure,
    status: int | None,
    idempotent: bool,
    retries_done: int,
    expected: float | None,
) -> None:
    delay = retry_delay(
        failure=failure,
        status=status,
        headers={},
        retries_done=retries_done,
        idempotent=idempotent,
        policy=POLICY,
        rand=no_jitter,
        now=NOW,
    )
    assert delay == expected


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        (499, False),
        (500, True),
        (501, False),
        (502, True),
        (503, True),
        (504, True),
        (505, False),
        (506, True),
        (507, True),
        (508, True),
        (511, True),
        (520, True),
        (524, True),
        (598, True),
        (599, True),
        (600, False),
        (999, False),
        (408, True),
        (429, True),
        (400, False),
        (409, False),
        (425, False),
    ],
)
def test_which_statuses_are_retried(status: int, retried: bool) -> None:
    """Every 5xx but 501 and 505 (docs/timeouts-and-retries.md); nothing outside 5xx but 408 and 429."""
    delay = retry_delay(
        failure=Failure.STATUS,
        status=status,
        headers={},
        retries_done=0,
        idempotent=True,
        policy=POLICY,
        rand=no_jitter,
        now=NOW,
    )
    assert (delay is not None) is retried
    assert (status in RETRYABLE_STATUSES) is retried


@pytest.mark.parametrize(("status", "requests"), [(599, 3), (520, 3), (501, 1), (505, 1)])
def test_a_get_is_retried_on_5xx_but_501_and_505(
    twin: Twin, fake_time: FakeTime, status: int, requests: int
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"error": "server trouble"})

    with pytest.raises(InternalServerError) as caught:
        twin.client(handler).batches.get_batch("b1")
    assert caught.value.status_code == status
    assert len(seen) == requests


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),  # the finer one wins
        ({"retry-after-ms": "junk", "retry-after": "9"}, 9.0),
        ({"retry-after": "Mon, 15 Jan 2024 14:30:20 GMT"}, 20.0),
        ({"retry-after": "Mon, 15 Jan 2024 14:29:00 GMT"}, 0.0),  # in the past
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, NOW) == expected


@pytest.mark.parametrize(
    ("headers", "idempotent", "expected"),
    [
        ({"retry-after": "3"}, True, 3.0),
        ({"retry-after": "3"}, False, 3.0),  # 429 promises the create was not acted on
        ({"retry-after": "60"}, True, 60.0),
        ({"retry-after": "61"}, True, None),  # beyond the cap: raise at once
        ({"retry-after": "inf"}, True, None),
        ({"retry-after-ms": "100"}, True, 0.1),
    ],
)
def test_server_hint_is_honoured_up_to_the_cap(
    headers: dict[str, str], idempotent: bool, expected: float | None
) -> None:
    delay = retry_delay(
        failure=Failure.STATUS,
        status=429,
        headers=headers,
        retries_done=0,
        idempotent=idempotent,
        policy=POLICY,
        rand=no_jitter,
        now=NOW,
    )
    assert delay == expected


@pytest.mark.parametrize(
    ("retry", "jitter", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (10, 0.0, 8.0),
        (0, 0.999999, 0.375),
        (10, 0.5, 7.0),
        (10_000, 0.0, 8.0),
    ],
)
def test_backoff_is_exponential_capped_and_jittered_down(
    retry: int, jitter: float, expected: float
) -> None:
    assert backoff_delay(retry, POLICY, lambda: jitter) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused"), Failure.NOT_SENT),
        (httpx.ConnectTimeout("slow connect"), Failure.NOT_SENT),
        (httpx.PoolTimeout("pool"), Failure.NOT_SENT),
        (httpx.ReadTimeout("slow read"), Failure.TIMEOUT),
        (httpx.WriteTimeout("slow write"), Failure.TIMEOUT),
        (httpx.ReadError("reset"), Failure.CONNECTION),
        (httpx.RemoteProtocolError("dropped"), Failure.CONNECTION),
        (httpx.UnsupportedProtocol("ftp"), Failure.FATAL),
        # outside the transport tree (tests/test_send_errors.py walks every class)
        (httpx.DecodingError("bad gzip", request=REQUEST), Failure.CONNECTION),
        (httpx.TooManyRedirects("loop", request=REQUEST), Failure.FATAL),
        (httpx.StreamClosed(), Failure.FATAL),
        (httpx.StreamConsumed(), Failure.FATAL),
        (httpx.InvalidURL("bad"), Failure.FATAL),
        (httpx.LocalProtocolError("bad header"), Failure.FATAL),
        (httpx.ProxyError("refused"), Failure.FATAL),
        (
            httpx.HTTPStatusError("hook", request=REQUEST, response=httpx.Response(503)),
            Failure.FATAL,
        ),
        (httpx.CloseError("closing"), Failure.CONNECTION),
    ],
)
def test_classify_exception(exc: Any, expected: Failure) -> None:
    assert classify_exception(exc) is expected

"""The server's retry headers: `x-should-retry` and `x-ratelimit-reset`, as table tests of the
pure rules (`_http/retry.py`) and against a scripted server over both twins, for calls and for
the waiter's polls."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import httpx
import pytest

from together_batches import (
    BadRequestError,
    BatchStatus,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    TogetherError,
)
from together_batches._http.retry import (
    MAX_RESET,
    Failure,
    RetryPolicy,
    parse_ratelimit_reset,
    retry_delay,
    server_delay,
    server_says_retry,
)

from ._twins import Twin
from .conftest import FakeTime

POLICY = RetryPolicy(max_retries=2, initial_delay=0.5, max_delay=8.0, max_retry_after=60.0)
NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
EPOCH = NOW.timestamp()  # 1705329000.0
JOB = {"id": "b1", "status": "COMPLETED", "progress": 100}
CREATED = {"job": {"id": "b1", "status": "VALIDATING"}}


def no_jitter() -> float:
    return 0.0


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (" False ", False),
        ("1", None),  # neither: no hint
        ("yes", None),
        ("", None),
        (None, None),
    ],
)
def test_server_says_retry(value: str | None, expected: bool | None) -> None:
    headers = {} if value is None else {"x-should-retry": value}
    assert server_says_retry(headers) is expected
    assert server_says_retry(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12.0),  # the docs' form: seconds until the window resets
        ("0.25", 0.25),
        ("0", 0.0),
        ("-3", 0.0),
        ("299", 299.0),
        ("3600", MAX_RESET),  # a far reset is held to the cap
        (str(EPOCH + 20), 20.0),  # a Unix timestamp in seconds
        (str(int(EPOCH) + 45), 45.0),
        (str(EPOCH - 60), 0.0),  # already past
        (str(EPOCH + 86_400), MAX_RESET),
        (str((EPOCH + 7.5) * 1000), 7.5),  # a Unix timestamp in milliseconds
        ("999999999", MAX_RESET),  # just under the timestamps: still seconds from now
        ("soon", None),
        ("6m0s", None),
        ("nan", None),
        ("inf", None),
        ("", None),
    ],
)
def test_parse_ratelimit_reset(value: str, expected: float | None) -> None:
    assert parse_ratelimit_reset({"x-ratelimit-reset": value}, NOW) == expected


def test_no_ratelimit_reset_is_no_hint() -> None:
    assert parse_ratelimit_reset({}, NOW) is None


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"x-ratelimit-reset": "5"}, 5.0),
        (429, {"x-ratelimit-reset": "5", "retry-after": "2"}, 2.0),  # retry-after first
        (429, {"x-ratelimit-reset": "5", "retry-after-ms": "300"}, 0.3),
        (429, {"x-ratelimit-reset": "5", "retry-after": "junk"}, 5.0),
        (503, {"x-ratelimit-reset": "5"}, None),  # a reset answers a 429 only
        (503, {"retry-after": "4"}, 4.0),
        (429, {}, None),
        (429, None, None),
    ],
)
def test_server_delay(status: int, headers: dict[str, str] | None, expected: float | None) -> None:
    assert server_delay(status, headers, NOW) == expected


@pytest.mark.parametrize(
    ("status", "should_retry", "idempotent", "retries_done", "expected"),
    [
        # false stops retries, whatever the status and the call
        (503, "false", True, 0, None),
        (429, "false", True, 0, None),
        (429, "false", False, 0, None),
        (500, "false", True, 0, None),
        # true allows a retry of any error status where resending is safe
        (400, "true", True, 0, 0.5),
        (404, "true", True, 0, 0.5),
        (409, "true", True, 1, 1.0),
        (501, "true", True, 0, 0.5),
        (503, "true", True, 0, 0.5),
        (404, "true", True, 2, None),  # within the budget only
        # ... so never for a create that may have run
        (400, "true", False, 0, None),
        (409, "true", False, 0, None),
        (500, "true", False, 0, None),
        (504, "true", False, 0, None),
        (503, "true", False, 0, 0.5),  # 429 and 503 promise it did not
        (429, "true", False, 0, 0.5),
        # anything else: the status rule
        (404, "maybe", True, 0, None),
        (503, "maybe", True, 0, 0.5),
        (404, None, True, 0, None),
        (503, None, True, 0, 0.5),
    ],
)
def test_x_should_retry_overrides_the_status_rule(
    status: int, should_retry: str | None, idempotent: bool, retries_done: int, expected: float
) -> None:
    headers = {} if should_retry is None else {"x-should-retry": should_retry}
    delay = retry_delay(
        failure=Failure.STATUS,
        status=status,
        headers=headers,
        retries_done=retries_done,
        idempotent=idempotent,
        policy=POLICY,
        rand=no_jitter,
        now=NOW,
    )
    assert delay == expected


@pytest.mark.parametrize(
    ("status", "headers", "idempotent", "expected"),
    [
        (429, {"x-ratelimit-reset": "7"}, True, 7.0),
        (429, {"x-ratelimit-reset": "7"}, False, 7.0),  # a 429 was not acted on
        (429, {"x-ratelimit-reset": str(EPOCH + 30)}, True, 30.0),
        (429, {"x-ratelimit-reset": "61"}, True, None),  # beyond the cap: raise at once
        (429, {"x-ratelimit-reset": "2", "retry-after": "3"}, True, 3.0),
        (503, {"x-ratelimit-reset": "7"}, True, 0.5),  # not a 429: the backoff
    ],
)
def test_a_429s_ratelimit_reset_gives_the_wait(
    status: int, headers: dict[str, str], idempotent: bool, expected: float | None
) -> None:
    delay = retry_delay(
        failure=Failure.STATUS,
        status=status,
        headers=headers,
        retries_done=0,
        idempotent=idempotent,
        policy=POLICY,
        rand=no_jitter,
        now=NOW,
    )
    assert delay == expected


# --- both twins against a scripted server ---------------------------------------------------


def scripted(
    *answers: tuple[int, dict[str, str], object],
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """A handler answering `answers` in turn (the last one repeats), and the requests seen."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(status, headers=headers, content=json.dumps(body).encode())

    return handler, seen


def test_x_should_retry_false_on_a_503_is_not_retried(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = scripted((503, {"x-should-retry": "false"}, {"error": "down"}), (200, {}, JOB))
    with pytest.raises(InternalServerError):
        twin.client(handler).batches.get_batch("b1")
    assert len(seen) == 1 and fake_time.sleeps == []


def test_x_should_retry_true_retries_a_get_on_a_404(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = scripted(
        (404, {"x-should-retry": "true"}, {"error": "not yet"}), (200, {}, JOB)
    )
    assert twin.client(handler).batches.get_batch("b1").id == "b1"
    assert len(seen) == 2 and len(fake_time.sleeps) == 1


@pytest.mark.parametrize(("status", "raised"), [(500, InternalServerError), (400, BadRequestError)])
def test_x_should_retry_true_never_resends_a_create_that_may_have_run(
    twin: Twin, fake_time: FakeTime, status: int, raised: type[TogetherError]
) -> None:
    handler, seen = scripted(
        (status, {"x-should-retry": "true"}, {"error": "hm"}), (201, {}, CREATED)
    )
    with pytest.raises(raised):
        twin.client(handler).batches.create_batch("file-1", "/v1/chat/completions")
    assert len(seen) == 1


def test_x_should_retry_false_stops_even_a_429_retry_of_a_create(
    twin: Twin, fake_time: FakeTime
) -> None:
    limited = (429, {"x-should-retry": "false", "retry-after": "1"}, {"error": "slow"})
    handler, seen = scripted(limited, (201, {}, CREATED))
    with pytest.raises(RateLimitError):
        twin.client(handler).batches.create_batch("file-1", "/v1/chat/completions")
    assert len(seen) == 1


@pytest.mark.parametrize("reset", ["4", str(EPOCH + 4)])
def test_a_429_without_retry_after_waits_for_the_ratelimit_reset(
    twin: Twin, fake_time: FakeTime, reset: str
) -> None:
    handler, seen = scripted(
        (429, {"x-ratelimit-reset": reset}, {"error": "slow"}), (201, {}, CREATED)
    )
    job = twin.client(handler).batches.create_batch("file-1", "/v1/chat/completions")
    assert job.id == "b1" and len(seen) == 2
    assert fake_time.sleeps == [4.0]


def test_the_waiters_polls_wait_for_the_ratelimit_reset(twin: Twin, fake_time: FakeTime) -> None:
    running = {"id": "b1", "status": "IN_PROGRESS", "progress": 10}
    handler, seen = scripted(
        (200, {}, running),
        (429, {"x-ratelimit-reset": "45"}, {"error": "slow"}),
        (200, {}, JOB),
    )
    failures: list[float] = []
    job = twin.client(handler, max_retries=0).batches.wait_until_done(
        "b1", poll_interval=1, on_poll_error=lambda f: failures.append(f.retry_in)
    )
    assert job.status is BatchStatus.COMPLETED and len(seen) == 3
    # The poll after the 429 came 45 s later, not at the 1-2 s interval.
    assert failures == [pytest.approx(45.0)] and fake_time.sleeps[-1] == pytest.approx(45.0)


def test_the_waiter_ends_on_x_should_retry_false(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = scripted(
        (503, {"x-should-retry": "false"}, {"error": "gone for good"}), (200, {}, JOB)
    )
    with pytest.raises(InternalServerError):
        twin.client(handler).batches.wait_until_done("b1", poll_interval=1)
    assert len(seen) == 1


def test_the_waiter_survives_a_404_with_x_should_retry_true(
    twin: Twin, fake_time: FakeTime
) -> None:
    handler, seen = scripted(
        (404, {"x-should-retry": "true"}, {"error": "not listed yet"}), (200, {}, JOB)
    )
    job = twin.client(handler, max_retries=0).batches.wait_until_done("b1", poll_interval=1)
    assert job.status is BatchStatus.COMPLETED and len(seen) == 2


def test_a_404_without_the_header_still_ends_the_wait(twin: Twin, fake_time: FakeTime) -> None:
    handler, _ = scripted((404, {}, {"error": "no such batch"}))
    with pytest.raises(NotFoundError):
        twin.client(handler).batches.wait_until_done("b1", poll_interval=1)

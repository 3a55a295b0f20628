"""One pace per client (`_http/pacing.py`): table tests of the pure decisions, the shared state
under threads, and both twins on the fake clock: a 429 seen by one poller holds back every other
request of the client until its pause ends, and `max_requests_per_second` spaces requests."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APITimeoutError,
    BatchStatus,
    PollFailure,
    RateLimitError,
    WaitTimeoutError,
)
from together_batches._display.plain import PlainLines
from together_batches._display.text import failure_text
from together_batches._http import calls
from together_batches._http.attempts import Attempts, Send, Sleep
from together_batches._http.calls import Call
from together_batches._http.pacing import (
    Pace,
    PaceState,
    check_rate,
    hold,
    pause_until,
    paused,
    take,
)
from together_batches._http.retry import RetryPolicy

from ._twins import Twin
from .conftest import FakeTime

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
NEVER = -math.inf
ROUNDING = 1e-6  # what the pace counts as no wait: a sleep may end an ulp short of its aim


# --- the pure decisions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "interval"),
    [(None, None), (1, 1.0), (4, 0.25), (0.5, 2.0), (1000.0, 0.001)],
)
def test_check_rate(rate: float | None, interval: float | None) -> None:
    assert check_rate(rate) == interval


@pytest.mark.parametrize("rate", [0, -1, 0.0, math.inf, math.nan, True, "5", [5]])
def test_check_rate_refuses(rate: object) -> None:
    with pytest.raises(ValueError, match="max_requests_per_second"):
        check_rate(rate)


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (PaceState(), 100.0, 0.0),
        (PaceState(paused_until=130.0), 100.0, 30.0),
        (PaceState(paused_until=130.0), 130.0, 0.0),
        (PaceState(paused_until=130.0), 140.0, 0.0),
        (PaceState(paused_until=130.0), 130.0 - 1e-9, 0.0),  # float rounding is no wait
        (PaceState(paused_until=130.0), 130.0 - 1e-3, pytest.approx(1e-3)),
        (PaceState(next_slot=100.5), 100.0, 0.5),
        (PaceState(paused_until=110.0, next_slot=120.0), 100.0, 20.0),  # the later of both
        (PaceState(paused_until=120.0, next_slot=110.0), 100.0, 20.0),
    ],
)
def test_hold(state: PaceState, now: float, expected: float) -> None:
    assert hold(state, now) == expected


@pytest.mark.parametrize(
    ("state", "now", "interval", "wait", "after"),
    [
        # no cap: go while not paused, nothing is taken
        (PaceState(), 100.0, None, 0.0, PaceState()),
        (PaceState(paused_until=112.0), 100.0, None, 12.0, PaceState(paused_until=112.0)),
        # a cap: the slot is taken, the next one an interval away
        (PaceState(), 100.0, 0.5, 0.0, PaceState(next_slot=100.5)),
        (PaceState(next_slot=100.5), 100.0, 0.5, 0.5, PaceState(next_slot=100.5)),
        (PaceState(next_slot=100.5), 100.5, 0.5, 0.0, PaceState(next_slot=101.0)),
        (PaceState(next_slot=100.5), 107.0, 0.5, 0.0, PaceState(next_slot=107.5)),
        # paused: nothing taken until the pause ends, then the cap again
        (
            PaceState(paused_until=130.0, next_slot=100.5),
            110.0,
            0.5,
            20.0,
            PaceState(paused_until=130.0, next_slot=100.5),
        ),
        (
            PaceState(paused_until=130.0, next_slot=100.5),
            130.0,
            0.5,
            0.0,
            PaceState(paused_until=130.0, next_slot=130.5),
        ),
    ],
)
def test_take(
    state: PaceState, now: float, interval: float | None, wait: float, after: PaceState
) -> None:
    assert take(state, now, interval) == (wait, after)


@pytest.mark.parametrize(
    ("before", "until", "after"),
    [
        (NEVER, 130.0, 130.0),
        (120.0, 130.0, 130.0),
        (140.0, 130.0, 140.0),  # a shorter pause never cuts a longer one short
    ],
)
def test_paused(before: float, until: float, after: float) -> None:
    assert paused(PaceState(paused_until=before, next_slot=5.0), until) == PaceState(after, 5.0)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"retry-after": "12"}, 112.0),
        (429, {"retry-after-ms": "1500"}, 101.5),
        (429, {"x-ratelimit-reset": "20"}, 120.0),
        (429, {"x-ratelimit-reset": str(NOW.timestamp() + 8)}, 108.0),
        (429, {"retry-after": "3600"}, 160.0),  # held to the cap
        (429, {}, None),  # no hint: no pause (the call's own backoff is its affair)
        (503, {"retry-after": "12"}, None),  # busy, not rate limited
        (200, {"retry-after": "12"}, None),
    ],
)
def test_pause_until(status: int, headers: dict[str, str], expected: float | None) -> None:
    assert pause_until(status, headers, mono_now=100.0, wall_now=NOW, cap=60.0) == expected


def test_the_shared_pace_gives_each_slot_to_one_thread() -> None:
    # Time stands still: under a cap, however many threads ask at once, one slot is taken.
    pace = Pace(interval=1.0, cap=60.0)
    start = threading.Barrier(8)
    granted: list[float] = []

    def ask() -> None:
        start.wait()
        for _ in range(200):
            wait = pace.take(100.0)
            if wait == 0.0:
                granted.append(wait)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 1 and pace.state == PaceState(next_slot=101.0)


def test_the_shared_pace_learns_only_from_a_429_that_says_how_long() -> None:
    pace = Pace(interval=None, cap=60.0)
    request = httpx.Request("GET", "https://api.example.test/v1/batches/b1")
    for outcome in (
        httpx.Response(503, headers={"retry-after": "9"}),
        httpx.Response(429),
        httpx.ConnectError("refused", request=request),
    ):
        pace.saw(outcome, mono_now=100.0, wall_now=NOW)
    assert pace.state == PaceState()
    pace.saw(httpx.Response(429, headers={"retry-after": "9"}), mono_now=100.0, wall_now=NOW)
    assert pace.state == PaceState(paused_until=109.0)


# --- the send loop's step while held ---------------------------------------------------------

GET = calls.get_batch("b1")
UPLOAD_PUT = Call(
    {"method": "put", "url": "https://storage.example.test/x"},
    idempotent=True,
    parse=lambda v: v,
    bare=True,
)


@pytest.mark.parametrize(
    ("deadline", "held", "expected"),
    [
        (None, 0.0, "send"),
        (None, 12.0, Sleep(12.0)),
        (1030.0, 12.0, Sleep(12.0)),
        (1005.0, 12.0, Sleep(5.0)),  # never past the caller's deadline
        (1000.0, 12.0, "past"),  # the deadline came while held: an attempt already over
        (1030.0, 0.0, "send"),
    ],
)
def test_a_held_call_sleeps_never_past_its_deadline(
    deadline: float | None, held: float, expected: object
) -> None:
    steps = Attempts(GET, httpx.Timeout(60.0, connect=10.0), RetryPolicy(), deadline)
    step = steps.send(1000.0, held)
    if expected == "send":
        assert isinstance(step, Send)
    elif expected == "past":
        assert isinstance(step, Send) and step.end == 1000.0
    else:
        assert step == expected


def test_requests_to_storage_are_not_paced() -> None:
    limits, policy = httpx.Timeout(60.0), RetryPolicy()
    assert Attempts(GET, limits, policy, None).paced
    assert not Attempts(UPLOAD_PUT, limits, policy, None).paced


# --- both twins on the fake clock ------------------------------------------------------------


Answer = tuple[int, dict[str, str]]


@dataclass
class Server:
    """Answers `GET /batches/{id}` from a script per job (the last answer repeats) and logs
    every request as (monotonic time, job id, status)."""

    fake_time: FakeTime
    scripts: dict[str, list[Answer]]
    log: list[tuple[float, str, int]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[1]
        script = self.scripts.get(job_id, [(200, {})])
        status, headers = script.pop(0) if len(script) > 1 else script[0]
        self.log.append((self.fake_time.mono, job_id, status))
        if status == 200:
            body: dict[str, Any] = {"id": job_id, "status": "COMPLETED", "progress": 100}
        elif status == 202:  # still running, as a 200
            status, body = 200, {"id": job_id, "status": "IN_PROGRESS", "progress": 10}
        else:
            body = {"error": "Rate limit exceeded"}
        return httpx.Response(status, headers=headers, content=json.dumps(body).encode())


LIMITED: Answer = (429, {"retry-after": "30"})
RUNNING: Answer = (202, {})
DONE: Answer = (200, {})


def other_pollers(twin: Twin, client: Any) -> Callable[[PollFailure], object]:
    """An `on_poll_error` that, at the first failure, sends as another part of the program
    would while the client is paused: a call, then a wait on two other jobs."""
    failures: list[PollFailure] = []

    if twin.is_async:
        batches = client.batches._target  # the AsyncBatches behind the sync face

        async def from_the_loop(failure: PollFailure) -> None:
            failures.append(failure)
            if len(failures) == 1:
                await batches.get_batch("x")
                await batches.wait_all(["y", "z"], poll_interval=1)

        return from_the_loop

    def from_a_thread(failure: PollFailure) -> None:
        failures.append(failure)
        if len(failures) == 1:
            client.batches.get_batch("x")
            client.batches.wait_all(["y", "z"], poll_interval=1)

    return from_a_thread


def test_a_429_seen_by_one_poller_pauses_every_other_request(
    twin: Twin, fake_time: FakeTime
) -> None:
    server = Server(fake_time, {"a": [RUNNING, LIMITED, DONE], "b": [RUNNING], "c": [RUNNING]})
    client = twin.client(server, max_retries=0)
    seen: list[PollFailure] = []
    callback = other_pollers(twin, client)

    def on_poll_error(failure: PollFailure) -> object:
        seen.append(failure)
        return callback(failure)

    waited = client.batches.as_completed(
        ["a", "b", "c"], poll_interval=1, max_poll_interval=1, on_poll_error=on_poll_error
    )
    first = next(iter(waited))
    server.scripts["b"], server.scripts["c"] = [DONE], [DONE]
    rest = list(waited)
    assert {first.id, *(job.id for job in rest)} == {"a", "b", "c"}
    # The 429 came on a's second poll; from then on nothing went out for 30 s: not the
    # wait's own polls of b and c, not a call, not another wait's polls.
    limited_at = next(t for t, _, status in server.log if status == 429)
    later = [(t, job) for t, job, _ in server.log[server.log.index((limited_at, "a", 429)) + 1 :]]
    assert {job for _, job in later} >= {"a", "b", "c", "x", "y", "z"}
    assert all(t >= limited_at + 30.0 - ROUNDING for t, _ in later), later
    assert seen[0].paused == 30.0 and seen[0].why == "rate limited: paused 30 s"
    assert isinstance(seen[0].error, RateLimitError)


def test_a_429_pauses_the_next_call_up_to_the_cap(twin: Twin, fake_time: FakeTime) -> None:
    server = Server(fake_time, {"a": [(429, {"retry-after": "3600"})], "b": [DONE]})
    client = twin.client(server)
    with pytest.raises(RateLimitError):  # an hour is beyond the retry cap: raised at once
        client.batches.get_batch("a")
    assert fake_time.sleeps == []
    assert client.batches.get_batch("b").status is BatchStatus.COMPLETED
    assert fake_time.sleeps == [60.0]  # held, but never longer than the 60 s cap
    assert [t - server.log[0][0] for t, _, _ in server.log] == [0.0, 60.0]


def test_a_wait_held_past_its_deadline_sends_nothing(twin: Twin, fake_time: FakeTime) -> None:
    server = Server(fake_time, {"a": [(429, {"retry-after": "50"})], "b": [DONE]})
    client = twin.client(server, max_retries=0)
    with pytest.raises(RateLimitError):
        client.batches.get_batch("a")
    with pytest.raises(WaitTimeoutError):
        client.batches.wait_until_done("b", timeout=10, poll_interval=1)
    assert [job for _, job, _ in server.log] == ["a"]  # b's poll never went out


def test_a_call_held_past_its_deadline_is_not_sent(twin: Twin, fake_time: FakeTime) -> None:
    # The wait's cancel is such a call: one attempt, under a deadline.
    server = Server(fake_time, {"a": [(429, {"retry-after": "50"})]})
    client = twin.client(server, max_retries=0)
    with pytest.raises(RateLimitError):
        client.batches.get_batch("a")
    deadline = fake_time.mono + 5.0
    with pytest.raises(APITimeoutError, match="not sent"):
        client._execute(calls.cancel_batch("b"), deadline=deadline)
    assert [job for _, job, _ in server.log] == ["a"] and fake_time.sleeps == [5.0]


def test_the_rate_cap_spaces_calls(twin: Twin, fake_time: FakeTime) -> None:
    server = Server(fake_time, {})
    client = twin.client(server, max_requests_per_second=2)
    for job_id in ("a", "b", "c", "d"):
        client.batches.get_batch(job_id)
    start = server.log[0][0]
    assert [t - start for t, _, _ in server.log] == [0.0, 0.5, 1.0, 1.5]


def test_the_rate_cap_spaces_a_waits_polls(twin: Twin, fake_time: FakeTime) -> None:
    server = Server(fake_time, {"a": [RUNNING, DONE], "b": [DONE], "c": [DONE]})
    client = twin.client(server, max_requests_per_second=0.25)
    jobs = client.batches.wait_all(["a", "b", "c"], poll_interval=1, max_concurrency=1)
    assert [job.status for job in jobs] == [BatchStatus.COMPLETED] * 3
    times = [t for t, _, _ in server.log]
    assert len(times) == 4
    assert all(later - earlier >= 4.0 - ROUNDING for earlier, later in itertools.pairwise(times))


@pytest.mark.parametrize("rate", [0, -2, math.inf, "fast"])
def test_a_bad_rate_is_refused_before_anything_is_sent(twin: Twin, rate: object) -> None:
    with pytest.raises(ValueError, match="max_requests_per_second"):
        twin.client(lambda request: httpx.Response(200), max_requests_per_second=rate)


# --- what the CLI's wait view says -----------------------------------------------------------


def test_the_plain_wait_view_says_why_a_wait_is_paused() -> None:
    out = io.StringIO()
    limited = RateLimitError(
        "Rate limit exceeded",
        response=httpx.Response(429, request=httpx.Request("GET", "https://x/")),
        body=None,
    )
    with PlainLines(out) as view:
        view.failed(PollFailure("batch-1", limited, 1, 12.0, paused=12.0))
        view.failed(PollFailure("batch-1", APIConnectionError("reset"), 2, 3.0))
    first, second = out.getvalue().splitlines()
    assert first.endswith("(rate limited: paused 12 s)")
    assert "paused" not in second


def test_the_live_wait_view_says_why_a_wait_is_paused() -> None:
    limited = RateLimitError(
        "Rate limit exceeded",
        response=httpx.Response(429, request=httpx.Request("GET", "https://x/")),
        body=None,
    )
    # The live view shows `failure_text` after the job's bar until a poll answers.
    paused = failure_text(PollFailure("batch-1", limited, 1, 12.0, paused=12.0))
    assert paused.startswith("rate limited: paused 12 s; 1 failed poll: Rate limit exceeded")
    assert "paused" not in failure_text(PollFailure("batch-1", APIConnectionError("reset"), 2, 3.0))

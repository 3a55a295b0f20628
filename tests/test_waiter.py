"""`wait_until_done`, `as_completed` and `wait_all` over both twins, against scripted job
statuses, with the fake clock: every wait here takes no real time."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    AsyncTogether,
    AuthenticationError,
    BatchCancelledError,
    BatchErrorGroup,
    BatchFailedError,
    BatchJob,
    BatchStatus,
    NotFoundError,
    WaitTimeoutError,
    _clock,
)
from together_batches._wait import listing

from ._twins import Twin
from .conftest import FakeTime

BASE = "https://api.example.test/v1"
Item = httpx.Response | Exception | dict[str, Any]


def job(
    batch_id: str = "b1", status: str = "IN_PROGRESS", progress: float = 0, **extra: Any
) -> dict[str, Any]:
    return {"id": batch_id, "status": status, "progress": progress, **extra}


def reply(status: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


class Server:
    """Answers GET /batches/{id} from a script per job (the last item repeats) and
    POST /batches/{id}/cancel with CANCELING; records every request as (method, id)."""

    def __init__(self, scripts: Mapping[str, Sequence[Item]]) -> None:
        self.scripts = {k: list(v) for k, v in scripts.items()}
        self.seen: list[tuple[str, str]] = []
        self.on_request: Callable[[str, str], None] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")  # "", "v1", "batches", id[, "cancel"]
        batch_id = parts[3]
        method = "CANCEL" if parts[-1] == "cancel" else request.method
        self.seen.append((method, batch_id))
        if self.on_request is not None:
            self.on_request(method, batch_id)
        if method == "CANCEL":
            return reply(200, job(batch_id, "CANCELING"))
        queue = self.scripts.get(batch_id)
        if queue is None:
            return reply(404, {"error": "not found"})
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, dict):
            return reply(200, item)
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    def count(self, method: str = "GET", batch_id: str | None = None) -> int:
        return sum(1 for m, b in self.seen if m == method and (batch_id is None or b == batch_id))


def statuses(jobs: Sequence[BatchJob]) -> list[tuple[str, float]]:
    return [(str(j.status), j.progress_percent) for j in jobs]


# --- one job -----------------------------------------------------------------------------


def test_follows_a_job_to_completion_with_progress(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [
        job(status="VALIDATING"),
        job(progress=10), job(progress=10), job(progress=10), job(progress=10),
        job(progress=50), job(progress=50),
        job(status="COMPLETED", progress=100, output_file_id="file-out"),
    ]})  # fmt: skip
    seen: list[BatchJob] = []
    client = twin.client(server)
    done = client.batches.wait_until_done("b1", on_progress=seen.append)
    assert done.status is BatchStatus.COMPLETED and done.output_file_id == "file-out"
    assert statuses(seen) == [
        ("VALIDATING", 0), ("IN_PROGRESS", 10), ("IN_PROGRESS", 50), ("COMPLETED", 100)
    ]  # fmt: skip
    assert server.count("GET") == 8
    s = fake_time.sleeps
    assert len(s) == 7
    # A change goes back to the short interval (2 s, less up to 10 % jitter)...
    for i in (0, 1, 5):
        assert 1.8 <= s[i] <= 2.0, s
    # ...and quiet polls back off: x1.5 each time.
    assert s[1] < s[2] < s[3] < s[4], s
    assert 2.7 <= s[2] <= 3.0 and 4.05 <= s[3] <= 4.5 and 6.075 <= s[4] <= 6.75, s
    assert 2.7 <= s[6] <= 3.0, s


def test_backoff_is_capped_at_max_poll_interval(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [job()] * 12 + [job(status="COMPLETED")]})
    client = twin.client(server)
    client.batches.wait_until_done("b1", poll_interval=1.0, max_poll_interval=5.0)
    assert max(fake_time.sleeps) <= 5.0 and fake_time.sleeps[-1] >= 4.5


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("FAILED", BatchFailedError),
        ("EXPIRED", BatchFailedError),
        ("CANCELLED", BatchCancelledError),
    ],
)
@pytest.mark.parametrize("raise_on_failure", [False, True])
def test_other_terminal_statuses(
    twin: Twin, fake_time: FakeTime, status: str, error: type[Exception], raise_on_failure: bool
) -> None:
    final = job(status=status, error="model exploded", error_file_id="file-err")
    server = Server({"b1": [job(), final]})
    client = twin.client(server)
    if not raise_on_failure:
        done = client.batches.wait_until_done("b1")
        assert str(done.status) == status and done.error == "model exploded"
        return
    with pytest.raises(error) as caught:
        client.batches.wait_until_done("b1", raise_on_failure=True)
    assert type(caught.value) is error
    assert isinstance(caught.value, BatchFailedError) and caught.value.job.status == status
    assert "model exploded" in str(caught.value) and "file-err" in str(caught.value)


def test_completed_is_returned_even_with_raise_on_failure(twin: Twin, fake_time: FakeTime) -> None:
    client = twin.client(Server({"b1": [job(status="COMPLETED", error_file_id="file-err")]}))
    done = client.batches.wait_until_done("b1", raise_on_failure=True)
    assert done.status is BatchStatus.COMPLETED and fake_time.sleeps == []


def test_an_unknown_status_is_waited_through(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [job(), job(status="PAUSED_FOR_LUNCH"), job(status="COMPLETED")]})
    seen: list[BatchJob] = []
    done = twin.client(server).batches.wait_until_done("b1", on_progress=seen.append)
    assert done.status is BatchStatus.COMPLETED
    assert [str(j.status) for j in seen] == ["IN_PROGRESS", "PAUSED_FOR_LUNCH", "COMPLETED"]


@pytest.mark.parametrize("cancel", [False, True])
def test_timeout_carries_the_last_job(twin: Twin, fake_time: FakeTime, cancel: bool) -> None:
    server = Server({"b1": [job(progress=5)]})
    client = twin.client(server)
    with pytest.raises(WaitTimeoutError) as caught:
        client.batches.wait_until_done("b1", timeout=30, cancel_on_timeout=cancel)
    err = caught.value
    assert isinstance(err, TimeoutError)
    assert err.job is not None and err.job.progress_percent == 5
    assert err.polls == server.count("GET") > 3 and err.pending == {"b1": err.job}
    assert "b1" in str(err) and "IN_PROGRESS" in str(err)
    # Never slept past the deadline: the last sleep was cut to end on it.
    assert sum(fake_time.sleeps) == pytest.approx(30.0)
    assert server.count("CANCEL") == (1 if cancel else 0)
    if cancel:
        assert server.seen[-1] == ("CANCEL", "b1")


def test_a_cancel_that_fails_still_raises_the_timeout(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [job()]})

    def refuse(method: str, batch_id: str) -> None:
        if method == "CANCEL":
            raise httpx.ConnectError("refused")

    server.on_request = refuse
    with pytest.raises(WaitTimeoutError):
        twin.client(server).batches.wait_until_done("b1", timeout=10, cancel_on_timeout=True)
    assert server.count("CANCEL") == 1


def test_transient_errors_are_survived_and_retry_after_honoured(
    twin: Twin, fake_time: FakeTime
) -> None:
    server = Server({"b1": [
        job(),
        reply(503, {"error": "busy"}),
        reply(503, {"error": "busy"}),
        reply(429, {"error": "slow down"}, **{"retry-after": "17"}),
        httpx.ConnectError("reset"),
        httpx.Response(200, content=b"<html>oops</html>"),
        reply(502, {"error": "gateway"}, **{"retry-after-ms": "42500"}),
        job(status="COMPLETED"),
    ]})  # fmt: skip
    client = twin.client(server, max_retries=5)
    done = client.batches.wait_until_done("b1")
    assert done.status is BatchStatus.COMPLETED
    assert server.count("GET") == 8  # one attempt per poll: the client's retries are not used
    assert pytest.approx(17.0) in fake_time.sleeps and pytest.approx(42.5) in fake_time.sleeps
    # Without a hint, failures keep backing off rather than resetting.
    assert fake_time.sleeps[1] < fake_time.sleeps[2]


def test_a_transient_error_until_the_deadline_times_out(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [reply(503, {"error": "down"})]})
    with pytest.raises(WaitTimeoutError) as caught:
        twin.client(server).batches.wait_until_done("b1", timeout=60)
    assert caught.value.job is None and caught.value.polls == server.count("GET") > 1
    assert "failed" in str(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_client_error_mid_wait_raises_at_once(
    twin: Twin, fake_time: FakeTime, status: int
) -> None:
    server = Server({"b1": [job(), reply(status, {"error": "nope"}), job(status="COMPLETED")]})
    with pytest.raises(Exception) as caught:
        twin.client(server).batches.wait_until_done("b1", cancel_on_timeout=True)
    assert getattr(caught.value, "status_code", None) == status
    assert server.count("GET") == 2 and server.count("CANCEL") == 0
    if status == 404:
        assert isinstance(caught.value, NotFoundError)


def test_a_callback_that_raises_propagates(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [job(), job(progress=50), job(status="COMPLETED")]})

    def boom(seen: BatchJob) -> None:
        if seen.progress_percent == 50:
            raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        twin.client(server).batches.wait_until_done("b1", on_progress=boom, cancel_on_timeout=True)
    assert server.count("GET") == 2 and server.count("CANCEL") == 0


@pytest.mark.parametrize("cancel", [False, True])
@pytest.mark.parametrize("where", ["sleep", "callback"])
def test_keyboard_interrupt_propagates(
    twin: Twin, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch, cancel: bool, where: str
) -> None:
    server = Server({"b1": [job(), job(progress=30)]})
    calls: list[float] = []

    def interrupt(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 2:
            raise KeyboardInterrupt

    async def interrupt_async(seconds: float) -> None:
        interrupt(seconds)

    if where == "sleep":
        monkeypatch.setattr(_clock, "sleep", interrupt)
        monkeypatch.setattr(_clock, "async_sleep", interrupt_async)
    callback = (lambda j: interrupt(0.0)) if where == "callback" else None
    with pytest.raises(KeyboardInterrupt):
        twin.client(server).batches.wait_until_done(
            "b1", on_progress=callback, cancel_on_timeout=cancel
        )
    assert server.count("CANCEL") == (1 if cancel else 0)


def test_timeout_none_is_bounded_by_the_job_deadline(twin: Twin, fake_time: FakeTime) -> None:
    # The API expired the job 20 minutes ago: more than the 10-minute grace.
    past = (fake_time.now() - dt.timedelta(minutes=20)).isoformat()
    server = Server({"b1": [job(job_deadline=past)]})
    with pytest.raises(WaitTimeoutError) as caught:
        twin.client(server).batches.wait_until_done("b1")
    assert caught.value.polls == 1 and fake_time.sleeps == []
    assert "deadline" in str(caught.value)


def test_timeout_none_waits_until_the_job_deadline_plus_grace(
    twin: Twin, fake_time: FakeTime
) -> None:
    soon = (fake_time.now() + dt.timedelta(minutes=5)).isoformat()
    server = Server({"b1": [job(job_deadline=soon)]})
    with pytest.raises(WaitTimeoutError):
        twin.client(server).batches.wait_until_done("b1")
    assert sum(fake_time.sleeps) == pytest.approx(15 * 60)
    assert max(fake_time.sleeps) <= 60.0


@pytest.mark.parametrize(
    "bad",
    [
        {"job_deadline": "9999-12-31T23:59:59Z"},  # valid, but no grace can be added to it
        {"created_at": "9999-12-31T23:59:59-05:00"},
    ],
)
def test_an_unusable_job_deadline_does_not_end_a_wait(
    twin: Twin, fake_time: FakeTime, bad: dict[str, Any]
) -> None:
    server = Server({"b1": [job(**bad), job(**bad), job(status="COMPLETED", **bad)]})
    done = twin.client(server).batches.wait_until_done("b1")
    assert done.status is BatchStatus.COMPLETED and server.count("GET") == 3


def test_a_body_that_fails_validation_mid_wait_is_a_failed_poll(
    twin: Twin, fake_time: FakeTime
) -> None:
    failures: list[Any] = []
    # A date-time that is not ISO 8601 (the deadline treats it as absent) or a number field
    # holding a string (an unknown progress) is no failed poll: fields are checked when read.
    # A body without what the wait works from, a string status, is one.
    server = Server({"b1": [
        job(), job(job_deadline="not a date"), {**job(), "progress": "half"},
        {**job(), "status": 3}, job(status="COMPLETED"),
    ]})  # fmt: skip
    client = twin.client(server)
    done = client.batches.wait_until_done("b1", on_poll_error=failures.append)
    assert done.status is BatchStatus.COMPLETED
    assert [type(f.error).__name__ for f in failures] == ["APIResponseValidationError"]
    assert all(f.error.status_code == 200 for f in failures)  # the real status, not made up


def test_timeout_none_without_deadline_uses_created_at(twin: Twin, fake_time: FakeTime) -> None:
    created = (fake_time.now() - dt.timedelta(hours=24, minutes=9)).isoformat()
    server = Server({"b1": [job(created_at=created)]})
    with pytest.raises(WaitTimeoutError):
        twin.client(server).batches.wait_until_done("b1")
    assert sum(fake_time.sleeps) == pytest.approx(60.0)


def test_a_request_timeout_is_cut_to_the_time_left(twin: Twin, fake_time: FakeTime) -> None:
    timeouts: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return reply(200, job())

    with pytest.raises(WaitTimeoutError):
        twin.client(handler).batches.wait_until_done("b1", timeout=7, request_timeout=30)
    assert timeouts[0] == {"connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    assert all(max(t.values()) <= 7.0 for t in timeouts)
    assert min(timeouts[-1].values()) < 7.0


@pytest.mark.parametrize(
    ("bad", "error"), [("", ValueError), (".", ValueError), ("..", ValueError), (7, TypeError)]
)
def test_bad_ids_raise_before_any_request(twin: Twin, bad: Any, error: type[Exception]) -> None:
    server = Server({})
    client = twin.client(server)
    with pytest.raises(error):
        client.batches.wait_until_done(bad)
    with pytest.raises(error):
        client.batches.wait_all(["b1", bad])
    with pytest.raises(error):
        client.batches.as_completed(["b1", bad])
    assert server.seen == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": float("nan")},
        {"poll_interval": 0},
        {"poll_interval": 10, "max_poll_interval": 5},
        {"max_poll_interval": float("inf")},
        {"request_timeout": -1},
    ],
)
def test_bad_options_raise_before_any_request(twin: Twin, kwargs: dict[str, Any]) -> None:
    server = Server({})
    with pytest.raises(ValueError):
        twin.client(server).batches.wait_until_done("b1", **kwargs)
    assert server.seen == []


def test_bad_many_arguments(twin: Twin) -> None:
    client = twin.client(Server({}))
    with pytest.raises(TypeError):
        client.batches.wait_all("b1")
    with pytest.raises(ValueError):
        client.batches.wait_all(["b1"], max_concurrency=0)
    with pytest.raises(TypeError):
        client.batches.wait_until_done("b1", on_progress="print")


def test_one_debug_line_per_poll_without_secrets(
    twin: Twin, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server({"b1": [job(), reply(503, {"error": "busy"}), job(status="COMPLETED")]})
    with caplog.at_level(logging.DEBUG, logger="together_batches"):
        twin.client(server).batches.wait_until_done("b1")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("poll ")]
    assert len(lines) == 3
    assert "IN_PROGRESS" in lines[0] and "next poll in" in lines[0]
    assert "InternalServerError" in lines[1] and "COMPLETED" in lines[2]
    assert not any("sk-test-key" in r.getMessage() for r in caplog.records)


# --- many jobs ---------------------------------------------------------------------------


def racing() -> Server:
    # Given a, b, c; b finishes first, then c, then a.
    return Server({
        "a": [job("a")] * 5 + [job("a", "COMPLETED")],
        "b": [job("b", "COMPLETED")],
        "c": [job("c"), job("c", "COMPLETED")],
    })  # fmt: skip


def test_as_completed_yields_in_finishing_order(twin: Twin, fake_time: FakeTime) -> None:
    seen: list[str] = []
    client = twin.client(racing())
    done = list(
        client.batches.as_completed(["a", "b", "c"], on_progress=lambda j: seen.append(j.id))
    )
    assert [j.id for j in done] == ["b", "c", "a"]
    assert all(j.status is BatchStatus.COMPLETED for j in done)
    assert sorted(seen) == ["a", "a", "b", "c", "c"]


def test_wait_all_returns_in_the_order_given(twin: Twin, fake_time: FakeTime) -> None:
    server = racing()
    jobs = twin.client(server).batches.wait_all(["a", "b", "c", "a"])
    assert [j.id for j in jobs] == ["a", "b", "c", "a"]
    assert server.count("GET", "b") == 1 and server.count("GET", "a") == 6
    assert twin.client(server).batches.wait_all([]) == []


def test_one_failing_job_does_not_stop_the_others(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({
        "a": [job("a"), job("a"), job("a", "COMPLETED")],
        "gone": [reply(404, {"error": "no such batch"})],
        "bad": [job("bad"), job("bad", "FAILED", error="boom")],
        "c": [job("c"), job("c", "COMPLETED")],
    })  # fmt: skip
    client = twin.client(server)
    with pytest.raises(BatchErrorGroup) as caught:
        client.batches.wait_all(["a", "gone", "bad", "c"], raise_on_failure=True)
    group = caught.value
    assert list(group.errors) == ["gone", "bad"]
    assert isinstance(group.errors["gone"], NotFoundError)
    assert isinstance(group.errors["bad"], BatchFailedError)
    assert sorted(group.jobs) == ["a", "c"]
    assert [type(e) for e in group.exceptions] == [NotFoundError, BatchFailedError]
    assert "2 of 4" in str(group)
    assert server.count("GET", "a") == 3 and server.count("GET", "gone") == 1

    # as_completed yields the others, then raises.
    got: list[str] = []
    server = Server({
        "gone": [reply(404, {"error": "no such batch"})],
        "a": [job("a"), job("a", "COMPLETED")],
    })  # fmt: skip
    with pytest.raises(BatchErrorGroup) as caught:
        for done in twin.client(server).batches.as_completed(["gone", "a"]):
            got.append(str(done.id))
    assert got == ["a"] and list(caught.value.errors) == ["gone"]


def test_except_star_picks_errors_out_of_the_group(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"gone": [reply(404, {"error": "x"})], "a": [job("a", "COMPLETED")]})
    found: list[str] = []
    try:
        twin.client(server).batches.wait_all(["gone", "a"])
    except* NotFoundError as group:
        assert isinstance(group, BatchErrorGroup)
        found = list(group.errors)
    assert found == ["gone"]


def test_a_bad_key_ends_every_wait_at_once(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({k: [reply(401, {"error": "bad key"})] for k in "abcd"})
    with pytest.raises(AuthenticationError):
        twin.client(server).batches.wait_all(list("abcd"), max_concurrency=1)
    assert server.count("GET") == 1  # no poll starts after it
    # With room for all four, all four were in flight already; none was waited for again.
    server = Server({k: [reply(401, {"error": "bad key"})] for k in "abcd"})
    with pytest.raises(AuthenticationError):
        twin.client(server).batches.wait_all(list("abcd"))
    assert 1 <= server.count("GET") <= 4
    assert fake_time.sleeps == []


@pytest.mark.parametrize("cancel", [False, True])
def test_many_share_one_deadline(twin: Twin, fake_time: FakeTime, cancel: bool) -> None:
    server = Server({"a": [job("a", "COMPLETED")], "b": [job("b", progress=3)], "c": [job("c")]})
    with pytest.raises(WaitTimeoutError) as caught:
        twin.client(server).batches.wait_all(["a", "b", "c"], timeout=45, cancel_on_timeout=cancel)
    err = caught.value
    assert sorted(err.pending) == ["b", "c"] and err.job is None
    pending_b = err.pending["b"]
    assert pending_b is not None and pending_b.progress_percent == 3
    assert sum(fake_time.sleeps) == pytest.approx(45.0)
    cancelled = sorted(b for m, b in server.seen if m == "CANCEL")
    assert cancelled == (["b", "c"] if cancel else [])


def test_a_rate_limit_holds_back_every_job(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({
        "a": [reply(429, {"error": "slow"}, **{"retry-after": "30"}), job("a", "COMPLETED")],
        "b": [job("b"), job("b", "COMPLETED")],
    })  # fmt: skip
    times: dict[str, list[float]] = {"a": [], "b": []}
    server.on_request = lambda method, batch_id: times[batch_id].append(fake_time.mono)
    twin.client(server).batches.wait_all(["a", "b"], max_concurrency=1)
    assert times["b"][1] - times["a"][0] >= 30.0


# --- async only --------------------------------------------------------------------------


def async_client(handler: Callable[[httpx.Request], httpx.Response]) -> AsyncTogether:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AsyncTogether("sk-test-key", base_url=BASE, http_client=http)


@pytest.mark.parametrize("cancel", [False, True])
def test_task_cancellation_propagates(fake_time: FakeTime, cancel: bool) -> None:
    server = Server({"b1": [job()]})
    task: asyncio.Task[BatchJob] | None = None

    def cancel_on_third_poll(method: str, batch_id: str) -> None:
        if method == "GET" and server.count("GET") == 3:
            assert task is not None
            task.cancel()

    server.on_request = cancel_on_third_poll

    async def main() -> None:
        nonlocal task
        async with async_client(server) as client:
            task = asyncio.ensure_future(
                client.batches.wait_until_done("b1", cancel_on_timeout=cancel)
            )
            with pytest.raises(asyncio.CancelledError):
                await task
            assert task.cancelled()

    asyncio.run(main())
    assert server.count("GET") == 3
    assert server.count("CANCEL") == (1 if cancel else 0)


def test_task_cancellation_of_many_cancels_the_unfinished(fake_time: FakeTime) -> None:
    server = Server({"a": [job("a", "COMPLETED")], "b": [job("b")], "c": [job("c")]})

    async def main() -> None:
        ninth = asyncio.Event()
        server.on_request = lambda method, batch_id: (
            ninth.set() if server.count("GET") == 9 else None
        )
        async with async_client(server) as client:
            task = asyncio.ensure_future(
                client.batches.wait_all(["a", "b", "c"], cancel_on_timeout=True)
            )
            await ninth.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    assert sorted(b for m, b in server.seen if m == "CANCEL") == ["b", "c"]


def test_a_thousand_jobs_in_one_event_loop(
    fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A get per job, as before lists: no round is large enough to try one. (A thousand jobs
    # answered by lists: tests/test_wait_listing.py.)
    monkeypatch.setattr(listing, "PROBE_JOBS", 10**9)
    n = 1000
    polls: dict[str, int] = {}
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        batch_id = request.url.path.rsplit("/", 1)[1]
        polls[batch_id] = polls.get(batch_id, 0) + 1
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        in_flight -= 1
        # Job i needs 1 + i % 4 polls: they finish in a different order than given.
        index = int(batch_id[4:])
        status = "COMPLETED" if polls[batch_id] > index % 4 else "IN_PROGRESS"
        return reply(200, job(batch_id, status, progress=polls[batch_id]))

    ids = [f"job-{i}" for i in range(n)]

    async def main() -> tuple[list[BatchJob], list[BatchJob]]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncTogether("sk-test-key", base_url=BASE, http_client=http) as client:
            order = [j async for j in client.batches.as_completed(ids[:200], max_concurrency=16)]
            polls.clear()
            everything = await client.batches.wait_all(ids, timeout=3600, max_concurrency=32)
        await http.aclose()
        return order, everything

    order, everything = asyncio.run(main())
    assert [j.id for j in everything] == ids
    assert sum(polls.values()) == sum(1 + i % 4 for i in range(n))
    assert 1 < peak <= 32
    finished = [str(j.id) for j in order]
    assert sorted(finished) == sorted(ids[:200]) and finished != ids[:200]
    assert finished[0] == "job-0"


def test_as_completed_can_be_left_early(fake_time: FakeTime) -> None:
    server = Server({"a": [job("a", "COMPLETED")], "b": [job("b")], "c": [job("c")]})

    async def main() -> str | None:
        async with async_client(server) as client:
            async for first in client.batches.as_completed(["a", "b", "c"]):
                return first.id
        return None

    assert asyncio.run(main()) == "a"


def test_a_poll_that_hangs_is_cut_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real (short) time here: a request that never answers must not hold the wait.
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError

    async def main() -> None:
        async with async_client(hang) as client:  # type: ignore[arg-type]
            with pytest.raises(WaitTimeoutError) as caught:
                await client.batches.wait_until_done("b1", timeout=0.05)
            assert caught.value.polls == 1

    asyncio.run(asyncio.wait_for(main(), 5))


def test_connection_errors_map_to_together_errors(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"b1": [httpx.ConnectError("refused")]})
    with pytest.raises(WaitTimeoutError) as caught:
        twin.client(server).batches.wait_until_done("b1", timeout=5)
    assert caught.value.polls >= 2 and "failed" in str(caught.value)
    assert issubclass(APIConnectionError, Exception)

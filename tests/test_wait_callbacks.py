"""What a wait tells its caller as it goes: `on_poll_error` and the WARNING on repeated
failures, and `async def` callbacks (awaited by the async twin, refused by the sync one).
Over both twins, on the fake clock."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    BatchJob,
    BatchStatus,
    InternalServerError,
    PollFailure,
)

from ._twins import Twin
from .conftest import FakeTime
from .test_waiter import Server, job, reply

BUSY = reply(503, {"error": "busy"})


def test_on_poll_error_hears_every_failure_the_wait_survives(
    twin: Twin, fake_time: FakeTime
) -> None:
    server = Server(
        {
            "b1": [
                BUSY,
                httpx.ConnectError("refused"),
                httpx.Response(200, content=b"<html>"),
                job(),
                BUSY,
                job(status="COMPLETED"),
            ]
        }
    )
    failures: list[PollFailure] = []
    done = twin.client(server).batches.wait_until_done("b1", on_poll_error=failures.append)
    assert done.status is BatchStatus.COMPLETED
    assert [type(f.error) for f in failures] == [
        InternalServerError,
        APIConnectionError,
        APIResponseValidationError,
        InternalServerError,
    ]
    assert [f.consecutive for f in failures] == [1, 2, 3, 1]  # an answer starts the count again
    assert {f.batch_job_id for f in failures} == {"b1"}
    # Each says when the next poll comes: the sleep that followed it.
    sleeps = fake_time.sleeps
    assert [f.retry_in for f in failures] == pytest.approx(
        [sleeps[0], sleeps[1], sleeps[2], sleeps[4]]
    )


def test_on_poll_error_is_not_called_for_an_error_that_ends_the_wait(
    twin: Twin, fake_time: FakeTime
) -> None:
    failures: list[PollFailure] = []
    server = Server({"b1": [reply(404, {"error": "no such batch"})]})
    with pytest.raises(Exception, match="no such batch"):
        twin.client(server).batches.wait_until_done("b1", on_poll_error=failures.append)
    assert failures == []


def test_what_on_poll_error_raises_propagates(twin: Twin, fake_time: FakeTime) -> None:
    def give_up(failure: PollFailure) -> None:
        raise RuntimeError(f"gave up after {failure.consecutive}")

    server = Server({"b1": [BUSY]})
    with pytest.raises(RuntimeError, match="gave up after 1"):
        twin.client(server).batches.wait_until_done("b1", on_poll_error=give_up)
    assert server.count("GET") == 1


def test_many_jobs_report_their_own_failures(twin: Twin, fake_time: FakeTime) -> None:
    server = Server({"a": [BUSY, job("a", "COMPLETED")], "b": [job("b", "COMPLETED")]})
    failures: list[PollFailure] = []
    twin.client(server).batches.wait_all(["a", "b"], on_poll_error=failures.append)
    assert [(f.batch_job_id, f.consecutive) for f in failures] == [("a", 1)]


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "together_batches" and r.levelno == logging.WARNING
    ]


def test_a_warning_after_five_failures_in_a_row_and_each_five_after(
    twin: Twin, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server({"b1": [BUSY] * 11 + [job(status="COMPLETED")]})
    with caplog.at_level(logging.WARNING, logger="together_batches"):
        twin.client(server).batches.wait_until_done("b1")
    lines = warnings_of(caplog)
    assert len(lines) == 2
    assert lines[0].startswith(
        "batch b1: 5 polls in a row failed, the last with InternalServerError"
    )
    assert "still waiting" in lines[0] and lines[1].startswith("batch b1: 10 polls in a row")
    assert not any("sk-test-key" in line for line in lines)


def test_no_warning_when_answers_come_in_between(
    twin: Twin, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server({"b1": [BUSY] * 4 + [job()] + [BUSY] * 4 + [job(status="COMPLETED")]})
    with caplog.at_level(logging.WARNING, logger="together_batches"):
        twin.client(server).batches.wait_until_done("b1")
    assert warnings_of(caplog) == []


# --- async def callbacks -----------------------------------------------------------------


class Recorder:
    """`async def` callbacks that record what they were given, once awaited."""

    def __init__(self) -> None:
        self.jobs: list[BatchJob] = []
        self.failures: list[PollFailure] = []

    async def on_progress(self, seen: BatchJob) -> None:
        self.jobs.append(seen)

    async def on_poll_error(self, failure: PollFailure) -> None:
        self.failures.append(failure)


def test_async_callbacks_are_awaited_or_refused_before_any_request(
    twin: Twin, fake_time: FakeTime
) -> None:
    server = Server({"b1": [job(), BUSY, job(status="COMPLETED")], "b2": [job("b2", "COMPLETED")]})
    calls = Recorder()
    batches = twin.client(server).batches
    if not twin.is_async:
        for kwargs in ({"on_progress": calls.on_progress}, {"on_poll_error": calls.on_poll_error}):
            with pytest.raises(TypeError, match="async function"):
                batches.wait_until_done("b1", **kwargs)
            with pytest.raises(TypeError, match="async function"):
                batches.wait_all(["b1", "b2"], **kwargs)
            with pytest.raises(TypeError, match="async function"):
                batches.as_completed(["b1", "b2"], **kwargs)  # at the call, not in the loop
        assert server.seen == []
        return
    done = batches.wait_until_done(
        "b1", on_progress=calls.on_progress, on_poll_error=calls.on_poll_error
    )
    assert done.status is BatchStatus.COMPLETED
    assert [str(j.status) for j in calls.jobs] == ["IN_PROGRESS", "COMPLETED"]
    assert [type(f.error) for f in calls.failures] == [InternalServerError]
    calls.jobs.clear()
    batches.wait_all(["b1", "b2"], on_progress=calls.on_progress)
    assert sorted(str(j.id) for j in calls.jobs) == ["b1", "b2"]


class AsyncCall:
    def __init__(self) -> None:
        self.seen: list[BatchJob] = []

    async def __call__(self, seen: BatchJob) -> None:
        self.seen.append(seen)


async def _record(into: list[BatchJob], seen: BatchJob) -> None:
    into.append(seen)


@pytest.mark.parametrize("kind", ["async __call__", "partial"])
def test_async_callables_are_seen_through(twin: Twin, fake_time: FakeTime, kind: str) -> None:
    seen: list[BatchJob] = []
    callback: Any = AsyncCall() if kind == "async __call__" else functools.partial(_record, seen)
    server = Server({"b1": [job(status="COMPLETED")]})
    client = twin.client(server)
    if not twin.is_async:
        with pytest.raises(TypeError, match="on_progress is an async function"):
            client.batches.wait_until_done("b1", on_progress=callback)
        assert server.seen == []
        return
    client.batches.wait_until_done("b1", on_progress=callback)
    got = callback.seen if isinstance(callback, AsyncCall) else seen
    assert [str(j.status) for j in got] == ["COMPLETED"]


def test_a_callback_returning_a_coroutine(twin: Twin, fake_time: FakeTime) -> None:
    """A plain function that returns a coroutine: awaited by the async twin; refused by the
    sync one at its first call (it could not be seen before), and closed, so that it cannot
    warn "never awaited" later."""
    seen: list[BatchJob] = []
    returned: list[Coroutine[Any, Any, None]] = []

    def sneaky(job_seen: BatchJob) -> Coroutine[Any, Any, None]:
        returned.append(_record(seen, job_seen))
        return returned[-1]

    client = twin.client(Server({"b1": [job(status="COMPLETED")]}))
    if twin.is_async:
        client.batches.wait_until_done("b1", on_progress=sneaky)
        assert len(seen) == 1
    else:
        with pytest.raises(TypeError, match="on_progress is an async function"):
            client.batches.wait_until_done("b1", on_progress=sneaky)
        assert seen == []
    assert inspect.getcoroutinestate(returned[0]) == inspect.CORO_CLOSED

"""`together_batches.testing.fast_forward`: users' own tests wait on emulator jobs in no real
time, through the public API only, in both twins.

Real sleeping is made to fail here (`no_real_sleep`): every sleep inside a `fast_forward`
block must go to the fake clock, and none may happen outside one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from together_batches import WaitTimeoutError, _clock
from together_batches.testing import Emulator, FakeClock, Fault, JobPlan, fast_forward

from ._twins import Twin

KEY = "sk-fast-forward-tests-6a0b2f9d"
# In the past: without the fake clock, a job's own deadline would be long gone on the wall.
START = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
HOUR_LONG = JobPlan(validating_seconds=5, running_seconds=3600)


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s for real")

    async def refuse_async(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s for real")

    monkeypatch.setattr(_clock, "sleep", refuse)
    monkeypatch.setattr(_clock, "async_sleep", refuse_async)


@pytest.fixture
def world(twin: Twin, no_real_sleep: None) -> Iterator[tuple[FakeClock, Emulator, Any]]:
    clock = FakeClock(start=START)
    emulator = Emulator(api_key=KEY, clock=clock, plan=HOUR_LONG)
    transport = emulator.async_transport() if twin.is_async else emulator.transport()
    yield clock, emulator, twin.client(transport, api_key=KEY)


def test_a_wait_on_an_hour_long_job_advances_the_fake_clock(
    world: tuple[FakeClock, Emulator, Any],
) -> None:
    clock, emulator, client = world
    job = client.batches.create_batch("file-in", "/v1/chat/completions")
    with fast_forward(clock) as same:
        done = client.batches.wait_until_done(job.id)
    assert same is clock
    assert done.status == "COMPLETED"
    assert done.completed_at == START + dt.timedelta(seconds=3605)
    waited = (clock.now() - START).total_seconds()
    assert 3605 <= waited <= 3605 + 60  # the last poll lands within one poll interval
    assert len(emulator.requests) > 10  # it polled as it would for real, only faster


def test_retry_backoff_advances_the_clock(world: tuple[FakeClock, Emulator, Any]) -> None:
    clock, emulator, client = world
    job_id = emulator.add_job()
    emulator.faults.add(Fault.status(503, times=2))
    with fast_forward(clock):
        assert client.batches.get_batch(job_id).id == job_id
    slept = (clock.now() - START).total_seconds()
    assert 0.375 + 0.75 <= slept <= 0.5 + 1.0  # two backoffs, each jittered down by <= 25 %


def test_a_timeout_is_counted_on_the_fake_clock(world: tuple[FakeClock, Emulator, Any]) -> None:
    clock, emulator, client = world
    job_id = emulator.add_job()
    with fast_forward(clock), pytest.raises(WaitTimeoutError):
        client.batches.wait_until_done(job_id, timeout=120)
    assert (clock.now() - START).total_seconds() == pytest.approx(120, abs=1e-3)


def test_moving_the_clock_by_hand_moves_the_clients_time(no_real_sleep: None) -> None:
    clock = FakeClock(start=START)
    with fast_forward(clock):
        before = _clock.monotonic()
        clock.advance(90)
        assert _clock.monotonic() - before == pytest.approx(90)
        assert _clock.now() == START + dt.timedelta(seconds=90)
        _clock.sleep(0.25)
        assert clock.now() == START + dt.timedelta(seconds=90.25)


def test_leaving_restores_the_time_source_even_on_error(no_real_sleep: None) -> None:
    before = (_clock.sleep, _clock.async_sleep, _clock.monotonic, _clock.now)
    outer, inner = FakeClock(start=START), FakeClock(start=START)
    with pytest.raises(RuntimeError), fast_forward(outer):
        with fast_forward(inner):
            _clock.sleep(5)
        _clock.sleep(1)  # the outer block's clock again
        raise RuntimeError("the test failed")
    assert (_clock.sleep, _clock.async_sleep, _clock.monotonic, _clock.now) == before
    assert inner.now() - START == dt.timedelta(seconds=5)
    assert outer.now() - START == dt.timedelta(seconds=1)

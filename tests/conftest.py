"""Shared fixtures: both twins, and a fake clock that makes waits take no real time."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest

from together_batches import _clock

from ._twins import Twin


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Iterator[Twin]:
    """Runs the test once with `Together` and once with `AsyncTogether`."""
    made = Twin(request.param)
    yield made
    made.close()


class FakeTime:
    """Replaces `together_batches._clock`: sleeping advances the clock at once.

    Attributes:
        sleeps: Every delay slept, in order.
        wall: The current wall-clock time (timezone-aware).
        listeners: Called with the seconds slept, e.g. to advance an emulator's clock too.
    """

    def __init__(self, start: dt.datetime) -> None:
        self.wall = start
        self.mono = 1000.0
        self.sleeps: list[float] = []
        self.listeners: list[object] = []

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += dt.timedelta(seconds=seconds)
        for listener in self.listeners:
            listener(seconds)  # type: ignore[operator]

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)  # still a real suspension point, so cancellation can land

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> dt.datetime:
        return self.wall


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """Time stands still unless something sleeps; sleeps return at once."""
    fake = FakeTime(dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC))
    monkeypatch.setattr(_clock, "sleep", fake.sleep)
    monkeypatch.setattr(_clock, "async_sleep", fake.async_sleep)
    monkeypatch.setattr(_clock, "monotonic", fake.monotonic)
    monkeypatch.setattr(_clock, "now", fake.now)
    return fake

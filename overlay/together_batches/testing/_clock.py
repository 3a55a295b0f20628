"""Clocks the emulator reads the time from: a fake one tests move by hand, and the real one;
and `fast_forward`, which runs the client on the fake one."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

import attrs

from .. import _clock as client_clock

#: Where a `FakeClock` starts unless told otherwise: a fixed instant keeps job JSON reproducible.
DEFAULT_START = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)


class Clock(Protocol):
    """Anything with a `now()` that answers an aware UTC datetime."""

    def now(self) -> datetime:
        """Answer the current instant.

        Returns:
            An aware datetime in UTC.
        """
        ...


@attrs.define(eq=False)
class FakeClock:
    """A clock that only moves when a test moves it, so a 24 h timeline takes no time to test.

    Args:
        start: The first instant; must be timezone-aware.

    Raises:
        ValueError: If `start` is naive.
    """

    start: datetime = attrs.field(default=DEFAULT_START)
    _now: datetime = attrs.field(init=False)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = self.start.astimezone(UTC)

    def now(self) -> datetime:
        """Answer the clock's current instant.

        Returns:
            The start plus every advance so far.
        """
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward.

        Args:
            seconds: How far to move; must not be negative (jobs never run backwards).

        Returns:
            The new current instant.

        Raises:
            ValueError: If `seconds` is negative.
        """
        if seconds < 0:
            raise ValueError("a FakeClock only moves forward")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to an instant at or after the current one.

        Args:
            instant: The new current instant; timezone-aware.

        Raises:
            ValueError: If `instant` is naive or earlier than now.
        """
        if instant.tzinfo is None:
            raise ValueError("FakeClock needs timezone-aware instants")
        with self._lock:
            if instant < self._now:
                raise ValueError("a FakeClock only moves forward")
            self._now = instant.astimezone(UTC)


@attrs.define(eq=False)
class SystemClock:
    """The real time, optionally sped up so a demo can live through a 24 h window in minutes.

    With `speed=60.0` a minute of emulated time passes each real second, counted from the
    moment the clock is made; the clock starts at the real current time.

    Args:
        speed: Emulated seconds per real second; must be positive.

    Raises:
        ValueError: If `speed` is not positive.
    """

    speed: float = 1.0
    _origin: datetime = attrs.field(init=False)
    _origin_monotonic: float = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError("SystemClock speed must be positive")
        self._origin = datetime.now(UTC)
        # A monotonic base keeps emulated time from jumping when the wall clock is adjusted.
        self._origin_monotonic = time.monotonic()

    def now(self) -> datetime:
        """Answer the emulated current instant.

        Returns:
            The creation instant plus the real time since, times `speed`.
        """
        elapsed = time.monotonic() - self._origin_monotonic
        return self._origin + timedelta(seconds=elapsed * self.speed)


@contextlib.contextmanager
def fast_forward(clock: FakeClock) -> Iterator[FakeClock]:
    """Run the client on a `FakeClock` while the `with` block runs: waits take no real time.

    Every sleep of `Together` and `AsyncTogether` (retry backoff, the waiters' polls)
    advances `clock` at once instead of sleeping, and the client reads the time from it (a
    wait's deadline, a job's `job_deadline`, a `retry-after` date). An emulator on the same
    clock sees the time pass, so `wait_until_done` on a 24 h job returns at once. Moving the
    clock by hand (`clock.advance`) moves the client's time too.

    It is process-wide while active (every client in the process, in every thread), so keep
    it around code that talks to the emulator only. Blocks can nest; leaving one restores
    the time source that was in use before it.

    Args:
        clock: The emulator's clock.

    Yields:
        The same clock.
    """
    client = client_clock  # the client's time source, patched here only
    saved = (client.sleep, client.async_sleep, client.monotonic, client.now)
    origin_wall = clock.now()
    origin_mono = client.monotonic()
    lock = threading.Lock()
    # Seconds slept, kept exact: the clock rounds to microseconds, and a deadline computed
    # from a float must be reached by sleeping until it, not missed by a rounding.
    slept = [0.0]

    def moved() -> float:
        return (clock.now() - origin_wall).total_seconds()

    def sleep(seconds: float) -> None:
        seconds = max(0.0, seconds)
        with lock:
            slept[0] = max(slept[0], moved()) + seconds
        clock.advance(seconds)

    async def async_sleep(seconds: float) -> None:
        import asyncio  # noqa: PLC0415 - as in the client: only async users load asyncio

        sleep(seconds)
        await asyncio.sleep(0)  # still a suspension point, so cancellation can land

    def monotonic() -> float:
        with lock:
            return origin_mono + max(slept[0], moved())

    client.sleep, client.async_sleep, client.monotonic, client.now = (
        sleep,
        async_sleep,
        monotonic,
        clock.now,
    )
    try:
        yield clock
    finally:
        client.sleep, client.async_sleep, client.monotonic, client.now = saved

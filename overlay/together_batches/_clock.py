"""Time and sleep, in one place, so that tests can replace them (see tests/conftest.py).

Callers must look these up at call time (`_clock.sleep(...)`), never import the functions.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

__all__ = ["async_sleep", "monotonic", "now", "sleep"]

# Replaced while `together_batches.testing.fast_forward` runs (and by the suite's fixtures).
sleep: Callable[[float], None] = time.sleep
monotonic: Callable[[], float] = time.monotonic


async def async_sleep(seconds: float) -> None:
    """`asyncio.sleep`, imported on first use: sync-only programs never load asyncio."""
    import asyncio  # noqa: PLC0415

    await asyncio.sleep(seconds)


def now() -> dt.datetime:
    """The wall clock, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)

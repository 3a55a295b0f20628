"""An upload's or a download's live bar: the file, a bar, the percent, the bytes moved of
the total, the rate (once known) and the elapsed time, drawn by `live.LiveProgress`.

It is the transfer's `on_progress(done, total)`. Nothing is drawn before the first bytes
are reported: `submit` checks its input first, and a refused input leaves no bar behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, Task

from .live import Cell, LiveProgress
from .text import format_bytes, format_duration

__all__ = ["TransferLive"]

_BAR_WIDTH = 30


def _amounts(task: Task) -> str:
    done = format_bytes(int(task.completed))
    return done if task.total is None else f"{done} of {format_bytes(int(task.total))}"


def _percent(task: Task) -> str:
    if task.total is None:
        return ""
    fraction = 1.0 if task.total == 0 else min(1.0, max(0.0, task.completed / task.total))
    return f"{fraction:6.1%}"


def _speed(task: Task) -> str:
    speed = task.speed  # rich's estimate over the last seconds; none before two updates
    return "" if speed is None else f"{format_bytes(int(speed))}/s"


class TransferLive:
    """The live bar of one transfer.

    Args:
        console: Where to draw.
        verb: `Uploading` or `Downloading`.
        name: The file, as shown.
        clock: The time source (seconds), for tests.
    """

    def __init__(
        self,
        console: Console,
        verb: str,
        name: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._live = LiveProgress(
            console,
            Cell(lambda task: f"{verb} {name}"),
            BarColumn(bar_width=_BAR_WIDTH),
            Cell(_percent, justify="right", keep=6),
            Cell(_amounts),
            Cell(_speed),
            Cell(lambda task: format_duration(self._clock() - self._started)),
            clock=clock,
        )
        self._task = self._live.progress.add_task("", total=None)
        self._done = 0

    def __enter__(self) -> Self:
        self._started = self._clock()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._live.stop()

    def __call__(self, done: int, total: int | None) -> None:
        """Show `done` of `total` bytes (the total None when unknown). A retried upload
        starts again from 0: the bar shows the most sent so far, never less."""
        self._done = max(self._done, done)
        self._live.draw(self._task, completed=self._done, total=total)

"""A workload's live view: one bar for the whole workload, its percent, the elapsed time,
and the counts (done, failed, time left, retry round, the parts' states), drawn by
`live.LiveProgress` for `run`, the demo and `progress=True`.

Polls can be a minute apart: between updates the time left is counted down
(`text.left_now`), and the bar never goes backwards (`plain.held_progress`). The library's
warnings (a failed poll, retried) are printed above it when no logging is configured.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, Task

from .._workload.progress import WorkloadProgress
from .live import Cell, LiveProgress
from .plain import counted_down, held_progress
from .text import format_duration, percent_text, workload_text

__all__ = ["WorkloadLive"]

_BAR_WIDTH = 30


class WorkloadLive:
    """The live view of a workload.

    Args:
        console: Where to draw.
        clock: The time source (seconds), for tests.
    """

    def __init__(self, console: Console, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self._shown: WorkloadProgress | None = None
        self._updated = 0.0
        self._live = LiveProgress(
            console,
            BarColumn(bar_width=_BAR_WIDTH),
            Cell(self._percent, justify="right", keep=4),
            Cell(lambda task: format_duration(self._clock() - self._started), keep=5),
            Cell(self._text, grow=True),
            clock=clock,
        )
        self._task = self._live.progress.add_task("", total=1.0)

    def __enter__(self) -> Self:
        self._started = self._clock()
        self._live.draw()  # "starting", and the elapsed time moving from the start
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._live.stop()

    def _percent(self, task: Task) -> str:
        return "" if self._shown is None else percent_text(self._shown)

    def _text(self, task: Task) -> str:
        shown = self._shown
        if shown is None:
            return "starting"
        return workload_text(counted_down(shown, self._clock() - self._updated))

    def update(self, progress: WorkloadProgress) -> None:
        """Show the workload's progress as just reported."""
        shown = held_progress(self._shown, progress)
        self._shown, self._updated = shown, self._clock()
        self._live.draw(self._task, now=True, completed=min(1.0, max(0.0, shown.fraction)))

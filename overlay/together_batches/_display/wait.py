"""A wait's live view: a row per job (its id, status, bar, percent and elapsed time, and
while its polls fail, the last failure), drawn by `live.LiveProgress`.

It is the `on_progress` (`update`) and `on_poll_error` (`failed`) of a wait, for the CLI's
`wait` and `submit --wait` and for `progress=True`. A job's bar never goes backwards
(`text.held`); its elapsed time stops when it ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, Task, TaskID

from .._models import BatchJob
from .._wait.callbacks import PollFailure
from .live import Cell, LiveProgress
from .text import failure_text, format_duration, held_unknown, percent_of, status_text

__all__ = ["WaitLive"]

_STATUS_WIDTH = len("IN_PROGRESS")
_BAR_WIDTH = 30


class WaitLive:
    """The live view of a wait on one job or many.

    Args:
        console: Where to draw.
        quiet: Keep the library's warnings about failed polls off the screen (the view
            shows them); else they are printed above it when no logging is configured.
        clock: The time source (seconds), for tests.
    """

    def __init__(
        self,
        console: Console,
        *,
        quiet: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._live = LiveProgress(
            console,
            Cell(lambda task: str(task.fields["job"]), style="bold"),
            Cell(lambda task: str(task.fields["status"]).ljust(_STATUS_WIDTH)),
            BarColumn(bar_width=_BAR_WIDTH),
            Cell(lambda task: f"{task.completed:5.1f}%", justify="right", keep=6),
            Cell(self._elapsed, keep=5),
            Cell(lambda task: str(task.fields["note"]), style="yellow", grow=True),
            warnings="quiet" if quiet else "above",
            clock=clock,
        )
        self._tasks: dict[str, TaskID] = {}
        self._shown: dict[str, float] = {}

    def _elapsed(self, task: Task) -> str:
        ended = task.fields.get("ended")
        return format_duration((self._clock() if ended is None else ended) - self._started)

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

    def _task(self, batch_job_id: str) -> TaskID:
        task = self._tasks.get(batch_job_id)
        if task is None:
            self._live.draw()
            task = self._live.progress.add_task(
                "", total=100.0, job=batch_job_id, status="POLLING", note="", ended=None
            )
            self._tasks[batch_job_id] = task
        return task

    def update(self, job: BatchJob) -> None:
        """Show the job as just polled (a poll answered: no failure to show)."""
        batch_job_id = job.id or "?"
        percent = held_unknown(self._shown.get(batch_job_id), percent_of(job))
        if percent is not None:
            self._shown[batch_job_id] = percent
        ended = self._clock() if job.status is not None and job.status.is_terminal else None
        self._live.draw(
            self._task(batch_job_id),
            now=True,
            completed=0.0 if percent is None else percent,
            status=status_text(job),
            note="",
            ended=ended,
        )

    def failed(self, failure: PollFailure) -> None:
        """Show the failure after the job's bar, until one of its polls answers."""
        self._live.draw(self._task(failure.batch_job_id), now=True, note=failure_text(failure))

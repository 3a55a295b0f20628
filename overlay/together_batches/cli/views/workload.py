"""Showing a workload as it goes: one live view on a terminal, a line per change otherwise.

Both are `on_progress` callbacks of `batches.run` (`update`) and context managers around
the run. On a terminal the view is one line redrawn in place (`progress.InPlaceLine`, as
`wait`'s bar): a bar of the requests processed, the counts, the parts by status, and the
time left, counted down between updates. Elsewhere (pipes, CI logs) a line is printed only
when something changed, at most one every `interval` seconds; a change held back is
printed once the interval has passed, and the last state when the run ends. The text and
the decisions come from the pure functions of `workload_render`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Hashable
from types import TracebackType
from typing import Protocol, Self, TextIO

from ..._workload.progress import WorkloadProgress
from .progress import InPlaceLine, is_tty
from .workload_table import change_key, left_now, line_due, plain_workload_line, workload_frame

__all__ = [
    "PLAIN_INTERVAL",
    "WorkloadBar",
    "WorkloadDisplay",
    "WorkloadLines",
    "make_workload_display",
]

#: The fewest seconds between two plain lines: a day-long workload's log stays readable.
PLAIN_INTERVAL = 2.0


class WorkloadDisplay(Protocol):
    """What `run` and `demo` need from a workload's progress view."""

    def update(self, progress: WorkloadProgress) -> None:
        """Show the workload's progress as just reported."""

    def __enter__(self) -> WorkloadDisplay: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def _counted_down(progress: WorkloadProgress, age: float) -> WorkloadProgress:
    return dataclasses.replace(progress, time_left=left_now(progress.time_left, age))


class _Above(logging.Handler):
    """The library's warnings (a failed poll, retried) printed above the bar rather than
    into it: what logging's last-resort handler would print, when nothing is configured."""

    def __init__(self, bar: InPlaceLine) -> None:
        super().__init__(logging.WARNING)
        self._bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        # The terminal gone (a closed pipe or terminal): a warning must not end the run.
        with contextlib.suppress(OSError, ValueError):
            self._bar.write_above(self.format(record))


class WorkloadBar(InPlaceLine):
    """The live view, redrawn in place (`workload_frame`).

    A workload's waits do not report failed polls to it (they are retried, and logged as
    warnings): while it is up and no logging is configured, those warnings are printed on
    lines of their own above it.

    Args:
        stream: A terminal.
        tick: Seconds between redraws when nothing new came.
        clock: The time source (seconds), for tests.
    """

    def __init__(
        self, stream: TextIO, *, tick: float = 0.25, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(stream, tick=tick, clock=clock)
        self._progress: WorkloadProgress | None = None
        self._updated = 0.0
        self._logger = logging.getLogger("together_batches")
        self._above: _Above | None = None

    def __enter__(self) -> Self:
        if not self._logger.hasHandlers():  # else they print it, as they were set up to
            self._above = _Above(self)
            self._logger.addHandler(self._above)
        try:
            return super().__enter__()
        except BaseException:  # the first draw failed: `__exit__` will not run
            self._stop_above()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_above()
        super().__exit__(exc_type, exc, tb)

    def _stop_above(self) -> None:
        if self._above is not None:
            self._logger.removeHandler(self._above)
            self._above = None

    def update(self, progress: WorkloadProgress) -> None:
        """Remember the progress and redraw at once."""
        with self._lock:
            self._progress, self._updated = progress, self._clock()
        self._draw()

    def frame(self, elapsed: float, width: int) -> str:
        """`workload_frame` of the progress as last reported, its time left counted down."""
        shown = self._progress
        if shown is not None:
            shown = _counted_down(shown, self._clock() - self._updated)
        return workload_frame(shown, elapsed, width)


class WorkloadLines:
    """A line per change, at most one every `interval` seconds: no control characters.

    Args:
        stream: Where to write.
        interval: The fewest seconds between two lines.
        tick: Seconds between checks for a change held back; None for no checks between
            updates (the held-back change then waits for the next update, or the end).
        clock: The time source (seconds), for tests.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        interval: float = PLAIN_INTERVAL,
        tick: float | None = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream, self._interval, self._tick, self._clock = stream, interval, tick, clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = clock()
        self._latest: tuple[WorkloadProgress, float] | None = None
        self._printed: tuple[Hashable, float] | None = None

    def __enter__(self) -> Self:
        self._started = self._clock()
        if self._tick is not None:
            self._thread = threading.Thread(
                target=self._run, name="together-batches-lines", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self.finish()

    def update(self, progress: WorkloadProgress) -> None:
        """Remember the progress; print its line if it is due."""
        with self._lock:
            self._latest = (progress, self._clock())
        self.check()

    def check(self) -> None:
        """Print the latest progress's line if it changed and the interval has passed."""
        with self._lock:
            if self._latest is None:
                return
            now = self._clock()
            printed, printed_at = self._printed or (None, None)
            if line_due(change_key(self._latest[0]), printed, printed_at, now, self._interval):
                self._print(now)

    def finish(self) -> None:
        """Print the latest progress's line if it was held back: the log ends on the truth."""
        with self._lock:
            if self._latest is not None and (
                self._printed is None or change_key(self._latest[0]) != self._printed[0]
            ):
                self._print(self._clock())

    def _print(self, now: float) -> None:
        assert self._latest is not None
        progress, at = self._latest
        line = plain_workload_line(_counted_down(progress, now - at), now - self._started)
        print(line, file=self._stream, flush=True)
        self._printed = (change_key(progress), now)

    def _run(self) -> None:
        assert self._tick is not None
        while not self._stop.wait(self._tick):
            try:
                self.check()
            except (OSError, ValueError):  # the stream is gone (a closed pipe): the run's
                return  # own next write fails and says so, not a traceback from here


def make_workload_display(stream: TextIO, *, live: bool | None = None) -> WorkloadDisplay:
    """The live view if `live` (by default: if `stream` is a terminal), plain lines otherwise."""
    if live is None:
        live = is_tty(stream)
    return WorkloadBar(stream) if live else WorkloadLines(stream)

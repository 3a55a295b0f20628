"""Showing a wait as it goes: a live bar on a terminal, one plain line per change otherwise.

Both give `Batches.wait_until_done` its `on_progress` (`update`) and `on_poll_error`
(`failed`) callbacks, and are context managers around the wait: while polls fail, the bar
shows the last error and how many polls failed in a row (plain output prints a line per
failed poll) instead of standing still. The text itself comes from the pure functions of
`render`. `InPlaceLine` is the redrawing both `LiveBar` and the workload's live view
(`workload_view`) are made of.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self, TextIO

from ..._models import BatchJob, readable_progress
from ..._wait.callbacks import PollFailure
from .render import plain_failure_line, plain_progress_line, progress_line

__all__ = [
    "InPlaceLine",
    "LiveBar",
    "PlainLines",
    "ProgressDisplay",
    "is_tty",
    "make_display",
    "terminal_width",
]

_FALLBACK_WIDTH = 80


class _Quiet:
    """While a display is up, it is what tells of failing polls: the library's WARNING about
    them (printed by logging's last-resort handler when nothing is configured) would only
    say it again, over the bar. A NullHandler keeps that one away; configured handlers
    still get every record."""

    def __init__(self) -> None:
        self._handler = logging.NullHandler()

    def __enter__(self) -> None:
        logging.getLogger("together_batches").addHandler(self._handler)

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger("together_batches").removeHandler(self._handler)


class ProgressDisplay(Protocol):
    """What `wait` and `demo` need from a display."""

    def update(self, job: BatchJob) -> None:
        """Show the job as just polled."""

    def failed(self, failure: PollFailure) -> None:
        """Show a poll that failed (the wait goes on)."""

    def __enter__(self) -> ProgressDisplay: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def terminal_width(stream: TextIO) -> int:
    """The width of the terminal `stream` writes to, 80 when it cannot tell."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or _FALLBACK_WIDTH
    except (OSError, ValueError, AttributeError):
        return _FALLBACK_WIDTH


class InPlaceLine:
    """A line redrawn in place with `\\r`: what `LiveBar` and the workload's bar share.

    Updates can be many seconds apart, so a background thread redraws the frame every
    `tick` seconds to keep the elapsed time moving in between. Every write holds one lock:
    the updates' redraws and the ticker's never interleave. A subclass says what a frame is
    (`frame`, called with the lock held) and changes its state under `self._lock`.

    Args:
        stream: A terminal.
        tick: Seconds between redraws when nothing new came.
        clock: The time source (seconds) of the elapsed time, for tests.
    """

    def __init__(
        self, stream: TextIO, *, tick: float = 0.25, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._tick = tick
        self._clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._last = ""
        self._started = clock()
        self._thread = threading.Thread(target=self._run, name="together-batches-bar", daemon=True)

    def __enter__(self) -> Self:
        self._started = self._clock()
        self._draw()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self._draw()
        with self._lock:
            # Ends the bar's line, so what follows (or the shell prompt) starts afresh.
            self._stream.write("\n")
            self._stream.flush()

    def frame(self, elapsed: float, width: int) -> str:
        """The line to show, `elapsed` seconds in, on a terminal `width` columns wide."""
        raise NotImplementedError

    def write_above(self, text: str) -> None:
        """Print `text` on a line of its own, and the frame again below it."""
        with self._lock:
            self._stream.write("\r" + " " * len(self._last) + "\r" + text + "\n")
            self._last = ""  # drawn afresh on the new line
        self._draw()

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            try:
                self._draw()
            except (OSError, ValueError):  # the stream is gone (a closed terminal): the
                return  # command's own next write fails and says so, not a traceback here

    def _draw(self) -> None:
        with self._lock:
            line = self.frame(self._clock() - self._started, terminal_width(self._stream))
            if line != self._last:
                self._stream.write("\r" + line)
                self._stream.flush()
                self._last = line


class LiveBar(InPlaceLine):
    """A wait's progress bar redrawn in place (`progress_line`), the last failed poll after it.

    Args:
        stream: A terminal.
        tick: Seconds between redraws when nothing new was polled.
    """

    def __init__(self, stream: TextIO, *, tick: float = 0.25) -> None:
        super().__init__(stream, tick=tick)
        self._job: BatchJob | None = None
        self._failure: PollFailure | None = None
        self._quiet = _Quiet()

    def __enter__(self) -> Self:
        self._quiet.__enter__()
        try:
            return super().__enter__()
        except BaseException:  # the first draw failed: `__exit__` will not run
            self._quiet.__exit__()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:  # a last draw on a closed terminal fails: the library's warnings come back
            self._quiet.__exit__()

    def update(self, job: BatchJob) -> None:
        """Remember the job (a poll answered: no failure to show) and redraw at once."""
        with self._lock:
            self._job, self._failure = job, None
        self._draw()

    def failed(self, failure: PollFailure) -> None:
        """Remember the failure, shown after the bar until a poll answers, and redraw."""
        with self._lock:
            self._failure = failure
        self._draw()

    def frame(self, elapsed: float, width: int) -> str:
        """`progress_line` of the job as last polled."""
        return progress_line(self._job, elapsed, width, self._failure)


class PlainLines:
    """One line per change, for logs and pipes: no control characters.

    Args:
        stream: Where to write.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._seen: tuple[object, float | None] | None = None
        self._quiet = _Quiet()

    def __enter__(self) -> PlainLines:
        self._quiet.__enter__()
        self._started = time.monotonic()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._quiet.__exit__()

    def update(self, job: BatchJob) -> None:
        """Print the job's line if its status or progress changed since the last one."""
        key = (job.status, readable_progress(job))
        if key == self._seen:
            return
        self._seen = key
        line = plain_progress_line(job, time.monotonic() - self._started)
        print(line, file=self._stream, flush=True)

    def failed(self, failure: PollFailure) -> None:
        """Print a line for the failed poll."""
        line = plain_failure_line(failure, time.monotonic() - self._started)
        print(line, file=self._stream, flush=True)


def is_tty(stream: TextIO) -> bool:
    """Whether `stream` is a terminal (False for a closed or unusual stream)."""
    try:
        return stream.isatty()
    except (ValueError, AttributeError):
        return False


def make_display(stream: TextIO) -> ProgressDisplay:
    """A live bar if `stream` is a terminal, plain lines otherwise."""
    return LiveBar(stream) if is_tty(stream) else PlainLines(stream)

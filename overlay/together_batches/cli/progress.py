"""Showing a wait as it goes: a live bar on a terminal, one plain line per change otherwise.

Both give `Batches.wait_until_done` its `on_progress` (`update`) and `on_poll_error`
(`failed`) callbacks, and are context managers around the wait: while polls fail, the bar
shows the last error and how many polls failed in a row (plain output prints a line per
failed poll) instead of standing still. The text itself comes from the pure functions of
`_cli_render`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import TracebackType
from typing import Protocol, TextIO

from .._callbacks import PollFailure
from .._models import BatchJob
from .render import plain_failure_line, plain_progress_line, progress_line

__all__ = ["LiveBar", "PlainLines", "ProgressDisplay", "make_display", "terminal_width"]

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


class LiveBar:
    """A progress bar redrawn in place with `\\r`.

    Polls can be many seconds apart, so a background thread redraws the frame every
    `tick` seconds to keep the elapsed time moving in between. Every write holds one lock:
    the poller's updates and the ticker's redraws never interleave.

    Args:
        stream: A terminal.
        tick: Seconds between redraws when nothing new was polled.
    """

    def __init__(self, stream: TextIO, *, tick: float = 0.25) -> None:
        self._stream = stream
        self._tick = tick
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._job: BatchJob | None = None
        self._failure: PollFailure | None = None
        self._last = ""
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="together-batches-bar", daemon=True)
        self._quiet = _Quiet()

    def __enter__(self) -> LiveBar:
        self._quiet.__enter__()
        self._started = time.monotonic()
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

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            elapsed = time.monotonic() - self._started
            width = terminal_width(self._stream)
            line = progress_line(self._job, elapsed, width, self._failure)
            if line != self._last:
                self._stream.write("\r" + line)
                self._stream.flush()
                self._last = line


class PlainLines:
    """One line per change, for logs and pipes: no control characters.

    Args:
        stream: Where to write.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._seen: tuple[object, float] | None = None
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
        key = (job.status, job.progress_percent)
        if key == self._seen:
            return
        self._seen = key
        line = plain_progress_line(job, time.monotonic() - self._started)
        print(line, file=self._stream, flush=True)

    def failed(self, failure: PollFailure) -> None:
        """Print a line for the failed poll."""
        line = plain_failure_line(failure, time.monotonic() - self._started)
        print(line, file=self._stream, flush=True)


def make_display(stream: TextIO) -> ProgressDisplay:
    """A live bar if `stream` is a terminal, plain lines otherwise."""
    try:
        tty = stream.isatty()
    except (ValueError, AttributeError):  # a closed or unusual stream
        tty = False
    return LiveBar(stream) if tty else PlainLines(stream)

"""Showing a wait as it goes: a live bar on a terminal, one plain line per change otherwise.

Both are `on_progress` callbacks for `Batches.wait_until_done` and context managers around
the wait. The text itself comes from the pure functions of `_cli_render`.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import Protocol, TextIO

from ._cli_render import plain_progress_line, progress_line
from ._models import BatchJob

__all__ = ["LiveBar", "PlainLines", "ProgressDisplay", "make_display"]

_FALLBACK_WIDTH = 80


class ProgressDisplay(Protocol):
    """What `wait` and `demo` need from a display."""

    def update(self, job: BatchJob) -> None:
        """Show the job as just polled."""

    def __enter__(self) -> ProgressDisplay: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def _width(stream: TextIO) -> int:
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
        self._last = ""
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="together-batches-bar", daemon=True)

    def __enter__(self) -> LiveBar:
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

    def update(self, job: BatchJob) -> None:
        """Remember the job and redraw at once."""
        with self._lock:
            self._job = job
        self._draw()

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            line = progress_line(self._job, time.monotonic() - self._started, _width(self._stream))
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

    def __enter__(self) -> PlainLines:
        self._started = time.monotonic()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def update(self, job: BatchJob) -> None:
        """Print the job's line if its status or progress changed since the last one."""
        key = (job.status, job.progress_percent)
        if key == self._seen:
            return
        self._seen = key
        line = plain_progress_line(job, time.monotonic() - self._started)
        print(line, file=self._stream, flush=True)


def make_display(stream: TextIO) -> ProgressDisplay:
    """A live bar if `stream` is a terminal, plain lines otherwise."""
    try:
        tty = stream.isatty()
    except (ValueError, AttributeError):  # a closed or unusual stream
        tty = False
    return LiveBar(stream) if tty else PlainLines(stream)

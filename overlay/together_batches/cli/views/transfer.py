"""Showing an upload or a download as it goes: a bar redrawn in place on a terminal, and
nothing elsewhere (the command prints one line when it is done)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO

from .files import transfer_line
from .progress import terminal_width

__all__ = ["TransferBar"]

#: Seconds between redraws: a 100 MB upload reports a hundred times, a download thousands.
_REDRAW_EVERY = 0.1


class TransferBar:
    """`on_progress` for `files.upload` / `files.download`, and a context manager that ends
    the bar's line.

    Args:
        stream: Where to draw; nothing is drawn unless it is a terminal.
        verb: `Uploading` or `Downloading`.
        name: The file, as shown.
    """

    def __init__(self, stream: TextIO, verb: str, name: str) -> None:
        self._stream = stream
        self._verb, self._name = verb, name
        try:
            self._live = stream.isatty()
        except (ValueError, AttributeError):
            self._live = False
        self._started = time.monotonic()
        self._drawn_at: float | None = None
        self._last: tuple[int, int | None] = (0, None)

    def __enter__(self) -> TransferBar:
        self._started = time.monotonic()
        return self

    def __call__(self, done: int, total: int | None) -> None:
        """Show `done` of `total` bytes (redrawn at most every 0.1 s, and at the end)."""
        self._last = (done, total)
        now = time.monotonic()
        due = self._drawn_at is None or now - self._drawn_at >= _REDRAW_EVERY
        if self._live and (due or done == total):
            self._draw(now)

    def _draw(self, now: float) -> None:
        done, total = self._last
        width = terminal_width(self._stream)
        elapsed = now - self._started
        line = transfer_line(self._verb, self._name, done, total, elapsed=elapsed, width=width)
        self._stream.write("\r" + line)
        self._stream.flush()
        self._drawn_at = now

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live and self._drawn_at is not None:
            self._draw(time.monotonic())
            self._stream.write("\n")  # the next line (or the shell's prompt) starts afresh
            self._stream.flush()

"""The one live display every progress view is drawn with: a rich `Progress` on a terminal
(or in a Jupyter notebook), redrawn in place a few times a second.

What the views share is here, once: the console (its width is rich's business), the
library's warnings printed above the live area rather than through it, and a terminal that
goes away met quietly: drawing stops, the work goes on, and the error is raised when the
view ends, where the command sees it (a `BrokenPipeError` exits 141, as `cmd | head`
expects). Each view (`wait`, `workload`, `transfer`) says which columns it shows.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any, Literal, Self, TextIO

from rich.console import Console
from rich.progress import Progress, ProgressColumn, Task
from rich.table import Column
from rich.text import Text

__all__ = [
    "Cell",
    "Guarded",
    "LiveProgress",
    "is_live",
    "library_console",
    "terminal_console",
]

#: Redraws a second: the elapsed time moves each second, and a redraw costs a write.
REFRESH_PER_SECOND = 4
LOGGER = logging.getLogger("together_batches")


class Guarded:
    """A stream whose failures are kept, not raised: the refresh thread's write to a
    terminal that went away must not print a traceback from a thread, nor stop the work.

    Args:
        stream: The terminal.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.error: OSError | ValueError | None = None
        self._lock = threading.Lock()

    def _guard(self, action: Callable[[], object]) -> None:
        with self._lock:
            if self.error is not None:
                return
            try:
                action()
            except (OSError, ValueError) as exc:  # a closed pipe or terminal, a closed file
                self.error = exc

    def write(self, text: str) -> int:
        """Write `text`, or nothing once the stream failed."""
        self._guard(lambda: self._stream.write(text))
        return len(text)

    def flush(self) -> None:
        """Flush, or nothing once the stream failed."""
        self._guard(self._stream.flush)

    def isatty(self) -> bool:
        """Whether the stream is a terminal (False once it failed, or if it cannot say)."""
        try:
            return self.error is None and self._stream.isatty()
        except (OSError, ValueError, AttributeError):
            return False

    def fileno(self) -> int:
        """The stream's file descriptor."""
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        """The stream's encoding."""
        return getattr(self._stream, "encoding", None) or "utf-8"


def terminal_console(stream: TextIO) -> Console:
    """A console drawing on `stream`, already known to be a terminal (the CLI decides so,
    from `isatty`), whatever the environment says about colours."""
    return Console(file=stream, force_terminal=True)


def library_console() -> Console:
    """The console of `progress=True`: standard error, as rich sees it (a terminal, a
    Jupyter notebook, or neither). Read when a display starts; tests replace it."""
    return Console(file=sys.stderr)


def is_live(console: Console) -> bool:
    """Whether `console` can redraw in place: a terminal or a notebook."""
    return console.is_terminal or console.is_jupyter


class Cell(ProgressColumn):
    """A column of plain text (never markup: an error message may hold brackets) that
    keeps to one line, cut with an ellipsis when the terminal is too narrow.

    Args:
        text: The cell's text for a task.
        style: Its rich style.
        grow: The column takes the room the others leave (and is cut first).
        justify: `left` or `right`.
        keep: Columns never cut below this (a percent, a time: cut, they say nothing);
            on a narrow terminal the others give way.
    """

    def __init__(
        self,
        text: Callable[[Task], str],
        *,
        style: str = "",
        grow: bool = False,
        justify: Literal["left", "right"] = "left",
        keep: int | None = None,
    ) -> None:
        column = Column(
            no_wrap=True, overflow="ellipsis", ratio=1 if grow else None, min_width=keep
        )
        super().__init__(table_column=column)
        self._text, self._style, self._justify = text, style, justify

    def render(self, task: Task) -> Text:
        """The cell's text for `task`."""
        return Text(self._text(task), style=self._style, justify=self._justify, end="")


class _Above(logging.Handler):
    """The library's warnings (a failed poll, retried) printed above the live area rather
    than through it: what logging's last-resort handler would print, when nothing is
    configured."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.WARNING)
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        self._console.print(Text(self.format(record)), soft_wrap=True)


class LiveProgress:
    """A rich `Progress` started on the first draw and ended with the view, and what every
    live view needs around it.

    Started on the first `draw` rather than on entry, so that a call that fails before it
    begins (a bad argument, an input file refused) leaves no empty bar behind.

    Args:
        console: Where to draw (`terminal_console`, `library_console`); its stream is
            wrapped in `Guarded`.
        columns: The view's columns.
        warnings: `above`: while it is up and no logging is configured, the library's
            warnings are printed above it; `quiet`: they are not (a wait's view shows its
            failed polls itself, and would only be said again).
        clock: The time source of the elapsed times, for tests (None: rich's).
    """

    def __init__(
        self,
        console: Console,
        *columns: ProgressColumn,
        warnings: Literal["above", "quiet"] = "above",
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not isinstance(console.file, Guarded):
            console.file = Guarded(console.file)  # type: ignore[assignment]  # a file enough
        self.console = console
        self.progress = Progress(
            *columns,
            console=console,
            refresh_per_second=REFRESH_PER_SECOND,
            redirect_stdout=False,
            redirect_stderr=False,
            get_time=clock,
        )
        self._warnings = warnings
        self._handler: logging.Handler | None = None
        self._started = False
        self._lock = threading.RLock()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def draw(self, task: Any = None, *, now: bool = False, **changes: Any) -> None:
        """Start the display if it is not up yet, and apply `changes` to `task` (a
        `progress.update`; nothing when `task` is None).

        Args:
            task: The row to change.
            now: Redraw at once (a poll's answer), rather than at the next refresh (a
                transfer reports many times a second).
            changes: What `Progress.update` takes.
        """
        with self._lock:
            if task is not None:
                self.progress.update(task, refresh=now and self._started, **changes)
            if not self._started:
                self._start()  # its first frame shows the changes

    def _start(self) -> None:
        if self._warnings == "quiet":
            self._handler = logging.NullHandler()
        elif not LOGGER.hasHandlers():  # else they print it, as they were set up to
            self._handler = _Above(self.console)
        if self._handler is not None:
            LOGGER.addHandler(self._handler)
        self._started = True
        self.progress.start()
        self._raise_if_gone()

    def stop(self) -> None:
        """End the display: its last frame stays, the cursor on the line after it. Raises
        what writing to the terminal raised, if it went away."""
        with self._lock:
            if not self._started:
                return
            self._started = False
            try:
                self.progress.stop()
            finally:
                if self._handler is not None:
                    LOGGER.removeHandler(self._handler)
                    self._handler = None
            self._raise_if_gone()

    def _raise_if_gone(self) -> None:
        error = getattr(self.console.file, "error", None)
        if error is not None:
            with contextlib.suppress(Exception):
                self.progress.stop()
            if self._handler is not None:
                LOGGER.removeHandler(self._handler)
                self._handler = None
            self._started = False
            raise error

"""Which view a stream gets: the live one (rich) on a terminal, plain lines elsewhere, for a
wait, a workload and a transfer. Loading this module loads no rich: a live view's module is
reached through the folder only when a terminal is there to draw on.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, TextIO

from .. import _display
from .._models import BatchJob
from .._wait.callbacks import PollFailure
from .._workload.progress import WorkloadProgress
from .plain import PlainLines, WorkloadLines

__all__ = [
    "ProgressDisplay",
    "TransferBar",
    "WorkloadDisplay",
    "is_tty",
    "make_display",
    "make_workload_display",
]


class ProgressDisplay(Protocol):
    """A wait's view: its `on_progress` and `on_poll_error`, and a context manager around
    the wait."""

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


class WorkloadDisplay(Protocol):
    """A workload's view: its `on_progress`, and a context manager around the run."""

    def update(self, progress: WorkloadProgress) -> None:
        """Show the workload's progress as just reported."""

    def __enter__(self) -> WorkloadDisplay: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def is_tty(stream: TextIO) -> bool:
    """Whether `stream` is a terminal (False for a closed or unusual stream)."""
    try:
        return stream.isatty()
    except (ValueError, AttributeError):
        return False


def make_display(stream: TextIO) -> ProgressDisplay:
    """A wait's live view if `stream` is a terminal, plain lines otherwise."""
    if not is_tty(stream):
        return PlainLines(stream)
    return _display.wait.WaitLive(_display.live.terminal_console(stream))


def make_workload_display(stream: TextIO, *, live: bool | None = None) -> WorkloadDisplay:
    """The live view if `live` (by default: if `stream` is a terminal), plain lines otherwise."""
    if live is None:
        live = is_tty(stream)
    if not live:
        return WorkloadLines(stream)
    return _display.workload.WorkloadLive(_display.live.terminal_console(stream))


class TransferBar:
    """`on_progress` for an upload or a download, and a context manager that ends its bar:
    a live bar on a terminal, nothing elsewhere (the command prints a line when done).

    Args:
        stream: Where to draw.
        verb: `Uploading` or `Downloading`.
        name: The file, as shown.
    """

    def __init__(self, stream: TextIO, verb: str, name: str) -> None:
        self._live: _display.transfer.TransferLive | None = None
        if is_tty(stream):
            console = _display.live.terminal_console(stream)
            self._live = _display.transfer.TransferLive(console, verb, name)

    def __enter__(self) -> Self:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __call__(self, done: int, total: int | None) -> None:
        """Show `done` of `total` bytes."""
        if self._live is not None:
            self._live(done, total)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)

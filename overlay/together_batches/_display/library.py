"""`progress=True`: the library draws the same views the CLI does, on standard error (a
terminal, or a Jupyter notebook through rich), and plain lines when it is neither (a log).

The resources hand a call's callbacks through `both`, so that a caller's own `on_progress`
is still called (after the view's), and an iterator through `shown`, so that the view is up
while it is iterated and ends with it.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

from .. import _display
from .._wait.callbacks import is_async
from .._wait.options import WaitOptions
from .choose import ProgressDisplay, WorkloadDisplay
from .plain import PlainLines, WorkloadLines

__all__ = [
    "both",
    "shown",
    "shown_async",
    "transfer_display",
    "wait_display",
    "wait_options",
    "workload_display",
]

T = TypeVar("T")
Callback = Callable[..., Any]


def wait_display() -> ProgressDisplay:
    """A wait's view on standard error: live where rich can redraw, else plain lines. The
    library's warnings are printed above a live view when no logging is configured."""
    console = _display.live.library_console()
    if _display.live.is_live(console):
        return _display.wait.WaitLive(console, quiet=False)
    return PlainLines(sys.stderr)


def workload_display() -> WorkloadDisplay:
    """A workload's view on standard error: live where rich can redraw, else plain lines."""
    console = _display.live.library_console()
    if _display.live.is_live(console):
        return _display.workload.WorkloadLive(console)
    return WorkloadLines(sys.stderr)


class _Silent:
    """A transfer's view where nothing can be redrawn: a log gets no bar."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def __call__(self, done: int, total: int | None) -> None:
        return None


def transfer_display(verb: str, name: str) -> _display.transfer.TransferLive | _Silent:
    """An upload's or a download's bar on standard error, where rich can redraw."""
    console = _display.live.library_console()
    if _display.live.is_live(console):
        return _display.transfer.TransferLive(console, verb, name)
    return _Silent()


def both(ours: Callback, theirs: Callback | None) -> Callback:
    """A callback calling `ours` (the view's), then `theirs` (the caller's), if any.

    Returns:
        `ours` when there is no `theirs`; an `async def` when `theirs` is one, so that the
        async twin awaits it and the sync twin refuses it as it would have refused `theirs`.
    """
    if theirs is None:
        return ours
    if is_async(theirs):

        async def call_both_async(*args: Any) -> None:
            ours(*args)
            result = theirs(*args)
            if inspect.isawaitable(result):
                await result

        return call_both_async

    def call_both(*args: Any) -> object:
        ours(*args)
        return theirs(*args)

    return call_both


def wait_options(options: WaitOptions, display: ProgressDisplay) -> WaitOptions:
    """`options` with the view's callbacks before the caller's."""
    return dataclasses.replace(
        options,
        on_progress=both(display.update, options.on_progress),
        on_poll_error=both(display.failed, options.on_poll_error),
    )


def shown(display: ProgressDisplay | WorkloadDisplay, items: Iterator[T]) -> Iterator[T]:
    """`items`, with `display` up from the first item asked for until the last (or until
    the iteration is closed or fails)."""
    with display:
        yield from items


async def shown_async(
    display: ProgressDisplay | WorkloadDisplay, items: AsyncIterator[T]
) -> AsyncIterator[T]:
    """`shown` for an async iterator (closed with it)."""
    try:
        with display:
            async for item in items:
                yield item
    finally:
        close = getattr(items, "aclose", None)
        if close is not None:
            await close()

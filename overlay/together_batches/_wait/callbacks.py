"""What a wait calls back with, and how each twin calls back: no I/O.

A wait takes two callbacks: `on_progress(job)` when a job is first seen and whenever its
status or progress moves, and `on_poll_error(failure)` after each failed poll that the wait
survives (see `PollFailure`). The async twin awaits a callback that is an `async def`; the
sync twin, which could not, refuses one with `TypeError` before anything is sent.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .._exceptions import TogetherError
from .._models import BatchJob

__all__ = [
    "OnPollError",
    "OnProgress",
    "PollFailure",
    "call_async",
    "call_sync",
    "check_callable",
    "check_plain",
    "check_sync",
    "is_async",
]

A = TypeVar("A")


@dataclass(frozen=True, slots=True)
class PollFailure:
    """A poll that failed with a passing trouble, which the wait survives: what
    `on_poll_error` gets.

    Attributes:
        batch_job_id: The job polled.
        error: What the poll raised: an `APIConnectionError` (or `APITimeoutError`), an
            `APIStatusError` for 408, 429 or 5xx, or an `APIResponseValidationError`.
        consecutive: Failed polls of this job in a row, this one included (a poll that
            answers starts the count again).
        retry_in: Seconds until this job's next poll (never past the wait's deadline).
        paused: Seconds every poll of the wait is held back because the server rate limited
            it (a 429; then, when the 429 said how long, every request of the client too,
            see `Together`'s `max_requests_per_second`); 0.0 when not.
    """

    batch_job_id: str
    error: TogetherError
    consecutive: int
    retry_in: float
    paused: float = 0.0

    @property
    def why(self) -> str:
        """What the wait is held by, for a progress view: e.g. `rate limited: paused 12 s`,
        else the error's class and message."""
        if self.paused > 0.0:
            return f"rate limited: paused {self.paused:.0f} s"
        return f"{type(self.error).__name__}: {self.error}"


OnProgress = Callable[[BatchJob], object] | None
OnPollError = Callable[[PollFailure], object] | None


def check_callable(name: str, callback: object) -> None:
    """Raises: TypeError: `callback` is neither None nor callable."""
    if callback is not None and not callable(callback):
        raise TypeError(f"{name} must be callable")


def is_async(callback: object) -> bool:
    """Whether `callback` is an `async def`, a partial of one, or an object whose
    `__call__` is one."""
    return callable(callback) and (
        inspect.iscoroutinefunction(callback)
        or inspect.iscoroutinefunction(type(callback).__call__)
    )


_SYNC_ADVICE = (
    "which the sync client cannot await: pass a plain function, or wait with AsyncTogether"
)


def _refusal(name: str, advice: str = _SYNC_ADVICE) -> TypeError:
    return TypeError(f"{name} is an async function, {advice}")


def check_plain(name: str, callback: object, advice: str) -> None:
    """Refuse a callback that is not callable, or is an `async def`, where nothing awaits.

    Args:
        name: The argument's name, for the message.
        callback: The callback, or None.
        advice: What the message says after "NAME is an async function, ".

    Raises:
        TypeError: `callback` is neither None nor a plain callable.
    """
    check_callable(name, callback)
    if is_async(callback):
        raise _refusal(name, advice)


def check_sync(on_progress: OnProgress, on_poll_error: OnPollError) -> None:
    """Refuse an `async def` callback in the sync twin, before anything is sent: nothing
    there could await it, so it would never run.

    Raises:
        TypeError: `on_progress` or `on_poll_error` is an `async def`.
    """
    for name, callback in (("on_progress", on_progress), ("on_poll_error", on_poll_error)):
        if is_async(callback):
            raise _refusal(name)


def call_sync(
    name: str, callback: Callable[[A], object], arg: A, advice: str = _SYNC_ADVICE
) -> None:
    """Call back where nothing awaits (the sync twin, a workload's steps).

    Raises:
        TypeError: The callback returned an awaitable (a callable that `check_sync` could
            not see through): it is closed, not left to warn "never awaited".
    """
    result = callback(arg)
    if inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if close is not None:
            close()
        raise _refusal(name, advice)


async def call_async(callback: Callable[[A], object], arg: A) -> None:
    """Call back from the async twin, awaiting what an `async def` returns."""
    result = callback(arg)
    if inspect.isawaitable(result):
        await result

"""The displays for a pipe or a log: a line per change, no control characters, no rich.

`PlainLines` prints a wait's jobs (a line when a job's status or percent changes, and one
per failed poll); `WorkloadLines` prints a workload's progress, a line per change at most
every `interval` seconds, a change held back printed once the interval has passed and the
last state when the run ends. The text comes from `_display.text`; neither view goes
backwards (`text.held`).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Hashable
from types import TracebackType
from typing import Self, TextIO

from .._models import BatchJob
from .._wait.callbacks import PollFailure
from .._workload.progress import WorkloadProgress
from .text import (
    change_key,
    held,
    held_unknown,
    left_now,
    line_due,
    percent_of,
    plain_failure_line,
    plain_progress_line,
    plain_workload_line,
)

__all__ = [
    "PLAIN_INTERVAL",
    "PlainLines",
    "Quiet",
    "UNFINISHED_AT_MOST",
    "WorkloadLines",
    "counted_down",
    "held_progress",
]

#: The fewest seconds between two workload lines: a day-long workload's log stays readable.
PLAIN_INTERVAL = 2.0


class Quiet:
    """While a wait's display is up, it is what tells of failing polls: the library's
    WARNING about them (printed by logging's last-resort handler when nothing is configured)
    would only say it again. A NullHandler keeps that one away; configured handlers still
    get every record."""

    def __init__(self) -> None:
        self._handler = logging.NullHandler()

    def __enter__(self) -> None:
        logging.getLogger("together_batches").addHandler(self._handler)

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger("together_batches").removeHandler(self._handler)


class PlainLines:
    """A wait's jobs, a line per change, for logs and pipes.

    Args:
        stream: Where to write.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._seen: dict[str | None, tuple[object, float | None]] = {}
        self._quiet = Quiet()

    def __enter__(self) -> Self:
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
        """Print the job's line if its status or (held) percent changed since its last."""
        seen = self._seen.get(job.id)
        percent = held_unknown(None if seen is None else seen[1], percent_of(job))
        if seen == (job.status, percent):
            return
        self._seen[job.id] = (job.status, percent)
        line = plain_progress_line(job, time.monotonic() - self._started, percent)
        print(line, file=self._stream, flush=True)

    def failed(self, failure: PollFailure) -> None:
        """Print a line for the failed poll."""
        line = plain_failure_line(failure, time.monotonic() - self._started)
        print(line, file=self._stream, flush=True)


def counted_down(progress: WorkloadProgress, age: float) -> WorkloadProgress:
    """The progress with its time left counted down by `age` seconds (`text.left_now`)."""
    return dataclasses.replace(progress, time_left=left_now(progress.time_left, age))


#: The most a workload's bar shows while some request has no outcome: a retry round starts
#: after its parts' batches all reached 100 %, and its bar holds (never backwards) below 100 %.
UNFINISHED_AT_MOST = 0.99


def held_progress(shown: WorkloadProgress | None, now: WorkloadProgress) -> WorkloadProgress:
    """`now`, its share processed never below the one `shown` before (`text.held`), and
    under 100 % until every request has its outcome (`UNFINISHED_AT_MOST`)."""
    processed = held(None if shown is None else shown.processed, now.processed)
    if now.pending > 0:
        processed = min(processed, now.total * UNFINISHED_AT_MOST)
    return now if processed == now.processed else dataclasses.replace(now, processed=processed)


class WorkloadLines:
    """A workload's progress, a line per change, at most one every `interval` seconds.

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
            shown = None if self._latest is None else self._latest[0]
            self._latest = (held_progress(shown, progress), self._clock())
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
        line = plain_workload_line(counted_down(progress, now - at), now - self._started)
        print(line, file=self._stream, flush=True)
        self._printed = (change_key(progress), now)

    def _run(self) -> None:
        assert self._tick is not None
        while not self._stop.wait(self._tick):
            try:
                self.check()
            except (OSError, ValueError):  # the stream is gone (a closed pipe): the run's
                return  # own next write fails and says so, not a traceback from here

"""The many-job scheduler: which job is polled next, and the deadline the jobs share.

Part of the wait core (`_wait.options`, `_wait.state`, `_wait.schedule`, `_wait.core`): pure.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable

from .state import Tracker

__all__ = ["DueQueue", "Entry", "shared_deadline"]

#: A queued poll: (due, the order it was queued in, the job's id).
Entry = tuple[float, int, str]


def shared_deadline(trackers: Iterable[Tracker]) -> float:
    """The deadline of a wait on many jobs: the latest of the unfinished jobs' deadlines
    (all equal under a `timeout`); `-inf` for none."""
    return max((t.deadline for t in trackers), default=-math.inf)


class DueQueue:
    """The jobs waiting for their next poll, earliest first (a heap; no I/O).

    Each id is in it at most once: it is taken out when its poll starts and put back with
    its new due time after.
    """

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._seq = 0  # ties go to the job queued first: the order the ids were given

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, batch_job_id: str, due: float) -> None:
        """Queue a job's next poll at `due` (monotonic seconds)."""
        heapq.heappush(self._heap, (due, self._seq, batch_job_id))
        self._seq += 1

    def next_due(self) -> float:
        """The earliest due time (`inf` when empty)."""
        return self._heap[0][0] if self._heap else math.inf

    def pop(self) -> str:
        """Take out the job due first.

        Raises:
            IndexError: The queue is empty.
        """
        return heapq.heappop(self._heap)[2]

    def take_until(self, limit: float) -> list[Entry]:
        """Take out every job due at `limit` or before, earliest first (for a list round)."""
        taken = []
        while self._heap and self._heap[0][0] <= limit:
            taken.append(heapq.heappop(self._heap))
        return taken

    def restore(self, entries: Iterable[Entry]) -> None:
        """Put back entries taken by `take_until`, in their places (due and order kept)."""
        for entry in entries:
            heapq.heappush(self._heap, entry)

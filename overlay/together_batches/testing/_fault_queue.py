"""The emulator's queue of faults: which queued fault a request takes, and when it is used up."""

from __future__ import annotations

import threading

import attrs

from ._faults import Fault

__all__ = ["FaultQueue"]


@attrs.define(eq=False)
class _Entry:
    fault: Fault
    remaining: int


@attrs.define(eq=False)
class FaultQueue:
    """Queued faults, applied in the order they were added.

    A request takes the first queued fault that matches it; a fault is removed once it has
    applied `times` times.
    """

    _entries: list[_Entry] = attrs.field(factory=list, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def add(self, *faults: Fault) -> None:
        """Queue faults after those already queued.

        Args:
            faults: The faults, in the order they should apply.
        """
        with self._lock:
            self._entries.extend(_Entry(fault, fault.times) for fault in faults)

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._entries.clear()

    @property
    def pending(self) -> list[tuple[Fault, int]]:
        """The queued faults with how many uses each has left, in order."""
        with self._lock:
            return [(entry.fault, entry.remaining) for entry in self._entries]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def peek(self, method: str, raw_path: str, route: str | None) -> Fault | None:
        """Find the fault the request would take, without using it up.

        Args:
            method: The request's method.
            raw_path: The request's raw path.
            route: The route name it matched, if any.

        Returns:
            The first matching fault, or None.
        """
        with self._lock:
            for entry in self._entries:
                if entry.fault.matches(method, raw_path, route):
                    return entry.fault
        return None

    def consume(self, fault: Fault) -> None:
        """Count one use of a fault `peek` answered, removing it when used up.

        Args:
            fault: The fault.
        """
        with self._lock:
            for index, entry in enumerate(self._entries):
                if entry.fault is fault:
                    entry.remaining -= 1
                    if entry.remaining <= 0:
                        del self._entries[index]
                    return

"""`BatchStatus`: the job statuses, open to values the API adds later, and their classes."""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Any

__all__ = [
    "ACTIVE_STATUSES",
    "CANCELLED_STATUSES",
    "FAILURE_STATUSES",
    "SUCCESS_STATUSES",
    "TERMINAL_STATUSES",
    "BatchStatus",
]

from ._log import logger

# Unknown values seen so far, kept so that each is logged once and parses to one object.
# Capped: a server that invents a new status per job must not grow memory without bound.
_UNKNOWN_CAP = 256
_unknown: dict[str, BatchStatus] = {}
_unknown_lock = threading.Lock()


class BatchStatus(StrEnum):
    """Where a batch job is in its life.

    Equal to its string (`BatchStatus.COMPLETED == "COMPLETED"`) and `str()` gives the value.
    A value the API adds later still parses: `BatchStatus("PAUSED")` is a `BatchStatus` that
    is not a listed member, keeps its string, counts as active (not terminal), and is logged
    once as a warning.
    """

    VALIDATING = "VALIDATING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    CANCELING = "CANCELING"
    CANCELLED = "CANCELLED"

    def __str__(self) -> str:
        return self._value_

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        with _unknown_lock:
            member = _unknown.get(value)
            if member is None:
                member = str.__new__(cls, value)
                member._name_ = value
                member._value_ = value
                if len(_unknown) < _UNKNOWN_CAP:
                    _unknown[value] = member
                logger.warning(
                    "unknown batch status %r: treated as active (not terminal); "
                    "a newer together-batches may know it",
                    value,
                )
        return member

    @property
    def is_known(self) -> bool:
        """Whether this is one of the statuses listed in this version."""
        return self._name_ in type(self).__members__

    @property
    def is_terminal(self) -> bool:
        """COMPLETED, FAILED, EXPIRED or CANCELLED: the job will not change again."""
        return self in TERMINAL_STATUSES

    @property
    def is_success(self) -> bool:
        """COMPLETED (some requests may still have failed: see the job's error file)."""
        return self in SUCCESS_STATUSES

    @property
    def is_failure(self) -> bool:
        """FAILED or EXPIRED."""
        return self in FAILURE_STATUSES

    @property
    def is_cancelled(self) -> bool:
        """CANCELLED."""
        return self in CANCELLED_STATUSES

    @property
    def is_active(self) -> bool:
        """Not terminal: VALIDATING, IN_PROGRESS, CANCELING, or a value not known here."""
        return self not in TERMINAL_STATUSES


SUCCESS_STATUSES: frozenset[BatchStatus] = frozenset({BatchStatus.COMPLETED})
FAILURE_STATUSES: frozenset[BatchStatus] = frozenset({BatchStatus.FAILED, BatchStatus.EXPIRED})
CANCELLED_STATUSES: frozenset[BatchStatus] = frozenset({BatchStatus.CANCELLED})
TERMINAL_STATUSES: frozenset[BatchStatus] = SUCCESS_STATUSES | FAILURE_STATUSES | CANCELLED_STATUSES
ACTIVE_STATUSES: frozenset[BatchStatus] = frozenset(
    {BatchStatus.VALIDATING, BatchStatus.IN_PROGRESS, BatchStatus.CANCELING}
)

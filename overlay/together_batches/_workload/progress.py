"""One view of a workload's progress across all its parts, for a callback or a progress bar.

Pure: it reads the workload's records, and the times it is given (any clock, the same for
every sample), never a clock of its own.

    start = sample(workload, at=clock())
    ...
    view = snapshot(workload, since=start, now=clock())
    f"{view.succeeded + view.failed:,} of {view.total:,}, {view.failed:,} failed, "
    f"{view.time_left or 0:.0f} s left"
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType

from .._status import BatchStatus
from .records import Workload

__all__ = [
    "FIRST_ATTEMPT_SHARE",
    "STATE_ORDER",
    "Sample",
    "WorkloadProgress",
    "attempt_credit",
    "sample",
    "snapshot",
    "time_left",
]

#: The order in which `WorkloadProgress.parts` lists the parts' states (others come last).
STATE_ORDER = ("planned", "uploaded", "creating", "created", *(s.value for s in BatchStatus))


@dataclass(frozen=True, slots=True)
class Sample:
    """How many requests were processed (`processed`) at a time (`at`, in seconds)."""

    at: float
    processed: float


@dataclass(frozen=True, slots=True)
class WorkloadProgress:
    """A workload's progress over all its parts and rounds: what `batches.run` calls its
    `on_progress` with after each change of the workload's state (a part uploaded,
    created, seen to move or end, its results read, a retry round planned).

    Attributes:
        total: How many requests the workload holds.
        succeeded: How many have an ok outcome, read from their results.
        failed: How many have a failed outcome that no retry round will change.
        processed: An estimate of how many are processed (0 to `total`), which never
            goes down as the workload moves on: a request with a final outcome counts 1; a
            request between attempts counts the share its attempts so far are worth (see
            `attempt_credit`), and one in a batch that runs, that share plus its batch's
            progress over the next attempt's share.
        parts: How many parts are in each state (`Part.state`: "planned", "uploaded",
            "creating", "created", or a batch status), in `STATE_ORDER`.
        parts_consumed: How many parts' results were read.
        round: The latest round planned (0 for the first, n for the nth retry round).
        retry_failed: How many retry rounds the workload may have.
        time_left: Seconds until every request is processed, at the rate seen between the
            two samples given, or None when it cannot be estimated (no sample, or no
            progress between them); 0.0 once all are processed.
    """

    total: int
    succeeded: int
    failed: int
    processed: float
    parts: MappingProxyType[str, int]
    parts_consumed: int
    round: int
    retry_failed: int
    time_left: float | None = None

    @property
    def pending(self) -> int:
        """How many requests have no final outcome yet."""
        return self.total - self.succeeded - self.failed

    @property
    def fraction(self) -> float:
        """`processed` as a fraction of `total`, 0.0 to 1.0."""
        return self.processed / self.total if self.total else 1.0


#: The share of a request's processing its first attempt is worth when a retry may follow
#: (and each further attempt, that share of what is left): most requests need one attempt.
FIRST_ATTEMPT_SHARE = 0.9


def attempt_credit(round_: int, retry_failed: int) -> float:
    """How much of a request counts as processed once it enters round `round_` (its attempts
    before it failed): 0.0 in round 0, then 0.9, 0.99, ... while retry rounds remain, and
    1.0 past the last round (its outcome is final).

    Counting a failed attempt as done is what keeps `processed` from going back when a
    part's failures leave for a retry round: counted as not processed, they would take
    back what their batch's progress had counted.
    """
    if round_ > retry_failed:
        return 1.0
    return 1.0 - (1.0 - FIRST_ATTEMPT_SHARE) ** round_


def _processed(workload: Workload) -> float:
    """The sum over parts of what each adds to its requests' credit: a running part, its
    progress of the round's share; a consumed one, the rest to 1.0 for each request that
    succeeded and the round's share for each that failed (its retry part adds the next)."""
    retry_failed, processed = workload.retry_failed, 0.0
    for part in workload.parts:
        before = attempt_credit(part.round, retry_failed)
        share = attempt_credit(part.round + 1, retry_failed) - before
        if part.consumed:
            succeeded = part.succeeded or 0
            processed += succeeded * (1.0 - before) + (part.input.requests - succeeded) * share
        else:
            processed += part.input.requests * share * min(1.0, max(0.0, part.progress))
    return min(float(workload.requests), processed)


def sample(workload: Workload, *, at: float) -> Sample:
    """The workload's processed count at time `at`, to estimate a rate from later."""
    return Sample(at, snapshot(workload).processed)


def time_left(since: Sample, now: Sample, total: int) -> float | None:
    """Seconds until `total` requests are processed, at the rate seen from `since` to `now`.

    Returns:
        The estimate; 0.0 when all are processed; None when it cannot be made (no time
        between the samples, or no progress).
    """
    if now.processed >= total:
        return 0.0
    elapsed, done = now.at - since.at, now.processed - since.processed
    if elapsed <= 0 or done <= 0:
        return None
    return (total - now.processed) * elapsed / done


def snapshot(
    workload: Workload, *, since: Sample | None = None, now: float | None = None
) -> WorkloadProgress:
    """The workload's progress, with the time left when `since` and `now` are given.

    Args:
        workload: The workload's records.
        since: An earlier sample (say, at the start of this run: a rate over time the
            client was not running says nothing).
        now: The current time, on the clock of `since`.

    Returns:
        The progress view.
    """
    consumed = [part for part in workload.parts if part.consumed]
    succeeded = sum(part.succeeded or 0 for part in consumed)
    # A failure in a round that is retried is not an outcome yet: its retry will say.
    failed = sum(
        part.input.requests - (part.succeeded or 0)
        for part in consumed
        if part.round >= workload.retry_failed
    )
    # Every outcome final: exactly all (the credits' sum may be a rounding error short).
    final = succeeded + failed == workload.requests
    processed = float(workload.requests) if final else _processed(workload)
    states = Counter(part.state for part in workload.parts)
    order = {state: index for index, state in enumerate(STATE_ORDER)}
    ordered = sorted(states.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    left = None
    if since is not None and now is not None:
        left = time_left(since, Sample(now, processed), workload.requests)
    return WorkloadProgress(
        total=workload.requests,
        succeeded=succeeded,
        failed=failed,
        processed=processed,
        parts=MappingProxyType(dict(ordered)),
        parts_consumed=len(consumed),
        round=workload.round,
        retry_failed=workload.retry_failed,
        time_left=left,
    )

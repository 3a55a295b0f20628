"""A job's scripted timeline, and the pure functions that say where a job is at a time."""

from __future__ import annotations

import math
import random
from typing import Any

import attrs

from together_batches_api.models.batch_job_status import BatchJobStatus

from ._lines import InputRequest

__all__ = [
    "CANCELING",
    "CANCELLED",
    "COMPLETED",
    "DAY_SECONDS",
    "EXPIRED",
    "FAILED",
    "IN_PROGRESS",
    "TERMINAL",
    "VALIDATING",
    "JobPlan",
    "Snapshot",
    "progress_at",
    "snapshot_at",
    "split_results",
]

# The status values come from the spec, through the generated enum: never a copy here.
VALIDATING = BatchJobStatus.VALIDATING
IN_PROGRESS = BatchJobStatus.IN_PROGRESS
COMPLETED = BatchJobStatus.COMPLETED
FAILED = BatchJobStatus.FAILED
EXPIRED = BatchJobStatus.EXPIRED
CANCELING = BatchJobStatus.CANCELING
CANCELLED = BatchJobStatus.CANCELLED
TERMINAL = frozenset({COMPLETED, FAILED, EXPIRED, CANCELLED})

#: The completion window the API imposes: job_deadline is created_at plus this.
DAY_SECONDS = 24 * 60 * 60.0


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value >= 0:
        raise ValueError(f"{attribute.name} must be >= 0, not {value!r}")


def _fraction(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be within 0..1, not {value!r}")


@attrs.frozen
class JobPlan:
    """The scripted life of one job, in seconds after its creation.

    The job is VALIDATING for `validating_seconds`, then IN_PROGRESS with progress rising
    linearly from 0 to 100 over `running_seconds`, then COMPLETED. The first of these events
    that comes earlier ends it instead: FAILED at `fail_after_seconds`, EXPIRED at
    `expires_after_seconds` (also the job's `job_deadline`), CANCELLED `cancel_seconds` after a
    cancel request (CANCELING in between, progress frozen), whether a client sent it or the
    plan scripts it at `cancel_after_seconds`. Requests finished before the end appear in the
    output file; `failed_fraction` of them go to the error file instead.

    Args:
        validating_seconds: Time spent VALIDATING.
        running_seconds: Time IN_PROGRESS needed to finish every request; `math.inf` for a
            job that never finishes (it then expires, fails or is cancelled).
        fail_after_seconds: When the job FAILS, or None for never.
        error: The job's `error` string once FAILED.
        expires_after_seconds: When the job EXPIRES if not finished; 24 h like the live API.
        cancel_seconds: How long CANCELING lasts before CANCELLED.
        failed_fraction: Share of finished requests that fail (listed in the error file).
        warning: The `warning` a create of this job answers with, or None for none.
        cancel_after_seconds: When a cancel arrives that no client sent (someone else's,
            say from the dashboard), or None for none; a client's earlier cancel wins.

    Raises:
        ValueError: On a negative duration or a fraction outside 0..1.
    """

    validating_seconds: float = attrs.field(default=2.0, validator=_non_negative)
    running_seconds: float = attrs.field(default=30.0, validator=_non_negative)
    fail_after_seconds: float | None = attrs.field(default=None, validator=_non_negative)
    error: str = "Batch job failed: the emulator was scripted to fail it."
    expires_after_seconds: float = attrs.field(default=DAY_SECONDS, validator=_non_negative)
    cancel_seconds: float = attrs.field(default=1.0, validator=_non_negative)
    failed_fraction: float = attrs.field(default=0.0, validator=_fraction)
    warning: str | None = None
    cancel_after_seconds: float | None = attrs.field(default=None, validator=_non_negative)


@attrs.frozen
class Snapshot:
    """Where a job is at one moment.

    Args:
        status: The wire status.
        progress: Percent of requests done, 0 to 100.
        ended_after: Seconds after creation at which the job reached its terminal status,
            or None while it is not terminal.
    """

    status: str
    progress: float
    ended_after: float | None

    @property
    def terminal(self) -> bool:
        """Whether the status is final."""
        return self.status in TERMINAL


def progress_at(plan: JobPlan, elapsed: float) -> float:
    """Compute the unobstructed progress curve: 0 while validating, then linear to 100.

    Args:
        plan: The job's plan.
        elapsed: Seconds since the job's creation.

    Returns:
        Percent done, 0 to 100, rounded to two decimals as the wire shows it.
    """
    running = elapsed - plan.validating_seconds
    if running < 0:
        return 0.0
    if plan.running_seconds == 0:
        return 100.0
    return round(min(100.0, 100.0 * running / plan.running_seconds), 2)


def snapshot_at(plan: JobPlan, elapsed: float, cancel_after: float | None = None) -> Snapshot:
    """Say where a job is, from its plan alone: the emulator stores no status.

    Args:
        plan: The job's plan.
        elapsed: Seconds since the job's creation.
        cancel_after: Seconds after creation at which a client's cancel was accepted, if one
            was; the plan's `cancel_after_seconds`, when earlier, is the cancel instead.

    Returns:
        The job's status, progress and end time at `elapsed`.
    """
    scripted = plan.cancel_after_seconds
    if scripted is not None and (cancel_after is None or scripted < cancel_after):
        cancel_after = scripted
    # Ties go to the first listed: a job failing at the instant it would complete has failed.
    endings = [
        (plan.fail_after_seconds, FAILED),
        (plan.expires_after_seconds, EXPIRED),
        (plan.validating_seconds + plan.running_seconds, COMPLETED),
    ]
    candidates = [(at, status) for at, status in endings if at is not None]
    if cancel_after is not None:
        # A cancel freezes the job: nothing scheduled after it can happen any more.
        candidates = [(at, status) for at, status in candidates if at <= cancel_after]
        candidates.append((cancel_after + plan.cancel_seconds, CANCELLED))
    end_at, end_status = min(candidates, key=lambda candidate: candidate[0])
    if elapsed >= end_at:
        if end_status == COMPLETED:
            return Snapshot(COMPLETED, 100.0, end_at)
        frozen_at = cancel_after if end_status == CANCELLED and cancel_after is not None else end_at
        return Snapshot(end_status, progress_at(plan, frozen_at), end_at)
    if cancel_after is not None and elapsed >= cancel_after:
        return Snapshot(CANCELING, progress_at(plan, cancel_after), None)
    if elapsed >= plan.validating_seconds:
        return Snapshot(IN_PROGRESS, progress_at(plan, elapsed), None)
    return Snapshot(VALIDATING, 0.0, None)


def split_results(
    requests: tuple[InputRequest, ...],
    progress: float,
    failed_fraction: float,
    seed: str,
    failing: frozenset[str] = frozenset(),
) -> tuple[list[InputRequest], list[InputRequest]]:
    """Decide which requests a job finished, and which of those failed.

    Args:
        requests: The job's input requests.
        progress: The job's final progress, 0 to 100.
        failed_fraction: Share of the finished valid requests that fail.
        seed: Makes the (shuffled) order reproducible; the job id.
        failing: The custom_ids of valid requests scripted to fail, if finished.

    Returns:
        The succeeded and the failed requests, in completion order: deliberately not input
        order, as the live API documents. Every finished invalid line (one with a
        `problem`) fails, and every finished request in `failing`; `failed_fraction` of the
        other valid ones do, spread evenly.
    """
    order = list(requests)
    random.Random(seed).shuffle(order)
    finished = order[: math.floor(len(order) * progress / 100.0 + 1e-9)]
    succeeded: list[InputRequest] = []
    failed: list[InputRequest] = []
    index = 0
    for request in finished:
        if request.problem is not None or request.custom_id in failing:
            failed.append(request)
            continue
        fails = math.floor((index + 1) * failed_fraction) > math.floor(index * failed_fraction)
        (failed if fails else succeeded).append(request)
        index += 1
    return succeeded, failed

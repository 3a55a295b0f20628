"""Jobs, their scripted timelines, and the pure functions that say where a job is at a time."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

import attrs

from together_batches_api.models.batch_job import BatchJob as WireBatchJob
from together_batches_api.models.batch_job_status import BatchJobStatus

from ._files import OUTPUT_PURPOSE, FileRecord
from ._lines import (
    ANSWERED_ENDPOINTS,
    SCRIPTED_FAILURE,
    InputRequest,
    error_line,
    jsonl,
    output_line,
    response_body,
)

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
    cancel request (CANCELING in between, progress frozen). Requests finished before the end
    appear in the output file; `failed_fraction` of them go to the error file instead.

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
        cancel_after: Seconds after creation at which a cancel was accepted, if one was.

    Returns:
        The job's status, progress and end time at `elapsed`.
    """
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
    requests: tuple[InputRequest, ...], progress: float, failed_fraction: float, seed: str
) -> tuple[list[InputRequest], list[InputRequest]]:
    """Decide which requests a job finished, and which of those failed.

    Args:
        requests: The job's input requests.
        progress: The job's final progress, 0 to 100.
        failed_fraction: Share of the finished valid requests that fail.
        seed: Makes the (shuffled) order reproducible; the job id.

    Returns:
        The succeeded and the failed requests, in completion order: deliberately not input
        order, as the live API documents. Every finished invalid line (one with a
        `problem`) fails; `failed_fraction` of the valid ones do, spread evenly.
    """
    order = list(requests)
    random.Random(seed).shuffle(order)
    finished = order[: math.floor(len(order) * progress / 100.0 + 1e-9)]
    succeeded: list[InputRequest] = []
    failed: list[InputRequest] = []
    index = 0
    for request in finished:
        if request.problem is not None:
            failed.append(request)
            continue
        fails = math.floor((index + 1) * failed_fraction) > math.floor(index * failed_fraction)
        (failed if fails else succeeded).append(request)
        index += 1
    return succeeded, failed


@attrs.define(eq=False)
class Job:
    """A job's stored facts. Its status is never stored: `snapshot` computes it from the clock.

    Args:
        id: The job id.
        user_id: The owning user.
        input_file_id: The input file named at creation.
        file_size_bytes: The input file's size.
        endpoint: The inference endpoint of its requests.
        model_id: The model.
        created_at: When it was created.
        plan: Its scripted timeline.
        requests: Its input requests.
        output_file_id: The id its output file will have.
        error_file_id: The id its error file will have.
        cancel_after: Seconds after creation at which a cancel was accepted, if any.
    """

    id: str
    user_id: str
    input_file_id: str
    file_size_bytes: int
    endpoint: str
    model_id: str
    created_at: datetime
    plan: JobPlan
    requests: tuple[InputRequest, ...]
    output_file_id: str
    error_file_id: str
    cancel_after: float | None = None

    def elapsed(self, now: datetime) -> float:
        """Seconds from creation to `now`.

        Args:
            now: The current instant.

        Returns:
            The elapsed seconds; negative if `now` is before creation.
        """
        return (now - self.created_at).total_seconds()

    def snapshot(self, now: datetime) -> Snapshot:
        """Where the job is at `now`.

        Args:
            now: The current instant.

        Returns:
            The computed snapshot.
        """
        return snapshot_at(self.plan, self.elapsed(now), self.cancel_after)

    def results(self, snapshot: Snapshot) -> tuple[list[InputRequest], list[InputRequest]]:
        """Split the requests into succeeded and failed, once the job is terminal.

        Args:
            snapshot: The job's current snapshot.

        Returns:
            Succeeded and failed requests; both empty while the job is not terminal.
        """
        if not snapshot.terminal:
            return [], []
        succeeded, failed = split_results(
            self.requests, snapshot.progress, self.plan.failed_fraction, self.id
        )
        if self.endpoint not in ANSWERED_ENDPOINTS:
            # No made-up answer fits: every finished request fails, saying why.
            return [], [*succeeded, *failed]
        return succeeded, failed

    def files_at(self, now: datetime) -> tuple[str | None, str | None]:
        """Which result files the job has at `now`.

        Args:
            now: The current instant.

        Returns:
            The output file id (COMPLETED, or any terminal job that finished a request
            successfully) and the error file id (when a finished request failed), or None.
        """
        return self._files(self.snapshot(now))

    def _files(self, snapshot: Snapshot) -> tuple[str | None, str | None]:
        if not snapshot.terminal:
            return None, None
        succeeded, failed = self.results(snapshot)
        has_output = snapshot.status == COMPLETED or bool(succeeded)
        return (
            self.output_file_id if has_output else None,
            self.error_file_id if failed else None,
        )

    def to_json(self, now: datetime) -> dict[str, Any]:
        """Render the job as the API answers it at `now`.

        Args:
            now: The current instant.

        Returns:
            The BatchJob object, with null for absent optional fields.
        """
        snapshot = self.snapshot(now)
        output_file_id, error_file_id = self._files(snapshot)
        ended = (
            None
            if snapshot.ended_after is None
            else self.created_at + timedelta(seconds=snapshot.ended_after)
        )
        deadline = self.created_at + timedelta(seconds=self.plan.expires_after_seconds)
        # Built through the generated model: its fields (and their names) are the spec's.
        return WireBatchJob(
            id=self.id,
            user_id=self.user_id,
            input_file_id=self.input_file_id,
            file_size_bytes=self.file_size_bytes,
            status=snapshot.status,
            job_deadline=deadline,
            created_at=self.created_at,
            endpoint=self.endpoint,
            progress=snapshot.progress,
            model_id=self.model_id,
            output_file_id=output_file_id,
            error_file_id=error_file_id,
            error=self.plan.error if snapshot.status == FAILED else None,
            completed_at=ended,
        ).to_dict()

    def result_file(self, file_id: str, now: datetime) -> FileRecord | None:
        """Build the job's output or error file, if the job has it at `now`.

        Args:
            file_id: The output or error file id.
            now: The current instant.

        Returns:
            The file, or None if the job has no such file (yet).
        """
        snapshot = self.snapshot(now)
        output_file_id, error_file_id = self._files(snapshot)
        if file_id not in (output_file_id, error_file_id):
            return None
        succeeded, failed = self.results(snapshot)
        ended = self.created_at + timedelta(seconds=snapshot.ended_after or 0.0)
        if file_id == output_file_id:
            created = int(ended.timestamp())
            lines = [
                output_line(request, response_body(self.endpoint, request, self.model_id,
                                                   created=created, index=index))
                for index, request in enumerate(succeeded)
            ]  # fmt: skip
            name = f"{self.id}-output.jsonl"
        else:
            lines = [error_line(request, *self._failure(request)) for request in failed]
            name = f"{self.id}-error.jsonl"
        return FileRecord(file_id, name, OUTPUT_PURPOSE, ended, jsonl(lines))

    def _failure(self, request: InputRequest) -> tuple[str, int]:
        """Why a finished request failed, and the error code its error line carries."""
        if request.problem is not None:
            return request.problem, 400
        if self.endpoint not in ANSWERED_ENDPOINTS:
            answered = " and ".join(ANSWERED_ENDPOINTS)
            return f"The emulator answers only {answered} requests, not {self.endpoint}", 404
        return SCRIPTED_FAILURE, 400

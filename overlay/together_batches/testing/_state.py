"""A job's stored facts, and what it answers at a time (its status from its plan, its files)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from together_batches_api.models.batch_job import BatchJob as WireBatchJob

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
from ._plan import (
    CANCELING,
    COMPLETED,
    FAILED,
    JobPlan,
    Snapshot,
    snapshot_at,
    split_results,
)

__all__ = ["CANCELING", "Job", "JobPlan"]


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
        failing: The custom_ids of its requests scripted to fail (`RequestScript.fail`).
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
    failing: frozenset[str] = frozenset()

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
            self.requests, snapshot.progress, self.plan.failed_fraction, self.id, self.failing
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
                output_line(
                    request,
                    response_body(
                        self.endpoint, request, self.model_id, created=created, index=index
                    ),
                )
                for index, request in enumerate(succeeded)
            ]
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

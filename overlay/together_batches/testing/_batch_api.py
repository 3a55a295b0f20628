"""The emulator's batch endpoints: list, create, get, cancel, and making a job."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ._clock import Clock
from ._http import Response, error_response, json_response
from ._lines import InputRequest, parse_input, synthesize_input
from ._state import CANCELING, Job, JobPlan
from ._store import Store


@attrs.frozen
class Settings:
    """How an emulator behaves apart from its jobs' timelines.

    Args:
        api_key: The accepted bearer token, or None to accept any non-empty one.
        strict_files: Whether a create naming an input file that is not uploaded (stored
            and preprocessed) answers 400 (otherwise the emulator makes up an input of
            `synthesized_requests` requests for an unknown one).
        null_when_empty: Whether an empty list answers `null` (as the live API) or `[]`.
        synthesized_requests: Requests in a made-up input file.
        user_id: The `user_id` of every job.
        model_id: The model of jobs whose create and input name none.
        storage_url: The origin of presigned upload URLs, or None for the origin each
            upload request reached (so both transports and the server work).
    """

    api_key: str | None = "test-key"
    strict_files: bool = False
    null_when_empty: bool = True
    synthesized_requests: int = 8
    user_id: str = "user-emulator"
    model_id: str = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    storage_url: str | None = None


@functools.cache
def _synthesized(count: int, model: str) -> tuple[bytes, tuple[InputRequest, ...]]:
    # Every made-up input of a given size is the same, and benchmarks make thousands of them.
    content = synthesize_input(count, model)
    return content, parse_input(content)


def validate_create(payload: object) -> str | None:
    """Say what is wrong with a create body, or None if nothing is."""
    if not isinstance(payload, dict):
        return "Request body must be a JSON object"
    for field in ("endpoint", "input_file_id"):
        value = payload.get(field)
        if not isinstance(value, str) or not value:
            return f"'{field}' is required and must be a non-empty string"
    if "completion_window" in payload and payload["completion_window"] != "24h":
        return "'completion_window' must be '24h'"
    priority = payload.get("priority")
    if "priority" in payload and (not isinstance(priority, int) or isinstance(priority, bool)):
        return "'priority' must be an integer"
    if "model_id" in payload and not isinstance(payload["model_id"], str):
        return "'model_id' must be a string"
    return None


@attrs.define(eq=False)
class BatchRoutes:
    """Answers the batch endpoints; callers hold the emulator's lock.

    Args:
        settings: Fixed behaviour.
        clock: The time source.
        store: The jobs and files.
        next_plan: Gives the plan of each newly created job that the store's request
            script gives none.
    """

    settings: Settings
    clock: Clock
    store: Store
    next_plan: Callable[[], JobPlan]

    def list(self) -> Response:
        """`GET /v1/batches`: every job, `null` when there are none (unless told otherwise)."""
        now = self.clock.now()
        jobs = [job.to_json(now) for job in self.store.jobs.values()]
        return json_response(200, jobs or (None if self.settings.null_when_empty else []))

    def get(self, job_id: str) -> Response:
        """`GET /v1/batches/{id}`."""
        job = self.store.jobs.get(job_id)
        if job is None:
            return _not_found(job_id)
        return json_response(200, job.to_json(self.clock.now()))

    def create(self, body: bytes) -> Response:
        """`POST /v1/batches`: 201 with the job (and the plan's warning, if any)."""
        try:
            payload = json.loads(body)
        except ValueError:
            return error_response(400, "Request body is not valid JSON", nested=False)
        problem = validate_create(payload)
        if problem is not None:
            return error_response(400, problem, nested=False)
        input_file_id: str = payload["input_file_id"]
        if self.settings.strict_files:
            record = self.store.file(input_file_id, self.clock.now())
            if record is None:
                return error_response(400, f"Input file {input_file_id} not found", nested=False)
            if not record.processed:
                message = f"Input file {input_file_id} has not been preprocessed"
                return error_response(400, message, nested=False)
        job = self.create_job(
            input_file_id=input_file_id,
            endpoint=payload["endpoint"],
            model_id=payload.get("model_id"),
            plan=None,
        )
        answer: dict[str, Any] = {"job": job.to_json(self.clock.now())}
        if job.plan.warning is not None:
            answer["warning"] = job.plan.warning
        return json_response(201, answer)

    def cancel(self, job_id: str) -> Response:
        """`POST /v1/batches/{id}/cancel`: 400 once the job is terminal."""
        job = self.store.jobs.get(job_id)
        if job is None:
            return _not_found(job_id)
        now = self.clock.now()
        snapshot = job.snapshot(now)
        if snapshot.terminal:
            message = f"Cannot cancel batch job {job.id} in status {snapshot.status}"
            return error_response(400, message, nested=False)
        if snapshot.status != CANCELING:
            job.cancel_after = job.elapsed(now)
        return json_response(200, job.to_json(now))

    def create_job(
        self,
        *,
        input_file_id: str | None,
        endpoint: str,
        model_id: str | None,
        plan: JobPlan | None,
        created_at: datetime | None = None,
    ) -> Job:
        """Create and store a job, counting it as an attempt at each of its requests.

        Args:
            input_file_id: A stored input file (whose lines become the job's requests), an
                unknown id (an input is made up), or None (a made-up input under a fresh id).
            endpoint: The job's endpoint.
            model_id: The model, or None to take the input's first model or the default.
            plan: The job's timeline; None for the one the request script gives it, else
                `next_plan()`'s.
            created_at: The creation instant, or None for the clock's now.

        Returns:
            The stored job.
        """
        record = None if input_file_id is None else self.store.files.get(input_file_id)
        if record is not None:
            content, requests = record.content, parse_input(record.content)
        else:
            content, requests = _synthesized(
                self.settings.synthesized_requests, self.settings.model_id
            )
        if model_id is None:
            models = [r.body["model"] for r in requests if isinstance(r.body.get("model"), str)]
            model_id = models[0] if models else self.settings.model_id
        casting = self.store.script.cast(requests)
        plan = plan or casting.plan or self.next_plan()
        job = Job(
            id=self.store.new_uuid(),
            user_id=self.settings.user_id,
            input_file_id=input_file_id or f"file-{self.store.new_uuid()}",
            file_size_bytes=len(content),
            endpoint=endpoint,
            model_id=model_id,
            created_at=self.clock.now() if created_at is None else created_at,
            plan=plan,
            requests=requests,
            output_file_id=f"file-{self.store.new_uuid()}",
            error_file_id=f"file-{self.store.new_uuid()}",
            failing=casting.failing,
        )
        self.store.add_job(job)
        return job


def _not_found(job_id: str) -> Response:
    return error_response(404, f"Batch job {job_id} not found", nested=False)

"""The emulator's core: one `handle(method, raw_path, headers, body)` both transports share."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._clock import Clock
from ._faults import Fault, FaultKind, FaultQueue
from ._files import InputRequest, parse_input, synthesize_input
from ._routes import (
    CANCEL_BATCH,
    CREATE_BATCH,
    GET_BATCH,
    GET_FILE,
    GET_FILE_CONTENT,
    JOB_ROUTES,
    LIST_BATCHES,
    RouteMatch,
    match_route,
)
from ._state import CANCELING, Job, JobPlan, Store

JSON_TYPE = "application/json"
Headers = Mapping[str, str] | Iterable[tuple[str, str]]

_BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
_NOT_JSON_PAGE = b"<!DOCTYPE html><html><body><p>Everything is fine.</p></body></html>\n"


@attrs.frozen
class Response:
    """What the emulator answers; transports and the server turn it into HTTP.

    Args:
        status: The HTTP status.
        headers: Response headers, without Content-Length (the sender adds it).
        body: The body bytes.
        delay: Real seconds to wait before answering (a slow fault).
        drop: Whether to break the connection part-way through instead of answering.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    delay: float = 0.0
    drop: bool = False

    def header(self, name: str) -> str | None:
        """Look a header up, ignoring case.

        Args:
            name: The header name.

        Returns:
            Its value, or None if absent.
        """
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        """Decode the body as JSON.

        Returns:
            The decoded value.

        Raises:
            ValueError: If the body is not JSON.
        """
        return json.loads(self.body)


@attrs.frozen
class RecordedRequest:
    """A request the emulator saw, kept in `Emulator.requests` for tests to assert on.

    Args:
        method: The HTTP method, upper case.
        raw_path: The request target exactly as sent (still percent-encoded).
        route: The route it matched (e.g. `get_batch`), or None.
        path_id: The decoded id from the path, if the path has one.
        headers: The request headers, names lower-cased.
        body: The request body.
    """

    method: str
    raw_path: str
    route: str | None
    path_id: str | None
    headers: Mapping[str, str]
    body: bytes


@attrs.frozen
class Settings:
    """How an emulator behaves apart from its jobs' timelines.

    Args:
        api_key: The accepted bearer token, or None to accept any non-empty one.
        strict_files: Whether a create naming an unknown input file answers 400 (otherwise
            the emulator makes up an input of `synthesized_requests` requests).
        null_when_empty: Whether an empty list answers `null` (as the live API) or `[]`.
        synthesized_requests: Requests in a made-up input file.
        user_id: The `user_id` of every job.
        model_id: The model of jobs whose create and input name none.
    """

    api_key: str | None = "test-key"
    strict_files: bool = False
    null_when_empty: bool = True
    synthesized_requests: int = 8
    user_id: str = "user-emulator"
    model_id: str = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


def _dumps(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def error_response(
    status: int, message: str, *, nested: bool, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    """Build an error answer in the body style of its endpoint.

    Args:
        status: The HTTP status.
        message: The message.
        nested: True for the files endpoints' `{"error": {"message", "type", ...}}`, False for
            the batch endpoints' flat `{"error": "<message>"}`.
        headers: Extra headers.

    Returns:
        The response.
    """
    payload: dict[str, Any]
    if nested:
        kind = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}
        error_type = kind.get(status, "invalid_request_error" if status < 500 else "server_error")
        payload = {"error": {"message": message, "type": error_type, "param": None, "code": None}}
    else:
        payload = {"error": message}
        if status == 429:
            payload["error_type"] = "dynamic_request_limited"
    return Response(status, (("content-type", JSON_TYPE), *headers), _dumps(payload))


def json_response(status: int, payload: object) -> Response:
    """Build a JSON answer.

    Args:
        status: The HTTP status.
        payload: The JSON-ready value.

    Returns:
        The response.
    """
    return Response(status, (("content-type", JSON_TYPE),), _dumps(payload))


@functools.cache
def _synthesized(count: int, model: str) -> tuple[bytes, tuple[InputRequest, ...]]:
    # Every made-up input of a given size is the same, and benchmarks make thousands of them.
    content = synthesize_input(count, model)
    return content, parse_input(content)


def _validate_create(payload: object) -> str | None:
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
class App:
    """Routes requests to the emulated API, applying queued faults.

    Args:
        settings: Fixed behaviour.
        clock: The time source.
        store: The jobs and files.
        faults: The fault queue.
        next_plan: Gives the plan of each newly created job.
        lock: Guards the store and the request log (the server handles requests on threads).
        requests: Every request seen, appended in arrival order.
    """

    settings: Settings
    clock: Clock
    store: Store
    faults: FaultQueue
    next_plan: Callable[[], JobPlan]
    lock: threading.RLock = attrs.field(factory=threading.RLock)
    requests: list[RecordedRequest] = attrs.field(factory=list)

    def handle(self, method: str, raw_path: str, headers: Headers, body: bytes) -> Response:
        """Answer one request.

        Args:
            method: The HTTP method.
            raw_path: The request target as sent (percent-encoded, maybe with a query).
            headers: The request headers.
            body: The request body.

        Returns:
            The response, possibly spoiled by a queued fault.
        """
        method = method.upper()
        items = headers.items() if isinstance(headers, Mapping) else headers
        lowered = {name.lower(): value for name, value in items}
        route = match_route(method, raw_path)
        with self.lock:
            self.requests.append(
                RecordedRequest(method, raw_path, route.name, route.path_id, lowered, body)
            )
            fault = self.faults.peek(method, raw_path, route.name)
            if fault is not None and fault.replaces_response:
                self.faults.consume(fault)
                return self._fault_response(fault, route)
            response = self._answer(method, raw_path, lowered, body, route)
            if fault is None:
                return response
            spoiled = self._spoil(fault, route, response)
            if spoiled is not None:
                self.faults.consume(fault)
                return spoiled
            return response

    def _fault_response(self, fault: Fault, route: RouteMatch) -> Response:
        if fault.kind is FaultKind.NOT_JSON:
            return Response(200, (("content-type", "text/html; charset=utf-8"),), _NOT_JSON_PAGE)
        if fault.kind is FaultKind.DROP:
            return Response(200, (("content-type", JSON_TYPE),), b'{"id":"', drop=True)
        if fault.status_code == 502:
            headers = (("content-type", "text/html"), *fault.headers)
            return Response(502, headers, _BAD_GATEWAY_PAGE)
        return error_response(
            fault.status_code, fault.message, nested=route.files, headers=fault.headers
        )

    def _spoil(self, fault: Fault, route: RouteMatch, response: Response) -> Response | None:
        """Apply a fault that acts on a processed answer; None if it cannot apply to it."""
        if fault.kind is FaultKind.SLOW:
            return attrs.evolve(response, delay=fault.seconds)
        if fault.kind is FaultKind.DROP:
            return attrs.evolve(response, drop=True)
        if fault.kind is FaultKind.TRUNCATED:
            return attrs.evolve(response, body=response.body[: len(response.body) // 2])
        if not 200 <= response.status < 300 or route.name not in JOB_ROUTES:
            return None
        payload = response.json()
        if fault.kind is FaultKind.NULL_LIST:
            return attrs.evolve(response, body=b"null")
        job = payload.get("job") if isinstance(payload, dict) and "job" in payload else payload
        if isinstance(job, list):
            job = job[0] if job else None
        if not isinstance(job, dict):
            return None
        job["status"] = fault.value
        return attrs.evolve(response, body=_dumps(payload))

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return self.settings.api_key is None or token.strip() == self.settings.api_key

    def _answer(
        self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes, route: RouteMatch
    ) -> Response:
        if not self._authorized(headers):
            return error_response(401, "Invalid or missing API key", nested=route.files)
        if route.name is None:
            if route.allowed:
                return error_response(
                    405,
                    f"Method {method} not allowed",
                    nested=route.files,
                    headers=(("allow", ", ".join(route.allowed)),),
                )
            return error_response(404, f"No route for {method} {raw_path}", nested=route.files)
        path_id = route.path_id or ""
        now = self.clock.now()
        if route.name == LIST_BATCHES:
            jobs = [job.to_json(now) for job in self.store.jobs.values()]
            return json_response(200, jobs or (None if self.settings.null_when_empty else []))
        if route.name == CREATE_BATCH:
            return self._create(body)
        if route.name in (GET_FILE, GET_FILE_CONTENT):
            record = self.store.file(path_id, now)
            if record is None:
                return error_response(404, f"File {path_id} not found", nested=True)
            if route.name == GET_FILE:
                return json_response(200, record.metadata())
            return Response(200, (("content-type", "application/octet-stream"),), record.content)
        job = self.store.jobs.get(path_id)
        if job is None:
            return error_response(404, f"Batch job {path_id} not found", nested=False)
        if route.name == GET_BATCH:
            return json_response(200, job.to_json(now))
        assert route.name == CANCEL_BATCH
        return self._cancel(job)

    def _create(self, body: bytes) -> Response:
        try:
            payload = json.loads(body)
        except ValueError:
            return error_response(400, "Request body is not valid JSON", nested=False)
        problem = _validate_create(payload)
        if problem is not None:
            return error_response(400, problem, nested=False)
        input_file_id: str = payload["input_file_id"]
        if self.store.files.get(input_file_id) is None and self.settings.strict_files:
            return error_response(400, f"Input file {input_file_id} not found", nested=False)
        job = self.create_job(
            input_file_id=input_file_id,
            endpoint=payload["endpoint"],
            model_id=payload.get("model_id"),
            plan=self.next_plan(),
        )
        answer: dict[str, Any] = {"job": job.to_json(self.clock.now())}
        if job.plan.warning is not None:
            answer["warning"] = job.plan.warning
        return json_response(201, answer)

    def _cancel(self, job: Job) -> Response:
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
        plan: JobPlan,
        created_at: datetime | None = None,
    ) -> Job:
        """Create and store a job; callers hold `lock`.

        Args:
            input_file_id: A registered input file, an unknown id (an input is made up), or
                None (a made-up input under a fresh id).
            endpoint: The job's endpoint.
            model_id: The model, or None to take the input's first model or the default.
            plan: The job's timeline.
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
        )
        self.store.add_job(job)
        return job

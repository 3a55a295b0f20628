"""The emulator's core: one `handle(method, raw_path, headers, body)` both transports share."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import attrs

from ._batch_api import BatchRoutes, Settings
from ._clock import Clock
from ._fault_queue import FaultQueue
from ._faults import Fault, FaultKind
from ._file_api import FileRoutes, parse_form
from ._http import JSON_TYPE, Headers, Response, dumps, error_response
from ._routes import (
    CANCEL_BATCH,
    CREATE_BATCH,
    DELETE_FILE,
    GET_BATCH,
    GET_FILE,
    GET_FILE_CONTENT,
    INITIATE_FILE_UPLOAD,
    JOB_ROUTES,
    LIST_BATCHES,
    LIST_FILES,
    PREPROCESS_FILE,
    SERVED_METHODS,
    STORAGE_PUT,
    WHOAMI,
    RouteMatch,
    match_route,
)
from ._state import JobPlan
from ._store import Store

__all__ = ["App", "RecordedRequest", "Response", "Settings"]

_BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
_NOT_JSON_PAGE = b"<!DOCTYPE html><html><body><p>Everything is fine.</p></body></html>\n"


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
    batches: BatchRoutes = attrs.field(init=False)
    files: FileRoutes = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.batches = BatchRoutes(self.settings, self.clock, self.store, self.next_plan)
        self.files = FileRoutes(self.store, self.settings.storage_url)

    def handle(
        self, method: str, raw_path: str, headers: Headers, body: bytes, *, scheme: str = "http"
    ) -> Response:
        """Answer one request.

        Args:
            method: The HTTP method.
            raw_path: The request target as sent (percent-encoded, maybe with a query).
            headers: The request headers.
            body: The request body.
            scheme: The scheme the request came in on, for the URLs the emulator hands out.

        Returns:
            The response, possibly spoiled by a queued fault.
        """
        method = method.upper()
        items = headers.items() if isinstance(headers, Mapping) else headers
        lowered = {name.lower(): value for name, value in items}
        route = match_route(method, raw_path)
        request = RecordedRequest(method, raw_path, route.name, route.path_id, lowered, body)
        with self.lock:
            self.requests.append(request)
            fault = self.faults.peek(method, raw_path, route.name)
            if fault is not None and fault.replaces_response:
                self.faults.consume(fault)
                return self._fault_response(fault, route)
            origin = f"{scheme}://{lowered.get('host') or 'localhost'}"
            response = self._answer(request, route, origin)
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
        if fault.kind is FaultKind.REPLY:
            return Response(fault.status_code, fault.headers, fault.body)
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
        return attrs.evolve(response, body=dumps(payload))

    def _whoami(self) -> dict[str, object]:
        """A project API key's identity, in the shape the official SDK (3.x) reads: its
        CLI takes the project from here before any batch or file command."""
        user = self.settings.user_id
        return {
            "type": "project_api_key",
            "api_key": {"id": f"key-{user}"},
            "organization": {"id": f"org-{user}", "name": "Emulator"},
            "project": {"id": f"proj-{user}", "name": "Emulator", "slug": "emulator"},
        }

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return self.settings.api_key is None or token.strip() == self.settings.api_key

    def _answer(self, request: RecordedRequest, route: RouteMatch, origin: str) -> Response:
        method, headers = request.method, request.headers
        if method not in SERVED_METHODS or (route.name is None and route.allowed):
            # HEAD, TRACE and the like are served nowhere: a JSON 405, not an HTML 501.
            allowed = route.allowed or SERVED_METHODS
            return error_response(
                405,
                f"Method {method} not allowed",
                nested=route.files or route.storage,
                headers=(("allow", ", ".join(allowed)),),
            )
        if route.name == STORAGE_PUT:
            # A presigned URL is its own credential: no API key is asked for (nor allowed).
            return self.files.put(route.path_id or "", request.raw_path, headers, request.body)
        if not self._authorized(headers):
            return error_response(401, "Invalid or missing API key", nested=route.files)
        if route.name is None:
            message = f"No route for {method} {request.raw_path}"
            return error_response(404, message, nested=route.files)
        return self._route(request, route.name, route.path_id or "", origin)

    def _route(self, request: RecordedRequest, name: str, path_id: str, origin: str) -> Response:
        now = self.clock.now()
        accept = request.headers.get("accept")
        by_id: dict[str, Callable[[str], Response]] = {
            GET_BATCH: self.batches.get,
            CANCEL_BATCH: self.batches.cancel,
            GET_FILE: lambda file_id: self.files.get(file_id, now),
            GET_FILE_CONTENT: lambda file_id: self.files.content(file_id, now, accept),
            DELETE_FILE: lambda file_id: self.files.delete(file_id, now),
            PREPROCESS_FILE: lambda file_id: self.files.preprocess(file_id, now),
        }
        if name in by_id:
            return by_id[name](path_id)
        if name == LIST_BATCHES:
            return self.batches.list()
        if name == CREATE_BATCH:
            return self.batches.create(request.body)
        if name == LIST_FILES:
            return self.files.list(now)
        if name == WHOAMI:
            return Response(200, (("content-type", JSON_TYPE),), dumps(self._whoami()))
        assert name == INITIATE_FILE_UPLOAD, name
        content_type = request.headers.get("content-type", "")
        fields = parse_form(content_type, request.body, request.raw_path)
        return self.files.initiate(fields, now, origin)

"""The `Emulator`: state, scripting methods, and the ways to reach it (transports, server)."""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import attrs
import httpx

from ._app import App, RecordedRequest
from ._batch_api import Settings
from ._clock import Clock, SystemClock
from ._fault_queue import FaultQueue
from ._http import Headers, Response
from ._server import serve
from ._state import JobPlan
from ._store import Store
from ._transport import AsyncEmulatorTransport, EmulatorTransport


@attrs.frozen(eq=False, kw_only=True)
class Emulator:
    """A local, stateful stand-in for Together's Batch API (`/v1/batches`, `/v1/files`).

    Job status is never stored: each read computes it from the job's `JobPlan` and the
    clock, so a `FakeClock` lets a test jump through a 24 h timeline instantly.

    Files are uploaded as on the live service (`POST /v1/files`, a 302 to a presigned URL
    on the emulator itself that refuses an API key, the PUT, `POST .../preprocess`; 409
    for content uploaded before), listed and deleted. A job reads its input file: each
    valid line gets an output line answering it as the endpoint would (chat completions,
    completions), each invalid line and `JobPlan.failed_fraction` of the valid ones an
    error line.

    Args:
        api_key: The bearer token requests must carry, or None to accept any.
        clock: The time source; the real time by default.
        plan: The timeline of every created job neither `plan_for` nor `plan_next` scripted.
        strict_files: Whether a create naming an input file that is not uploaded (stored
            and preprocessed) answers 400; by default an unknown id gets a made-up input of
            `synthesized_requests` requests.
        null_when_empty: Whether an empty list answers `null`, as the live API does, or `[]`.
        synthesized_requests: How many requests a made-up input file holds.
        user_id: The `user_id` of every job.
        model_id: The model of jobs whose create and input name none.
        seed: Seeds the generated ids (and upload tokens), so that a test gets the same
            ids every run; by default (None) they are random, different each run, as the
            service's are.
        storage_url: The origin (`scheme://host[:port]`) presigned upload URLs point to, e.g.
            to test a client against a storage host other than the API's; by default the
            origin each upload request reached, which serves the PUT itself.
    """

    api_key: str | None = "test-key"
    clock: Clock = attrs.field(factory=SystemClock)
    plan: JobPlan = attrs.field(factory=JobPlan)
    strict_files: bool = False
    null_when_empty: bool = True
    synthesized_requests: int = 8
    user_id: str = "user-emulator"
    model_id: str = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    seed: int | None = None
    storage_url: str | None = None
    faults: FaultQueue = attrs.field(init=False, factory=FaultQueue)
    _planned: collections.deque[JobPlan] = attrs.field(init=False, factory=collections.deque)
    _app: App = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        settings = Settings(
            api_key=self.api_key,
            strict_files=self.strict_files,
            null_when_empty=self.null_when_empty,
            synthesized_requests=self.synthesized_requests,
            user_id=self.user_id,
            model_id=self.model_id,
            storage_url=self.storage_url,
        )
        app = App(settings, self.clock, Store(self.seed), self.faults, self._take_plan)
        # Frozen, because changing a setting after the fact would silently not reach the app.
        object.__setattr__(self, "_app", app)

    def _take_plan(self) -> JobPlan:
        return self._planned.popleft() if self._planned else self.plan

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request seen so far, in arrival order (the live list: `.clear()` works)."""
        return self._app.requests

    def handle(
        self,
        method: str,
        raw_path: str,
        headers: Headers,
        body: bytes = b"",
        *,
        scheme: str = "http",
    ) -> Response:
        """Answer one request: the core both transports and the server call.

        Args:
            method: The HTTP method.
            raw_path: The request target as sent, percent-encoded, e.g. `/v1/batches/a%2Fb`.
            headers: The request headers (with `Host`, for the upload URLs handed out).
            body: The request body.
            scheme: The scheme the request came in on.

        Returns:
            The response (its `delay` and `drop` are for the caller to act on).
        """
        return self._app.handle(method, raw_path, headers, body, scheme=scheme)

    def plan_next(self, *plans: JobPlan) -> None:
        """Script the timelines of the next jobs created through the API, in order (a race
        when a client creates several at once: `plan_for` keys a plan on a request instead).

        Args:
            plans: One plan per upcoming create; later creates fall back to `plan`.
        """
        with self._app.lock:
            self._planned.extend(plans)

    def plan_for(self, custom_id: str, plan: JobPlan, *, attempt: int = 1) -> None:
        """Script the timeline of the job created holding request `custom_id` for the
        `attempt`th time, whatever order jobs are created in (unlike `plan_next`, which
        such a job does not use up). The first rule added that matches a job wins; a job
        made with `add_job` keeps the plan it is given.

        Args:
            custom_id: A request of the job's input file.
            plan: Its timeline.
            attempt: Which job holding the request: 1 for the first, 2 for the next, ...

        Raises:
            ValueError: `attempt` is not an int >= 1.
        """
        with self._app.lock:
            self._app.store.script.plan_for(custom_id, plan, attempt=attempt)

    def fail_requests(self, custom_ids: Iterable[str], *, attempts: int = 1) -> None:
        """Script requests to fail (an error line, when run) in the first `attempts` jobs
        that hold them; later jobs run them as their plans say. An attempt is a job created
        holding the request, whether or not it runs it before it ends.

        Args:
            custom_ids: The requests.
            attempts: In how many jobs each fails.

        Raises:
            ValueError: `attempts` is not an int >= 1.
        """
        with self._app.lock:
            self._app.store.script.fail(custom_ids, attempts=attempts)

    def attempts(self) -> dict[str, int]:
        """How many jobs were created holding each request so far, by custom_id."""
        with self._app.lock:
            return dict(self._app.store.script.attempts)

    def add_file(self, content: bytes, filename: str = "input.jsonl") -> str:
        """Register an input file, as a finished upload (preprocessed) would.

        Args:
            content: JSONL of `{"custom_id", "body"}` lines; a job over it answers each
                line that is not a valid one with an error line.
            filename: The file's name.

        Returns:
            The new file id, to pass as `input_file_id`.
        """
        with self._app.lock:
            return self._app.store.add_input_file(content, filename, self.clock.now()).id

    def add_job(
        self,
        plan: JobPlan | None = None,
        *,
        input_file_id: str | None = None,
        endpoint: str = "/v1/chat/completions",
        model_id: str | None = None,
        created_at: datetime | None = None,
    ) -> str:
        """Create a job directly, without a request (nothing is recorded in `requests`).

        Args:
            plan: Its timeline; `plan` of the emulator by default.
            input_file_id: A registered input file, or None for a made-up one.
            endpoint: Its endpoint.
            model_id: Its model; taken from the input or the default when None.
            created_at: When it was created, e.g. in the past; the clock's now when None.

        Returns:
            The job id.
        """
        with self._app.lock:
            job = self._app.batches.create_job(
                input_file_id=input_file_id,
                endpoint=endpoint,
                model_id=model_id,
                plan=plan or self.plan,
                created_at=created_at,
            )
            return job.id

    def job(self, job_id: str) -> dict[str, Any]:
        """Read a job as the API would answer it now, bypassing faults and the request log.

        Args:
            job_id: The job id.

        Returns:
            The BatchJob object.

        Raises:
            KeyError: If there is no such job.
        """
        with self._app.lock:
            return self._app.store.jobs[job_id].to_json(self.clock.now())

    @property
    def job_ids(self) -> list[str]:
        """Every job id, in creation order."""
        with self._app.lock:
            return list(self._app.store.jobs)

    def file_content(self, file_id: str) -> bytes:
        """Read a file's bytes as the API would serve them now.

        Args:
            file_id: An input file, or a job's output or error file.

        Returns:
            The bytes.

        Raises:
            KeyError: If the file does not exist (yet).
        """
        with self._app.lock:
            record = self._app.store.file(file_id, self.clock.now())
        if record is None:
            raise KeyError(file_id)
        return record.content

    def transport(self) -> httpx.BaseTransport:
        """Make a synchronous in-process transport: `httpx.Client(transport=...)`.

        Returns:
            The transport; any base URL ending in `/v1` works with it.
        """
        return EmulatorTransport(self.handle)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """Make an asynchronous in-process transport: `httpx.AsyncClient(transport=...)`.

        Returns:
            The transport; any base URL ending in `/v1` works with it.
        """
        return AsyncEmulatorTransport(self.handle)

    @contextlib.contextmanager
    def serve(self, port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
        """Serve over real HTTP on a background thread while the `with` block runs.

        Args:
            port: The port, or 0 for a free one.
            host: The interface; keep the loopback default.

        Yields:
            The base URL, e.g. `http://127.0.0.1:54321/v1`.
        """
        with serve(self.handle, host, port) as base_url:
            yield base_url

    def serve_forever(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        ready: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """Serve over real HTTP until `stop` is set or the process gets Ctrl-C.

        Args:
            host: The interface; keep the loopback default.
            port: The port, or 0 for a free one.
            ready: Called with the base URL once the server listens.
            stop: Set it (from another thread) to stop serving.
        """
        with self.serve(port, host) as base_url:
            if ready is not None:
                ready(base_url)
            # KeyboardInterrupt ends the wait; leaving the `with` then stops the server cleanly.
            with contextlib.suppress(KeyboardInterrupt):
                (stop or threading.Event()).wait()

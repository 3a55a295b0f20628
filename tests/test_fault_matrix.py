"""Every fault the emulator can inject, against every client call, over real loopback sockets.

Each case serves a fresh emulator on 127.0.0.1, scripts one fault, makes one call with a real
socket client (both twins) and checks the documented outcome (the tables below): success
within the retry budget, or the documented error after the documented number of attempts,
and for a create, how many jobs the server really made. Every case must end in bounded time
and leave no TCP socket of this process open once the client is closed and the server
stopped. Retry sleeps are instant (`fake_time`); only the SLOW fault really sleeps.

What the rules come from (docs/timeouts-and-retries.md, `_http/retry.py`, `Batches.*` docstrings):
- retries: 2, on connection errors, timeouts, 408, 429 and 5xx, honouring `retry-after` up
  to 60 s (a longer hint raises at once);
- a create is retried only when it provably did not run (connect failure, 429, 503), so a
  500, 502, dropped connection or read timeout on a create raises at once;
- a 2xx whose body is not what the spec promises raises `APIResponseValidationError` and is
  not retried (the request may have taken effect);
- `wait_until_done` survives connection errors, timeouts, 408, 429, 5xx and bad 2xx bodies
  until its deadline (`WaitTimeoutError`), and raises other errors (404, 401) at once.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchJob,
    BatchStatus,
    FileObject,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    WaitTimeoutError,
)
from together_batches.testing import Emulator, FakeClock, Fault, JobPlan

from ._twins import Twin
from .conftest import FakeTime

KEY = "fault-matrix-key-0123"
#: Real seconds within which any one case must finish (a hang guard, not a timing claim).
REAL_TIME_GUARD = 15.0
#: Real seconds the server side may take to close its end after the client hangs up (a
#: SLOW fault's handler thread is still asleep when the client gives up on it).
SOCKET_SETTLE = 3.0
#: The client's own per-request timeout in these tests: a hang is cut short by it.
CLIENT_TIMEOUT = 5.0
#: A SLOW fault longer than the per-call timeout (really slept by the server thread).
SLOW = 0.4
CALL_TIMEOUT = 0.2

METHODS = ("create_batch", "get_batch", "list_batches", "cancel_batch", "retrieve", "content")


# --- open sockets -----------------------------------------------------------------------


def _is_tcp(fd: int) -> bool:
    try:
        probe = socket.socket(fileno=os.dup(fd))  # family and type read from the descriptor
    except OSError:
        return False
    with probe:
        return probe.family in (socket.AF_INET, socket.AF_INET6) and (
            probe.type == socket.SOCK_STREAM
        )


def open_tcp_sockets() -> set[str]:
    """This process's open TCP sockets, by inode (not the event loop's Unix socket pairs)."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to count sockets")
    mine: set[str] = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:[") and _is_tcp(int(name)):
            mine.add(target[8:-1])
    return mine


# --- the expected outcomes --------------------------------------------------------------


@attrs.frozen
class Expect:
    """One cell: `error` None for success; `attempts` the requests the server saw; for a
    create, `created` the jobs it made; `result` how to check a success (see `_check`)."""

    error: type[Exception] | None
    attempts: int
    created: int | None = None
    result: str = "normal"


def ok(attempts: int = 1, *, created: int | None = None, result: str = "normal") -> Expect:
    return Expect(None, attempts, created, result)


def fails(error: type[Exception], attempts: int = 1, *, created: int | None = None) -> Expect:
    return Expect(error, attempts, created)


def _faults(*faults: Fault) -> Callable[[], list[Fault]]:
    return lambda: list(faults)


@attrs.frozen
class Row:
    """One fault, and what each call does under it (in the order of `METHODS`)."""

    faults: Callable[[], list[Fault]]
    cells: tuple[Expect, ...]
    call_timeout: float | None = None


OK2 = ok(2)
# fault -> (create_batch, get_batch, list_batches, cancel_batch, files.retrieve, files.content)
TABLE: dict[str, Row] = {
    # 429 is retried even for a create: the request was provably not acted on.
    "429 once, retry-after 1": Row(
        _faults(Fault.rate_limited(retry_after=1)),
        (ok(2, created=1), OK2, OK2, OK2, OK2, OK2),
    ),
    "429 x3 (budget spent)": Row(
        _faults(Fault.rate_limited(times=3, retry_after=1)),
        (fails(RateLimitError, 3, created=0), *[fails(RateLimitError, 3)] * 5),
    ),
    "429, retry-after 120 (> 60 s cap)": Row(
        _faults(Fault.rate_limited(retry_after=120)),
        (fails(RateLimitError, 1, created=0), *[fails(RateLimitError, 1)] * 5),
    ),
    # 500 and 502 may have been acted on: a create is not retried.
    "500 once": Row(
        _faults(Fault.status(500)),
        (fails(InternalServerError, 1, created=0), OK2, OK2, OK2, OK2, OK2),
    ),
    "500 x3": Row(
        _faults(Fault.status(500, times=3)),
        (fails(InternalServerError, 1, created=0), *[fails(InternalServerError, 3)] * 5),
    ),
    "502 HTML page once": Row(
        _faults(Fault.status(502)),
        (fails(InternalServerError, 1, created=0), OK2, OK2, OK2, OK2, OK2),
    ),
    # 503 promises the request was not processed: a create is retried too.
    "503 once": Row(
        _faults(Fault.status(503)),
        (ok(2, created=1), OK2, OK2, OK2, OK2, OK2),
    ),
    "503 x3 (budget spent)": Row(
        _faults(Fault.status(503, times=3)),
        (fails(InternalServerError, 3, created=0), *[fails(InternalServerError, 3)] * 5),
    ),
    # A 200 that is not JSON: raised, never retried. The content endpoint's bytes are
    # opaque, but an HTML page there is a proxy's, not the file: raised too.
    "200 not JSON": Row(
        _faults(Fault.not_json()),
        (
            fails(APIResponseValidationError, 1, created=0),
            *[fails(APIResponseValidationError)] * 5,
        ),
    ),
    # The request took effect, then half its body came (Content-Length matching the cut).
    "200 truncated body": Row(
        _faults(Fault.truncated()),
        (
            fails(APIResponseValidationError, 1, created=1),
            fails(APIResponseValidationError),
            fails(APIResponseValidationError),
            fails(APIResponseValidationError),
            fails(APIResponseValidationError),
            ok(result="half"),
        ),
    ),
    # Dropped mid-response: retried when harmless; a create raises (it may have run).
    "connection dropped, processed": Row(
        _faults(Fault.drop_connection(processed=True)),
        (fails(APIConnectionError, 1, created=1), OK2, OK2, OK2, OK2, OK2),
    ),
    "connection dropped, not processed": Row(
        _faults(Fault.drop_connection(processed=False)),
        (fails(APIConnectionError, 1, created=0), OK2, OK2, OK2, OK2, OK2),
    ),
    "connection dropped x3": Row(
        _faults(Fault.drop_connection(times=3)),
        (fails(APIConnectionError, 1, created=1), *[fails(APIConnectionError, 3)] * 5),
    ),
    # A read timeout: the server may have acted on it, so a create is not retried.
    f"slow {SLOW}s > call timeout {CALL_TIMEOUT}s": Row(
        _faults(Fault.slow(SLOW)),
        (fails(APITimeoutError, 1, created=1), OK2, OK2, OK2, OK2, OK2),
        call_timeout=CALL_TIMEOUT,
    ),
    "slow 0.1s, within the timeout": Row(
        _faults(Fault.slow(0.1)),
        (ok(1, created=1), ok(), ok(), ok(), ok(), ok()),
    ),
    # An unknown status parses, keeps its string and counts as active; files are untouched.
    "unknown status value": Row(
        _faults(Fault.unknown_status("REVERSING_POLARITY")),
        (
            ok(1, created=1, result="unknown"),
            ok(result="unknown"),
            ok(result="unknown"),
            ok(result="unknown"),
            ok(),
            ok(),
        ),
    ),
    # An error body of no shape the spec lists (a gateway's plain text): the class of its
    # status with the text as its message, never APIResponseValidationError; not retried.
    "400 as plain text": Row(
        _faults(Fault.reply(400, b"bad request: no such route", content_type="text/plain")),
        (fails(BadRequestError, 1, created=0), *[fails(BadRequestError)] * 5),
    ),
    # `null` for a list is the live API's empty list: [] (only the list is affected).
    "null list": Row(
        _faults(Fault.null_list()),
        (ok(1, created=1), ok(), ok(result="empty"), ok(), ok(), ok()),
    ),
}

CASES = [pytest.param(name, method, id=f"{name}-{method}") for name in TABLE for method in METHODS]


@attrs.frozen
class Setup:
    active: str  # a running job (to get and cancel)
    done: str  # a COMPLETED job
    output_file_id: str
    output: bytes


def _setup(emulator: Emulator) -> Setup:
    """Jobs made without requests, so that the request log holds only the call under test."""
    active = emulator.add_job(JobPlan(validating_seconds=0, running_seconds=10_000))
    done = emulator.add_job(JobPlan(validating_seconds=0, running_seconds=0))
    output_file_id = emulator.job(done)["output_file_id"]
    assert isinstance(output_file_id, str)
    return Setup(active, done, output_file_id, emulator.file_content(output_file_id))


def _call(client: Any, method: str, setup: Setup, timeout: float | None) -> Any:
    kw: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    if method == "create_batch":
        return client.batches.create_batch("file-input", "/v1/chat/completions", **kw)
    if method == "get_batch":
        return client.batches.get_batch(setup.active, **kw)
    if method == "list_batches":
        return client.batches.list_batches(**kw)
    if method == "cancel_batch":
        return client.batches.cancel_batch(setup.active, **kw)
    if method == "retrieve":
        return client.files.retrieve(setup.output_file_id, **kw)
    assert method == "content"
    return client.files.content(setup.output_file_id, **kw)


def _check(method: str, result: Any, expect: Expect, setup: Setup) -> None:
    """What a successful call returned, by method and the case's `result` kind."""
    kind = expect.result
    if method == "content":
        assert isinstance(result, bytes)
        if kind == "half":
            assert result == setup.output[: len(setup.output) // 2]
        else:
            assert result == setup.output
            assert all(json.loads(line)["custom_id"] for line in result.splitlines())
        return
    if method == "retrieve":
        assert isinstance(result, FileObject)
        assert result.id == setup.output_file_id and result.bytes_ == len(setup.output)
        return
    if method == "list_batches":
        assert isinstance(result, list) and all(isinstance(j, BatchJob) for j in result)
        if kind == "empty":
            assert result == []
            return
        assert {j.id for j in result} >= {setup.active, setup.done}
        jobs = result[:1]
    else:
        assert isinstance(result, BatchJob)
        jobs = [result]
        if method in ("get_batch", "cancel_batch"):
            assert result.id == setup.active
        if method == "cancel_batch" and kind == "normal":
            assert result.status == BatchStatus.CANCELING
    if kind == "unknown":
        status = jobs[0].status
        assert status == "REVERSING_POLARITY" and status is not None and status.is_active


@attrs.frozen
class Served:
    emulator: Emulator
    clock: FakeClock
    base_url: str


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One emulator served on loopback for the module (a server per case would cost its
    shutdown poll each time); each case clears its faults and request log and makes its own
    jobs. Once the server is stopped, no socket of it may be left either."""
    before = open_tcp_sockets()
    clock = FakeClock()
    emulator = Emulator(api_key=KEY, clock=clock)
    with emulator.serve() as base_url:
        yield Served(emulator, clock, base_url)
    assert not open_tcp_sockets() - before


def _settled_leaks(before: set[str]) -> set[str]:
    """The sockets opened since `before` and still open once the server side has had a
    moment to see the client hang up (it closes its end on its own thread)."""
    give_up = time.monotonic() + SOCKET_SETTLE
    while True:
        leaked = open_tcp_sockets() - before
        if not leaked or time.monotonic() > give_up:
            return leaked
        time.sleep(0.01)


@pytest.fixture
def server(served: Served) -> Iterator[Served]:
    """The served emulator, clean, with the per-case guards: no socket left open (client or
    server side) once the case's client is closed, and no case running long."""
    served.emulator.faults.clear()
    served.emulator.requests.clear()
    before = open_tcp_sockets()
    started = time.monotonic()
    yield served
    assert time.monotonic() - started < REAL_TIME_GUARD
    served.emulator.faults.clear()
    leaked = _settled_leaks(before)
    assert not leaked, f"{len(leaked)} TCP socket(s) left open"


@pytest.mark.parametrize(("fault", "method"), CASES)
def test_fault_x_call(
    twin: Twin, fake_time: FakeTime, server: Served, fault: str, method: str
) -> None:
    row = TABLE[fault]
    expect = row.cells[METHODS.index(method)]
    emulator = server.emulator
    setup = _setup(emulator)
    jobs_before = len(emulator.job_ids)
    emulator.faults.add(*row.faults())
    client = twin.client(None, api_key=KEY, base_url=server.base_url, timeout=CLIENT_TIMEOUT)
    try:
        if expect.error is None:
            _check(method, _call(client, method, setup, row.call_timeout), expect, setup)
        else:
            with pytest.raises(expect.error) as caught:
                _call(client, method, setup, row.call_timeout)
            assert type(caught.value) is expect.error  # not a subclass, nor a raw httpx error
            assert KEY not in str(caught.value)
    finally:
        client.close()
    assert len(emulator.requests) == expect.attempts
    if expect.created is not None:
        assert len(emulator.job_ids) - jobs_before == expect.created
    # No retry sleep is longer than the 60 s cap on a server's hint.
    assert all(0 <= s <= 60 for s in fake_time.sleeps)


def test_the_table_covers_every_fault_kind() -> None:
    from together_batches.testing import FaultKind  # noqa: PLC0415

    kinds = {f.kind for row in TABLE.values() for f in row.faults()}
    assert kinds == set(FaultKind)
    codes = {f.status_code for row in TABLE.values() for f in row.faults()}
    assert codes >= {429, 500, 502, 503}
    assert all(len(row.cells) == len(METHODS) for row in TABLE.values())


# --- wait_until_done --------------------------------------------------------------------

POLL = 1.0
MAX_POLL = 2.0
WAIT_TIMEOUT = 20.0
RUNNING = 6.0  # emulated seconds the job needs


def _gets(times: int) -> dict[str, Any]:
    return {"times": times, "method": "GET", "path_prefix": "/v1/batches/"}


@attrs.frozen
class WaitRow:
    faults: Callable[[], list[Fault]]
    error: type[Exception] | None  # None: the job is seen COMPLETED
    request_timeout: float | None = None
    job: str = "real"  # "missing": wait on an id that does not exist
    api_key: str = KEY


WAIT_TABLE: dict[str, WaitRow] = {
    "429 x2, retry-after 1": WaitRow(_faults(Fault.rate_limited(**_gets(2))), None),
    "500 x2": WaitRow(_faults(Fault.status(500, **_gets(2))), None),
    "502 HTML x2": WaitRow(_faults(Fault.status(502, **_gets(2))), None),
    "503 x2": WaitRow(_faults(Fault.status(503, **_gets(2))), None),
    "200 not JSON x2": WaitRow(_faults(Fault.not_json(**_gets(2))), None),
    "200 truncated x2": WaitRow(_faults(Fault.truncated(**_gets(2))), None),
    "dropped, processed x2": WaitRow(_faults(Fault.drop_connection(**_gets(2))), None),
    "dropped, not processed x2": WaitRow(
        _faults(Fault.drop_connection(processed=False, **_gets(2))), None
    ),
    f"slow {SLOW}s > request_timeout {CALL_TIMEOUT}s": WaitRow(
        _faults(Fault.slow(SLOW, **_gets(1))), None, request_timeout=CALL_TIMEOUT
    ),
    "slow 0.1s, within the timeout": WaitRow(_faults(Fault.slow(0.1, **_gets(1))), None),
    "unknown status x2": WaitRow(_faults(Fault.unknown_status(**_gets(2))), None),
    "null list (not used by a wait)": WaitRow(_faults(Fault.null_list(5)), None),
    # Survivable faults that never stop: the deadline ends the wait.
    "503 forever": WaitRow(_faults(Fault.status(503, **_gets(1000))), WaitTimeoutError),
    "429 forever": WaitRow(_faults(Fault.rate_limited(**_gets(1000))), WaitTimeoutError),
    "dropped forever": WaitRow(_faults(Fault.drop_connection(**_gets(1000))), WaitTimeoutError),
    "not JSON forever": WaitRow(_faults(Fault.not_json(**_gets(1000))), WaitTimeoutError),
    # Not survivable: raised at the first poll.
    "404 (no such job)": WaitRow(_faults(), NotFoundError, job="missing"),
    "401 (wrong key)": WaitRow(_faults(), AuthenticationError, api_key="wrong-key-0123"),
}


@pytest.mark.parametrize("case", list(WAIT_TABLE))
def test_fault_x_wait_until_done(
    twin: Twin, fake_time: FakeTime, server: Served, case: str
) -> None:
    row = WAIT_TABLE[case]
    fake_time.listeners.append(server.clock.advance)  # the client's sleeps move the job on
    emulator = server.emulator
    job_id = emulator.add_job(JobPlan(validating_seconds=1, running_seconds=RUNNING))
    if row.job == "missing":
        job_id = "batch-missing"
    emulator.faults.add(*row.faults())
    progress: list[BatchJob] = []
    started = fake_time.mono
    client = twin.client(
        None, api_key=row.api_key, base_url=server.base_url, timeout=CLIENT_TIMEOUT
    )
    try:
        kwargs: dict[str, Any] = {
            "timeout": WAIT_TIMEOUT,
            "poll_interval": POLL,
            "max_poll_interval": MAX_POLL,
            "on_progress": progress.append,
            "request_timeout": row.request_timeout,
        }
        if row.error is None:
            job = client.batches.wait_until_done(job_id, **kwargs)
            assert job.status == BatchStatus.COMPLETED and job.progress == 1.0
            assert progress[-1] == job
            percents = [j.progress_percent for j in progress]
            assert percents == sorted(percents)
        else:
            with pytest.raises(row.error) as caught:
                client.batches.wait_until_done(job_id, **kwargs)
            if row.error is WaitTimeoutError:
                assert isinstance(caught.value, WaitTimeoutError)
                assert caught.value.polls >= 3 and caught.value.job is None
    finally:
        client.close()
    waited = fake_time.mono - started
    # Never past the deadline plus one poll (the poll in flight at the deadline).
    assert waited <= WAIT_TIMEOUT + MAX_POLL + 0.01
    if row.error is None:
        assert waited >= RUNNING  # the job really had to run
    elif row.error is WaitTimeoutError:
        assert waited >= WAIT_TIMEOUT - 0.01
    else:
        assert len(emulator.requests) == 1  # raised at once
    assert all(0 <= s <= MAX_POLL + 0.01 for s in fake_time.sleeps)


def test_the_socket_count_sees_a_connection_until_the_client_is_closed(
    twin: Twin, server: Served
) -> None:
    """The leak check is not vacuous: a kept-alive connection shows until `close()`."""
    before = open_tcp_sockets()
    client = twin.client(None, api_key=KEY, base_url=server.base_url, timeout=CLIENT_TIMEOUT)
    client.batches.list_batches()
    assert open_tcp_sockets() - before  # the client's pooled connection (and the server's end)
    client.close()
    assert not _settled_leaks(before)


# --- on real time: a poll in flight at the deadline is cut short ------------------------

DEADLINE = 0.3  # real seconds
STUCK = 0.8  # each poll's answer comes this late (real seconds)


@pytest.mark.parametrize("cancel_on_timeout", [False, True])
def test_a_poll_stuck_past_the_deadline_is_cut_to_it(
    twin: Twin, server: Served, cancel_on_timeout: bool
) -> None:
    """No fake time: every poll hangs past the wait's deadline, so the wait must end at the
    deadline (the poll's timeout cut to the time left), not a poll or a client timeout later;
    with `cancel_on_timeout` the cancel (not slowed) is sent."""
    emulator = server.emulator
    job_id = emulator.add_job(JobPlan(validating_seconds=0, running_seconds=10_000))
    emulator.faults.add(Fault.slow(STUCK, **_gets(1000)))
    client = twin.client(None, api_key=KEY, base_url=server.base_url, timeout=CLIENT_TIMEOUT)
    started = time.monotonic()
    try:
        with pytest.raises(WaitTimeoutError) as caught:
            client.batches.wait_until_done(
                job_id, timeout=DEADLINE, poll_interval=0.05, cancel_on_timeout=cancel_on_timeout
            )
    finally:
        elapsed = time.monotonic() - started
        client.close()
    # A generous bound (machines are noisy): far below STUCK + CLIENT_TIMEOUT.
    assert elapsed < DEADLINE + STUCK
    assert caught.value.job is None and caught.value.polls >= 1
    cancels = [r for r in emulator.requests if r.route == "cancel_batch"]
    assert len(cancels) == (1 if cancel_on_timeout else 0)
    assert emulator.job(job_id)["status"] == ("CANCELING" if cancel_on_timeout else "IN_PROGRESS")


def test_a_create_that_could_not_connect_is_retried(twin: Twin, fake_time: FakeTime) -> None:
    """Connect failures never reached the server: even a create is retried (2 retries)."""
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = open_tcp_sockets()
    client = twin.client(None, api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1")
    try:
        with pytest.raises(APIConnectionError) as caught:
            client.batches.create_batch("file-input", "/v1/chat/completions")
    finally:
        client.close()
    assert type(caught.value) is APIConnectionError
    assert len(fake_time.sleeps) == 2  # two retries, after backoff
    assert not open_tcp_sockets() - before

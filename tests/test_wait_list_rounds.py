"""Waits on many jobs answered by one list a round, over both twins, against the emulator on
the fake clock: the list path, the gets path, the get for a job the list misses, and every
callback, deadline and error rule as with a get per job.

The emulator runs in-process on a `FakeClock` that the client's sleeps move forward
(`fake_time.listeners`); its request log counts what was sent. Its transport is wrapped here
so that a test can hide a job from the next lists (as a list may miss a job created moments
ago). The decision itself and the wait core's rounds are tables in tests/test_wait_listing.py.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import attrs
import pytest

from together_batches import (
    AuthenticationError,
    BatchErrorGroup,
    BatchJob,
    BatchStatus,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    WaitTimeoutError,
)
from together_batches._wait import listing
from together_batches._wait.callbacks import PollFailure
from together_batches.testing import Emulator, FakeClock, Fault, JobPlan
from together_batches.testing._http import Headers, Response
from together_batches.testing._transport import AsyncEmulatorTransport, EmulatorTransport

from ._twins import Twin
from .conftest import FakeTime

KEY = "sk-list-rounds-7c2d9e41"
MANY = 40  # above PROBE_JOBS: the first round tries a list
LIST, GET, CANCEL = "list_batches", "get_batch", "cancel_batch"


class World:
    """An emulator on a fake clock driven by the client's sleeps, a client on it, and a list
    that can be made to miss jobs."""

    def __init__(self, twin: Twin, fake_time: FakeTime) -> None:
        self.clock = FakeClock(start=fake_time.wall)
        fake_time.listeners.append(self.clock.advance)
        self.fake_time = fake_time
        self.emulator = Emulator(api_key=KEY, clock=self.clock)
        self.hidden: dict[str, int] = {}  # job id: how many more lists miss it
        self.times: list[float] = []  # the client's monotonic time at each request
        handle = self._handle
        transport = AsyncEmulatorTransport(handle) if twin.is_async else EmulatorTransport(handle)
        self.client: Any = twin.client(transport, api_key=KEY, base_url="http://emulator/v1")

    def _handle(
        self, method: str, raw_path: str, headers: Headers, body: bytes, *, scheme: str = "http"
    ) -> Response:
        self.times.append(self.fake_time.mono)
        answer = self.emulator.handle(method, raw_path, headers, body, scheme=scheme)
        if (method, raw_path, answer.status) == ("GET", "/v1/batches", 200) and self.hidden:
            jobs = [j for j in json.loads(answer.body) if self.hidden.get(j["id"], 0) == 0]
            self.hidden = {k: n - 1 for k, n in self.hidden.items() if n > 1}
            answer = attrs.evolve(answer, body=json.dumps(jobs).encode())
        return answer

    def jobs(self, count: int, plan: JobPlan) -> list[str]:
        return [self.emulator.add_job(plan) for _ in range(count)]

    def routes(self) -> list[str | None]:
        return [r.route for r in self.emulator.requests]

    def gets(self) -> list[str | None]:
        return [r.path_id for r in self.emulator.requests if r.route == GET]


@pytest.fixture
def world(twin: Twin, fake_time: FakeTime) -> World:
    return World(twin, fake_time)


def running(seconds: float = 20.0) -> JobPlan:
    return JobPlan(validating_seconds=1, running_seconds=seconds)


def check_progress(seen: list[BatchJob], done: list[BatchJob]) -> None:
    """on_progress, per job: its first poll, then only changes, ending with its last job."""
    by_job: dict[str, list[BatchJob]] = {}
    for job in seen:
        by_job.setdefault(str(job.id), []).append(job)
    for job in done:
        calls = by_job[str(job.id)]
        assert calls[-1] == job and calls[0].status == BatchStatus.VALIDATING
        marks = [(j.status, j.progress_percent) for j in calls]
        assert all(a != b for a, b in itertools.pairwise(marks))
        assert [p for _, p in marks] == sorted(p for _, p in marks)


def test_a_round_of_many_jobs_asks_one_list(
    world: World, twin: Twin, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = world.jobs(MANY, running())
    seen: list[BatchJob] = []
    done = world.client.batches.wait_all(ids, on_progress=seen.append)
    assert [j.id for j in done] == ids and all(j.status is BatchStatus.COMPLETED for j in done)
    check_progress(seen, done)
    routes = world.routes()
    assert set(routes) == {LIST}  # every job was in every list: no get at all
    lists = len(routes)
    # The same wait with a get per job (no round large enough to list).
    monkeypatch.setattr(listing, "PROBE_JOBS", 10**9)
    again = World(twin, fake_time)
    ids = again.jobs(MANY, running())
    seen = []
    done = again.client.batches.wait_all(ids, on_progress=seen.append)
    check_progress(seen, done)
    assert set(again.routes()) == {GET}
    # A round of 40 gets became one list.
    assert lists * MANY == pytest.approx(len(again.routes()), rel=0.1)


def test_a_job_missing_from_the_list_is_asked_by_a_get(world: World) -> None:
    ids = world.jobs(MANY, running())
    world.hidden = {ids[7]: 2}  # the first two lists miss it
    done = world.client.batches.wait_all(ids)
    assert all(j.status is BatchStatus.COMPLETED for j in done)
    assert world.routes()[:5] == [LIST, GET, LIST, GET, LIST]
    assert world.gets() == [ids[7], ids[7]]  # then it is listed like the others


def test_a_job_the_list_never_has_is_got_and_its_404_is_its_own(world: World) -> None:
    ids = world.jobs(MANY, running())
    got: list[str] = []
    with pytest.raises(BatchErrorGroup) as caught:
        for job in world.client.batches.as_completed([*ids, "batch-gone"]):
            got.append(str(job.id))
    assert sorted(got) == sorted(ids)
    assert list(caught.value.errors) == ["batch-gone"]
    assert isinstance(caught.value.errors["batch-gone"], NotFoundError)
    assert world.routes()[:2] == [LIST, GET] and world.gets() == ["batch-gone"]


def test_a_failed_list_is_a_failed_poll_of_each_job(world: World) -> None:
    ids = world.jobs(MANY, running())
    world.emulator.faults.add(Fault.status(500, retry_after=7, method="GET"))
    failures: list[PollFailure] = []
    done = world.client.batches.wait_all(ids, on_poll_error=failures.append)
    assert all(j.status is BatchStatus.COMPLETED for j in done)
    assert [f.batch_job_id for f in failures] == ids  # one failed poll for each job it stood for
    assert all(isinstance(f.error, InternalServerError) for f in failures)
    assert {(f.consecutive, f.retry_in) for f in failures} == {(1, 7.0)}
    assert world.routes()[:2] == [LIST, LIST] and world.times[1] - world.times[0] == 7.0


def test_a_rate_limited_list_holds_back_every_poll(world: World) -> None:
    ids = world.jobs(MANY, running())
    world.emulator.faults.add(Fault.rate_limited(retry_after=30, method="GET"))
    failures: list[PollFailure] = []
    world.client.batches.wait_all(ids, on_poll_error=failures.append)
    assert len(failures) == MANY and all(isinstance(f.error, RateLimitError) for f in failures)
    assert world.times[1] - world.times[0] == 30.0  # nothing was sent in between


def test_a_bad_key_on_the_list_ends_the_wait(world: World, fake_time: FakeTime) -> None:
    ids = world.jobs(MANY, running())
    world.emulator.faults.add(Fault.status(401, method="GET"))
    with pytest.raises(AuthenticationError):
        world.client.batches.wait_all(ids)
    assert world.routes() == [LIST] and fake_time.sleeps == []


def test_a_list_this_wait_cannot_use_falls_back_to_gets(world: World) -> None:
    ids = world.jobs(MANY, running())
    world.emulator.faults.add(Fault.status(403, method="GET"))
    failures: list[PollFailure] = []
    done = world.client.batches.wait_all(ids, on_poll_error=failures.append)
    assert all(j.status is BatchStatus.COMPLETED for j in done)
    routes = world.routes()
    assert routes[0] == LIST and set(routes[1:]) == {GET}
    assert world.gets()[:MANY] == ids and failures == []


@pytest.mark.parametrize("cancel", [False, True])
def test_the_deadline_and_cancel_on_timeout_with_lists(
    world: World, fake_time: FakeTime, cancel: bool
) -> None:
    ids = world.jobs(MANY, running(math.inf))
    with pytest.raises(WaitTimeoutError) as caught:
        world.client.batches.wait_all(ids, timeout=45, cancel_on_timeout=cancel)
    assert sorted(caught.value.pending) == sorted(ids)
    assert sum(fake_time.sleeps) == pytest.approx(45.0)
    routes = world.routes()
    assert GET not in routes and routes.count(LIST) * MANY == caught.value.polls  # a list a round
    cancelled = sorted(r.path_id or "" for r in world.emulator.requests if r.route == CANCEL)
    assert cancelled == (sorted(ids) if cancel else [])


def test_small_sets_and_single_waits_never_list(world: World) -> None:
    ids = world.jobs(listing.PROBE_JOBS - 1, running())
    world.client.batches.wait_all(ids)
    world.client.batches.wait_until_done(world.jobs(1, running())[0])
    assert LIST not in world.routes()

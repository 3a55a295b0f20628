"""A workload of 120,000 requests through `client.batches.run` over both twins, against the
in-process emulator on a fake clock (`fast_forward`: the waits take no real time), with
parts whose fates the emulator scripts by request, whatever order the concurrent creates
reach it in: requests that fail (error-file lines) once, twice or on every attempt, a part
that expires half done, one that is cancelled a quarter done (by someone else: the plan
scripts the cancel), one whose batch fails before any request ran. Two retry rounds
recover every failure but the permanent ones, and every count below follows from the
script alone (`EXPECTED`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from together_batches import BatchResult
from together_batches._workload.manifest import load_manifest
from together_batches._workload.progress import WorkloadProgress
from together_batches._workload.records import Part, Workload
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

from ._twins import Twin, drain

KEY = "sk-workload-scale-2b8e60"
ENDPOINT = "/v1/chat/completions"
START = dt.datetime(2025, 5, 6, 7, 0, tzinfo=dt.UTC)
COUNT, PART = 120_000, 10_000  # 12 parts in the first round
RETRY_FAILED = 2


def custom_id(index: int) -> str:
    return f"r{index:06d}"


def part_ids(number: int, every: int = 1) -> list[str]:
    """Every `every`th custom_id of first-round part `number` (from 1)."""
    first = (number - 1) * PART
    return [custom_id(i) for i in range(first, first + PART, every)]


def requests() -> Iterator[tuple[str, dict[str, Any]]]:
    for i in range(COUNT):
        body = {"model": "org/m", "messages": [{"role": "user", "content": f"q{i}"}]}
        yield custom_id(i), body


# The script, by request. Parts 2, 4 and 6 have requests that fail in their first 1, 2 and
# 3 attempts (3: every attempt the workload makes), part 8 expires at 50 %, part 10 is
# cancelled at 25 %, part 11's batch fails while it validates (no request runs).
FAIL_ONCE = part_ids(2, every=10)  # 1,000
FAIL_TWICE = part_ids(4, every=20)  # 500
FAIL_ALWAYS = part_ids(6, every=100)  # 100
EXPIRES = JobPlan(5, running_seconds=1000, expires_after_seconds=505)  # 50 % ran
CANCELLED = JobPlan(5, running_seconds=1000, cancel_after_seconds=255)  # 25 % ran
FAILS = JobPlan(5, running_seconds=60, fail_after_seconds=3)  # none ran
PLAN = JobPlan(5, running_seconds=60)


@dataclass(frozen=True)
class Expected:
    """What the script leads to, part by part (numbers from 1, in the manifest's order)."""

    statuses: list[str]
    requests: list[int]  # each part's input lines
    succeeded: list[int]
    rounds: list[int]
    sources: list[tuple[int, ...]]


_DONE = "COMPLETED"
# Round 0: 12 parts of 10,000. Left over: 1,000 + 500 + 100 (failed) + 5,000 (expired) +
# 7,500 (cancelled) + 10,000 (failed batch) = 24,100, split into 10,000 + 10,000 + 4,100
# in the sources' order; part 13 holds the 1,600 that fail again, the 600 of them
# that fail twice go to round 2, where the 500 of FAIL_TWICE succeed.
EXPECTED = Expected(
    statuses=[*[_DONE] * 7, "EXPIRED", _DONE, "CANCELLED", "FAILED", _DONE, *[_DONE] * 4],
    requests=[*[PART] * 12, 10_000, 10_000, 4_100, 600],
    succeeded=[
        10_000,
        9_000,
        10_000,
        9_500,
        10_000,
        9_900,
        10_000,
        5_000,
        10_000,
        2_500,
        0,
        10_000,
        10_000 - 1_600 + 1_000,
        10_000,
        4_100,
        500,
    ],
    rounds=[*[0] * 12, 1, 1, 1, 2],
    sources=[*[()] * 12, (2, 4, 6, 8, 10), (10, 11), (11,), (13,)],
)


class World:
    def __init__(self, twin: Twin, tmp_path: Path) -> None:
        self.clock = FakeClock(start=START)
        self.emulator = Emulator(api_key=KEY, clock=self.clock, strict_files=True, plan=PLAN)
        emulator = self.emulator
        emulator.fail_requests(FAIL_ONCE)
        emulator.fail_requests(FAIL_TWICE, attempts=2)
        emulator.fail_requests(FAIL_ALWAYS, attempts=RETRY_FAILED + 1)
        for number, plan in ((8, EXPIRES), (10, CANCELLED), (11, FAILS)):
            emulator.plan_for(part_ids(number)[0], plan)
        transport = emulator.async_transport() if twin.is_async else emulator.transport()
        self.client = twin.client(transport, api_key=KEY)
        self.manifest = tmp_path / "w.json"
        self.progress: list[WorkloadProgress] = []

    def run(self) -> list[BatchResult]:
        with fast_forward(self.clock):
            return drain(
                self.client.batches.run(
                    requests(),
                    endpoint=ENDPOINT,
                    manifest=self.manifest,
                    max_requests=PART,
                    retry_failed=RETRY_FAILED,
                    on_progress=self.progress.append,
                )
            )

    def workload(self) -> Workload:
        workload = load_manifest(self.manifest)
        assert workload is not None
        return workload

    def routes(self, route: str) -> list[bytes]:
        return [r.body for r in self.emulator.requests if r.route == route]

    def ids_in(self, part: Part) -> list[str]:
        path = self.manifest.parent / part.input.path
        return [json.loads(line)["custom_id"] for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module", params=["sync", "async"])
def ran(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[World, list[BatchResult]]]:
    """One run per twin (several seconds), which this module's tests then look at."""
    twin = Twin(request.param)
    try:
        world = World(twin, tmp_path_factory.mktemp(f"scale-{request.param}"))
        yield world, world.run()
    finally:
        twin.close()


def test_every_request_gets_exactly_one_final_result(ran: tuple[World, list[BatchResult]]) -> None:
    _, results = ran
    handed = Counter(result.custom_id for result in results)
    assert len(results) == COUNT and len(handed) == COUNT
    assert set(handed) == {custom_id(i) for i in range(COUNT)}


def test_the_retry_rounds_recover_all_but_the_permanent_failures(
    ran: tuple[World, list[BatchResult]],
) -> None:
    world, results = ran
    failed = [result for result in results if not result.ok]
    assert sorted(result.custom_id for result in failed) == FAIL_ALWAYS
    assert all(result.code == 400 and result.message for result in failed)  # its error line
    assert sum(result.ok for result in results) == COUNT - len(FAIL_ALWAYS)
    last = world.progress[-1]
    assert (last.total, last.succeeded, last.failed, last.pending) == (COUNT, 119_900, 100, 0)
    assert (last.parts_consumed, last.round) == (16, RETRY_FAILED)
    assert dict(last.parts) == {"COMPLETED": 13, "FAILED": 1, "EXPIRED": 1, "CANCELLED": 1}


def test_each_part_ends_as_scripted(ran: tuple[World, list[BatchResult]]) -> None:
    world, _ = ran
    parts = world.workload().parts
    assert [p.status for p in parts] == EXPECTED.statuses
    assert [p.input.requests for p in parts] == EXPECTED.requests
    assert [p.succeeded for p in parts] == EXPECTED.succeeded
    assert [p.round for p in parts] == EXPECTED.rounds
    assert [p.sources for p in parts] == EXPECTED.sources
    assert all(p.consumed for p in parts)
    # The leftovers of the last round are not kept: no round follows.
    assert [p.number for p in parts if p.leftover is not None] == [2, 4, 6, 8, 10, 11, 13]


def test_the_manifest_records_every_attempt(ran: tuple[World, list[BatchResult]]) -> None:
    world, _ = ran
    attempts: Counter[str] = Counter()
    for part in world.workload().parts:
        ids = world.ids_in(part)
        attempts.update(ids)
        assert len(ids) == len(set(ids)) == part.input.requests
        assert part.file_id is not None and part.batch_id is not None
        content = world.emulator.file_content(part.file_id)  # what the batch read
        assert hashlib.sha256(content).hexdigest() == part.input.sha256
        job = world.emulator.job(part.batch_id)
        assert (job["input_file_id"], job["status"]) == (part.file_id, part.status)
    assert attempts == world.emulator.attempts()  # each job the emulator made is a part
    assert Counter(attempts.values()) == {1: COUNT - 24_100, 2: 24_100 - 600, 3: 600}
    assert {attempts[c] for c in FAIL_ONCE} == {2}
    assert {attempts[c] for c in FAIL_TWICE + FAIL_ALWAYS} == {3}


def test_the_request_log_shows_no_duplicate_upload_or_create(
    ran: tuple[World, list[BatchResult]],
) -> None:
    world, _ = ran
    parts = world.workload().parts
    puts = world.routes("storage_put")
    assert len(puts) == len({hashlib.sha256(body).digest() for body in puts}) == len(parts)
    assert len(world.routes("initiate_file_upload")) == len(parts)  # no 409: all differ
    creates = [json.loads(body)["input_file_id"] for body in world.routes("create_batch")]
    assert sorted(creates) == sorted(p.file_id or "" for p in parts)
    assert len(set(creates)) == len(parts) == 16
    assert sorted(world.emulator.job_ids) == sorted(p.batch_id or "" for p in parts)
    assert world.routes("cancel_batch") == []  # the cancel was the emulator's script

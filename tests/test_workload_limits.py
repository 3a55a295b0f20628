"""`client.batches.run` splits at the exact limits, over both twins: 50,000 and 50,001
requests with the real line limit, the real 100 MB byte limit to the byte, and small byte
limits given as `max_bytes`. What the emulator saw says how many batches were made and
what each read (the uploaded bytes, each job's input file)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from together_batches import MAX_FILE_BYTES, MAX_REQUESTS, BatchResult
from together_batches._workload.manifest import load_manifest
from together_batches._workload.records import Workload
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

from ._twins import Twin, drain

KEY = "sk-workload-limits-7f03a9"
ENDPOINT = "/v1/chat/completions"
START = dt.datetime(2025, 6, 3, 10, 0, tzinfo=dt.UTC)


def line_of(custom_id: str, body: dict[str, Any]) -> bytes:
    """The line the client writes for a request (compact JSON, as `_jsonl.inputs` encodes it)."""
    return json.dumps({"custom_id": custom_id, "body": body}, separators=(",", ":")).encode()


def sized(custom_id: str, size: int) -> tuple[str, dict[str, Any]]:
    """A request whose line is exactly `size` bytes, its newline included (the padding is
    not in a prompt, so the emulator's answers stay small)."""
    padding = size - len(line_of(custom_id, {"t": ""})) - 1
    request = (custom_id, {"t": "x" * padding})
    assert len(line_of(*request)) + 1 == size
    return request


class World:
    def __init__(self, twin: Twin, tmp_path: Path) -> None:
        self.clock = FakeClock(start=START)
        self.emulator = Emulator(
            api_key=KEY, clock=self.clock, strict_files=True, plan=JobPlan(5, 60)
        )
        transport = self.emulator.async_transport() if twin.is_async else self.emulator.transport()
        self.client = twin.client(transport, api_key=KEY)
        self.manifest = tmp_path / "w.json"

    def run(self, requests: Iterable[tuple[str, dict[str, Any]]], **limits: int) -> list[Any]:
        with fast_forward(self.clock):
            return drain(
                self.client.batches.run(
                    requests, endpoint=ENDPOINT, manifest=self.manifest, **limits
                )
            )

    def workload(self) -> Workload:
        workload = load_manifest(self.manifest)
        assert workload is not None
        return workload

    def batches(self) -> list[tuple[int, int]]:
        """Each batch the emulator made, in part order: its input's lines and bytes, from
        the file it read (checked against the job and the upload that sent it)."""
        creates = [
            json.loads(r.body)["input_file_id"]
            for r in self.emulator.requests
            if r.route == "create_batch"
        ]
        puts = sorted(len(r.body) for r in self.emulator.requests if r.route == "storage_put")
        assert len(creates) == len(set(creates)) == len(self.emulator.job_ids)
        jobs = {job["input_file_id"]: job for job in map(self.emulator.job, self.emulator.job_ids)}
        seen = []
        for part in self.workload().parts:  # the manifest's order is the requests'
            assert part.file_id is not None and part.file_id in creates
            content = self.emulator.file_content(part.file_id)
            assert jobs[part.file_id]["file_size_bytes"] == len(content)
            seen.append((content.count(b"\n"), len(content)))
        assert len(seen) == len(creates) and puts == sorted(size for _, size in seen)
        return seen


@pytest.fixture
def world(twin: Twin, tmp_path: Path) -> World:
    return World(twin, tmp_path)


def small(count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    return ((f"r{i}", {"n": i}) for i in range(count))


def check_results(results: list[BatchResult], ids: list[str]) -> None:
    assert sorted(r.custom_id for r in results) == sorted(ids)
    assert all(r.ok for r in results)


@pytest.mark.parametrize(("count", "lines"), [(50_000, [50_000]), (50_001, [50_000, 1])])
def test_the_real_line_limit(world: World, count: int, lines: list[int]) -> None:
    assert MAX_REQUESTS == 50_000
    results = world.run(small(count))  # the default limits
    assert [requests for requests, _ in world.batches()] == lines
    check_results(results, [f"r{i}" for i in range(count)])
    workload = world.workload()
    assert (workload.max_requests, workload.max_bytes) == (MAX_REQUESTS, MAX_FILE_BYTES)
    last = world.emulator.file_content(workload.parts[-1].file_id or "").splitlines()[-1]
    assert json.loads(last)["custom_id"] == f"r{count - 1}"


# 100 lines of exactly 1 MB fill a part to the byte; a line one byte longer in their place
# does not fit, and starts the second part.
REAL_BYTES = {
    "exactly 100 MB": ([1_000_000] * 100, [(100, MAX_FILE_BYTES)]),
    "one byte over": ([1_000_000] * 99 + [1_000_001], [(99, 99_000_000), (1, 1_000_001)]),
}


@pytest.mark.parametrize("case", list(REAL_BYTES))
def test_the_real_byte_limit(world: World, case: str) -> None:
    assert MAX_FILE_BYTES == 100_000_000
    sizes, batches = REAL_BYTES[case]
    results = world.run(sized(f"r{i}", size) for i, size in enumerate(sizes))
    assert world.batches() == batches
    check_results(results, [f"r{i}" for i in range(len(sizes))])


@pytest.mark.parametrize(
    ("sizes", "limits", "batches"),
    [
        ([100, 100, 100], {"max_bytes": 300}, [(3, 300)]),
        ([100, 100, 101], {"max_bytes": 300}, [(2, 200), (1, 101)]),
        ([300, 40], {"max_bytes": 300}, [(1, 300), (1, 40)]),
        ([100] * 5, {"max_bytes": 300, "max_requests": 2}, [(2, 200), (2, 200), (1, 100)]),
    ],
)
def test_small_byte_limits_given_to_run(
    world: World, sizes: list[int], limits: dict[str, int], batches: list[tuple[int, int]]
) -> None:
    results = world.run([sized(f"r{i}", size) for i, size in enumerate(sizes)], **limits)
    assert world.batches() == batches
    check_results(results, [f"r{i}" for i in range(len(sizes))])
    assert world.workload().max_bytes == limits["max_bytes"]

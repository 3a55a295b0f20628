"""Bench case: waiting on 1,000 jobs at once (async) against the emulator on a fast clock.

Both sides talk to the same in-process emulator transport, so the emulator's own work is in
both numbers; the ratio is the waiter's cost per poll over a bare `httpx.AsyncClient.get` plus
`json.loads` of the same job.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import httpx

from together_batches import AsyncTogether
from together_batches.testing import Emulator, JobPlan, SystemClock

JOBS = 1000
KEY = "sk-bench"
BASE = "http://emulator.test/v1"
# Each raw round is only 1,000 gets (~0.2 s): nine rounds, alternating which side goes first,
# keep the median steady on a shared machine.
ROUNDS = 9


def _emulator() -> tuple[Emulator, list[str]]:
    # 200x speed: jobs of 2-20 emulated seconds finish within 10-100 ms of real time.
    emulator = Emulator(api_key=KEY, clock=SystemClock(speed=200.0))
    rng = random.Random(7)
    ids = [
        emulator.add_job(JobPlan(validating_seconds=0.5, running_seconds=rng.uniform(2, 20)))
        for _ in range(JOBS)
    ]
    return emulator, ids


async def _ours(trace: bool) -> tuple[float, int, int]:
    emulator, ids = _emulator()
    http = httpx.AsyncClient(transport=emulator.async_transport())
    async with AsyncTogether(KEY, base_url=BASE, http_client=http) as client:
        if trace:
            tracemalloc.start()
        cpu = time.process_time()
        jobs = await client.batches.wait_all(
            ids, poll_interval=0.01, max_poll_interval=0.05, max_concurrency=100, timeout=120
        )
        cpu = time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
    await http.aclose()
    assert all(job.status is not None and job.status.is_terminal for job in jobs)
    polls = sum(1 for r in emulator.requests if r.method == "GET")
    return cpu, polls, peak


async def _raw() -> tuple[float, int]:
    emulator, ids = _emulator()
    async with httpx.AsyncClient(transport=emulator.async_transport()) as http:
        headers = {"Authorization": f"Bearer {KEY}"}
        gate = asyncio.Semaphore(100)

        async def one(batch_id: str) -> object:
            async with gate:
                response = await http.get(f"{BASE}/batches/{batch_id}", headers=headers)
                response.raise_for_status()
                return json.loads(response.content)

        cpu = time.process_time()
        await asyncio.gather(*(one(i) for i in ids))
        return time.process_time() - cpu, JOBS


def wait_many() -> tuple[list[tuple[str, float, float]], list[str]]:
    """Rows for the bench table, and notes (polls made, memory)."""
    ours_per_poll, raw_per_get, polls_seen = [], [], []
    for index in range(ROUNDS):
        if index % 2:
            raw_cpu, gets = asyncio.run(_raw())
        cpu, polls, _ = asyncio.run(_ours(trace=False))
        ours_per_poll.append(cpu / polls)
        polls_seen.append(polls)
        if not index % 2:
            raw_cpu, gets = asyncio.run(_raw())
        raw_per_get.append(raw_cpu / gets)
    _, _, peak = asyncio.run(_ours(trace=True))
    row = (
        "waiting on 1,000 jobs (async): CPU per poll",
        statistics.median(ours_per_poll),
        statistics.median(raw_per_get),
    )
    notes = [
        f"\nwait_all over {JOBS} jobs: {statistics.median(polls_seen):.0f} polls per run "
        f"(median of {ROUNDS}); peak traced memory during the wait {peak / 1e6:.1f} MB "
        f"({peak / JOBS / 1e3:.1f} kB per job, emulator state included)."
    ]
    return [row], notes


def in_fresh_process() -> tuple[list[tuple[str, float, float]], list[str]]:
    """`wait_many` run in a new process: what the earlier cases left in this one (their
    objects, a larger heap for the collector to walk) moves its ratio by 0.1 or more."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())], check=True, capture_output=True
    )
    rows, notes = json.loads(out.stdout)
    return [(name, ours, raw) for name, ours, raw in rows], list(notes)


if __name__ == "__main__":
    print(json.dumps(wait_many()))

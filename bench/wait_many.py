"""Bench cases: waiting on 1,000 jobs at once against the emulator.

- CPU per poll (async, a get per job, on a fast clock): both sides talk to the same
  in-process emulator transport, so the emulator's own work is in both numbers; the ratio is
  the waiter's cost per poll over a bare `httpx.AsyncClient.get` plus `json.loads` of the same
  job. The waiter is held to a get per job here (`_wait.listing.PROBE_JOBS` out of reach), so
  this stays the cost of one poll.
- Per round (`round_rows`, both twins, on a `FakeClock` that the client's sleeps advance): the
  same wait answered by one list a round against today's get per job, side by side: requests
  sent per round, and the client's CPU per round, the emulator's own CPU (measured in the
  thread that runs it) taken out. A round is one poll of every job (polls counted at
  `WaitCore.settle`, divided by the 1,000 jobs).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from together_batches import AsyncTogether, Together
from together_batches._wait import core, listing
from together_batches.testing import Emulator, FakeClock, JobPlan, SystemClock, fast_forward
from together_batches.testing._transport import AsyncEmulatorTransport, EmulatorTransport

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


@contextlib.contextmanager
def _gets_only() -> Iterator[None]:
    """Today's waiter: no round is large enough to try a list."""
    saved = listing.PROBE_JOBS
    listing.PROBE_JOBS = 10**9
    try:
        yield
    finally:
        listing.PROBE_JOBS = saved


async def _ours(trace: bool) -> tuple[float, int, int]:
    with _gets_only():
        return await _ours_gets(trace)


async def _ours_gets(trace: bool) -> tuple[float, int, int]:
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


# --- per round: one list against a get per job ----------------------------------------------

# The API's advice: one poll every 30 s; the jobs run 5 minutes, so each is polled ~11 times.
ROUND_INTERVAL = 30.0
ROUND_PLAN = JobPlan(validating_seconds=0, running_seconds=300)
ROUND_REPEATS = 3
#: (name, lists per round, gets per round, the ratio's ceiling): a row of the per-round table.
RoundRow = tuple[str, float, float, float]


class _Counted:
    """The emulator's `handle`, counting requests and the CPU spent in it (per thread)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.cpu: list[float] = []  # one entry a request, appended from the sync twin's threads

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return self.emulator.handle(*args, **kwargs)
        finally:
            self.cpu.append(time.thread_time() - start)


@contextlib.contextmanager
def _polls_counted() -> Iterator[list[int]]:
    """Every poll settled (from a get or from a list) is one `WaitCore.settle`."""
    count = [0]
    settle: Callable[..., Any] = core.WaitCore.settle

    def counted(self: core.WaitCore, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return settle(self, *args, **kwargs)

    core.WaitCore.settle = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        core.WaitCore.settle = settle  # type: ignore[method-assign]


def _round_run(kind: str) -> tuple[float, float]:
    """One wait on `JOBS` jobs: (requests per round, client CPU seconds per round)."""
    clock = FakeClock(start=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    emulator = Emulator(api_key=KEY, clock=clock)
    ids = [emulator.add_job(ROUND_PLAN) for _ in range(JOBS)]
    handle = _Counted(emulator)
    with fast_forward(clock), _polls_counted() as polls:
        cpu = time.process_time()
        if kind == "sync":
            with Together(
                KEY, base_url=BASE, http_client=httpx.Client(transport=EmulatorTransport(handle))
            ) as client:
                jobs = client.batches.wait_all(
                    ids, poll_interval=ROUND_INTERVAL, max_poll_interval=ROUND_INTERVAL
                )
        else:

            async def run() -> list[Any]:
                http = httpx.AsyncClient(transport=AsyncEmulatorTransport(handle))
                async with AsyncTogether(KEY, base_url=BASE, http_client=http) as client:
                    return await client.batches.wait_all(
                        ids, poll_interval=ROUND_INTERVAL, max_poll_interval=ROUND_INTERVAL
                    )

            jobs = asyncio.run(run())
        cpu = time.process_time() - cpu - sum(handle.cpu)
    assert all(job.status is not None and job.status.is_success for job in jobs)
    rounds = polls[0] / JOBS
    return len(handle.cpu) / rounds, cpu / rounds


def round_rows() -> tuple[list[RoundRow], list[str]]:
    """Requests and client CPU per round, lists against gets, both twins, alternating."""
    rows: list[RoundRow] = []
    notes = []
    for kind in ("async", "sync"):
        lists: list[tuple[float, float]] = []
        gets: list[tuple[float, float]] = []
        for index in range(ROUND_REPEATS):
            if index % 2:
                with _gets_only():
                    gets.append(_round_run(kind))
            lists.append(_round_run(kind))
            if not index % 2:
                with _gets_only():
                    gets.append(_round_run(kind))
        requests = (statistics.median(r for r, _ in lists), statistics.median(r for r, _ in gets))
        cpu = (statistics.median(c for _, c in lists), statistics.median(c for _, c in gets))
        rows.append((f"waiting on 1,000 jobs ({kind}): requests per round", *requests, 1 / 20))
        rows.append((f"waiting on 1,000 jobs ({kind}): client CPU per round", *cpu, 1.0))
        notes.append(
            f"Per round ({kind}), lists: "
            + ", ".join(f"{r:.2f} requests {c * 1e3:.1f} ms" for r, c in lists)
            + "; gets: "
            + ", ".join(f"{r:.0f} requests {c * 1e3:.1f} ms" for r, c in gets)
            + "."
        )
    return rows, notes


def in_fresh_process() -> tuple[list[tuple[str, float, float]], list[str], list[RoundRow]]:
    """`wait_many` and `round_rows` run in a new process: what the earlier cases left in this
    one (their objects, a larger heap for the collector to walk) moves its ratio by 0.1 or
    more."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())], check=True, capture_output=True
    )
    rows, notes, per_round, round_notes = json.loads(out.stdout)
    return (
        [(name, ours, raw) for name, ours, raw in rows],
        [*notes, *round_notes],
        [(name, ours, today, ceiling) for name, ours, today, ceiling in per_round],
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["rounds"]:  # only the per-round rows, printed
        for row in round_rows()[0]:
            print(row)
    else:
        print(json.dumps([*wait_many(), *round_rows()]))

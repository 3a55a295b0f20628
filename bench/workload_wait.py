"""Bench case: a workload's long wait, where the per-poll cost of `batches.run` shows: 20
small parts whose batches run 15 emulated minutes, every 2 s poll seeing their progress
move, against the same 20 batches sent and waited for by hand with this client.

The emulator is in-process on a `FakeClock` that the client's sleeps advance
(`fast_forward`), so the 15 minutes take seconds; its work (answering ~9,500 polls) is in
both sides' CPU, as in `bench/wait_many.py`. What differs is the workload's own work per
poll: its state updated, and the manifest saved when `must_save` says.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from together_batches import Together, write_input_file
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

KEY = "sk-bench"
ENDPOINT = "/v1/chat/completions"
PARTS, PER_PART = 20, 2
PLAN = JobPlan(validating_seconds=5, running_seconds=900)
REQUESTS = [
    (f"r{i}", {"model": "m", "messages": [{"role": "user", "content": f"q{i}"}]})
    for i in range(PARTS * PER_PART)
]
NAME = f"a workload's long wait ({PARTS} parts, 15 emulated min): CPU"


def _world() -> tuple[FakeClock, Emulator, Together]:
    clock = FakeClock(start=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    emulator = Emulator(api_key=KEY, clock=clock, strict_files=True, plan=PLAN)
    http = httpx.Client(transport=emulator.transport())
    return clock, emulator, Together(KEY, base_url="http://emulator.test/v1", http_client=http)


def _ours(client: Together, scratch: Path) -> int:
    results = client.batches.run(
        REQUESTS, endpoint=ENDPOINT, manifest=scratch / "w.json", max_requests=PER_PART
    )
    return sum(1 for _ in results)


def _by_hand(client: Together, scratch: Path) -> int:
    ids = []
    for number in range(PARTS):
        part = REQUESTS[number * PER_PART : (number + 1) * PER_PART]
        info = write_input_file(part, scratch / f"{number}.jsonl")
        assert info.path is not None
        file = client.files.upload(info.path, purpose="batch-api")
        assert file.id is not None
        ids.append(client.batches.create_batch(file.id, ENDPOINT).id)
    return sum(
        sum(1 for _ in client.batches.results(job)) for job in client.batches.as_completed(ids)
    )


def _measure(side: Any) -> tuple[float, int]:
    """CPU seconds of one side's run, and the polls it made."""
    clock, emulator, client = _world()
    with tempfile.TemporaryDirectory() as scratch, fast_forward(clock), client:
        cpu = time.process_time()
        assert side(client, Path(scratch)) == len(REQUESTS)
        cpu = time.process_time() - cpu
    return cpu, sum(1 for r in emulator.requests if r.route == "get_batch")


def long_wait_rows(rounds: int = 3) -> tuple[list[tuple[str, float, float]], list[str]]:
    """The case's row (ours, by hand: median CPU seconds), and a note."""
    seen: dict[str, list[tuple[float, int]]] = {"ours": [], "by hand": []}
    sides = [("ours", _ours), ("by hand", _by_hand)]
    for index in range(rounds):
        for name, side in sides if index % 2 == 0 else sides[::-1]:
            seen[name].append(_measure(side))
    ours, hand = (statistics.median(cpu for cpu, _ in seen[n]) for n in ("ours", "by hand"))
    polls = statistics.median(p for _, p in seen["ours"])
    note = (
        f"Long wait: {polls:,.0f} polls a run (ours; by hand the same to within a few); "
        f"CPU seconds per round, ours {', '.join(f'{c:.2f}' for c, _ in seen['ours'])}; "
        f"by hand {', '.join(f'{c:.2f}' for c, _ in seen['by hand'])}; the in-process "
        "emulator's work is in both."
    )
    return [(NAME, ours, hand)], [note]

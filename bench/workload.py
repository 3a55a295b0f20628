"""Bench case: a 200,000-request workload (`batches.run`) against the same requests sent as
single batches by hand with this client's own calls, through the emulator.

Each run is its own pair of processes, so that only the client is measured:

- the emulator (`Emulator.serve_forever` on a `SystemClock` sped up 600x, jobs done within
  about 0.1 s of real time), started fresh for each run (it keeps every upload and output
  in memory, and would answer a second upload of the same bytes with a 409);
- the client, a fresh process that builds `Together`, resets its peak RSS
  (`/proc/self/clear_refs`), and then runs one side, measuring its own CPU time
  (`time.process_time`: every thread of the process, user and system) and its peak RSS
  growth (`VmHWM` minus the RSS just before). First-use imports are in both sides' numbers.

By hand is what a user of this client writes without `run`: `write_input_file` of each
50,000 requests (the same split, checked: the parts' checksums must equal the workload's),
`files.upload` and `create_batch` of each, `as_completed` over the batches, `results` of each
as it ends. Both sides read the same generator of requests and count every result.

    python bench/workload.py                  # the case alone, its rows printed
    python bench/workload.py emulator PORT_FILE CPU_FILE      # (internal) one emulator
    python bench/workload.py SIDE BASE_URL SCRATCH            # (internal) one client run
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from together_batches import AsyncTogether, InputFileInfo, Together, write_input_file
from together_batches._jsonl.writer import MAX_REQUESTS

KEY = "sk-bench"
ENDPOINT = "/v1/chat/completions"
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
REQUESTS = int(os.environ.get("BENCH_WORKLOAD_REQUESTS", "200000"))
ROUNDS = int(os.environ.get("BENCH_WORKLOAD_ROUNDS", "3"))
#: Emulated seconds per real second: a job's 62 s take about 0.1 s.
SPEED = 600.0
#: The issue's bounds: peak RSS growth of the client, and its CPU time against by hand.
RSS_LIMIT = 64 * 2**20
CPU_TARGET = 1.3
SIDES = ("ours", "by hand", "ours async", "by hand async")
HERE = Path(__file__).resolve()


def requests(count: int = REQUESTS) -> Iterator[dict[str, Any]]:
    """The workload: short chat requests (~230 bytes a line), made one at a time."""
    for index in range(count):
        content = f"Question {index}: what is the capital of country number {index % 197}?"
        body = {
            "model": MODEL,
            "max_tokens": 64,
            "messages": [{"role": "user", "content": content}],
        }
        yield {"custom_id": f"request-{index:07d}", "body": body}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _parts(manifest: Path) -> list[str]:
    return [part["input"]["sha256"] for part in json.loads(manifest.read_text())["parts"]]


def _write_parts(scratch: Path) -> list[InputFileInfo]:
    """By hand: `write_input_file` of each `MAX_REQUESTS` requests (all fit the bytes)."""
    source = requests()
    return [
        write_input_file(islice(source, MAX_REQUESTS), scratch / f"{number}.jsonl")
        for number in range(math.ceil(REQUESTS / MAX_REQUESTS))
    ]


def _ours(client: Together, scratch: Path) -> tuple[int, list[str]]:
    manifest = scratch / "workload.json"
    count = sum(1 for _ in client.batches.run(requests(), endpoint=ENDPOINT, manifest=manifest))
    return count, _parts(manifest)


def _by_hand(client: Together, scratch: Path) -> tuple[int, list[str]]:
    infos = _write_parts(scratch)
    ids = []
    for info in infos:
        assert info.path is not None
        file = client.files.upload(info.path, purpose="batch-api")
        assert file.id is not None
        ids.append(client.batches.create_batch(file.id, ENDPOINT).id)
    count = 0
    for job in client.batches.as_completed(ids):
        count += sum(1 for _ in client.batches.results(job))
    return count, [info.sha256 for info in infos]


async def _ours_async(client: AsyncTogether, scratch: Path) -> tuple[int, list[str]]:
    manifest = scratch / "workload.json"
    count = 0
    async for _ in client.batches.run(requests(), endpoint=ENDPOINT, manifest=manifest):
        count += 1
    return count, _parts(manifest)


async def _by_hand_async(client: AsyncTogether, scratch: Path) -> tuple[int, list[str]]:
    infos = _write_parts(scratch)
    ids = []
    for info in infos:
        assert info.path is not None
        file = await client.files.upload(info.path, purpose="batch-api")
        assert file.id is not None
        ids.append((await client.batches.create_batch(file.id, ENDPOINT)).id)
    count = 0
    async for job in client.batches.as_completed(ids):
        async for _ in client.batches.results(job):
            count += 1
    return count, [info.sha256 for info in infos]


def _side(side: str, base_url: str, scratch: Path) -> tuple[int, list[str]]:
    if side in ("ours", "by hand"):
        with Together(KEY, base_url=base_url) as client:
            return (_ours if side == "ours" else _by_hand)(client, scratch)

    async def run() -> tuple[int, list[str]]:
        async with AsyncTogether(KEY, base_url=base_url) as client:
            return await (_ours_async if side == "ours async" else _by_hand_async)(client, scratch)

    return asyncio.run(run())


def _client_child(side: str, base_url: str, scratch: str) -> None:
    """One measured run of one side in this (fresh) process; prints its numbers as JSON."""
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before = _status("VmRSS")
    cpu, wall = time.process_time(), time.perf_counter()
    count, parts = _side(side, base_url, Path(scratch))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    growth = _status("VmHWM") - before
    print(json.dumps({"cpu": cpu, "wall": wall, "rss": growth, "results": count, "parts": parts}))


def _emulator_child(port_file: str, cpu_file: str) -> None:
    """An emulator on a fast clock until SIGTERM; then its own CPU seconds to `cpu_file`."""
    from together_batches.testing import Emulator, JobPlan, SystemClock  # noqa: PLC0415

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    plan = JobPlan(validating_seconds=2, running_seconds=60, failed_fraction=0.01)
    emulator = Emulator(api_key=KEY, clock=SystemClock(speed=SPEED), plan=plan, strict_files=True)

    def ready(base_url: str) -> None:
        Path(port_file).write_text(base_url)

    emulator.serve_forever(port=0, ready=ready, stop=stop)
    Path(cpu_file).write_text(str(time.process_time()))


@contextmanager
def _emulator(directory: Path) -> Iterator[tuple[str, Callable[[], float]]]:
    """A fresh emulator process; yields its base URL and a reader of its CPU once stopped."""
    port_file, cpu_file = directory / "url", directory / "emulator-cpu"
    for stale in (port_file, cpu_file):
        stale.unlink(missing_ok=True)
    command = [sys.executable, str(HERE), "emulator", str(port_file), str(cpu_file)]
    process = subprocess.Popen(command)
    try:
        for _ in range(400):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        yield port_file.read_text(), lambda: float(cpu_file.read_text())
    finally:
        process.terminate()
        process.wait(30)


def _run(side: str, directory: Path) -> dict[str, Any]:
    scratch = directory / side.replace(" ", "-")
    scratch.mkdir()
    try:
        with _emulator(directory) as (base_url, emulator_cpu):
            command = [sys.executable, str(HERE), side, base_url, str(scratch)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            numbers: dict[str, Any] = json.loads(out)
        numbers["emulator_cpu"] = emulator_cpu()
        return numbers
    finally:
        shutil.rmtree(scratch)


Row = tuple[str, float, float]
MemoryRow = tuple[str, int | None, int | None, int | None, int | None]


def workload_rows(
    rounds: int = ROUNDS,
) -> tuple[list[Row], list[MemoryRow], dict[str, float], list[str]]:
    """The workload's rows, sync and async: client CPU (the target), wall time and the
    emulator's CPU (for scale), peak RSS growth (the target), the targets by row name, and
    notes."""
    seen: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    with tempfile.TemporaryDirectory(prefix="together-batches-workload-") as scratch:
        for index in range(rounds):
            for side in SIDES if index % 2 == 0 else SIDES[::-1]:
                seen[side].append(_run(side, Path(scratch)))
    for side in SIDES:
        for run in seen[side]:
            assert run["results"] == REQUESTS, (side, run["results"])
            assert run["parts"] == seen["ours"][0]["parts"], "the two sides split differently"

    def median(side: str, key: str) -> float:
        return float(statistics.median(run[key] for run in seen[side]))

    def peak(side: str) -> int:
        return max(int(run["rss"]) for run in seen[side])

    parts = len(seen["ours"][0]["parts"])
    rows: list[Row] = []
    memory: list[MemoryRow] = []
    targets: dict[str, float] = {}
    notes = [
        f"\nWorkload of {REQUESTS:,} requests in {parts} parts, {rounds} rounds, each "
        "side in a fresh process against a fresh emulator process (bench/workload.py); "
        "its 'raw httpx' column is the same requests sent by hand with this client "
        "(write_input_file, files.upload, create_batch, as_completed, results)."
    ]
    for twin, ours, hand in (("sync", "ours", "by hand"), ("async", "ours async", "by hand async")):
        name = f"workload of {REQUESTS:,} requests ({twin}): client CPU"
        rows += [
            (name, median(ours, "cpu"), median(hand, "cpu")),
            ("  its wall time", median(ours, "wall"), median(hand, "wall")),
            (
                "  (the emulator's CPU, not counted)",
                median(ours, "emulator_cpu"),
                median(hand, "emulator_cpu"),
            ),
        ]
        targets[name] = CPU_TARGET
        memory.append(
            (f"workload of {REQUESTS:,} requests ({twin})", None, peak(ours), peak(hand), RSS_LIMIT)
        )
        cpus = "; ".join(
            ", ".join(f"{run['cpu']:.2f}" for run in seen[side]) for side in (ours, hand)
        )
        notes.append(f"Workload ({twin}) client CPU seconds per round, ours; by hand: {cpus}.")
    return rows, memory, targets, notes


if __name__ == "__main__":
    if sys.argv[1:2] == ["emulator"]:
        _emulator_child(*sys.argv[2:4])
    elif sys.argv[1:2] and sys.argv[1] in SIDES:
        _client_child(*sys.argv[1:4])
    else:
        for row in workload_rows():
            print(row)

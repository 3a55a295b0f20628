"""`make bench`: our client against raw httpx doing the same by hand, side by side in one run.

Every case alternates ours and raw within each round, so both see the same machine load, and
reports the median of the rounds. Only ratios measured in the same run mean anything here:
the machines are shared and noisy.

    python bench/run.py             # every case
    python bench/run.py transfer    # some groups: calls, imports, wait, transfer, workload, split
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

import together_batches
from together_batches import AsyncTogether, Together

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.split import split_rows
from bench.transfer import transfer_rows
from bench.wait_many import in_fresh_process as wait_many
from bench.workload import workload_rows
from bench.workload_wait import long_wait_rows

HERE = Path(__file__).resolve().parent
KEY = "sk-bench"
HEADERS = {"Authorization": f"Bearer {KEY}", "Accept": "application/json"}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))


class Server:
    """bench/server.py in its own process, on a free loopback port."""

    def __enter__(self) -> Server:
        self._dir = tempfile.TemporaryDirectory()
        port_file = Path(self._dir.name) / "port"
        self.process = subprocess.Popen([sys.executable, str(HERE / "server.py"), str(port_file)])
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        self.base_url = f"http://127.0.0.1:{port_file.read_text()}/v1"
        return self

    def cpu(self) -> float:
        return float(httpx.get(self.base_url.removesuffix("/v1") + "/stats").json()["cpu"])

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(10)
        self._dir.cleanup()


def per_call(function: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - start) / count


def cpu_per_call(function: Callable[[], object], count: int) -> float:
    """This process's CPU seconds per call: the client's own work, without the server's
    (another process) or time spent waiting for a core on a loaded machine."""
    start = time.process_time()
    for _ in range(count):
        function()
    return (time.process_time() - start) / count


def collector_paused(measure: Callable[[], float]) -> Callable[[], float]:
    """`measure` with the garbage collector off: shows what collecting costs either side."""

    def paused() -> float:
        gc.disable()
        try:
            return measure()
        finally:
            gc.enable()

    return paused


def side_by_side(
    ours: Callable[[], float], raw: Callable[[], float], rounds: int = ROUNDS
) -> tuple[float, float]:
    """Medians of `rounds` alternating measurements (each callable returns seconds)."""
    ours(), raw()  # warm up both: connections, caches, lazy imports
    ours_times: list[float] = []
    raw_times: list[float] = []
    for index in range(rounds):
        pair = [(ours, ours_times), (raw, raw_times)]
        for measure, into in pair if index % 2 == 0 else pair[::-1]:
            into.append(measure())
    return statistics.median(ours_times), statistics.median(raw_times)


def single_calls(server: Server) -> list[tuple[str, float, float]]:
    rows = []
    with (
        Together(KEY, base_url=server.base_url) as client,
        httpx.Client(timeout=together_batches._config.DEFAULT_TIMEOUT) as http,
    ):
        base = server.base_url
        create_body = {
            "endpoint": "/v1/chat/completions",
            "input_file_id": "file-1",
            "completion_window": "24h",
        }

        def raw_get() -> object:
            response = http.get(f"{base}/batches/b1", headers=HEADERS)
            response.raise_for_status()
            return json.loads(response.content)

        def raw_cancel() -> object:
            response = http.post(f"{base}/batches/b1/cancel", headers=HEADERS)
            response.raise_for_status()
            return json.loads(response.content)

        def raw_create() -> object:
            response = http.post(f"{base}/batches", json=create_body, headers=HEADERS)
            response.raise_for_status()
            return json.loads(response.content)

        def raw_list() -> object:
            response = http.get(f"{base}/batches", headers=HEADERS)
            response.raise_for_status()
            return json.loads(response.content)

        cases: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
            ("get_batch", lambda: client.batches.get_batch("b1"), raw_get, 600),
            ("cancel_batch", lambda: client.batches.cancel_batch("b1"), raw_cancel, 600),
            (
                "create_batch",
                lambda: client.batches.create_batch("file-1", "/v1/chat/completions"),
                raw_create,
                600,
            ),
            ("list_batches (10,000 jobs)", client.batches.list_batches, raw_list, 3),
        ]
        for name, ours, raw, count in cases:
            o, r = side_by_side(
                lambda f=ours, n=count: per_call(f, n),  # type: ignore[misc]
                lambda f=raw, n=count: per_call(f, n),
            )  # type: ignore[misc]
            rows.append((name, o, r))
        rows += list_cpu(client.batches.list_batches, raw_list)
        before = server.cpu()
        per_call(raw_get, 1000)
        server_cpu = (server.cpu() - before) / 1000
        rows.append(("(server CPU per get, for scale)", server_cpu, rows[0][2]))
    return rows


def list_cpu(
    ours: Callable[[], object], raw: Callable[[], object]
) -> list[tuple[str, float, float]]:
    """The 10,000-job list by client CPU time, and the same with the collector paused."""

    def cpu(function: Callable[[], object]) -> Callable[[], float]:
        return lambda: cpu_per_call(function, 3)

    rows = [("list_batches (10,000 jobs), client CPU", *side_by_side(cpu(ours), cpu(raw)))]
    paused = side_by_side(collector_paused(cpu(ours)), collector_paused(cpu(raw)))
    rows.append(("  the same, garbage collector paused on both sides", *paused))
    return rows


def import_times() -> list[tuple[str, float, float]]:
    # As installed: with bytecode. Without it (PYTHONDONTWRITEBYTECODE set, as on some CI
    # machines), every module changed since its .pyc was written is compiled again at each
    # import, which measures the compiler, not the package; the warm-up import writes them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def process(module: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=env)
        return time.perf_counter() - start

    def import_only(module: str) -> float:
        code = (
            f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        )
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
        return float(out.stdout)

    whole = side_by_side(lambda: process("together_batches"), lambda: process("httpx"), 15)
    only = side_by_side(lambda: import_only("together_batches"), lambda: import_only("httpx"), 15)
    return [
        ("import together_batches vs httpx (fresh process, wall)", *whole),
        ("  the import statement alone", *only),
    ]


def concurrent_gets(server: Server) -> list[tuple[str, float, float]]:
    count = 1000

    # Each burst starts from a warm pool: httpcore opening 100 connections while 1,000
    # requests queue takes ~20 s, and idle connections expire (5 s) while the other side runs.
    warm = 100

    async def ours_batch(client: AsyncTogether) -> float:
        await asyncio.gather(*(client.batches.get_batch("b1") for _ in range(warm)))
        start = time.perf_counter()
        await asyncio.gather(*(client.batches.get_batch("b1") for _ in range(count)))
        return time.perf_counter() - start

    async def raw_batch(http: httpx.AsyncClient) -> float:
        async def one() -> object:
            response = await http.get(f"{server.base_url}/batches/b1", headers=HEADERS)
            response.raise_for_status()
            return json.loads(response.content)

        await asyncio.gather(*(one() for _ in range(warm)))
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count)))
        return time.perf_counter() - start

    async def run() -> tuple[float, float]:
        async with (
            AsyncTogether(KEY, base_url=server.base_url) as client,
            httpx.AsyncClient(timeout=together_batches._config.DEFAULT_TIMEOUT) as http,
        ):
            ours_times, raw_times = [], []
            await ours_batch(client), await raw_batch(http)
            for index in range(min(ROUNDS, 5)):
                if index % 2 == 0:
                    ours_times.append(await ours_batch(client))
                    raw_times.append(await raw_batch(http))
                else:
                    raw_times.append(await raw_batch(http))
                    ours_times.append(await ours_batch(client))
            return statistics.median(ours_times), statistics.median(raw_times)

    ours, raw = asyncio.run(run())
    return [("async: 1,000 concurrent get_batch, one client", ours, raw)]


TARGETS = {
    "get_batch": 1.10,
    "cancel_batch": 1.10,
    "create_batch": 1.10,
    "list_batches (10,000 jobs)": 1.15,
    "list_batches (10,000 jobs), client CPU": 1.15,
    "import together_batches vs httpx (fresh process, wall)": 1.2,
    "async: 1,000 concurrent get_batch, one client": 1.2,
    "waiting on 1,000 jobs (async): CPU per poll": 1.3,
}


def fmt(seconds: float) -> str:
    if seconds >= 0.1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-4:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


GROUPS = ("calls", "imports", "wait", "transfer", "workload", "split")


def fmt_bytes(size: int | None) -> str:
    return "-" if size is None else f"{size / 2**20:.1f} MiB"


def main(argv: list[str]) -> int:
    groups = set(argv) or set(GROUPS)
    unknown = groups - set(GROUPS)
    if unknown:
        print(f"unknown group {sorted(unknown)[0]!r}: choose from {', '.join(GROUPS)}")
        return 64
    print(f"together-batches {together_batches.__version__} bench, {ROUNDS} rounds per case")
    print(
        f"python {platform.python_version()}, httpx {httpx.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cpus\n"
    )
    rows: list[tuple[str, float, float]] = []
    per_round: list[tuple[str, float, float, float]] = []
    memory: list[tuple[str, int | None, int | None, int | None, int | None]] = []
    targets = dict(TARGETS)
    notes: list[str] = []
    if "calls" in groups:
        with Server() as server:
            rows += single_calls(server)
            rows += concurrent_gets(server)
    if "imports" in groups:
        rows += import_times()
    if "wait" in groups:
        extra_rows, wait_notes, per_round = wait_many()
        rows += extra_rows
        notes += wait_notes
    if "transfer" in groups:
        transfer, memory, transfer_targets, transfer_notes = transfer_rows(ROUNDS)
        rows += transfer
        targets.update(transfer_targets)
        notes += transfer_notes
    if "workload" in groups:
        workload, workload_memory, workload_targets, workload_notes = workload_rows()
        rows += workload
        memory += workload_memory
        targets.update(workload_targets)
        notes += workload_notes
        wait_rows, wait_notes = long_wait_rows()
        rows += wait_rows
        notes += wait_notes
    if "split" in groups:
        split, split_memory, split_targets, split_notes = split_rows()
        rows += split
        memory += split_memory
        targets.update(split_targets)
        notes += split_notes
    print("| case | ours | raw httpx | ratio | target | |\n|---|---|---|---|---|---|")
    for name, ours, raw in rows:
        target = targets.get(name)
        ratio = ours / raw if raw else float("nan")
        verdict = "" if target is None else ("met" if ratio <= target else "MISSED")
        shown = f"<= {target}" if target else ""
        print(f"| {name} | {fmt(ours)} | {fmt(raw)} | {ratio:.2f} | {shown} | {verdict} |")
    if per_round:
        print("\n| per round | one list a round | a get per job (today) | ratio | target | |")
        print("|---|---|---|---|---|---|")
        for name, ours, today, ceiling in per_round:
            ratio = ours / today
            verdict = "met" if ratio <= ceiling else "MISSED"
            shown = fmt(ours) if "CPU" in name else f"{ours:.2f}"
            was = fmt(today) if "CPU" in name else f"{today:.0f}"
            print(f"| {name} | {shown} | {was} | {ratio:.3f} | <= {ceiling:g} | {verdict} |")
    if memory:
        print("\n| client peak RSS growth | ours | ours, fresh process | raw | target | |")
        print("|---|---|---|---|---|---|")
        for name, ours_rss, fresh_rss, raw_rss, limit in memory:
            seen = [x for x in (ours_rss, fresh_rss) if x is not None]
            verdict = (
                "" if limit is None or not seen else ("met" if max(seen) <= limit else "MISSED")
            )
            shown = "" if limit is None else f"<= {fmt_bytes(limit)}"
            print(
                f"| {name} | {fmt_bytes(ours_rss)} | {fmt_bytes(fresh_rss)} | "
                f"{fmt_bytes(raw_rss)} | {shown} | {verdict} |"
            )
    for note in notes:
        print(note)
    print("\nRatios are medians from this one run; absolute times vary by machine and load.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

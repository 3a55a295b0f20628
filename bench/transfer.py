"""Bench cases for moving files: an upload, streamed results, and checking an input file,
each against raw httpx (or `json.loads`) doing the same by hand, side by side in one run,
with the client process's peak RSS growth.

The files are made once in a temporary directory and served by `bench/files_server.py` in
its own process: the emulator keeps uploads in memory, and its work would blur the client's.
Peak RSS is read from /proc/self/status (`VmHWM`) after resetting it (`/proc/self/clear_refs`),
so each measurement sees its own peak; elsewhere the growth is not measured (None).
"""

from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from together_batches import BatchJob, Together, check_input_file

HERE = Path(__file__).resolve().parent
KEY = "sk-bench"
MB = 1_000_000
CHUNK = 1 << 20  # what our upload reads and sends at a time, and so the raw side too
INPUT_LINES = 50_000
OUTPUT_LINES = 50_000
#: The 10x case: 500,000 lines, about 1 GB (fits this machine: 24 GiB, 78 GB of disk).
LARGE_FACTOR = 10

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"

Measure = Callable[[], None]


def _write_lines(path: Path, count: int, make: Callable[[int], dict[str, object]]) -> None:
    with path.open("wb") as out:
        buffer = bytearray()
        for index in range(count):
            buffer += json.dumps(make(index)).encode() + b"\n"
            if len(buffer) > CHUNK:
                out.write(buffer)
                buffer.clear()
        out.write(buffer)


def _input_line(index: int) -> dict[str, object]:
    # About 2 kB a line: 50,000 lines come to just under the 100 MB a batch input may be.
    prompt = f"Question {index}: " + "tell me about batches. " * 78
    messages = [{"role": "user", "content": prompt}]
    body = {"model": MODEL, "messages": messages, "max_tokens": 256}
    return {"custom_id": f"request-{index:07d}", "body": body}


def _output_line(index: int) -> dict[str, object]:
    answer = f"Answer {index}: " + "batches are good. " * 100
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": answer},
        "finish_reason": "stop",
    }
    usage = {"prompt_tokens": 30, "completion_tokens": 500, "total_tokens": 530}
    body = {
        "id": f"chatcmpl-{index}",
        "object": "chat.completion",
        "created": 1700000000,
        "model": MODEL,
        "choices": [choice],
        "usage": usage,
    }
    return {"custom_id": f"request-{index:07d}", "response": {"status_code": 200, "body": body}}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def timed(function: Measure) -> tuple[float, int | None]:
    """Seconds `function` takes, and how far the process's peak RSS rose above its RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from now
        before: int | None = _status("VmRSS")
    except OSError:
        before = None
    start = time.perf_counter()
    function()
    seconds = time.perf_counter() - start
    return seconds, None if before is None else _status("VmHWM") - before


@dataclass(frozen=True)
class Sides:
    """One case, both sides: median seconds, and the largest peak RSS growth seen (bytes)."""

    ours: float
    ours_rss: int | None
    raw: float
    raw_rss: int | None


def alternate(ours: Measure, raw: Measure, rounds: int, *, warm: bool = True) -> Sides:
    """Both sides `rounds` times, alternating which goes first, after a warm-up of each."""
    if warm:
        ours()
        raw()
    seen: dict[str, list[tuple[float, int | None]]] = {"ours": [], "raw": []}
    for index in range(rounds):
        pair = [("ours", ours), ("raw", raw)]
        for name, measure in pair if index % 2 == 0 else pair[::-1]:
            seen[name].append(timed(measure))

    def growth(name: str) -> int | None:
        values = [g for _, g in seen[name] if g is not None]
        return max(values) if values else None

    def median(name: str) -> float:
        return statistics.median(seconds for seconds, _ in seen[name])

    return Sides(median("ours"), growth("ours"), median("raw"), growth("raw"))


@contextmanager
def files_server(directory: Path) -> Iterator[str]:
    """bench/files_server.py in its own process; yields its base URL."""
    port_file = directory / "port"
    process = subprocess.Popen(
        [sys.executable, str(HERE / "files_server.py"), str(port_file), str(directory)]
    )
    try:
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}/v1"
    finally:
        process.terminate()
        process.wait(10)


Row = tuple[str, float, float]
#: A case's peak RSS growth: ours (the largest of the rounds), ours in a fresh process
#: (imports on first use included), raw, and the most ours may grow (None: no target).
MemoryRow = tuple[str, int | None, int | None, int | None, int | None]
#: The issue's bound on the client's peak RSS growth while uploading or reading results.
RSS_LIMIT = 32 * 2**20


def _upload_case(
    client: Together, http: httpx.Client, base_url: str, path: Path, rounds: int
) -> Sides:
    size = path.stat().st_size
    storage = base_url.removesuffix("/v1") + "/_storage/file-bench?X-Amz-Signature=x"

    def raw() -> None:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        digest.hexdigest()

        def body() -> Iterator[bytes]:
            with path.open("rb") as stream:
                while chunk := stream.read(CHUNK):
                    yield chunk

        http.put(storage, content=body(), headers={"Content-Length": str(size)}).raise_for_status()

    def ours() -> None:
        client.files.upload(path)

    return alternate(ours, raw, rounds)


def _results_case(
    client: Together,
    http: httpx.Client,
    base_url: str,
    name: str,
    rounds: int,
    *,
    warm: bool = True,
) -> Sides:
    job = BatchJob(id="batch-bench", status="COMPLETED", output_file_id=name)
    url = f"{base_url}/files/{name}/content"

    def ours() -> None:
        count = sum(1 for _ in client.batches.results(job))
        assert count > 0

    def raw() -> None:
        count = 0
        with http.stream("GET", url, headers={"Authorization": f"Bearer {KEY}"}) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line:
                    json.loads(line)
                    count += 1
        assert count > 0

    return alternate(ours, raw, rounds, warm=warm)


def _check_case(path: Path, rounds: int) -> Sides:
    def raw() -> None:
        with path.open("rb") as stream:
            for line in stream:
                json.loads(line)

    def ours() -> None:
        check_input_file(path)

    return alternate(ours, raw, rounds)


def _fresh(kind: str, base_url: str, target: Path) -> int | None:
    """Ours in a fresh process: the peak RSS growth of one run from a client never used."""
    command = [sys.executable, __file__, kind, base_url, str(target)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return None if out.strip() == "None" else int(out)


def _fresh_child(kind: str, base_url: str, target: str) -> None:
    client = Together(KEY, base_url=base_url)
    job = BatchJob(id="batch-bench", status="COMPLETED", output_file_id=Path(target).name)

    def run() -> None:
        if kind == "upload":
            client.files.upload(target)
        elif kind == "results":
            assert sum(1 for _ in client.batches.results(job)) > 0
        else:
            check_input_file(target)

    print(timed(run)[1])


def transfer_rows(rounds: int) -> tuple[list[Row], list[MemoryRow], dict[str, float], list[str]]:
    """The three new cases and the 10x results case: timing rows, memory rows, the targets
    (of the time ratio) by row name, and notes."""
    with tempfile.TemporaryDirectory(prefix="together-batches-bench-") as scratch:
        directory = Path(scratch)
        source = directory / "input.jsonl"
        _write_lines(source, INPUT_LINES, _input_line)
        _write_lines(directory / "output", OUTPUT_LINES, _output_line)
        _write_lines(directory / "output-large", OUTPUT_LINES * LARGE_FACTOR, _output_line)
        size = {p.name: f"{p.stat().st_size / MB:,.0f} MB" for p in directory.iterdir()}
        names = (
            f"upload of a {size['input.jsonl']} input file, sha256 included",
            f"results of a {OUTPUT_LINES:,}-line output file ({size['output']})",
            f"  the same at 10x ({OUTPUT_LINES * LARGE_FACTOR:,} lines, {size['output-large']})",
            f"check of a {INPUT_LINES:,}-line input file ({size['input.jsonl']})",
        )
        with (
            files_server(directory) as base_url,
            Together(KEY, base_url=base_url) as client,
            httpx.Client(timeout=60.0) as http,
        ):
            sides = [
                _upload_case(client, http, base_url, source, rounds),
                _results_case(client, http, base_url, "output", rounds),
                _results_case(client, http, base_url, "output-large", 3, warm=False),
            ]
            fresh = [
                _fresh(kind, base_url, path)
                for kind, path in (
                    ("upload", source),
                    ("results", directory / "output"),
                    ("results", directory / "output-large"),
                    ("check", source),
                )
            ]
        sides.append(_check_case(source, rounds))
    rows = [(name, side.ours, side.raw) for name, side in zip(names, sides, strict=True)]
    limits = (RSS_LIMIT, RSS_LIMIT, RSS_LIMIT, None)
    memory = [
        (name, side.ours_rss, cold, side.raw_rss, limit)
        for name, side, cold, limit in zip(names, sides, fresh, limits, strict=True)
    ]
    # Throughput targets, as time ratios: >= 0.9x is <= 1/0.9, >= 0.8x is <= 1/0.8.
    targets = dict(zip(names, (1.11, 1.25, 1.25, 1.5), strict=True))
    notes = [
        "Transfers: the upload, results and check rows' targets are the issue's throughput "
        "targets as time ratios (>= 0.9x: <= 1.11; >= 0.8x: <= 1.25; check within 1.5x of "
        "json.loads over the lines); the 10x results case is 3 rounds, not warmed up. The "
        "file server is bench/files_server.py, in its own process."
    ]
    return rows, memory, targets, notes


if __name__ == "__main__":
    _fresh_child(*sys.argv[1:4])

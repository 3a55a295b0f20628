"""Bench case: a 2,000,000-request workload's split and check (`batches.run`'s first step,
`_workload.split.split_requests`: every request checked, custom_ids unique over the whole
workload, written as part files of 50,000), in a fresh process, measuring its peak RSS
growth (`VmHWM` after `/proc/self/clear_refs`, minus the RSS just before) and its time.

Beside it, for scale, the same ids kept as the check kept them before the compact index (a
`dict` from each custom_id to its line, in a fresh process, with nothing else), and the
same requests split with no custom_id check at all (the encoding, hashing and writing of
the parts alone: what the check adds to).

    python bench/split.py                 # the rows printed
    python bench/split.py SIDE SCRATCH    # (internal) one measured run
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REQUESTS = int(os.environ.get("BENCH_SPLIT_REQUESTS", "2000000"))
#: The issue's bound on the client's peak RSS growth for 2,000,000 requests.
RSS_LIMIT = 128 * 2**20
SIDES = ("ours", "dict of ids (before)", "no id check")
HERE = Path(__file__).resolve()


def _requests(count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    for i in range(count):
        body = {"model": "m", "messages": [{"role": "user", "content": f"What is {i} + {i}?"}]}
        yield f"request-{i:09d}", body


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _side(side: str, scratch: Path) -> int:
    from together_batches._workload import split  # noqa: PLC0415 - loaded before the measure

    if side == "ours":
        infos = split.split_requests(_requests(REQUESTS), scratch, durable=False)
        return sum(info.requests for info in infos)
    if side == "dict of ids (before)":
        first: dict[str, int] = {}
        for line, (custom_id, _) in enumerate(_requests(REQUESTS), start=1):
            first.setdefault(custom_id, line)
        return len(first)
    assert side == "no id check"

    class NoIds:  # an IdIndex that keeps nothing
        def add(self, custom_id: str, value: int = 0) -> None:
            return None

        def close(self) -> None:
            return None

    split._workload_ids = lambda directory: NoIds()  # type: ignore[assignment,return-value]
    infos = split.split_requests(_requests(REQUESTS), scratch, durable=False)
    return sum(info.requests for info in infos)


def _child(side: str, scratch: str) -> None:
    import together_batches._workload.split  # noqa: F401, PLC0415 - imports not measured

    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before = _status("VmRSS")
    wall = time.perf_counter()
    count = _side(side, Path(scratch))
    wall = time.perf_counter() - wall
    growth = _status("VmHWM") - before
    print(json.dumps({"rss": growth, "wall": wall, "requests": count}))


def _run(side: str) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="bench-split-"))
    try:
        out = subprocess.run(
            [sys.executable, str(HERE), side, str(scratch)],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE.parent.parent,
        ).stdout
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    run: dict[str, Any] = json.loads(out.splitlines()[-1])
    assert run["requests"] == REQUESTS, run
    return run


Row = tuple[str, float, float]
MemoryRow = tuple[str, int | None, int | None, int | None, int | None]


def split_rows() -> tuple[list[Row], list[MemoryRow], dict[str, float], list[str]]:
    """The bench's rows: the split's time against the split without an id check, and the
    peak RSS growth of each side."""
    runs = {side: _run(side) for side in SIDES}
    name = f"split and check of a {REQUESTS:,}-request workload"
    rows: list[Row] = [(name, runs["ours"]["wall"], runs["no id check"]["wall"])]
    memory: list[MemoryRow] = [
        (name, None, runs["ours"]["rss"], runs["no id check"]["rss"], RSS_LIMIT),
        (
            f"  {REQUESTS:,} custom_ids in a dict (the check before)",
            None,
            runs["dict of ids (before)"]["rss"],
            None,
            None,
        ),
    ]
    per_request = runs["ours"]["rss"] / REQUESTS
    notes = [
        f"Split of {REQUESTS:,} requests (fresh processes, durable=False): peak RSS growth "
        f"{runs['ours']['rss'] / 2**20:.1f} MiB ({per_request:.1f} bytes a request) against "
        f"{runs['no id check']['rss'] / 2**20:.1f} MiB without any id check and "
        f"{runs['dict of ids (before)']['rss'] / 2**20:.1f} MiB for the ids alone in a dict; "
        f"its 'raw httpx' time column is the same split without an id check."
    ]
    return rows, memory, {}, notes


def main(argv: list[str]) -> int:
    if len(argv) == 2:
        _child(*argv)
        return 0
    rows, memory, _, notes = split_rows()
    for name, ours, raw in rows:
        print(f"{name}: {ours:.2f} s (without an id check {raw:.2f} s)")
    for name, _, fresh, unchecked, _limit in memory:
        extra = "" if unchecked is None else f" (without an id check {unchecked / 2**20:.1f} MiB)"
        print(f"{name}: peak RSS growth {(fresh or 0) / 2**20:.1f} MiB{extra}")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

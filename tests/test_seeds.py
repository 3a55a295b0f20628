"""The seed document's three usage examples, run as written (but for the import line)
against a server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._loopback import Reply, Seen, loopback

HERE = Path(__file__).parent / "seed_examples"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "seeds"
EXAMPLES = ["poll.py", "list.py", "cancel.py"]

JOB = {
    "id": "batch-abc123",
    "status": "IN_PROGRESS",
    "progress": 75,
    "created_at": "2024-01-15T14:30:00Z",
    "output_file_id": None,
    "error": None,
}


def _squash(text: str) -> str:
    """Code without whitespace or comments: the seed's text lost its indentation."""
    text = re.sub(r"#[^\n]*", "", text)
    return re.sub(r"\s+", "", text)


def _seed_text() -> str:
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip("shared/reference/seeds is not beside this checkout")
    return "\n".join(f.read_text() for f in files)


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_the_seeds_own_but_for_the_import(name: str) -> None:
    ours = (
        (HERE / name)
        .read_text()
        .replace("from together_batches import Together", "from together import Together")
    )
    assert _squash(ours) in _squash(_seed_text())


class Server:
    """Answers like the API: the job is IN_PROGRESS at 75 % for two polls, then COMPLETED."""

    def __init__(self) -> None:
        self.polls = 0

    def __call__(self, request: Seen) -> Reply:
        headers = {"Content-Type": "application/json"}
        if request.headers.get("authorization") != "Bearer sk-seed":
            return 401, headers, b'{"error": "bad key"}'
        if request.method == "GET" and request.path == "/v1/batches":
            jobs = [JOB, {**JOB, "id": "batch-2", "status": "COMPLETED", "progress": 100}]
            return 200, headers, json.dumps(jobs).encode()
        if request.method == "POST" and request.path == "/v1/batches/batch-abc123/cancel":
            return 200, headers, json.dumps({**JOB, "status": "CANCELING"}).encode()
        if request.method == "GET" and request.path == "/v1/batches/batch-abc123":
            self.polls += 1
            job = (
                JOB
                if self.polls < 3
                else {**JOB, "status": "COMPLETED", "progress": 100, "output_file_id": "file-out-1"}
            )
            return 200, headers, json.dumps(job).encode()
        return 404, headers, b'{"error": "not found"}'


@pytest.fixture
def base_url() -> Iterator[str]:
    with loopback(Server()) as (url, _):
        yield url


def _run(name: str, base_url: str) -> str:
    # time.sleep(60) in the example is made instant; nothing else about it changes.
    runner = (
        "import runpy, sys, time; time.sleep = lambda s: None; "
        f"runpy.run_path({str(HERE / name)!r}, run_name='__main__')"
    )
    env = {"TOGETHER_API_KEY": "sk-seed", "TOGETHER_BASE_URL": base_url, "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-c", runner], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_polling_example(base_url: str) -> None:
    assert _run("poll.py", base_url).splitlines() == [
        "Status: IN_PROGRESS, Progress: 75.0%",
        "Status: IN_PROGRESS, Progress: 75.0%",
        "Status: COMPLETED, Progress: 100.0%",
        "Output file ID: file-out-1",
    ]


def test_listing_example(base_url: str) -> None:
    assert _run("list.py", base_url).splitlines() == [
        "Job batch-abc123: status=IN_PROGRESS, progress=75.0%",
        "Job batch-2: status=COMPLETED, progress=100.0%",
    ]


def test_cancel_example(base_url: str) -> None:
    assert _run("cancel.py", base_url).splitlines() == [
        "Job status after cancel request: CANCELING"
    ]

"""`together-batches demo`: the whole workflow, against an emulator served in-process.

Check an input file (and see a broken one refused, with every problem by line), upload it
and start a batch (`batches.submit`), wait for it with a progress bar, then read its results
and show which requests failed. It ends with a workload of several parts (`batches.run`,
`demo_workload`): one part's failures retried, then the same call resumed, sending nothing.
Everything is real except the API: the emulator listens on a free loopback port, and the
ordinary client talks HTTP to it. Its jobs run on a short scripted timeline and fail a share
of their requests on purpose, so the demo takes about twelve seconds, needs neither a key
nor a network, and leaves nothing behind when it returns.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..._client import Together
from ..._display.choose import TransferBar, make_display
from ..._exceptions import InputFileError
from ..._jsonl.inputs import check_input_file, write_input_file
from ..._jsonl.results import BatchResult
from ..._models import BatchJob
from ...testing import Emulator, JobPlan
from ..views.files import format_bytes, results_summary
from ..views.render import EXIT_FAILED, exit_code_for, outcome_line
from .demo_workload import run_workload

__all__ = ["DEMO_PLAN", "demo_requests", "run_demo"]

#: The emulator's key: the demo passes it explicitly, so TOGETHER_API_KEY is never read.
DEMO_KEY = "demo-key"
#: About 5 s of real time, and a quarter of the requests failing: long enough to watch the
#: bar move, short enough to wait for, and failures to show. (The workload after it plans
#: its own parts: `demo_workload.WORKLOAD_PLANS`.)
DEMO_PLAN = JobPlan(validating_seconds=1.0, running_seconds=4.0, failed_fraction=0.25)
DEMO_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
DEMO_ENDPOINT = "/v1/chat/completions"
#: Each of the demo's two waits (the single batch's, the workload's) has this ceiling: should
#: anything stall, the demo says so and exits 2 (both run in seconds).
DEMO_TIMEOUT = 40.0
SHOWN_ANSWERS = 3
_ANSWER_LIMIT = 70

_PROMPTS = (
    "Name a prime number greater than 100.",
    "Translate 'good morning' into French.",
    "Write a haiku about batch jobs.",
    "What is the capital of Australia?",
    "Give one tip for writing clear error messages.",
    "Summarise the plot of Hamlet in one sentence.",
    "What does HTTP status 429 mean?",
    "Suggest a name for a friendly robot.",
)


def demo_requests() -> Iterator[tuple[str, dict[str, Any]]]:
    """The demo's requests: one chat request per prompt, as `(custom_id, body)` pairs."""
    for index, prompt in enumerate(_PROMPTS, start=1):
        body = {
            "model": DEMO_MODEL,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": 64,
        }
        yield f"demo-{index}", body


def _show_refusal(directory: Path, out: TextIO) -> None:
    """Check a broken copy of the input: refused before anything is sent, every problem."""
    broken = directory / "broken.jsonl"
    broken.write_text(
        '{"custom_id": "demo-1", "body": {}}\n{"custom_id": "demo-1", "body": {}}\n'
        '{"body": {}}\n{"custom_id": "demo-4", "body": "hello"}\n'
    )
    try:
        check_input_file(broken)
    except InputFileError as exc:
        print(
            f"A broken input is refused before anything is sent ({exc.problem_count} "
            "problems, each by line):",
            file=out,
        )
        for problem in exc.problems:
            print(f"  line {problem.line}: {problem.message}", file=out)


def _answer(result: BatchResult) -> str:
    try:
        text = str(result.body["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        text = str(result.body)
    text = " ".join(text.split())
    return text if len(text) <= _ANSWER_LIMIT else text[: _ANSWER_LIMIT - 3] + "..."


def _wait(client: Together, job: BatchJob, out: TextIO) -> BatchJob:
    display = make_display(out)
    with display:
        done = client.batches.wait_until_done(
            job.id,
            timeout=DEMO_TIMEOUT,
            poll_interval=0.5,
            max_poll_interval=1.0,
            on_progress=display.update,
            on_poll_error=display.failed,
        )
    print(outcome_line(done), file=out)
    return done


def _show_results(client: Together, job: BatchJob, out: TextIO) -> None:
    succeeded: list[BatchResult] = []
    failed: list[BatchResult] = []
    for result in client.batches.results(job):  # streamed: output file, then error file
        (succeeded if result.ok else failed).append(result)
    print(
        f"\nResults, read line by line: {results_summary(len(succeeded), len(failed))}.", file=out
    )
    for result in sorted(succeeded, key=lambda r: r.custom_id)[:SHOWN_ANSWERS]:
        print(f"  {result.custom_id}  ok  {_answer(result)}", file=out)
    if failed:
        print("Failed requests (to resubmit: batches.failed_custom_ids):", file=out)
        for result in sorted(failed, key=lambda r: r.custom_id):
            print(f"  {result.custom_id}  failed  {result.code}  {result.message}", file=out)


def run_demo(out: TextIO) -> int:
    """Start an emulator, run the whole workflow through the real client, stop.

    Args:
        out: Where to print; the progress is a live bar if it is a terminal.

    Returns:
        The exit code: that of `wait` for the job's final status (0 when it completes).

    Raises:
        WaitTimeoutError: The job did not finish within `DEMO_TIMEOUT` (a bug).
    """
    emulator = Emulator(api_key=DEMO_KEY, plan=DEMO_PLAN, strict_files=True)
    with (
        tempfile.TemporaryDirectory(prefix="together-batches-demo-") as scratch,
        emulator.serve() as base_url,
        Together(api_key=DEMO_KEY, base_url=base_url) as client,
    ):
        print(f"Batch API emulator serving at {base_url} (key {DEMO_KEY!r}).", file=out)
        path = Path(scratch) / "demo-input.jsonl"
        info = write_input_file(demo_requests(), path)
        print(
            f"Checked and wrote {path.name}: {info.requests} chat requests, "
            f"{format_bytes(info.size)}, sha256 {info.sha256[:12]}...",
            file=out,
        )
        _show_refusal(Path(scratch), out)
        with TransferBar(out, "Uploading", path.name) as bar:
            job = client.batches.submit(
                path, endpoint=DEMO_ENDPOINT, model_id=DEMO_MODEL, on_upload_progress=bar
            )
        print(
            f"Uploaded it as file {job.input_file_id} (no API key on the upload itself) "
            f"and created batch {job.id} ({job.status}); waiting for it:",
            file=out,
            flush=True,
        )
        job = _wait(client, job, out)
        _show_results(client, job, out)
        workload_ok = run_workload(client, emulator, Path(scratch), out, timeout=DEMO_TIMEOUT)
    print("\nEmulator stopped.", file=out)
    return exit_code_for(job.status) if workload_ok else EXIT_FAILED


def cmd_demo(args: argparse.Namespace) -> int:
    """`demo`: the whole workflow against a built-in emulator, no key or network needed."""
    return run_demo(sys.stdout)

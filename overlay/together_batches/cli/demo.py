"""`together-batches demo`: one batch end to end, against an emulator served in-process.

Everything is real except the API: the emulator listens on a free loopback port, and the
ordinary client talks HTTP to it. Its jobs run on a short scripted timeline (a couple of
seconds validating, a few running), so the demo takes about ten seconds, needs neither a key
nor a network, and leaves nothing running when it returns.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from .._client import Together
from .._models import BatchJob
from ..testing import Emulator, JobPlan
from .progress import make_display
from .render import exit_code_for, job_details, outcome_line

__all__ = ["DEMO_PLAN", "demo_input", "run_demo"]

#: The emulator's key: the demo passes it explicitly, so TOGETHER_API_KEY is never read.
DEMO_KEY = "demo-key"
#: About 8 s of real time: long enough to watch the bar move, short enough to wait for.
DEMO_PLAN = JobPlan(validating_seconds=1.5, running_seconds=6.0)
DEMO_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
#: A ceiling well under a minute: should anything stall, the demo says so and exits 2.
DEMO_TIMEOUT = 40.0
SHOWN_LINES = 3
_LINE_LIMIT = 400

_PROMPTS = (
    "Name a prime number greater than 100.",
    "Translate 'good morning' into French.",
    "Write a haiku about batch jobs.",
    "What is the capital of Australia?",
    "Give one tip for writing clear error messages.",
    "Summarise the plot of Hamlet in one sentence.",
)


def demo_input() -> bytes:
    """The demo's input file: one chat request per prompt, as JSON Lines."""
    lines = (
        {
            "custom_id": f"demo-{index}",
            "body": {
                "model": DEMO_MODEL,
                "messages": [{"role": "user", "content": prompt}],
                "max_tokens": 64,
            },
        }
        for index, prompt in enumerate(_PROMPTS, start=1)
    )
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def _shorten(line: str) -> str:
    return line if len(line) <= _LINE_LIMIT else line[: _LINE_LIMIT - 3] + "..."


def _show_output(client: Together, job: BatchJob, out: TextIO) -> None:
    if not job.output_file_id:
        print("The job produced no output file.", file=out)
        return
    lines = client.files.content(job.output_file_id).decode("utf-8", "replace").splitlines()
    print(f"\nFirst {min(SHOWN_LINES, len(lines))} of {len(lines)} lines of the output file "
          f"{job.output_file_id}:", file=out)  # fmt: skip
    for line in lines[:SHOWN_LINES]:
        print(f"  {_shorten(line)}", file=out)


def _run_batch(client: Together, file_id: str, out: TextIO) -> BatchJob:
    created = client.batches.create_batch(file_id, "/v1/chat/completions", model_id=DEMO_MODEL)
    job_id = created.id or ""  # the emulator always sends one; "" would be refused, not sent
    print(f"Created batch {job_id} ({created.status}); waiting for it:", file=out, flush=True)
    display = make_display(out)
    with display:
        job = client.batches.wait_until_done(
            job_id, timeout=DEMO_TIMEOUT, poll_interval=0.5, max_poll_interval=1.0,
            on_progress=display.update,
        )  # fmt: skip
    print(outcome_line(job), file=out)
    print("\n".join(job_details(job)), file=out)
    return job


def run_demo(out: TextIO) -> int:
    """Start an emulator, run one batch through the real client, show the results, stop.

    Args:
        out: Where to print; the progress is a live bar if it is a terminal.

    Returns:
        The exit code: that of `wait` for the job's final status (0 when it completes).

    Raises:
        WaitTimeoutError: The job did not finish within `DEMO_TIMEOUT` (a bug).
    """
    emulator = Emulator(api_key=DEMO_KEY, plan=DEMO_PLAN, strict_files=True)
    file_id = emulator.add_file(demo_input(), "demo-input.jsonl")
    with emulator.serve() as base_url, Together(api_key=DEMO_KEY, base_url=base_url) as client:
        print(f"Batch API emulator serving at {base_url} (key {DEMO_KEY!r}).", file=out)
        print(f"Registered input file {file_id} ({len(_PROMPTS)} chat requests).", file=out)
        job = _run_batch(client, file_id, out)
        _show_output(client, job, out)
    print("\nEmulator stopped.", file=out)
    return exit_code_for(job.status)


def cmd_demo(args: argparse.Namespace) -> int:
    """`demo`: a whole batch against a built-in emulator, no key or network needed."""
    return run_demo(sys.stdout)

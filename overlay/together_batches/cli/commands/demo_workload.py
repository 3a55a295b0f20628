"""The end of `together-batches demo`: a workload larger than one batch, then its resume.

A few hundred requests go through `batches.run` with a small `max_requests`, so that they
make several parts; the emulator fails some requests of one part on a script, and
`retry_failed=1` resubmits them as a part of their own. The progress view is the one
`together-batches run` shows. Then the same call with the same manifest runs again, and
sends nothing: every part is recorded as done and read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..._client import Together
from ..._display.choose import make_workload_display
from ..._workload.manifest import load_manifest
from ..._workload.progress import WorkloadProgress
from ..._workload.records import Workload
from ..._workload.session import OnWorkloadProgress
from ...testing import Emulator, JobPlan
from ..views.workload_table import status_lines

__all__ = ["WORKLOAD_PART_REQUESTS", "WORKLOAD_PLANS", "WORKLOAD_REQUESTS", "run_workload"]

WORKLOAD_REQUESTS = 240
#: A small `max_requests`: 240 requests make 4 parts (a real one holds up to 50,000).
WORKLOAD_PART_REQUESTS = 60
#: The parts' timelines, in the order they are created: a few seconds each, so that the
#: client's polls (2 s apart) see them move; the second fails a tenth of its requests.
#: The order of the first four creates is that of the threads sending them, so which part
#: fails varies from run to run; how many requests fail does not. The last plan is the
#: retry round's part, which succeeds.
WORKLOAD_PLANS = (
    JobPlan(validating_seconds=0.5, running_seconds=2.0),
    JobPlan(validating_seconds=0.5, running_seconds=3.0, failed_fraction=0.1),
    JobPlan(validating_seconds=0.5, running_seconds=2.5),
    JobPlan(validating_seconds=0.5, running_seconds=3.0),
    JobPlan(validating_seconds=0.5, running_seconds=1.0),
)
_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
_ENDPOINT = "/v1/chat/completions"


def workload_requests() -> Iterator[tuple[str, dict[str, Any]]]:
    """The workload's requests, generated (`batches.run` streams them to its part files)."""
    for n in range(1, WORKLOAD_REQUESTS + 1):
        message = {"role": "user", "content": f"Give a one-line fact about the number {n}."}
        yield f"fact-{n:03d}", {"model": _MODEL, "max_tokens": 32, "messages": [message]}


def _run(
    client: Together, manifest: Path, timeout: float, on_progress: OnWorkloadProgress
) -> tuple[int, int]:
    """`batches.run` over the requests: how many outcomes succeeded and failed."""
    results = client.batches.run(
        workload_requests(),
        endpoint=_ENDPOINT,
        model_id=_MODEL,
        manifest=manifest,
        retry_failed=1,
        max_requests=WORKLOAD_PART_REQUESTS,
        timeout=timeout,
        on_progress=on_progress,
    )
    succeeded = failed = 0
    for result in results:
        succeeded, failed = (succeeded + 1, failed) if result.ok else (succeeded, failed + 1)
    return succeeded, failed


def _retry_story(workload: Workload) -> Iterator[str]:
    """What the retry rounds did: which parts had failures, which parts resent them."""
    for round_ in range(1, workload.round + 1):
        sources = [p for p in workload.parts if p.round == round_ - 1 and p.leftover is not None]
        resent = [p for p in workload.parts if p.round == round_]
        failures = ", ".join(
            f"{p.leftover.requests} of part {p.number}" for p in sources if p.leftover is not None
        )
        numbers = ", ".join(str(p.number) for p in resent)
        yield (
            f"Retry round {round_} sent the requests that failed ({failures}) again as "
            f"part{'' if len(resent) == 1 else 's'} {numbers}."
        )


def run_workload(
    client: Together, emulator: Emulator, directory: Path, out: TextIO, *, timeout: float
) -> bool:
    """Run the demo's workload through `client` (served by `emulator`), then resume it.

    Args:
        client: A client of `emulator`.
        emulator: Its request log shows that the resume sends nothing.
        directory: Where the manifest and the part files go.
        out: Where to print; the progress is a live view if it is a terminal.
        timeout: Seconds the workload's waits may take in all.

    Returns:
        Whether every request succeeded (after the retry round) and the resume sent nothing.

    Raises:
        WaitTimeoutError: The parts did not finish within `timeout` (a bug).
    """
    manifest = directory / "demo-workload.json"
    emulator.plan_next(*WORKLOAD_PLANS)
    print(
        f"\nA workload larger than one batch: batches.run over {WORKLOAD_REQUESTS} requests, "
        f"at most {WORKLOAD_PART_REQUESTS} a part (max_requests), retry_failed=1, tracked "
        f"in {manifest.name}:",
        file=out,
        flush=True,
    )
    with make_workload_display(out) as display:  # the view `together-batches run` shows
        succeeded, failed = _run(client, manifest, timeout, display.update)
    workload = load_manifest(manifest)
    assert workload is not None  # `run` wrote it
    print(
        f"Handed on {succeeded + failed} outcomes, each once, its last attempt's: "
        f"{succeeded} succeeded, {failed} failed.",
        file=out,
    )
    for line in _retry_story(workload):
        print(line, file=out)
    print(f"What `together-batches status {manifest.name}` shows:", file=out)
    for line in status_lines(workload):
        print(f"  {line}", file=out)
    sent, changes = len(emulator.requests), list[WorkloadProgress]()
    again = _run(client, manifest, timeout, changes.append)
    sent = len(emulator.requests) - sent
    print(
        f"The same call again, with the same manifest (as after a crash): {sum(again)} "
        f"outcomes handed on again, {sent} requests sent to the API, {len(changes)} "
        "changes of state: every part is recorded as done and read.",
        file=out,
    )
    return failed == 0 and sum(again) == 0 and sent == 0 and not changes

"""Workloads larger than one batch: what to do next, from the manifest's state alone.

A workload is one job over any number of requests, split over as many batches ("parts")
as the limits need, tracked in a manifest so that a run can resume after a crash, with
failed requests retried in rounds. `client.batches.run(...)` (both twins) and the CLI are
thin I/O shells over pure pieces:

    _workload_split     split_requests, split_file, split_lines -> part files (InputFileInfo)
    _workload_records   Workload, Part, PartFile: the state (immutable)
    _workload_manifest  load_manifest, save_manifest (atomic), check_matches
    _workload_events    the events, and apply(workload, event) -> workload
    _workload_plan      next_actions(workload) -> the actions (this module)
    _workload_results   PartResults: one part's results -> what to yield, what to retry
    _workload_progress  snapshot(workload, since=, now=) -> WorkloadProgress

How `run(requests, *, endpoint, model_id=None, manifest=PATH, retry_failed=0, timeout=None,
on_progress=None, ...)` drives them (every `save` is `save_manifest(PATH, workload)`, and
`workload = apply(workload, event); save` is written "-> Event"; a change of batches'
progress alone is saved at most every `PROGRESS_SAVE_INTERVAL` seconds, `must_save` says):

1. Start or resume; nothing is sent in this step, and bad input fails here.
   `recorded = load_manifest(PATH)` (None: a new workload). The limits are the recorded
   ones when resuming (else `MAX_REQUESTS`, `MAX_FILE_BYTES`).
   `infos = split_requests(requests, parts_directory(PATH), prefix=round_prefix(0), ...)`
   (`split_file` when given the path of a JSONL file, as `submit` takes either) writes
   the round-0 part files from the requests on every run: a resumed run into a scratch
   directory in it, not fsynced.
   `given = new_workload([part_file(i, PATH.parent) for i in infos], endpoint=...,
   model_id=..., retry_failed=..., max_requests=..., max_bytes=...)`. New: `workload =
   given; save`. Resumed: `check_matches(recorded, given, infos, path=...)` raises
   `ManifestError` on any difference (the recorded part files untouched); else a recorded
   part file that is missing or differs is replaced by its scratch copy (fsynced), the
   scratch removed, and `workload = recorded`.
2. `while actions := next_actions(workload):` do them, in the order given (the uploads and
   creates concurrently, bounded by `max_concurrency`), each ending in an event:
   - `Upload(part)`: `files.upload(PATH.parent / part.input.path, purpose="batch-api")`
     -> `Uploaded(n, file.id)`. A crash before it was saved uploads again, and the
     server's checksum dedup (409) answers the same file without sending the bytes.
   - `Create(part)`: -> `CreateSent(n, at=time.time())` first, then `create_batch(
     endpoint, input_file_id=part.file_id, model_id=...)` -> `Created(n, job.id)`.
   - `FindBatch(part, known)`: a create was sent and its answer not saved. `batch_id =
     find_batch(part, list_batches(), endpoint=..., model_id=..., known=known)`: ->
     `Created(n, batch_id)`, or `NotCreated(n)` when None (the next plan creates it).
   - `Wait(parts)`: `as_completed([p.batch_id ...], timeout=what is left of run's
     deadline, on_progress=job -> Seen)`; each job yielded -> `seen(n, job)`, then that
     part's `Consume` (from the next plan) runs before the wait goes on.
   - `Consume(part, final)`: `tally = PartResults(part, final=final)`; for each result
     of `batches.results(part.batch_id)` (none when the part has neither an output nor an
     error file: a FAILED batch, or one that ended before any request ran, which
     `results` refuses), yield it if `tally.feed(result)`. Final: then
     yield `tally.unfinished(lines of the part's input)`; else write
     `tally.leftovers(lines)` with `InputFileWriter(parts_directory(PATH) /
     leftover_name(part), durable=True)` (a `PartFile` when it holds any, else None,
     and the file removed). -> `Consumed(n, tally.succeeded, leftover, results_offset)`.
   - `PlanRound(round, sources)`: `split_lines(lines of each source's leftover, in order,
     parts_directory(PATH), prefix=round_prefix(round), ...)` -> `RoundPlanned(round,
     files)`; the next plan uploads them.
   After each event, `on_progress(snapshot(workload, since=start, now=clock()))` where
   `start = sample(workload, at=clock())` was taken when the run began.
3. No actions left: every part is consumed and no round follows. Each request was handed
   on once per run with its last attempt's outcome; a run stopped in the middle of a
   part's results hands that part's on again when resumed (at least once).

Crash and resume: the same call with the same manifest reloads the state and plans from
it. A part uploaded is not uploaded again, a part created is not created again (the
`creating` mark sends `FindBatch` first), a terminal part is not waited for, a consumed
part's results are not read again. `status PATH` is `snapshot(load_manifest(PATH))` and a
table of `workload.parts` (number, round, state, requests, succeeded, batch_id).

The CLI `together-batches run INPUT.jsonl --endpoint E --manifest PATH [--retry-failed N]
[-o RESULTS.jsonl]` is `run` over INPUT's path (so `split_file` reports problems by INPUT's
line numbers; exit 65), writing each result as a line of RESULTS: before the first
`Consume` it cuts RESULTS to `workload.results_offset` (0 when None), and passes the
file's flushed, fsynced size as each `Consumed.results_offset` (a private hook of `run`),
so that a resumed run writes each outcome once.

The manifest (`_workload_manifest.SCHEMA`, version 1), paths relative to its directory:

    {"schema": "together-batches/workload", "version": 1,
     "endpoint": "/v1/chat/completions", "model_id": null, "retry_failed": 1,
     "max_requests": 50000, "max_bytes": 100000000, "results_offset": 10240,
     "parts": [
      {"number": 1, "round": 0, "sources": [],
       "input": {"path": "w.json.parts/part-00001.jsonl", "requests": 50000,
                 "size": 9120344, "sha256": "9f86d0..."},
       "file_id": "file-1", "creating": false, "create_sent_at": null, "batch_id": "b-1",
       "status": "EXPIRED", "progress": 0.6, "output_file_id": "file-2",
       "error_file_id": null, "consumed": true, "succeeded": 30000,
       "leftover": {"path": "w.json.parts/leftover-00001.jsonl", "requests": 20000,
                    "size": 3648100, "sha256": "e3b0c4..."}},
      {"number": 2, "round": 1, "sources": [1], "input": {...}, "file_id": null, ...}]}
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ._exceptions import InvalidFieldError
from ._models import BatchJob, readable_progress
from ._workload_events import Seen
from ._workload_records import Part, Workload

__all__ = ["CLOCK_SKEW", "Action", "Consume", "Create", "FindBatch", "PlanRound", "Upload",
           "Wait", "find_batch", "leftover_name", "next_actions", "parts_directory",
           "round_prefix", "seen"]  # fmt: skip

#: How far the server's clock may be behind ours, in seconds, when a batch found after a
#: crash is matched to the create that was sent.
CLOCK_SKEW = 300.0


@dataclass(frozen=True, slots=True)
class Upload:
    """Upload the part's input file."""

    part: Part


@dataclass(frozen=True, slots=True)
class Create:
    """Create the part's batch (saving `CreateSent` first)."""

    part: Part


@dataclass(frozen=True, slots=True)
class FindBatch:
    """Look for the batch a create sent for the part made: never one of `known`."""

    part: Part
    known: frozenset[str]


@dataclass(frozen=True, slots=True)
class Wait:
    """Wait for the parts' batches, handling each as it ends."""

    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Consume:
    """Read the part's results; `final`: no retry round follows, hand on failures too."""

    part: Part
    final: bool


@dataclass(frozen=True, slots=True)
class PlanRound:
    """Split the leftovers of `sources` (in order) into the parts of retry round `round`."""

    round: int
    sources: tuple[Part, ...]


Action = Upload | Create | FindBatch | Wait | Consume | PlanRound


def next_actions(workload: Workload) -> tuple[Action, ...]:
    """What to do next, from the workload's state alone (so the same after a resume).

    Returns:
        `FindBatch`, `Upload`, `Create` and `Consume` actions (one per part that needs
        it, by part number), then one `Wait` for every part whose batch is running; or,
        once every part is consumed, one `PlanRound` when a retry round is due; or
        nothing when the workload is done.
    """
    known = frozenset(p.batch_id for p in workload.parts if p.batch_id is not None)
    find: list[Action] = []
    upload: list[Action] = []
    create: list[Action] = []
    consume: list[Action] = []
    running: list[Part] = []
    for part in workload.parts:
        if part.file_id is None:
            upload.append(Upload(part))
        elif part.batch_id is None and part.creating:
            find.append(FindBatch(part, known))
        elif part.batch_id is None:
            create.append(Create(part))
        elif not part.terminal:
            running.append(part)
        elif not part.consumed:
            consume.append(Consume(part, final=part.round >= workload.retry_failed))
    actions = (*find, *upload, *create, *consume, *((Wait(tuple(running)),) if running else ()))
    return actions or _next_round(workload)


def _next_round(workload: Workload) -> tuple[Action, ...]:
    latest = workload.round
    sources = tuple(p for p in workload.parts if p.round == latest and p.leftover is not None)
    if latest >= workload.retry_failed or not sources:
        return ()
    return (PlanRound(latest + 1, sources),)


def seen(part: int, job: BatchJob) -> Seen:
    """The event of seeing part `part`'s batch as `job`."""
    # A progress the server sent as another type than a number is unknown: shown as 0.
    percent = readable_progress(job)
    progress = 0.0 if percent is None else percent / 100.0
    return Seen(part, str(job.status), progress, job.output_file_id, job.error_file_id)


def find_batch(
    part: Part, jobs: Iterable[BatchJob], *, endpoint: str, model_id: str | None,
    known: frozenset[str], skew: float = CLOCK_SKEW,
) -> str | None:  # fmt: skip
    """The batch a create sent for `part` made, among `jobs` (the account's list).

    A batch matches when it reads the part's input file with the workload's endpoint and
    model, is none of `known` (a retry part can have the same input file as an earlier
    one: the server dedups uploads by checksum), and was not created before the create
    was sent (less `skew`): another workload over the same file made that one.

    Returns:
        The newest match's id, or None when there is none (the create never arrived).
    """
    sent = part.create_sent_at

    def created(job: BatchJob) -> float | None:
        try:
            return None if job.created_at is None else job.created_at.timestamp()
        except InvalidFieldError:
            return None

    def matches(job: BatchJob) -> bool:
        # Any job of the account is here: one whose fields cannot be read is not a match,
        # never a failure of the run.
        try:
            return (
                job.input_file_id == part.file_id and job.id not in known
                and job.endpoint == endpoint and (model_id is None or job.model_id == model_id)
            )  # fmt: skip
        except InvalidFieldError:
            return False

    found: list[tuple[float, BatchJob]] = []
    for job in jobs:
        if matches(job):
            at = created(job)
            if not (sent is not None and at is not None and at < sent - skew):
                found.append((0 if at is None else at, job))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1].id


def parts_directory(manifest: str | os.PathLike[str]) -> Path:
    """Where a workload's part files go: `NAME.parts` beside its manifest `NAME`."""
    path = Path(manifest)
    return path.with_name(f"{path.name}.parts")


def round_prefix(round_: int) -> str:
    """The file-name prefix of a round's parts: "part" for the first, "retryN" after."""
    return "part" if round_ == 0 else f"retry{round_}"


def leftover_name(part: Part) -> str:
    """The file name of a part's leftover (its requests to try again)."""
    return f"leftover-{part.number:05d}.jsonl"

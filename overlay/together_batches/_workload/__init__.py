"""Workloads larger than one batch: what to do next, from the manifest's state alone.

A workload is one job over any number of requests, split over as many batches ("parts")
as the limits need, tracked in a manifest so that a run can resume after a crash, with
failed requests retried in rounds. `client.batches.run(...)` (both twins) and the CLI are
thin I/O shells over pure pieces.

The modules, by kind:

- pure (no I/O): `records`, `events`, `plan`, `progress`, `results`;
- on disk: `split` (part files), `manifest` (atomic JSON), `lock` (one run per manifest);
- the I/O shells: `session` (start or resume, shared by both twins), `driver` (sync) and
  `driver_async` (async), which drive `plan` with the client.

The pieces:

    split               split_requests, split_file, split_lines -> part files (InputFileInfo)
    records             Workload, Part, PartFile: the state (immutable)
    manifest            load_manifest, save_manifest (atomic), check_matches
    events              the events, and apply(workload, event) -> workload
    plan                next_actions(workload) -> the actions
    results             PartResults: one part's results -> what to yield, what to retry
    progress            snapshot(workload, since=, now=) -> WorkloadProgress

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

The manifest (`manifest.SCHEMA`, version 1), paths relative to its directory:

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

Loading: every module on first use (the first `batches.run`); nothing at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import driver as driver
    from . import driver_async as driver_async
    from . import events as events
    from . import lock as lock
    from . import manifest as manifest
    from . import plan as plan
    from . import progress as progress
    from . import records as records
    from . import results as results
    from . import session as session
    from . import split as split

ON_FIRST_USE = frozenset(
    {
        "driver",
        "driver_async",
        "events",
        "lock",
        "manifest",
        "plan",
        "progress",
        "records",
        "results",
        "session",
        "split",
    }
)
AT_IMPORT: frozenset[str] = frozenset()
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

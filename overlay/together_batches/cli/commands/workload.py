"""The workload commands: `run` (a workload of any size, resumable from its manifest) and
`status` (what a manifest records).

`run -o RESULTS.jsonl` writes each outcome once, even across resumes: before reading any
results it cuts RESULTS to where it ended when the last part was consumed (the manifest's
`results_offset`), and records the file's flushed, fsynced size as each part is consumed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from ..._client import Together
from ..._display.choose import is_tty, make_workload_display
from ..._exceptions import WaitTimeoutError
from ..._jsonl.results import BatchResult
from ..._jsonl.summary import ResultsSummary, summarize
from ..._wait.options import DEFAULT_MAX_CONCURRENCY
from ..._workload.driver import drive
from ..._workload.lock import ManifestInUse
from ..._workload.manifest import load_manifest
from ..._workload.progress import snapshot
from ..._workload.session import Session, start
from ..args import UsageError
from ..paths import input_path
from ..process import Terminated, print_error
from ..views.files import result_json, summary_lines
from ..views.render import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_TIMED_OUT,
    plain_text,
)
from ..views.workload_table import live_view_wanted, status_lines

__all__ = ["COMMANDS", "RunInProgress", "cmd_run", "cmd_status"]


@contextlib.contextmanager
def _results_file(path: Path | None, offset: int | None) -> Iterator[IO[bytes]]:
    """Where the results go: standard output, or `path` cut to `offset` (0 when None)."""
    if path is None:
        yield sys.stdout.buffer
        return
    mode = "r+b" if path.exists() else "wb"
    with path.open(mode) as stream:
        stream.truncate(offset or 0)
        stream.seek(0, os.SEEK_END)
        yield stream


def _synced_size(stream: IO[bytes]) -> int:
    stream.flush()
    os.fsync(stream.fileno())
    return stream.tell()


def _write_results(
    results: Iterable[BatchResult], session: Session, output: Path | None
) -> ResultsSummary:
    """Write each outcome the run yields to `output` (or stdout).

    Returns:
        The summary of this run's outcomes.
    """

    def written(results: Iterable[BatchResult], stream: IO[bytes]) -> Iterator[BatchResult]:
        for result in results:
            stream.write(result_json(result).encode() + b"\n")
            yield result

    with _results_file(output, session.workload.results_offset) as stream:
        if output is not None:
            session.results_offset = lambda: _synced_size(stream)
        summary = summarize(written(results, stream))
        stream.flush()
    return summary


class RunInProgress(Exception):
    """Another `run` of the manifest is open: exit 75 (EX_TEMPFAIL: try again later)."""


@contextlib.contextmanager
def _one_run(manifest: str) -> Iterator[None]:
    """The library's refusal of a second run, in the tool's words (no Python calls)."""
    try:
        yield
    except ManifestInUse as exc:
        raise RunInProgress(
            f"another run of the workload {manifest} is open (it holds {exc.lock.name}): "
            "wait for it to end (or stop it), then run the same command again; two runs at "
            "once could create a part's batch twice"
        ) from None


def cmd_run(client: Together, args: argparse.Namespace) -> int:
    """`run INPUT.jsonl --endpoint E --manifest PATH`: run (or resume) a workload, showing
    its progress on stderr (a live view on a terminal) and writing each outcome as a JSON
    line to RESULTS (or stdout). Exit 0 when every request succeeded, 1 when some failed
    or never ran, 2 when `--timeout` passed (run again); 130 or 143 when stopped, saying
    that the batches go on and the same command resumes. The manifest's lock is given back
    (its file deleted) however the run ends."""
    if args.retry_failed < 0:
        raise UsageError("argument --retry-failed: must be 0 or more")
    output = Path(args.output) if args.output else None
    live = live_view_wanted(is_tty(sys.stderr), output is None and is_tty(sys.stdout))
    display = make_workload_display(sys.stderr, live=live)
    with input_path(args.input) as path, _one_run(args.manifest):
        session = start(
            path,
            endpoint=args.endpoint,
            model_id=args.model_id,
            manifest=args.manifest,
            retry_failed=args.retry_failed,
            timeout=args.timeout,
            on_progress=display.update,
            max_concurrency=DEFAULT_MAX_CONCURRENCY,
        )
    results = drive(client, session)
    try:
        with display:
            display.update(session.progress())  # a resumed run shows where it stands at once
            summary = _write_results(results, session, output)
    except WaitTimeoutError as exc:
        print_error(f"{plain_text(str(exc)).rstrip('.')}; run the same command again to go on")
        return EXIT_TIMED_OUT
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as `Terminated`
        terminated = isinstance(exc, Terminated)
        how = "terminated (SIGTERM)" if terminated else "interrupted"
        print_error(
            f"{how}; the batches already created keep running on the service, and the "
            f"results read so far are recorded in {args.manifest}: run the same command "
            "again to resume where it stopped"
        )
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    finally:
        close = getattr(results, "close", None)  # a generator's: its `finally` ends the run
        if close is not None:
            close()
        session.close()
    final = snapshot(session.workload)
    counts, tokens = summary_lines(summary)
    print(
        f"this run: {counts}; the workload: {final.succeeded:,} of {final.total:,} succeeded\n"
        f"this run's {tokens}",
        file=sys.stderr,
    )
    return EXIT_OK if final.succeeded == final.total else EXIT_FAILED


def cmd_status(args: argparse.Namespace) -> int:
    """`status PATH`: what a workload's manifest records (nothing is sent)."""
    workload = load_manifest(args.manifest)
    if workload is None:
        raise UsageError(f"no manifest at {args.manifest}: `run` writes one")
    for line in status_lines(workload):
        print(line)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {"run": cmd_run}

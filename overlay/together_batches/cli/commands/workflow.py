"""The workflow commands: `submit` (check, upload, create, and maybe wait and download),
`download` (a finished batch's files) and `results` (each request's outcome)."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ..._client import Together
from ..._display.choose import TransferBar, make_display
from ..._exceptions import WaitTimeoutError
from ..._jsonl.results import BatchResult, ResultsUnavailableError
from ..._jsonl.summary import summarize
from ..._models import BatchJob, BatchWarning
from ...resources.workflow import download_targets
from ..args import UsageError
from ..errors import cancel_outcome, seen_text
from ..process import Terminated, print_error
from ..views.files import result_json, result_line, summary_lines
from ..views.render import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_TIMED_OUT,
    exit_code_for,
    job_fields,
    job_json,
    outcome_line,
)
from ..views.show import show_details

__all__ = ["COMMANDS", "save_files"]


def save_files(client: Together, job: BatchJob, target: Path, out: TextIO) -> None:
    """Download a finished job's output file to `target` (a directory: `ID.jsonl` in it)
    and its error file beside it, each with a progress bar and a line when saved.

    Raises:
        ResultsUnavailableError: The job has not ended, or has neither file.
    """
    for (file_id, where), kind in zip(
        download_targets(job, target), ("output", "error"), strict=True
    ):
        if file_id is None:
            continue
        with TransferBar(out, "Downloading", where.name) as bar:
            client.files.download(file_id, where, on_progress=bar)
        print(f"saved the {kind} file {file_id} to {where}", file=out, flush=True)


def _create_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"model_id": args.model_id, "priority": args.priority}
    if args.completion_window is not None:
        options["completion_window"] = args.completion_window
    return options


def cmd_submit(client: Together, args: argparse.Namespace) -> int:
    """`submit INPUT.jsonl --endpoint E`: check, upload (with a bar), create; with `--wait`,
    wait (with a bar) and, with `--download DIR`, save the files. A check failure prints
    every problem and exits 65 (in `main`), nothing sent."""
    for option, value in (("--download", args.download), ("--timeout", args.timeout)):
        if value is not None and not args.wait:
            raise UsageError(f"argument {option}: needs --wait")
    path = Path(args.input)
    # With --json standard output carries only the JSON, so the progress goes to stderr.
    out = sys.stderr if args.json else sys.stdout
    with TransferBar(out, "Uploading", path.name) as bar, warnings.catch_warnings():
        warnings.simplefilter("ignore", BatchWarning)  # printed below as one line
        job = client.batches.submit(
            path, endpoint=args.endpoint, on_upload_progress=bar, **_create_options(args)
        )
    if job.warning:
        print(f"warning: {job.warning}", file=sys.stderr)
    print(
        f"submitted {path} as batch {job.id} ({job.status}), input file {job.input_file_id}",
        file=out,
        flush=True,
    )
    if not args.wait:
        if args.json:
            print(job_json(job))
        else:
            show_details(job_fields(job))
        return EXIT_OK
    waited = _wait(client, job, args, out)
    if isinstance(waited, int):
        return waited
    if args.download is not None:
        _save_into(client, waited, Path(args.download), out)
    print(job_json(waited) if args.json else outcome_line(waited))
    return exit_code_for(waited.status)


def _wait(client: Together, job: BatchJob, args: argparse.Namespace, out: TextIO) -> BatchJob | int:
    """Wait for the job with a progress view: the job, or the exit code of a cut wait."""
    display = make_display(out)
    seen = [job]

    def update(polled: BatchJob) -> None:
        seen[0] = polled
        display.update(polled)

    try:
        with display:
            return client.batches.wait_until_done(
                job.id, timeout=args.timeout, on_progress=update, on_poll_error=display.failed
            )
    except WaitTimeoutError as exc:
        limit = "the job's deadline" if args.timeout is None else f"{args.timeout:g}s"
        print_error(
            f"timed out after {limit} waiting for batch {job.id}{seen_text(exc.job)}; "
            f"it goes on: together-batches wait {job.id}"
        )
        return EXIT_TIMED_OUT
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as `Terminated`
        terminated = isinstance(exc, Terminated)
        how = "terminated (SIGTERM)" if terminated else "interrupted"
        print_error(f"{how}; {cancel_outcome(job.id, None, seen[0])}", args.api_key)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


def _save_into(client: Together, job: BatchJob, directory: Path, out: TextIO) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    try:
        save_files(client, job, directory, out)
    except ResultsUnavailableError as exc:
        print(f"nothing to download: {exc}", file=sys.stderr)


def cmd_download(client: Together, args: argparse.Namespace) -> int:
    """`download ID [-o PATH]`: the output file to PATH (default `ID.jsonl`), the error file
    beside it as `NAME.errors.jsonl`, each with a progress bar."""
    job = client.batches.get_batch(args.id)
    save_files(client, job, Path(args.output or f"{job.id}.jsonl"), sys.stdout)
    return EXIT_OK


def cmd_results(client: Together, args: argparse.Namespace) -> int:
    """`results ID [--failed] [--json]`: one line per request, as its result files are
    streamed (a request that never ran included); the summary on stderr at the end."""
    printed: set[str] = set()

    def shown(results: Iterable[BatchResult]) -> Iterator[BatchResult]:
        for result in results:
            if args.json and not (result.ok and args.failed):
                print(result_json(result))
            elif not args.failed:
                print(result_line(result))
            elif result.failed and result.custom_id not in printed:  # to resubmit, once
                printed.add(result.custom_id)
                print(result.custom_id)
            yield result

    summary = summarize(shown(client.batches.results(args.id)))
    print("\n".join(summary_lines(summary)), file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {
    "submit": cmd_submit,
    "download": cmd_download,
    "results": cmd_results,
}

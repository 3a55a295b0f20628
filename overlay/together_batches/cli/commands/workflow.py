"""The workflow commands: `submit` (check, upload, create, and maybe wait and download),
`download` (a finished batch's files) and `results` (each request's answer)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ... import _files
from ..._client import Together
from ..._display.choose import TransferBar, make_display
from ..._exceptions import WaitTimeoutError
from ..._jsonl.inputs import check_input_file
from ..._jsonl.results import BatchResult, ResultsUnavailableError
from ..._jsonl.summary import summarize
from ..._models import BatchJob, BatchWarning
from ...resources.downloads import download_targets, names_a_directory
from ..args import UsageError
from ..errors import cancel_outcome, not_ready_text, seen_text
from ..paths import input_path, shown_name
from ..process import Terminated, print_error
from ..views.files import result_json, result_line, summary_lines
from ..views.render import (
    EXIT_FAILED,
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


def save_files(client: Together, job: BatchJob, target: str | Path, out: TextIO) -> None:
    """Download a finished job's output file to `target` (a directory: `ID.jsonl` in it)
    and its error file beside it, each with a progress bar and a line when saved.

    Raises:
        ResultsUnavailableError: The job has not ended, or has neither file.
    """
    targets = download_targets(job, target)  # raises before a directory is made
    if names_a_directory(target):
        os.makedirs(target, exist_ok=True)
    for (file_id, where), kind in zip(targets, ("output", "error"), strict=True):
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


def _create(client: Together, file_id: str, args: argparse.Namespace) -> BatchJob:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BatchWarning)  # printed below as one line
        job = client.batches.create_batch(file_id, args.endpoint, **_create_options(args))
    if job.warning:
        print(f"warning: {job.warning}", file=sys.stderr)
    return job


def _upload(client: Together, args: argparse.Namespace, out: TextIO) -> tuple[str, int]:
    """Check the input (every problem: exit 65, nothing sent) and upload it with a bar.

    Returns:
        The uploaded file's id, and how many requests the input holds.
    """
    name = shown_name(args.input)
    existing: list[str] = []
    with input_path(args.input) as path:
        info = check_input_file(path)
        source = _files.source.prepare_source(path, sha256=info.sha256, size=info.size)
        with TransferBar(out, "Uploading", path.name) as bar:
            file = client.files._send(source, "batch-api", bar, None, on_existing=existing.append)
    if existing:
        print(f"{name} is already uploaded as file {file.id}", file=out, flush=True)
    return file.id, info.requests


def cmd_submit(client: Together, args: argparse.Namespace) -> int:
    """`submit INPUT.jsonl --endpoint E` (or `--file-id ID` for an input uploaded already):
    check, upload (with a bar), create; with `--wait`, wait (with a bar) and, with
    `--download DIR`, save the files. A check failure prints every problem and exits 65 (in
    `main`), nothing sent. Waited, it exits as `run` does: 0 only when every request
    succeeded, 1 when some failed or never ran (3 when the batch was cancelled)."""
    for option, value in (("--download", args.download), ("--timeout", args.timeout)):
        if value is not None and not args.wait:
            raise UsageError(f"argument {option}: needs --wait")
    if (args.input is None) == (args.file_id is None):
        raise UsageError("give the input file (INPUT.jsonl, or - for stdin) or --file-id, not both")
    # With --json standard output carries only the JSON, so the progress goes to stderr.
    out = sys.stderr if args.json else sys.stdout
    expected: int | None = None
    if args.file_id is not None:
        file_id, what = args.file_id, f"file {args.file_id}"
    else:
        file_id, expected = _upload(client, args, out)
        what = shown_name(args.input)
    job = _create(client, file_id, args)
    print(
        f"submitted {what} as batch {job.id} ({job.status}), input file {job.input_file_id}",
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
    code = exit_code_for(waited.status)
    if code != EXIT_OK:
        return code
    return _all_succeeded(client, waited, expected)


def _all_succeeded(client: Together, job: BatchJob, expected: int | None) -> int:
    """Exit 0 when every request of a COMPLETED job succeeded, else 1 with a line that
    says how many failed or never ran (the same rule as `run`'s)."""
    summary = summarize(client.batches.results(job))
    missing = 0 if expected is None else max(0, expected - summary.requests)
    if not summary.failed and not summary.not_run and not missing:
        return EXIT_OK
    never = f", and {missing:,} more never ran" if missing else ""
    print_error(
        f"batch {job.id}: {summary_lines(summary)[0]}{never}; together-batches "
        f"results {job.id} --failed lists the failed custom_ids"
    )
    return EXIT_FAILED


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
        print(f"nothing to download: {not_ready_text(exc)}", file=sys.stderr)


def cmd_download(client: Together, args: argparse.Namespace) -> int:
    """`download ID [-o PATH]`: the output file to PATH (default `ID.jsonl`; `DIR/` or an
    existing directory: `ID.jsonl` in it, made if need be), the error file beside it as
    `NAME.errors.jsonl`, each with a progress bar."""
    job = client.batches.get_batch(args.id)
    # As typed: `Path` would drop the trailing `/` that says "into this directory".
    save_files(client, job, args.output or f"{job.id}.jsonl", sys.stdout)
    return EXIT_OK


def _width(stream: TextIO) -> int:
    """The columns a line may take: `$COLUMNS`, else the terminal's; 0 (no limit) when the
    output is a pipe or a file."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    try:
        live = stream.isatty()
    except (ValueError, AttributeError):
        live = False
    return shutil.get_terminal_size().columns if live else 0


def cmd_results(client: Together, args: argparse.Namespace) -> int:
    """`results ID [--failed] [--json]`: one line per request (custom_id, ok, failed or not
    run, the answer or the error, cut to the terminal's width), as its result files are
    streamed (a request that never ran included); the summary on stderr at the end."""
    printed: set[str] = set()
    width = _width(sys.stdout)

    def shown(results: Iterable[BatchResult]) -> Iterator[BatchResult]:
        for result in results:
            if args.json and not (result.ok and args.failed):
                print(result_json(result))
            elif not args.failed:
                print(result_line(result, width))
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

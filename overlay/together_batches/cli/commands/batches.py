"""The batch commands: `list`, `get`, `create`, `cancel` and `wait`."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import Any

from ..._client import Together
from ..._display.choose import make_display
from ..._exceptions import TogetherError, WaitTimeoutError
from ..._models import BatchJob, BatchWarning
from ..._wait.options import CANCEL_TIMEOUT
from ..args import check_wait_intervals
from ..connect import client_for
from ..errors import CancelResult, cancel_outcome, seen_text
from ..process import Terminated, print_error
from ..views.render import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_TIMED_OUT,
    TABLE_HEADER,
    exit_code_for,
    job_fields,
    job_json,
    jobs_json,
    outcome_line,
    parse_status_filter,
    table_rows,
)
from ..views.show import show_details, show_table

__all__ = ["COMMANDS"]


def _print_job(job: BatchJob, as_json: bool) -> None:
    if as_json:
        print(job_json(job))
    else:
        show_details(job_fields(job))


def cmd_list(client: Together, args: argparse.Namespace) -> int:
    """`list`: every job, optionally filtered by status."""
    wanted = parse_status_filter(args.status)
    jobs = [job for job in client.batches.list_batches() if not wanted or str(job.status) in wanted]
    if args.json:
        print(jobs_json(jobs))
    elif jobs:
        show_table(TABLE_HEADER, table_rows(jobs))
    else:
        print("No batch jobs." if not wanted else "No batch jobs with that status.")
    return EXIT_OK


def cmd_get(client: Together, args: argparse.Namespace) -> int:
    """`get ID`: one job."""
    _print_job(client.batches.get_batch(args.id), args.json)
    return EXIT_OK


def cmd_create(client: Together, args: argparse.Namespace) -> int:
    """`create`: start a batch; the server's warning goes to stderr."""
    options: dict[str, Any] = {"model_id": args.model_id, "priority": args.priority}
    if args.completion_window is not None:
        options["completion_window"] = args.completion_window
    with warnings.catch_warnings():
        # The warning is printed below as one line, not as Python's warning with a source line.
        warnings.simplefilter("ignore", BatchWarning)
        job = client.batches.create_batch(args.input_file_id, args.endpoint, **options)
    if job.warning:
        print(f"warning: {job.warning}", file=sys.stderr)
    _print_job(job, args.json)
    return EXIT_OK


def cmd_cancel(client: Together, args: argparse.Namespace) -> int:
    """`cancel ID`: ask for a cancel; prints the job (normally CANCELING)."""
    _print_job(client.batches.cancel_batch(args.id), args.json)
    return EXIT_OK


def cmd_wait(client: Together, args: argparse.Namespace) -> int:
    """`wait ID`: poll until the job ends; the exit code tells how it ended.

    On the timeout, Ctrl-C or SIGTERM the tool itself sends the cancel that
    `--cancel-on-timeout` asks for (not the waiter), so that it can say what became of the
    job: cancelled, or still running, with its id.
    """
    check_wait_intervals(args)
    options: dict[str, Any] = {"timeout": args.timeout}
    if args.poll_interval is not None:
        # Asked for an interval, one gets that interval: no backoff unless a cap is given.
        options["poll_interval"] = options["max_poll_interval"] = args.poll_interval
    if args.max_poll_interval is not None:
        options["max_poll_interval"] = args.max_poll_interval
    # With --json standard output carries only the JSON, so the progress goes to stderr.
    display = make_display(sys.stderr if args.json else sys.stdout)
    seen: list[BatchJob] = []

    def update(job: BatchJob) -> None:
        seen[:] = [job]
        display.update(job)

    try:
        with display:
            job = client.batches.wait_until_done(
                args.id, on_progress=update, on_poll_error=display.failed, **options
            )
    except WaitTimeoutError as exc:
        return _timed_out(exc, args)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as `Terminated`
        return _interrupted(exc, args, seen[0] if seen else None)
    print(job_json(job) if args.json else outcome_line(job))
    return exit_code_for(job.status)


def _cancel(args: argparse.Namespace) -> CancelResult:
    """Ask once for the job to be cancelled, within `CANCEL_TIMEOUT`: the tool is stopping."""
    if not args.cancel_on_timeout:
        return None
    try:
        with client_for(args, max_retries=0, timeout=CANCEL_TIMEOUT) as client:
            return client.batches.cancel_batch(args.id)
    except TogetherError as exc:
        return exc


def _interrupted(exc: KeyboardInterrupt, args: argparse.Namespace, last: BatchJob | None) -> int:
    terminated = isinstance(exc, Terminated)
    how = "terminated (SIGTERM)" if terminated else "interrupted"
    print_error(f"{how}; {cancel_outcome(args.id, _cancel(args), last)}", args.api_key)
    return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


def _timed_out(exc: WaitTimeoutError, args: argparse.Namespace) -> int:
    last = exc.job
    if last is not None and args.json:
        print(job_json(last))
    cancelled = ""
    if args.cancel_on_timeout:
        cancelled = "; " + cancel_outcome(args.id, _cancel(args), last)
    # Without --timeout the wait ends at the job's own deadline (plus grace), not after N s.
    limit = "the job's deadline" if args.timeout is None else f"{args.timeout:g}s"
    print_error(f"timed out after {limit} waiting for batch {args.id}{seen_text(last)}{cancelled}")
    return EXIT_TIMED_OUT


#: The commands that talk to the API, by name: each gets a client and the parsed options.
COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {
    "list": cmd_list,
    "get": cmd_get,
    "create": cmd_create,
    "cancel": cmd_cancel,
    "wait": cmd_wait,
}

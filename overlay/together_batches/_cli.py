"""The `together-batches` command: list, get, create, cancel and wait on batch jobs.

    together-batches list --status IN_PROGRESS,VALIDATING
    together-batches wait batch-abc123 --timeout 3600 && echo done
    together-batches emulator --port 8765      # a local Batch API to try it all against
    together-batches demo                      # the whole round trip, offline, in seconds

Exit codes (see `_cli_render`): 0 success (and `wait`: COMPLETED), 1 FAILED or EXPIRED,
2 the wait timed out, 3 CANCELLED, 4 an API, network or server error, 64 a usage error
(bad arguments, no API key, a malformed base URL), 70 an unexpected error, 130 Ctrl-C,
141 a closed pipe, 143 SIGTERM (handled as Ctrl-C is). Errors are one line on standard
error, never a traceback, never the API key.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ._batches import BatchWarning
from ._cli_args import UsageError, build_parser, check_wait_intervals
from ._cli_errors import CancelResult, cancel_outcome, error_hint, seen_text
from ._cli_process import Terminated, sigterm_as_interrupt, verbose_logging
from ._cli_progress import make_display
from ._cli_render import (
    EXIT_API_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMED_OUT,
    EXIT_USAGE,
    TABLE_HEADER,
    exit_code_for,
    format_table,
    job_details,
    job_json,
    jobs_json,
    outcome_line,
    parse_status_filter,
    redact,
    table_rows,
)
from ._client import Together
from ._config import DEFAULT_BASE_URL, base_url_problem
from ._exceptions import TogetherError, WaitTimeoutError
from ._models import BatchJob
from ._polling import CANCEL_TIMEOUT

__all__ = ["build_parser", "main"]

EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug here, reported without a traceback
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `cmd | head` leaves a shell-native tool with
EXIT_TERMINATED = 143  # 128 + SIGTERM


def _key(args: argparse.Namespace) -> str:
    key = args.api_key or os.environ.get("TOGETHER_API_KEY")
    if not key:
        raise UsageError("no API key: set TOGETHER_API_KEY or pass --api-key")
    return str(key)


def _base_url(args: argparse.Namespace) -> str:
    """The base URL to use, checked before any request; a malformed one is a usage error."""
    if args.base_url:
        source, url = "--base-url", args.base_url
    elif os.environ.get("TOGETHER_BASE_URL"):
        source, url = "TOGETHER_BASE_URL", os.environ["TOGETHER_BASE_URL"]
    else:
        return DEFAULT_BASE_URL
    problem = base_url_problem(url)
    if problem is not None:
        raise UsageError(f"{source} {url!r} {problem}: give one such as {DEFAULT_BASE_URL}")
    return str(url).rstrip("/")


def _client(args: argparse.Namespace, **options: Any) -> Together:
    return Together(api_key=_key(args), base_url=_base_url(args), **options)


def _print_job(job: BatchJob, as_json: bool) -> None:
    print(job_json(job) if as_json else "\n".join(job_details(job)))


def cmd_list(client: Together, args: argparse.Namespace) -> int:
    """`list`: every job, optionally filtered by status."""
    wanted = parse_status_filter(args.status)
    jobs = [job for job in client.batches.list_batches() if not wanted or str(job.status) in wanted]
    if args.json:
        print(jobs_json(jobs))
    elif jobs:
        print("\n".join(format_table(TABLE_HEADER, table_rows(jobs))))
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
        with _client(args, max_retries=0, timeout=CANCEL_TIMEOUT) as client:
            return client.batches.cancel_batch(args.id)
    except TogetherError as exc:
        return exc


def _interrupted(exc: KeyboardInterrupt, args: argparse.Namespace, last: BatchJob | None) -> int:
    terminated = isinstance(exc, Terminated)
    how = "terminated (SIGTERM)" if terminated else "interrupted"
    _error(f"{how}; {cancel_outcome(args.id, _cancel(args), last)}", args.api_key)
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
    _error(f"timed out after {limit} waiting for batch {args.id}{seen_text(last)}{cancelled}")
    return EXIT_TIMED_OUT


def cmd_emulator(args: argparse.Namespace) -> int:
    """`emulator`: serve a local Batch API in the foreground until Ctrl-C or SIGTERM."""
    # Imported here: only this command and `demo` need the emulator, so the others start faster.
    from .testing import JobPlan, run_server  # noqa: PLC0415

    plan = JobPlan(
        validating_seconds=args.validating_seconds,
        running_seconds=args.running_seconds,
        fail_after_seconds=args.fail_after_seconds,
        failed_fraction=args.failed_fraction,
    )
    try:
        run_server(
            args.port, args.emulator_api_key or None, host=args.host, speed=args.speed,
            plan=plan, strict_files=args.strict_input_files, out=sys.stdout,
        )  # fmt: skip
    except OSError as exc:  # the port is taken, the host unknown
        reason = exc.strerror or str(exc)
        _error(f"cannot serve on {args.host}:{args.port}: {reason} (check --host and --port; "
               "--port 0 picks a free one)")  # fmt: skip
        return EXIT_API_ERROR
    # Ctrl-C (or SIGTERM) is how a foreground server is meant to stop: a clean exit here.
    print("emulator stopped", file=sys.stderr)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """`demo`: a whole batch against a built-in emulator, no key or network needed."""
    from ._cli_demo import run_demo  # noqa: PLC0415 - see cmd_emulator

    return run_demo(sys.stdout)


_CLIENT_COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {
    "list": cmd_list,
    "get": cmd_get,
    "create": cmd_create,
    "cancel": cmd_cancel,
    "wait": cmd_wait,
}
_LOCAL_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "emulator": cmd_emulator,
    "demo": cmd_demo,
}


def _dispatch(args: argparse.Namespace) -> int:
    local = _LOCAL_COMMANDS.get(args.command)
    if local is not None:
        return local(args)
    with _client(args) as client:
        return _CLIENT_COMMANDS[args.command](client, args)


def _error(message: str, given_key: str | None = None) -> None:
    # Messages are never built from request headers, but an id or URL typed by mistake could
    # still hold the key: mask both the one in the environment and the one given.
    for secret in (os.environ.get("TOGETHER_API_KEY"), given_key):
        message = redact(message, secret)
    print(f"error: {message}", file=sys.stderr, flush=True)


def _used_base_url(args: argparse.Namespace | None) -> str:
    url = (args.base_url if args else None) or os.environ.get("TOGETHER_BASE_URL")
    return str(url or DEFAULT_BASE_URL).rstrip("/")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool.

    Args:
        argv: The arguments, without the program name; `sys.argv[1:]` by default.

    Returns:
        The exit code.
    """
    args: argparse.Namespace | None = None
    key: str | None = None
    try:
        with sigterm_as_interrupt():
            args = build_parser().parse_args(argv)
            key = args.api_key
            secrets = [os.environ.get("TOGETHER_API_KEY"), key]
            with verbose_logging(args.verbose, secrets, sys.stderr):
                return _dispatch(args)
    except Terminated:
        _error("terminated (SIGTERM)")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _error(str(exc), key)
        return EXIT_USAGE
    except (ValueError, TypeError) as exc:
        # What the client raises before sending anything; the tool checks its arguments
        # first, so this is a last resort, kept to one line.
        _error(str(exc), key)
        return EXIT_USAGE
    except TogetherError as exc:
        _error(f"{type(exc).__name__}: {exc}{error_hint(exc, _used_base_url(args))}", key)
        return EXIT_API_ERROR
    except BrokenPipeError:
        # The reader went away (`... | head`): say nothing, and keep Python's exit-time
        # flush of standard output from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        _error(f"{type(exc).__name__}: {exc}", key)
        return EXIT_API_ERROR
    except Exception as exc:  # the promise is one line, never a traceback
        _error(f"unexpected {type(exc).__name__}: {exc}", key)
        return EXIT_INTERNAL

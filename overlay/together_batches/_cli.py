"""The `together-batches` command: list, get, create, cancel and wait on batch jobs.

    together-batches list --status IN_PROGRESS,VALIDATING
    together-batches wait batch-abc123 --timeout 3600 && echo done
    together-batches emulator --port 8765      # a local Batch API to try it all against
    together-batches demo                      # the whole round trip, offline, in seconds

Exit codes (see `_cli_render`): 0 success (and `wait`: COMPLETED), 1 FAILED or EXPIRED,
2 the wait timed out, 3 CANCELLED, 4 an API, network or server error, 64 a usage error
(bad arguments, no API key), 70 an unexpected error, 130 Ctrl-C, 141 a closed pipe.
Errors are one line on standard error, never a traceback, never the API key.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._batches import BatchWarning
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
from ._exceptions import TogetherError, WaitTimeoutError
from ._models import BatchJob
from ._version import __version__

__all__ = ["build_parser", "main"]

PROG = "together-batches"
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug here, reported without a traceback
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `cmd | head` leaves a shell-native tool with
DEFAULT_EMULATOR_PORT = 8765
DEFAULT_EMULATOR_KEY = "test-key"


_EXIT_CODES = """exit codes:
  0   success (wait: the job COMPLETED)
  1   wait: the job FAILED or EXPIRED
  2   wait: the timeout passed first
  3   wait: the job was CANCELLED
  4   API, network or server error
  64  usage error (bad arguments, no API key)
  130 interrupted (Ctrl-C)"""


class UsageError(Exception):
    """A mistake in how the tool was called: exit 64."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit 64, not 2: 2 means "timed out"."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _add_connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Declared on the main parser and on each subcommand, so they work before or after the
    # subcommand's name. SUPPRESS on the subcommand keeps its (absent) default from
    # overwriting a value given before the name.
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--api-key", default=default, help="API key (default: $TOGETHER_API_KEY)")
    parser.add_argument(
        "--base-url",
        default=default,
        help="API base URL (default: $TOGETHER_BASE_URL, else https://api.together.ai/v1)",
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 to 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the whole tool."""
    parser = _Parser(
        prog=PROG, description="Work with Together AI batch jobs.", epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_connection_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _Parser(add_help=False)
    _add_connection_options(common, suppress=True)

    def command(name: str, text: str, *, api: bool = True) -> argparse.ArgumentParser:
        # `api` commands talk to the API, so they take the connection options too.
        parents = [common] if api else []
        return commands.add_parser(name, help=text, description=text, parents=parents)

    _add_list_parser(command("list", "List batch jobs as a table."))
    _add_id_parser(command("get", "Show one batch job."))
    _add_create_parser(command("create", "Start a batch over an uploaded input file."))
    _add_id_parser(command("cancel", "Ask for a batch job to be cancelled."))
    _add_wait_parser(command("wait", "Wait for a batch job to finish, showing its progress."))
    _add_emulator_parser(command("emulator", "Run a local Batch API emulator.", api=False))
    command("demo", "Run a batch end to end against a built-in emulator.", api=False)
    return parser


def _add_json_option(parser: argparse.ArgumentParser, text: str = "print the job as JSON") -> None:
    parser.add_argument("--json", action="store_true", help=text)


def _add_list_parser(listing: argparse.ArgumentParser) -> None:
    listing.add_argument(
        "--status", action="append", metavar="STATUS",
        help="only jobs with this status; repeat or separate with commas",
    )  # fmt: skip
    _add_json_option(listing, "print a JSON array of jobs")


def _add_id_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the batch job id")
    _add_json_option(parser)


def _add_create_parser(create: argparse.ArgumentParser) -> None:
    create.add_argument("--input-file-id", required=True, help="the uploaded JSONL file's id")
    create.add_argument("--endpoint", required=True, help="e.g. /v1/chat/completions")
    create.add_argument("--model-id", help="the model, if the input lines name none")
    create.add_argument("--priority", type=int, help="processing priority")
    create.add_argument("--completion-window", help="the API accepts only 24h (the default)")
    _add_json_option(create)


def _add_emulator_parser(emulator: argparse.ArgumentParser) -> None:
    emulator.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    emulator.add_argument(
        "--port", type=int, default=DEFAULT_EMULATOR_PORT,
        help=f"port (default: {DEFAULT_EMULATOR_PORT}; 0 picks a free one)",
    )  # fmt: skip
    emulator.add_argument(
        "--api-key", dest="emulator_api_key", default=DEFAULT_EMULATOR_KEY,
        help=f"the key clients must send (default: {DEFAULT_EMULATOR_KEY}; '' accepts any)",
    )  # fmt: skip
    emulator.add_argument(
        "--speed", type=_positive, default=1.0,
        help="emulated seconds per real second (default: 1; 60 runs an hour a minute)",
    )  # fmt: skip
    plan = emulator.add_argument_group("every job's plan")
    plan.add_argument(
        "--validating-seconds", type=_non_negative, default=2.0, metavar="S",
        help="how long a job is VALIDATING (default: 2)",
    )  # fmt: skip
    plan.add_argument(
        "--running-seconds", type=_non_negative, default=30.0, metavar="S",
        help="how long a job is IN_PROGRESS before it COMPLETES (default: 30)",
    )  # fmt: skip
    plan.add_argument(
        "--fail-after-seconds", type=_non_negative, metavar="S",
        help="make every job FAIL this long after its creation (default: never)",
    )  # fmt: skip
    plan.add_argument(
        "--failed-fraction", type=_fraction, default=0.0, metavar="F",
        help="share of valid requests that go to the error file, 0 to 1 (default: 0)",
    )  # fmt: skip
    emulator.add_argument(
        "--strict-input-files", action="store_true",
        help="refuse a create whose input file was not uploaded (default: make one up)",
    )  # fmt: skip


def _add_wait_parser(wait: argparse.ArgumentParser) -> None:
    wait.add_argument("id", help="the batch job id")
    wait.add_argument(
        "--timeout",
        type=_positive,
        help="give up after this many seconds (exit 2; default: the job's own deadline)",
    )
    wait.add_argument(
        "--poll-interval", type=_positive,
        help="seconds between polls (default: 2, backing off to 60 while nothing changes)",
    )  # fmt: skip
    wait.add_argument(
        "--max-poll-interval", type=_positive,
        help="back off from --poll-interval up to this many seconds while nothing changes",
    )  # fmt: skip
    wait.add_argument(
        "--cancel-on-timeout", action="store_true",
        help="ask for the job to be cancelled if the timeout passes or on Ctrl-C",
    )  # fmt: skip
    _add_json_option(wait, "print the final job as JSON (the progress goes to stderr)")


def _client(args: argparse.Namespace) -> Together:
    key = args.api_key or os.environ.get("TOGETHER_API_KEY")
    if not key:
        raise UsageError("no API key: set TOGETHER_API_KEY or pass --api-key")
    return Together(api_key=key, base_url=args.base_url or None)


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
    """`wait ID`: poll until the job ends; the exit code tells how it ended."""
    options: dict[str, Any] = {"timeout": args.timeout, "cancel_on_timeout": args.cancel_on_timeout}
    if args.poll_interval is not None:
        # Asked for an interval, one gets that interval: no backoff unless a cap is given.
        options["poll_interval"] = options["max_poll_interval"] = args.poll_interval
    if args.max_poll_interval is not None:
        options["max_poll_interval"] = args.max_poll_interval
    # With --json standard output carries only the JSON, so the progress goes to stderr.
    display = make_display(sys.stderr if args.json else sys.stdout)
    try:
        with display:
            job = client.batches.wait_until_done(args.id, on_progress=display.update, **options)
    except WaitTimeoutError as exc:
        return _timed_out(exc, args)
    print(job_json(job) if args.json else outcome_line(job))
    return exit_code_for(job.status)


def _timed_out(exc: WaitTimeoutError, args: argparse.Namespace) -> int:
    last = exc.job
    seen = "" if last is None else f"; last seen {last.status} {last.progress_percent:.1f}%"
    if last is not None and args.json:
        print(job_json(last))
    cancelled = "; cancel requested" if args.cancel_on_timeout else ""
    # Without --timeout the wait ends at the job's own deadline (plus grace), not after N s.
    limit = "the job's deadline" if args.timeout is None else f"{args.timeout:g}s"
    _error(f"timed out after {limit} waiting for batch {args.id}{seen}{cancelled}")
    return EXIT_TIMED_OUT


def cmd_emulator(args: argparse.Namespace) -> int:
    """`emulator`: serve a local Batch API in the foreground until Ctrl-C."""
    # Imported here: only this command and `demo` need the emulator, so the others start faster.
    from .testing import JobPlan, run_server  # noqa: PLC0415

    plan = JobPlan(
        validating_seconds=args.validating_seconds,
        running_seconds=args.running_seconds,
        fail_after_seconds=args.fail_after_seconds,
        failed_fraction=args.failed_fraction,
    )
    run_server(
        args.port, args.emulator_api_key or None, host=args.host, speed=args.speed, plan=plan,
        strict_files=args.strict_input_files, out=sys.stdout,
    )  # fmt: skip
    # Ctrl-C is how a foreground server is meant to stop, so it is a clean exit here.
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool.

    Args:
        argv: The arguments, without the program name; `sys.argv[1:]` by default.

    Returns:
        The exit code.
    """
    key: str | None = None
    try:
        args = build_parser().parse_args(argv)
        key = args.api_key
        return _dispatch(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except (ValueError, TypeError) as exc:
        # What the client raises before sending anything, e.g. for a job id of "..".
        _error(f"{type(exc).__name__}: {exc}", key)
        return EXIT_USAGE
    except TogetherError as exc:
        _error(f"{type(exc).__name__}: {exc}", key)
        return EXIT_API_ERROR
    except BrokenPipeError:
        # The reader went away (`... | head`): say nothing, and keep Python's exit-time
        # flush of standard output from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # e.g. the emulator's port is taken
        _error(f"{type(exc).__name__}: {exc}", key)
        return EXIT_API_ERROR
    except Exception as exc:  # the promise is one line, never a traceback
        _error(f"unexpected {type(exc).__name__}: {exc}", key)
        return EXIT_INTERNAL

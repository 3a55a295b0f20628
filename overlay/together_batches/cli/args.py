"""The `together-batches` command line: its parser, and the checks on each argument.

Every value is checked here, before any request, and an error names the argument as typed
on the command line (`argument ID: ...`, `argument --status: ...`), never the library's
parameter names. A usage error is one line and exit 64 (see `main`).
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from .._version import __version__
from .._wait.options import DEFAULT_POLL_INTERVAL
from .argtypes import an_id, fraction, non_negative, not_empty, port, positive, statuses

__all__ = ["PROG", "UsageError", "build_parser", "check_wait_intervals"]

PROG = "together-batches"
DEFAULT_EMULATOR_PORT = 8765
DEFAULT_EMULATOR_KEY = "test-key"

_EXIT_CODES = """exit codes:
  0   success (wait, submit --wait, run: every request succeeded)
  1   the batch FAILED or EXPIRED, or (submit --wait, run) some requests failed or never ran
  2   the timeout passed first (wait, submit --wait, run); the batches go on
  3   the batch was CANCELLED
  4   API, network or server error
  5   not ready: the batch has not ended, so it has no results yet (results, download)
  6   not created: the service answered the create with a warning and no batch
  64  usage error (bad arguments, no API key, a malformed base URL)
  65  the input file has problems (each is printed, with its line)
  66  an input file is missing, unreadable or a directory
  70  unexpected error (a bug: please report it)
  74  a local file could not be written or read on the way (disk full, permissions)
  75  another run of the workload is open (run): try again when it ends
  130 interrupted (Ctrl-C)
  141 the output's reader went away (a closed pipe, as in `| head`)
  143 terminated (SIGTERM)"""

#: How an input file argument says it takes standard input.
_STDIN_HELP = "; - reads standard input"


class UsageError(Exception):
    """A mistake in how the tool was called: exit 64."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit 64, not 2: 2 means "timed out"."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _add_common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Declared on the main parser and on each subcommand, so they work before or after the
    # subcommand's name. SUPPRESS on the subcommand keeps its (absent) default from
    # overwriting a value given before the name.
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--api-key", default=default, help="API key (default: $TOGETHER_API_KEY)")
    parser.add_argument(
        "--base-url",
        default=default,
        help=(
            "API base URL, with or without /v1 (default: $TOGETHER_BASE_URL, else "
            "https://api.together.ai)"
        ),
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="log each request, retry and poll to stderr (DEBUG; the key is masked)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the whole tool."""
    parser = _Parser(
        prog=PROG,
        description="Work with Together AI batch jobs.",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _Parser(add_help=False)
    _add_common_options(common, suppress=True)

    def command(name: str, text: str, *, api: bool = True) -> argparse.ArgumentParser:
        # `api` commands talk to the API, so they take the connection options too.
        parents = [common] if api else []
        return commands.add_parser(name, help=text, description=text, parents=parents)

    check = command("check", "Check an input file as a batch would, sending nothing.", api=False)
    check.add_argument(
        "path", metavar="FILE", help=f"the batch input file (JSON Lines){_STDIN_HELP}"
    )
    _add_list_parser(command("list", "List batch jobs as a table."))
    _add_id_parser(command("get", "Show one batch job."))
    _add_create_parser(command("create", "Start a batch over an uploaded input file."))
    _add_id_parser(command("cancel", "Ask for a batch job to be cancelled."))
    _add_wait_parser(command("wait", "Wait for a batch job to finish, showing its progress."))
    _add_submit_parser(command("submit", "Check an input file, upload it and start a batch."))
    _add_download_parser(command("download", "Save a finished batch's output and error files."))
    _add_results_parser(command("results", "Print each request's outcome, or the failed ones."))
    _add_files_parsers(
        command("files", "List, show, upload, download, print or delete files."), common
    )
    _add_run_parser(command("run", "Run a workload of any size as batches, resumably."))
    status = command("status", "Show what a workload's manifest records.", api=False)
    status.add_argument("manifest", metavar="PATH", help="the workload's manifest (from `run`)")
    _add_emulator_parser(command("emulator", "Run a local Batch API emulator.", api=False))
    command("demo", "Run a batch end to end against a built-in emulator.", api=False)
    return parser


def _add_json_option(parser: argparse.ArgumentParser, text: str = "print the job as JSON") -> None:
    parser.add_argument("--json", action="store_true", help=text)


def _add_list_parser(listing: argparse.ArgumentParser) -> None:
    listing.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        type=statuses,
        help="only jobs with this status; repeat or separate with commas",
    )
    _add_json_option(listing, "print a JSON array of jobs")


def _add_id_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", type=an_id, help="the batch job id")
    _add_json_option(parser)


def _add_create_parser(create: argparse.ArgumentParser) -> None:
    create.add_argument(
        "--input-file-id", required=True, type=an_id, help="the uploaded JSONL file's id"
    )
    create.add_argument(
        "--endpoint", required=True, type=not_empty, help="e.g. /v1/chat/completions"
    )
    create.add_argument(
        "--model",
        "--model-id",
        dest="model_id",
        metavar="MODEL",
        help="the model, if the input lines name none",
    )
    create.add_argument("--priority", type=int, help="processing priority")
    create.add_argument("--completion-window", help="the API accepts only 24h (the default)")
    _add_json_option(create)


def _add_submit_parser(submit: argparse.ArgumentParser) -> None:
    submit.add_argument(
        "input",
        metavar="INPUT.jsonl",
        nargs="?",
        help=f"the batch input file (JSON Lines){_STDIN_HELP}",
    )
    submit.add_argument(
        "--file-id",
        type=an_id,
        metavar="ID",
        help="start the batch over this input file, uploaded already (instead of INPUT.jsonl)",
    )
    submit.add_argument(
        "--endpoint", required=True, type=not_empty, help="e.g. /v1/chat/completions"
    )
    submit.add_argument(
        "--model",
        "--model-id",
        dest="model_id",
        metavar="MODEL",
        help="the model, if the lines name none",
    )
    submit.add_argument("--priority", type=int, help="processing priority")
    submit.add_argument("--completion-window", help="the API accepts only 24h (the default)")
    submit.add_argument("--wait", action="store_true", help="wait for the batch, showing progress")
    submit.add_argument(
        "--timeout",
        type=positive,
        help="with --wait: give up waiting after this many seconds (exit 2)",
    )
    submit.add_argument(
        "--download",
        metavar="DIR",
        help="with --wait: save the output and error files into DIR (made if need be)",
    )
    _add_json_option(submit, "print the job as JSON (progress goes to stderr)")


def _add_run_parser(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "input",
        metavar="INPUT.jsonl",
        help=f"the requests (JSON Lines), any number{_STDIN_HELP} (the same to resume)",
    )
    run.add_argument("--endpoint", required=True, type=not_empty, help="e.g. /v1/chat/completions")
    run.add_argument(
        "--manifest",
        required=True,
        metavar="PATH",
        help="the workload's record; the same command with it resumes",
    )
    run.add_argument(
        "--model",
        "--model-id",
        dest="model_id",
        metavar="MODEL",
        help="the model, if the lines name none",
    )
    run.add_argument(
        "--retry-failed",
        type=int,
        default=0,
        metavar="N",
        help="resubmit the requests that failed, up to N rounds (default 0)",
    )
    run.add_argument(
        "-o",
        "--output",
        metavar="RESULTS.jsonl",
        help="write the results here (each once, across resumes), not to stdout",
    )
    run.add_argument(
        "--timeout",
        type=positive,
        help="give up waiting after this many seconds (exit 2; run again)",
    )


def _add_download_parser(download: argparse.ArgumentParser) -> None:
    download.add_argument("id", metavar="ID", type=an_id, help="the batch job id")
    download.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="the output file's path, or a directory: DIR/ (made if need be) or an existing "
        "one gets ID.jsonl in it (default: ID.jsonl here); the error file goes beside it as "
        "NAME.errors.jsonl",
    )


def _add_results_parser(results: argparse.ArgumentParser) -> None:
    results.add_argument("id", metavar="ID", type=an_id, help="the batch job id")
    results.add_argument(
        "--failed",
        action="store_true",
        help="only the failed requests: their custom_ids, one a line (to resubmit them)",
    )
    _add_json_option(
        results,
        "print each result whole, as a JSON line of the result files (default: custom_id, "
        "ok or failed, and the answer's text or the error, cut to the terminal's width)",
    )


def _add_files_parsers(files: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    actions = files.add_subparsers(dest="files_command", metavar="ACTION", required=True)

    def action(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=text, description=text, parents=[common])

    _add_json_option(action("list", "List the account's files."), "print a JSON array of files")
    get = action("get", "Show one file's details.")
    get.add_argument("id", metavar="ID", type=an_id, help="the file id")
    _add_json_option(get, "print the file as JSON")
    upload = action("upload", "Upload a file, with a progress bar.")
    upload.add_argument("path", metavar="PATH", help=f"the file to upload{_STDIN_HELP}")
    upload.add_argument(
        "--purpose",
        default="batch-api",
        type=not_empty,
        help="what the file is for (default: batch-api)",
    )
    upload.add_argument(
        "--no-check",
        dest="check",
        action="store_false",
        help="upload a batch-api file without checking its lines first",
    )
    _add_json_option(upload, "print the file as JSON")
    download = action("download", "Save a file, with a progress bar.")
    download.add_argument("id", metavar="ID", type=an_id, help="the file id")
    download.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="where to save it; DIR/ (made if need be) or an existing directory gets ID.EXT "
        "in it (default: ID.EXT here, EXT from the file's name)",
    )
    content = action("content", "Print a file's bytes to standard output, as they are.")
    content.add_argument("id", metavar="ID", type=an_id, help="the file id")
    delete = action("delete", "Delete a file for good.")
    delete.add_argument("id", metavar="ID", type=an_id, help="the file id")


def _add_emulator_parser(emulator: argparse.ArgumentParser) -> None:
    emulator.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    emulator.add_argument(
        "--port",
        type=port,
        default=DEFAULT_EMULATOR_PORT,
        help=f"port (default: {DEFAULT_EMULATOR_PORT}; 0 picks a free one)",
    )
    emulator.add_argument(
        "--api-key",
        dest="emulator_api_key",
        default=DEFAULT_EMULATOR_KEY,
        help=f"the key clients must send (default: {DEFAULT_EMULATOR_KEY}; '' accepts any)",
    )
    emulator.add_argument(
        "--speed",
        type=positive,
        default=1.0,
        help="emulated seconds per real second (default: 1; 60 runs an hour a minute)",
    )
    plan = emulator.add_argument_group("every job's plan")
    plan.add_argument(
        "--validating-seconds",
        type=non_negative,
        default=2.0,
        metavar="S",
        help="how long a job is VALIDATING (default: 2)",
    )
    plan.add_argument(
        "--running-seconds",
        type=non_negative,
        default=30.0,
        metavar="S",
        help="how long a job is IN_PROGRESS before it COMPLETES (default: 30)",
    )
    plan.add_argument(
        "--fail-after-seconds",
        type=non_negative,
        metavar="S",
        help="make every job FAIL this long after its creation (default: never)",
    )
    plan.add_argument(
        "--failed-fraction",
        type=fraction,
        default=0.0,
        metavar="F",
        help="share of valid requests that go to the error file, 0 to 1 (default: 0)",
    )
    emulator.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="make the same ids every run from this seed (default: random ids, as the API's)",
    )
    emulator.add_argument(
        "--strict-input-files",
        action="store_true",
        help="refuse a create whose input file was not uploaded (default: make one up)",
    )


def _add_wait_parser(wait: argparse.ArgumentParser) -> None:
    wait.add_argument("id", metavar="ID", type=an_id, help="the batch job id")
    wait.add_argument(
        "--timeout",
        type=positive,
        help="give up after this many seconds (exit 2; default: the job's own deadline)",
    )
    wait.add_argument(
        "--poll-interval",
        type=positive,
        help="seconds between polls (default: 2, backing off to 60 while nothing changes)",
    )
    wait.add_argument(
        "--max-poll-interval",
        type=positive,
        help="back off from --poll-interval up to this many seconds while nothing changes",
    )
    wait.add_argument(
        "--cancel-on-timeout",
        action="store_true",
        help="ask for the job to be cancelled if the timeout passes, on Ctrl-C or on SIGTERM",
    )
    _add_json_option(wait, "print the final job as JSON (the progress goes to stderr)")


def check_wait_intervals(args: argparse.Namespace) -> None:
    """`--max-poll-interval` below `--poll-interval` is a usage error, named as typed.

    Raises:
        UsageError: It is.
    """
    shortest, longest = args.poll_interval, args.max_poll_interval
    if longest is not None and longest < (shortest or DEFAULT_POLL_INTERVAL):
        first = (
            f"the default {DEFAULT_POLL_INTERVAL:g}s"
            if shortest is None
            else f"--poll-interval ({shortest:g}s)"
        )
        raise UsageError(f"argument --max-poll-interval: must be at least {first}")

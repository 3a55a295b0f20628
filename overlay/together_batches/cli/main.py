"""The `together-batches` command: submit batches, wait on them, read their results, and
manage jobs and files.

    together-batches submit in.jsonl --endpoint /v1/chat/completions --wait --download out/
    together-batches results batch-abc123 --failed     # the custom_ids to resubmit
    together-batches list --status IN_PROGRESS,VALIDATING
    together-batches wait batch-abc123 --timeout 3600 && echo done
    together-batches files list
    together-batches run big.jsonl --endpoint /v1/chat/completions --manifest w.json -o out.jsonl
    together-batches status w.json             # a workload's parts, from its manifest
    together-batches emulator --port 8765      # a local Batch API to try it all against
    together-batches demo                      # the whole round trip, offline, in seconds

Exit codes (`views/render.py`, and `--help`'s epilog in `args.py`): 0 success (`wait`:
COMPLETED; `submit --wait` and `run`: every request succeeded), 1 the batch FAILED or
EXPIRED, or some requests failed or never ran, 2 the timeout passed first, 3 CANCELLED, 4 an
API, network or server error, 5 not ready (no results before the batch ends), 6 not created (the
service answered a create with a warning and no batch: `not created: <warning>`), 64 a usage
error (bad arguments, no API key, a malformed base URL), 65 an input file with problems
(every one printed with its line; nothing sent), 66 an input file missing, unreadable or a
directory, 70 an unexpected error, 74 a local file that could not be written, 75 another
`run` of the workload is open, 130 Ctrl-C,
141 a closed pipe, 143 SIGTERM (handled as Ctrl-C is). Errors are one line on standard error
(an input file's problems one a line) without Python's names, never a traceback, never the
API key.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from .._client import Together
from .._exceptions import BatchNotCreatedError, InputFileError, TogetherError
from .._jsonl.results import ResultsUnavailableError
from . import commands
from .args import UsageError, build_parser
from .commands import batches, files, workflow, workload
from .connect import client_for, used_base_url
from .errors import api_error_text, not_created_line, not_ready_text, os_error_text
from .paths import InputUnreadable
from .process import Terminated, print_error, sigterm_as_interrupt, verbose_logging
from .views.files import problem_lines
from .views.render import (
    EXIT_API_ERROR,
    EXIT_BROKEN_PIPE,
    EXIT_BUSY,
    EXIT_DATA,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_IO,
    EXIT_NO_INPUT,
    EXIT_NOT_CREATED,
    EXIT_NOT_READY,
    EXIT_TERMINATED,
    EXIT_USAGE,
    plain_text,
)

__all__ = ["build_parser", "main"]


def _cmd_emulator(args: argparse.Namespace) -> int:
    return commands.emulator.cmd_emulator(args)


def _cmd_status(args: argparse.Namespace) -> int:
    return workload.cmd_status(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    return commands.demo.cmd_demo(args)


#: The commands that need no API key: they run locally.
_LOCAL_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": files.cmd_check,
    "emulator": _cmd_emulator,
    "demo": _cmd_demo,
    "status": _cmd_status,
}


#: The commands that talk to the API, by name: each gets a client and the parsed options.
_API_COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {
    **batches.COMMANDS,
    **workflow.COMMANDS,
    **files.COMMANDS,
    **workload.COMMANDS,
}


def _dispatch(args: argparse.Namespace) -> int:
    local = _LOCAL_COMMANDS.get(args.command)
    if local is not None:
        return local(args)
    with client_for(args) as client:
        return _API_COMMANDS[args.command](client, args)


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
        print_error("terminated (SIGTERM)")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print_error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`... | head`): say nothing, and keep Python's exit-time
        # flush of standard output from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the promise is one line, never a traceback
        return _report(exc, args, key)


def _report(exc: Exception, args: argparse.Namespace | None, key: str | None) -> int:
    """Print what went wrong as one line (an input's problems one a line), without
    Python's names; return the exit code that means it."""
    code, message = _failure(exc, args)
    print_error(message, key)
    if isinstance(exc, InputFileError):
        for line in problem_lines(exc)[1:]:
            print(line, file=sys.stderr)
    return code


def _failure(exc: Exception, args: argparse.Namespace | None) -> tuple[int, str]:
    """The exit code of a failure, and its line (without `error: `)."""
    if isinstance(exc, UsageError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, InputUnreadable):
        return EXIT_NO_INPUT, str(exc)
    if isinstance(exc, workload.RunInProgress):
        return EXIT_BUSY, str(exc)
    if isinstance(exc, InputFileError):  # also a ValueError: before those
        return EXIT_DATA, problem_lines(exc)[0].removeprefix("error: ")
    if isinstance(exc, (ValueError, TypeError)):
        # What the client raises before sending anything; the tool checks its arguments
        # first, so this is a last resort, kept to one line.
        return EXIT_USAGE, plain_text(str(exc))
    if isinstance(exc, ResultsUnavailableError):
        # Not ready yet is not an API error; a batch that ended without files, a failure.
        code = EXIT_FAILED if exc.job.status.is_terminal else EXIT_NOT_READY
        return code, not_ready_text(exc)
    if isinstance(exc, BatchNotCreatedError):  # `create`, `submit`, `run`: the server's warning
        return EXIT_NOT_CREATED, not_created_line(exc)
    if isinstance(exc, TogetherError):
        return EXIT_API_ERROR, api_error_text(exc, used_base_url(args))
    if isinstance(exc, OSError):  # a local file, written (or read) on the way: not the network's
        return EXIT_IO, os_error_text(exc)
    return EXIT_INTERNAL, f"unexpected error ({type(exc).__name__}: {exc}); please report it"

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

Exit codes (see `cli/render.py`): 0 success (and `wait`: COMPLETED), 1 FAILED or EXPIRED,
2 the wait timed out, 3 CANCELLED, 4 an API, network or server error, 5 not created (the
service answered a create with a warning and no batch: `not created: <warning>`), 64 a usage error
(bad arguments, no API key, a malformed base URL), 65 an input file with problems (every
one printed with its line; nothing sent), 70 an unexpected error, 130 Ctrl-C, 141 a closed
pipe, 143 SIGTERM (handled as Ctrl-C is). Errors are one line on standard error (an input
file's problems one a line), never a traceback, never the API key.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from .._client import Together
from .._exceptions import BatchNotCreatedError, InputFileError, TogetherError
from . import commands
from .args import UsageError, build_parser
from .commands import batches, files, workflow, workload
from .connect import client_for, used_base_url
from .errors import error_hint, not_created_line
from .process import Terminated, print_error, sigterm_as_interrupt, verbose_logging
from .views.files import problem_lines
from .views.render import (
    EXIT_API_ERROR,
    EXIT_BROKEN_PIPE,
    EXIT_DATA,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NOT_CREATED,
    EXIT_TERMINATED,
    EXIT_USAGE,
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
    except UsageError as exc:
        print_error(str(exc), key)
        return EXIT_USAGE
    except InputFileError as exc:  # also a ValueError: caught before those
        first, *rest = problem_lines(exc)
        print_error(first.removeprefix("error: "), key)
        for line in rest:
            print(line, file=sys.stderr)
        return EXIT_DATA
    except (ValueError, TypeError) as exc:
        # What the client raises before sending anything; the tool checks its arguments
        # first, so this is a last resort, kept to one line.
        print_error(str(exc), key)
        return EXIT_USAGE
    except BatchNotCreatedError as exc:  # `create`, `submit`, `run`: the server's warning
        print_error(not_created_line(exc), key)
        return EXIT_NOT_CREATED
    except TogetherError as exc:
        print_error(f"{type(exc).__name__}: {exc}{error_hint(exc, used_base_url(args))}", key)
        return EXIT_API_ERROR
    except BrokenPipeError:
        # The reader went away (`... | head`): say nothing, and keep Python's exit-time
        # flush of standard output from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        print_error(f"{type(exc).__name__}: {exc}", key)
        return EXIT_API_ERROR
    except Exception as exc:  # the promise is one line, never a traceback
        print_error(f"unexpected {type(exc).__name__}: {exc}", key)
        return EXIT_INTERNAL

"""The `together-batches` command: list, get, create, cancel and wait on batch jobs.

    together-batches list --status IN_PROGRESS,VALIDATING
    together-batches wait batch-abc123 --timeout 3600 && echo done
    together-batches emulator --port 8765      # a local Batch API to try it all against
    together-batches demo                      # the whole round trip, offline, in seconds

Exit codes (see `cli/render.py`): 0 success (and `wait`: COMPLETED), 1 FAILED or EXPIRED,
2 the wait timed out, 3 CANCELLED, 4 an API, network or server error, 64 a usage error
(bad arguments, no API key, a malformed base URL), 70 an unexpected error, 130 Ctrl-C,
141 a closed pipe, 143 SIGTERM (handled as Ctrl-C is). Errors are one line on standard
error, never a traceback, never the API key.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from .._exceptions import TogetherError
from . import batches
from .args import UsageError, build_parser
from .connect import client_for, used_base_url
from .errors import error_hint
from .process import Terminated, print_error, sigterm_as_interrupt, verbose_logging
from .render import (
    EXIT_API_ERROR,
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)

__all__ = ["build_parser", "main"]


def _cmd_emulator(args: argparse.Namespace) -> int:
    # Imported on use: only this command and `demo` need the emulator, so the others start
    # faster.
    from .emulator import cmd_emulator  # noqa: PLC0415

    return cmd_emulator(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import cmd_demo  # noqa: PLC0415 - see _cmd_emulator

    return cmd_demo(args)


#: The commands that need no API key: they run locally.
_LOCAL_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "emulator": _cmd_emulator,
    "demo": _cmd_demo,
}


def _dispatch(args: argparse.Namespace) -> int:
    local = _LOCAL_COMMANDS.get(args.command)
    if local is not None:
        return local(args)
    with client_for(args) as client:
        return batches.COMMANDS[args.command](client, args)


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
    except (ValueError, TypeError) as exc:
        # What the client raises before sending anything; the tool checks its arguments
        # first, so this is a last resort, kept to one line.
        print_error(str(exc), key)
        return EXIT_USAGE
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

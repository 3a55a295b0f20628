"""The `emulator` command: a local Batch API in the foreground (`together_batches.testing`)."""

from __future__ import annotations

import argparse
import sys

from ...testing import JobPlan, run_server
from ..process import print_error
from ..views.render import EXIT_API_ERROR, EXIT_OK

__all__ = ["cmd_emulator"]


def cmd_emulator(args: argparse.Namespace) -> int:
    """`emulator`: serve a local Batch API in the foreground until Ctrl-C or SIGTERM."""
    plan = JobPlan(
        validating_seconds=args.validating_seconds,
        running_seconds=args.running_seconds,
        fail_after_seconds=args.fail_after_seconds,
        failed_fraction=args.failed_fraction,
    )
    try:
        run_server(
            args.port,
            args.emulator_api_key or None,
            host=args.host,
            speed=args.speed,
            plan=plan,
            strict_files=args.strict_input_files,
            out=sys.stdout,
            seed=args.seed,
        )
    except OSError as exc:  # the port is taken, the host unknown
        reason = exc.strerror or str(exc)
        print_error(
            f"cannot serve on {args.host}:{args.port}: {reason} (check --host and --port; "
            "--port 0 picks a free one)"
        )
        return EXIT_API_ERROR
    # Ctrl-C (or SIGTERM) is how a foreground server is meant to stop: a clean exit here.
    print("emulator stopped", file=sys.stderr)
    return EXIT_OK

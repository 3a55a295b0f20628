"""`run_server`: an emulator on real time, in the foreground, as `together-batches emulator`
runs it."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from ._clock import SystemClock
from ._emulator import Emulator
from ._plan import JobPlan

__all__ = ["run_server"]


def run_server(
    port: int = 8000,
    api_key: str | None = "test-key",
    *,
    host: str = "127.0.0.1",
    speed: float = 1.0,
    plan: JobPlan | None = None,
    strict_files: bool = False,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    seed: int | None = None,
) -> None:
    """Run an emulator on real time (optionally sped up) until Ctrl-C: for the CLI.

    Prints the base URL alone on the first line, then a hint line.

    Args:
        port: The port, or 0 for a free one.
        api_key: The bearer token clients must send, or None to accept any.
        host: The interface; keep the loopback default.
        speed: Emulated seconds per real second (60.0 runs an hour a minute).
        plan: Every job's timeline; the `JobPlan` defaults when None.
        strict_files: Whether a create must name an uploaded input file (see `Emulator`).
        stop: Set it to stop the server (tests); Ctrl-C does it otherwise.
        out: Where to print; standard output by default.
        seed: Makes the ids the same every run; random ids by default (see `Emulator`).
    """
    plan = plan or JobPlan()
    emulator = Emulator(
        api_key=api_key,
        clock=SystemClock(speed=speed),
        plan=plan,
        strict_files=strict_files,
        seed=seed,
    )
    stream = out or sys.stdout

    def ready(base_url: str) -> None:
        print(base_url, file=stream)
        key = "any key" if api_key is None else f"api key {api_key!r}"
        hint = f"Batch API emulator ({key}, speed x{speed:g}; {_describe(plan, strict_files)})"
        print(f"{hint}; Ctrl-C stops it.", file=stream)
        stream.flush()

    emulator.serve_forever(host, port, ready=ready, stop=stop)


def _describe(plan: JobPlan, strict_files: bool) -> str:
    """The jobs' plan in words, for the server's hint line."""
    words = [f"jobs validate {plan.validating_seconds:g} s, run {plan.running_seconds:g} s"]
    if plan.fail_after_seconds is not None:
        words.append(f"fail at {plan.fail_after_seconds:g} s")
    words.append(f"{plan.failed_fraction:.0%} of requests fail")
    if strict_files:
        words.append("input files must be uploaded")
    return ", ".join(words)

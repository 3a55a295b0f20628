"""The workload's progress view: its pure texts and decisions (tables), the plain lines'
rate limit on a fake clock, and the live view on a stream that says it is a terminal, also
through `run` itself."""

from __future__ import annotations

import argparse
import io
import logging
import threading
import time
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest
from rich.console import Console

from together_batches import Together, WorkloadProgress
from together_batches._display.choose import is_tty, make_workload_display
from together_batches._display.plain import UNFINISHED_AT_MOST, WorkloadLines, held_progress
from together_batches._display.text import (
    change_key,
    left_now,
    line_due,
    plain_workload_line,
    progress_text,
    workload_text,
)
from together_batches._display.workload import WorkloadLive
from together_batches.cli.commands import workload as workload_cli
from together_batches.cli.views.workload_table import live_view_wanted
from together_batches.testing import Emulator, FakeClock, JobPlan

from ._screen import frames, screen
from .test_cli_files import ENDPOINT, KEY, write_input


def progress(
    done: int = 101,
    failed: int = 6,
    processed: float = 120.0,
    round_: int = 0,
    time_left: float | None = 9.0,
    **parts: int,
) -> WorkloadProgress:
    states = parts or {"COMPLETED": 1, "IN_PROGRESS": 3}
    return WorkloadProgress(
        total=240,
        succeeded=done - failed,
        failed=failed,
        processed=processed,
        parts=MappingProxyType(states),
        parts_consumed=1,
        round=round_,
        retry_failed=1,
        time_left=time_left,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def live(out: io.StringIO, clock: Clock, width: int = 200) -> WorkloadLive:
    console = Console(file=out, force_terminal=True, width=width, color_system=None)
    return WorkloadLive(console, clock=clock)


def drawn(out: io.StringIO) -> list[str]:
    """The text of each frame of the one-row live view, the bar left out."""
    return [" ".join(frame[0].lstrip("━╸╺ ").split()) for frame in frames(out.getvalue())]


@pytest.mark.parametrize(
    ("time_left", "age", "expected"),
    [
        (30.0, 0.0, 30.0),
        (30.0, 12.5, 17.5),  # counted down between updates
        (30.0, -1.0, 30.0),  # a clock that went back does not add time
        (30.0, 30.0, None),  # run out, and not done: no honest number
        (30.0, 45.0, None),
        (0.0, 10.0, 0.0),  # all processed stays all processed
        (None, 0.0, None),  # no estimate
    ],
)
def test_left_now(time_left: float | None, age: float, expected: float | None) -> None:
    assert left_now(time_left, age) == expected


@pytest.mark.parametrize(
    ("shown", "text"),
    [
        (
            progress(),
            "101/240 requests done (6 failed); parts: 1 COMPLETED, 3 IN_PROGRESS; 0:09 left",
        ),
        (
            progress(time_left=None),
            "101/240 requests done (6 failed); parts: 1 COMPLETED, 3 IN_PROGRESS",
        ),
        (
            progress(round_=1, COMPLETED=4, uploaded=1),
            "101/240 requests done (6 failed); "
            "parts: 4 COMPLETED, 1 uploaded; retry round 1 of 1; 0:09 left",
        ),
        (
            progress(done=240, processed=240.0, time_left=0.0, COMPLETED=5),
            "240/240 requests done (6 failed); parts: 5 COMPLETED",
        ),
    ],
)
def test_progress_text(shown: WorkloadProgress, text: str) -> None:
    assert progress_text(shown) == text


def test_plain_workload_line() -> None:
    assert plain_workload_line(progress(), 7.9) == (
        "0:07   50%  101/240 requests done (6 failed); parts: 1 COMPLETED, 3 IN_PROGRESS; 0:09 left"
    )


FULL = "101/240 done, 6 failed, 0:09 left; parts: 1 COMPLETED, 3 IN_PROGRESS"


@pytest.mark.parametrize(
    ("shown", "text"),
    [
        (progress(), FULL),
        (progress(time_left=None), "101/240 done, 6 failed; parts: 1 COMPLETED, 3 IN_PROGRESS"),
        (
            progress(processed=300.0, done=240, time_left=0.0, COMPLETED=4),
            "240/240 done, 6 failed; parts: 4 COMPLETED",
        ),
        (
            progress(round_=1, COMPLETED=4, uploaded=1),
            "101/240 done, 6 failed, 0:09 left; retry round 1 of 1; parts: 4 COMPLETED, 1 uploaded",
        ),
    ],
)
def test_workload_text(shown: WorkloadProgress, text: str) -> None:
    assert workload_text(shown) == text


@pytest.mark.parametrize("width", [40, 80, 100, 200])
def test_the_live_view_keeps_to_one_line_whatever_the_width(width: int) -> None:
    out, clock = Terminal(), Clock()
    with live(out, clock, width) as view:
        clock.now = 7.0
        view.update(progress(round_=1, COMPLETED=4, uploaded=1))
    shown = frames(out.getvalue())
    assert all(len(frame) == 1 and len(frame[0]) <= width for frame in shown)
    assert screen(out.getvalue()) == [shown[-1][0], ""]  # no debris: the last frame only
    if width >= 100:
        assert (
            shown[-1][0].split()[-13:]
            == f"50% 0:07 {workload_text(progress(round_=1, COMPLETED=4, uploaded=1))}".split()[
                -13:
            ]
        )


def test_the_change_key_ignores_the_time_left_only() -> None:
    base = change_key(progress())
    assert change_key(progress(time_left=3.0)) == base
    assert change_key(progress(time_left=None)) == base
    for changed in (
        progress(done=102),
        progress(failed=7),
        progress(round_=1),
        progress(processed=125.0),
        progress(COMPLETED=2, IN_PROGRESS=2),
    ):
        assert change_key(changed) != base
    assert change_key(progress(processed=120.5)) == base  # under a whole percent


@pytest.mark.parametrize(
    ("key", "printed", "printed_at", "now", "due"),
    [
        ("a", None, None, 0.0, True),  # the first line
        ("a", "a", 0.0, 100.0, False),  # nothing changed
        ("b", "a", 0.0, 1.9, False),  # changed, too soon
        ("b", "a", 0.0, 2.0, True),
        ("b", "a", 0.0, 50.0, True),
    ],
)
def test_line_due(
    key: str, printed: str | None, printed_at: float | None, now: float, due: bool
) -> None:
    assert line_due(key, printed, printed_at, now, 2.0) is due


@pytest.mark.parametrize(
    ("progress_tty", "results_tty", "live"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_live_view_wanted(progress_tty: bool, results_tty: bool, live: bool) -> None:
    assert live_view_wanted(progress_tty, results_tty) is live


def test_plain_lines_print_changes_at_most_every_interval_and_the_last_state() -> None:
    # Rate-limited by `interval` on the fake clock; no ticker thread (`tick=None`): `check`
    # is what its ticks call.
    out, clock = io.StringIO(), Clock()
    with WorkloadLines(out, interval=2.0, tick=None, clock=clock) as lines:
        lines.update(progress(done=0, failed=0, processed=0.0))  # printed: the first
        clock.now = 1.0
        lines.update(progress(done=0, failed=0, processed=0.0, time_left=5.0))  # no change
        lines.update(progress(done=60, failed=0, processed=60.0))  # held back: too soon
        lines.check()
        assert len(out.getvalue().splitlines()) == 1
        clock.now = 3.0
        lines.check()  # the held-back change, its time left counted down by 2 s
        clock.now = 3.5
        lines.update(progress(done=120, failed=0, processed=120.0))  # held back
        lines.update(progress(done=180, failed=0, processed=180.0))  # held back
        clock.now = 5.2
    printed = out.getvalue().splitlines()
    assert printed == [
        "0:00    0%  0/240 requests done (0 failed); parts: 1 COMPLETED, 3 IN_PROGRESS; 0:09 left",
        "0:03   25%  60/240 requests done (0 failed); parts: 1 COMPLETED, 3 IN_PROGRESS; 0:07 left",
        # The end prints the last state held back (not the one before it), 1.7 s after it.
        "0:05   75%  180/240 requests done (0 failed); parts: 1 COMPLETED, 3 IN_PROGRESS; "
        "0:08 left",
    ]
    assert "\r" not in out.getvalue()


def test_plain_lines_print_nothing_more_at_the_end_when_nothing_was_held_back() -> None:
    out, clock = io.StringIO(), Clock()
    with WorkloadLines(out, tick=None, clock=clock) as lines:
        lines.update(progress())
        clock.now = 100.0
        lines.update(progress(time_left=1.0))
    assert len(out.getvalue().splitlines()) == 1
    with WorkloadLines(out, tick=None, clock=clock):
        pass  # no progress at all: no line
    assert len(out.getvalue().splitlines()) == 1


def test_the_display_is_live_on_a_terminal_and_plain_elsewhere() -> None:
    assert is_tty(Terminal()) and not is_tty(io.StringIO())
    assert isinstance(make_workload_display(Terminal()), WorkloadLive)
    assert isinstance(make_workload_display(io.StringIO()), WorkloadLines)
    assert isinstance(make_workload_display(Terminal(), live=False), WorkloadLines)
    closed = io.StringIO()
    closed.close()
    assert not is_tty(closed)


def test_the_live_view_redraws_in_place_and_never_goes_backwards() -> None:
    out, clock = Terminal(), Clock()
    with live(out, clock, width=100) as view:
        view.update(progress(done=0, failed=0, processed=0.0, time_left=None))
        view.update(progress())
        # A retry round: what failed is no longer counted as processed; the bar holds.
        view.update(progress(processed=100.0, round_=1))
        view.update(progress(done=240, processed=240.0, time_left=0.0, COMPLETED=4))
    shown = drawn(out)
    assert shown[0] == "0:00 starting"
    assert shown[1] == "0% 0:00 0/240 done, 0 failed; parts: 1 COMPLETED, 3 IN_PROGRESS"
    assert shown[2] == f"50% 0:00 {FULL}"
    assert shown[3].startswith("50% 0:00 101/240 done, 6 failed, 0:09 left; retry round 1")
    assert shown[-1] == "100% 0:00 240/240 done, 6 failed; parts: 4 COMPLETED"
    percents = [int(frame.split("%")[0]) for frame in shown[1:]]
    assert percents == sorted(percents)
    assert screen(out.getvalue()) == [frames(out.getvalue())[-1][0], ""]


def test_the_live_view_counts_the_time_left_down_between_updates() -> None:
    out, clock = Terminal(), Clock()
    with live(out, clock) as view:
        view.update(progress(time_left=30.0))
        clock.now += 11.5  # 18.5 s left: 0:19, rounded up
    assert drawn(out)[-1].endswith(
        "0:11 101/240 done, 6 failed, 0:19 left; parts: 1 COMPLETED, 3 IN_PROGRESS"
    )
    out = Terminal()
    with live(out, clock) as view:
        view.update(progress(time_left=30.0))
        clock.now += 42.0  # past the estimate: none shown rather than a wrong one
    assert "left" not in drawn(out)[-1]


def test_the_live_view_prints_the_library_s_warnings_above_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logger = logging.getLogger("together_batches")
    before = list(logger.handlers)
    out = Terminal()
    # As when the tool runs: no logging configured (pytest's capture is, on the root logger).
    monkeypatch.setattr(logger, "hasHandlers", lambda: False)
    with live(out, Clock(), width=100) as view:
        view.update(progress())
        logger.warning("poll of batch b1 failed (1 in a row); retrying")
    warning, bar, end = screen(out.getvalue())
    assert warning == "poll of batch b1 failed (1 in a row); retrying"
    assert " ".join(bar.lstrip("━╸╺ ").split()) == f"50% 0:00 {FULL}"
    assert end == ""
    assert logger.handlers == before  # taken away with the view


def test_the_live_view_leaves_warnings_to_logging_that_is_configured() -> None:
    logger = logging.getLogger("together_batches")
    assert logger.hasHandlers()  # pytest's capture
    out = Terminal()
    with live(out, Clock()) as view:
        view.update(progress())
        logger.warning("poll of batch b1 failed (1 in a row); retrying")
    assert "poll of batch" not in out.getvalue()


class Closing(Terminal):
    """A terminal (or pipe) that goes away: every write fails once `gone` is set."""

    gone = False

    def write(self, text: str) -> int:
        if self.gone:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


@pytest.mark.parametrize("is_live", [True, False])
def test_a_stream_gone_ends_the_ticks_quietly(
    monkeypatch: pytest.MonkeyPatch, is_live: bool
) -> None:
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    out, clock = Closing(), Clock()
    if is_live:
        view = live(out, clock)
        with pytest.raises(BrokenPipeError), view:  # raised when the view ends
            view.update(progress())
            out.gone = True
            view.update(progress(done=200))  # a redraw on the closed stream: no error here
            clock.now = 10.0
            time.sleep(0.6)  # rich's refresh thread meets the closed stream too
        assert crashes == []
        return
    lines = WorkloadLines(out, interval=5.0, tick=0.001, clock=clock)
    with pytest.raises(BrokenPipeError), lines:  # the end's own write is what fails
        lines.update(progress())
        lines.update(progress(done=200))  # held back: too soon
        out.gone = True
        clock.now = 10.0  # the held-back line is due at the next tick
        thread = lines._thread
        assert thread is not None
        thread.join(timeout=60)  # the ticker meets the closed stream, and stops
        assert not thread.is_alive()
    assert crashes == []  # no traceback from the ticker


def run_args(tmp_path: Path, output: str | None) -> argparse.Namespace:
    return argparse.Namespace(
        input=str(tmp_path / "in.jsonl"),
        endpoint=ENDPOINT,
        model_id=None,
        manifest=str(tmp_path / "w.json"),
        retry_failed=1,
        timeout=None,
        output=None if output is None else str(tmp_path / output),
    )


class TerminalBytes(io.TextIOWrapper):
    """A standard output on a terminal: results are written to its `buffer`."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8")

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("output", ["out.jsonl", None])
def test_run_on_a_terminal_draws_the_live_view_unless_results_go_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str | None
) -> None:
    emulator = Emulator(api_key=KEY, clock=FakeClock(), strict_files=True, plan=JobPlan(0, 0))
    emulator.plan_next(JobPlan(0, 0, failed_fraction=0.5))
    write_input(tmp_path / "in.jsonl")
    err, stdout = Terminal(), TerminalBytes()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdout", stdout)
    with Together(
        KEY,
        base_url="https://api.example.test/v1",
        http_client=httpx.Client(transport=emulator.transport()),
    ) as client:
        assert workload_cli.cmd_run(client, run_args(tmp_path, output)) == 0
    shown = err.getvalue()
    summary = (
        "this run: 6 requests: 6 succeeded, 0 failed, 0 not run; the workload: 6 of 6 succeeded"
    )
    lines = screen(shown)
    assert lines[-3] == summary and lines[-1] == ""
    tokens = lines[-2]
    assert tokens.startswith("this run's tokens: ") and tokens.endswith(" total")
    view = shown.rstrip("\n").rsplit("\n", 2)[0]
    if output is not None:  # the live view, redrawn in place: one line in the end
        drawn = [frame[0] for frame in frames(shown)]
        assert any("retry round 1 of 1" in frame for frame in drawn)
        assert "6/6 done, 0 failed; retry round 1 of 1; parts: 2 COMPLETED" in drawn[-1]
        assert screen(shown) == [drawn[-1], summary, tokens, ""]  # nothing left of earlier frames
    else:  # results on the same terminal: plain lines, which they cannot break
        assert "\r" not in view
        assert view.splitlines()[-1].endswith(
            "  100%  6/6 requests done (0 failed); parts: 2 COMPLETED; retry round 1 of 1"
        )
        stdout.flush()
        assert isinstance(stdout.buffer, io.BytesIO)
        assert len(stdout.buffer.getvalue().splitlines()) == 6


def test_the_share_shown_holds_under_100_percent_until_every_outcome_is_in() -> None:
    before = progress(done=150, failed=0, processed=240.0)  # every batch at 100 %
    retrying = progress(done=150, failed=0, processed=150.0, round_=1)  # 90 sent again
    assert held_progress(None, before).fraction == UNFINISHED_AT_MOST
    assert held_progress(held_progress(None, before), retrying).fraction == UNFINISHED_AT_MOST
    done = progress(done=240, failed=6, processed=240.0)
    assert held_progress(retrying, done).fraction == 1.0

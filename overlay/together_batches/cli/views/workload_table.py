"""What the workload commands print: pure functions from `WorkloadProgress` (or a
manifest's `Workload`) to text, and the decisions the progress views make (when a plain
line is due, what time is left now, whether to draw live).

`workload_view` only decides where and when the text goes; every format and decision here
is table-tested (tests/test_cli_workload_view.py).
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from ..._workload.progress import WorkloadProgress, snapshot
from ..._workload.records import Workload
from .render import format_duration, format_table

__all__ = [
    "BAR_FROM",
    "change_key",
    "left_now",
    "line_due",
    "live_view_wanted",
    "plain_workload_line",
    "progress_text",
    "status_lines",
    "workload_frame",
]

#: The narrowest terminal the live view draws its bar on: on an 80-column one, the text
#: needs the room.
BAR_FROM = 100
_BAR_MAX = 30


def left_now(time_left: float | None, age: float) -> float | None:
    """The time left `age` seconds after an estimate of `time_left` was made.

    Between updates (polls can be a minute apart) a live view counts the estimate down
    rather than freeze it; once the estimate has run out and the work is not done, there
    is no honest number to show.

    Returns:
        `time_left - age`; 0.0 when the estimate was 0.0 (all processed); None when there
        was no estimate, or it has run out.
    """
    if time_left is None:
        return None
    if time_left == 0.0:
        return 0.0
    left = time_left - max(0.0, age)
    return left if left > 0 else None


def progress_text(progress: WorkloadProgress) -> str:
    """E.g. `5/8 requests done (1 failed); parts: 2 COMPLETED, 1 IN_PROGRESS; 0:40 left`.

    The time left shows only when it could be estimated and some requests are not done.
    """
    parts = ", ".join(f"{count} {state}" for state, count in progress.parts.items())
    done = progress.succeeded + progress.failed
    text = f"{done:,}/{progress.total:,} requests done ({progress.failed:,} failed); parts: {parts}"
    if progress.round:
        text += f"; retry round {progress.round} of {progress.retry_failed}"
    if progress.time_left is not None and done < progress.total:
        text += f"; {_left(progress.time_left)} left"
    return text


def status_lines(workload: Workload) -> list[str]:
    """What `status PATH` prints of a manifest: the progress line, then a table of its parts."""
    header = ("PART", "ROUND", "STATE", "REQUESTS", "SUCCEEDED", "BATCH")
    rows = [
        (
            str(p.number),
            str(p.round),
            p.state,
            str(p.input.requests),
            "-" if p.succeeded is None else str(p.succeeded),
            p.batch_id or "-",
        )
        for p in workload.parts
    ]
    return [progress_text(snapshot(workload)), *format_table(header, rows)]


def plain_workload_line(progress: WorkloadProgress, elapsed: float) -> str:
    """The line `run` prints for a change when its progress goes to a pipe or a log.

    Returns:
        E.g. `0:07  42%  101/240 requests done (6 failed); parts: 4 IN_PROGRESS; 0:09 left`.
    """
    return f"{format_duration(elapsed)}  {_percent(progress)}  {progress_text(progress)}"


def workload_frame(progress: WorkloadProgress | None, elapsed: float, width: int) -> str:
    """One frame of the live view on a terminal, e.g. `[#####.....]   50%  0:07  101/240
    done, 6 failed, 0:09 left; retry round 1 of 1; parts: 1 COMPLETED, 3 IN_PROGRESS`.

    Args:
        progress: The workload's progress as last reported, or None before any.
        elapsed: Seconds since the run started.
        width: The terminal's width in columns.

    Returns:
        A line shorter than `width` (see `render.progress_line`), padded with spaces so a
        shorter frame covers a longer one, cut at the end when too long (the parts' states
        go first). The bar (a fifth of the width, at most 30 columns) is drawn on terminals
        `BAR_FROM` columns wide or more: on the width alone, so it does not come and go
        as the text grows and shrinks; the percent says as much on narrower ones.
    """
    room = max(0, width - 1)
    if progress is None:
        return f"starting  {format_duration(elapsed)}"[:room].ljust(room)
    done = progress.succeeded + progress.failed
    line = f"{_percent(progress)}  {format_duration(elapsed)}  {done:,}/{progress.total:,} done, "
    line += f"{progress.failed:,} failed"
    if progress.time_left is not None and done < progress.total:
        line += f", {_left(progress.time_left)} left"
    if progress.round:
        line += f"; retry round {progress.round} of {progress.retry_failed}"
    line += "; parts: " + ", ".join(f"{n} {state}" for state, n in progress.parts.items())
    if width >= BAR_FROM:
        size = min(_BAR_MAX, width // 5)
        filled = int(size * min(1.0, max(0.0, progress.fraction)))
        line = f"[{'#' * filled}{'.' * (size - filled)}]  {line}"
    else:
        line = line.lstrip()
    return line[:room].ljust(room)


def change_key(progress: WorkloadProgress) -> Hashable:
    """What a plain line is printed for a change of: the counts, the parts' states, the
    round, and the whole percent processed (not the time left, which moves on every poll)."""
    return (
        tuple(progress.parts.items()),
        progress.succeeded,
        progress.failed,
        progress.round,
        int(100 * progress.fraction),
    )


def line_due(
    key: Hashable, printed: Hashable, printed_at: float | None, now: float, interval: float
) -> bool:
    """Whether a plain view prints a line now.

    Args:
        key: `change_key` of the latest progress.
        printed: `change_key` of the last line printed (anything when none was).
        printed_at: When the last line was printed, None before the first.
        now: The time now, on the clock of `printed_at`.
        interval: The fewest seconds between two lines, so that a log is not flooded.

    Returns:
        True when something changed since the last line and `interval` has passed (or no
        line was printed yet).
    """
    if printed_at is None:
        return True
    return key != printed and now - printed_at >= interval


def live_view_wanted(progress_tty: bool, results_tty: bool) -> bool:
    """Whether `run` draws its live view: on a terminal, unless the results are printed to
    that terminal too (each result line would break the line being redrawn).

    Args:
        progress_tty: The progress stream (stderr) is a terminal.
        results_tty: The results go to a terminal (stdout, without `-o`).
    """
    return progress_tty and not results_tty


def _left(seconds: float) -> str:
    # Rounded up, as a countdown is: 8.4 s left reads 0:09 (then 0:08 for 7.x).
    return format_duration(math.ceil(seconds))


def _percent(progress: WorkloadProgress) -> str:
    return f"{int(100 * min(1.0, max(0.0, progress.fraction))):3d}%"

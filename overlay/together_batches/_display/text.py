"""What the progress displays say: pure functions from jobs, failed polls, transfers and a
workload's progress to text, and the few decisions the displays make (when a plain line is
due, what time is left now, what a bar shows so that it never goes backwards).

Pure: no I/O, no clock of its own, no rich. Every format is table-tested
(tests/test_cli.py, tests/test_cli_workload_view.py, tests/test_display.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable

from .._models import BatchJob, readable_progress
from .._wait.callbacks import PollFailure
from .._workload.progress import WorkloadProgress

__all__ = [
    "change_key",
    "failure_text",
    "format_bytes",
    "format_duration",
    "held",
    "held_unknown",
    "left_now",
    "left_text",
    "line_due",
    "percent_of",
    "plain_text",
    "percent_text",
    "plain_failure_line",
    "plain_progress_line",
    "plain_workload_line",
    "progress_text",
    "status_text",
    "workload_text",
]

_UNITS = ("kB", "MB", "GB", "TB")


def format_duration(seconds: float) -> str:
    """Elapsed time as `M:SS`, or `H:MM:SS` from an hour on (negative counts as zero)."""
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_bytes(size: int | None) -> str:
    """A size as people read it, in powers of 1000: `930 B`, `1.5 MB`; `?` when unknown."""
    if size is None:
        return "?"
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1000
        if value < 999.95 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def status_text(job: BatchJob | None) -> str:
    """A job's status as shown: `?` when the job or its status is unknown."""
    if job is None or job.status is None:
        return "?"
    return str(job.status)


def percent_of(job: BatchJob) -> float | None:
    """A job's progress in percent, held to 0..100 (a server may report past either end);
    None when it cannot be read as a number (shown as `?`, never a failure of the view)."""
    percent = readable_progress(job)
    return None if percent is None else min(100.0, max(0.0, percent))


def held(shown: float | None, now: float) -> float:
    """What a bar shows next: `now`, unless it is less than what it shows already (None:
    nothing shown yet).

    A workload's share processed can fall (a part's failures that a retry round sends again
    are no longer counted as processed) and a server may report a job's progress lower than
    before; a bar that moves backwards reads as a fault, so it holds until the truth passes
    it. The texts beside the bar (counts, statuses) always say what is true now.
    """
    return now if shown is None else max(shown, now)


def held_unknown(shown: float | None, now: float | None) -> float | None:
    """`held`, for a job's progress that may be unreadable (None): what was shown stays,
    or still nothing."""
    return shown if now is None else held(shown, now)


# Python's names in a message: an exception's class (`ConnectError: `, `httpx.ReadTimeout: `)
# and an OSError's `[Errno 111] `. A person reads the sentence without them.
_PYTHON_NAME = re.compile(
    r"\b(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Timeout|Interrupt|Warning)\b: ?"
)
_ERRNO = re.compile(r"\[Errno -?\d+\] ?")


def plain_text(text: str) -> str:
    """`text` without Python's names: exception classes and `[Errno N]`, e.g.
    `Could not connect (ConnectError: [Errno 111] Connection refused)` becomes
    `Could not connect (Connection refused)`."""
    return _ERRNO.sub("", _PYTHON_NAME.sub("", text))


def failure_text(failure: PollFailure) -> str:
    """What the live view says while polls fail, e.g.
    `2 failed polls: APIConnectionError: Connection error (...)`."""
    count = failure.consecutive
    error = plain_text(str(failure.error)).rstrip(".")
    text = f"{count} failed poll{'' if count == 1 else 's'}: {error}"
    # A 429 that paused every request of the client says so: the wait is not stuck.
    return f"{failure.why}; {text}" if failure.paused > 0 else text


def plain_progress_line(job: BatchJob, elapsed: float, percent: float | None = None) -> str:
    """The line a wait prints for each change when its output is not a terminal.

    Args:
        job: The job as just seen.
        elapsed: Seconds since the wait started.
        percent: The percent to show (`held`), else the job's own.

    Returns:
        E.g. `0:07  batch-abc  IN_PROGRESS  42.0%`.
    """
    shown = percent_of(job) if percent is None else percent
    text = "?%" if shown is None else f"{shown:.1f}%"
    return f"{format_duration(elapsed)}  {job.id}  {status_text(job)}  {text}"


def plain_failure_line(failure: PollFailure, elapsed: float) -> str:
    """The line a wait prints for each failed poll when its output is not a terminal.

    Returns:
        E.g. `0:07  batch-abc  poll failed (3 in a row): APIConnectionError: ...; next poll
        in 4s`.
    """
    error = plain_text(str(failure.error)).rstrip(".")
    return (
        f"{format_duration(elapsed)}  {failure.batch_job_id}  poll failed "
        f"({failure.consecutive} in a row): {error}; next poll in {failure.retry_in:.0f}s"
        + (f" ({failure.why})" if failure.paused > 0 else "")
    )


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


def left_text(seconds: float) -> str:
    """A time left as a countdown reads it, rounded up: 8.4 s left reads 0:09."""
    return format_duration(math.ceil(seconds))


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
        text += f"; {left_text(progress.time_left)} left"
    return text


def workload_text(progress: WorkloadProgress) -> str:
    """What the live view shows beside its bar, e.g. `101/240 done, 6 failed, 0:09 left;
    retry round 1 of 1; parts: 1 COMPLETED, 3 IN_PROGRESS` (the parts' states last: on a
    narrow terminal they are what is cut)."""
    done = progress.succeeded + progress.failed
    text = f"{done:,}/{progress.total:,} done, {progress.failed:,} failed"
    if progress.time_left is not None and done < progress.total:
        text += f", {left_text(progress.time_left)} left"
    if progress.round:
        text += f"; retry round {progress.round} of {progress.retry_failed}"
    return text + "; parts: " + ", ".join(f"{n} {state}" for state, n in progress.parts.items())


def plain_workload_line(progress: WorkloadProgress, elapsed: float) -> str:
    """The line `run` prints for a change when its progress goes to a pipe or a log.

    Returns:
        E.g. `0:07   42%  101/240 requests done (6 failed); parts: 4 IN_PROGRESS; 0:09 left`.
    """
    return f"{format_duration(elapsed)}  {percent_text(progress)}  {progress_text(progress)}"


def percent_text(progress: WorkloadProgress) -> str:
    """The whole percent processed, right-aligned in four columns: ` 42%`."""
    return f"{int(100 * min(1.0, max(0.0, progress.fraction))):3d}%"


def change_key(progress: WorkloadProgress) -> Hashable:
    """What a plain line is printed for a change of: the counts, the parts' states, the
    round, and the whole percent shown (not the time left, which moves on every poll)."""
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

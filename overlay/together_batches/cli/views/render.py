"""What the command-line tool prints: pure functions from jobs to text, and the exit codes.

Nothing here does I/O, so every format is tested with plain tables of inputs and outputs
(tests/test_cli.py); `_cli.py` and `_cli_demo.py` only decide where the text goes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence

from ..._http.secrets import redact  # the client's own masking, the last guard before printing
from ..._models import BatchJob
from ..._status import BatchStatus
from ..._wait.callbacks import PollFailure

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_BROKEN_PIPE",
    "EXIT_BUSY",
    "EXIT_CANCELLED",
    "EXIT_DATA",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_IO",
    "EXIT_NOT_READY",
    "EXIT_NO_INPUT",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_TIMED_OUT",
    "EXIT_USAGE",
    "exit_code_for",
    "failure_text",
    "format_duration",
    "format_table",
    "job_details",
    "job_json",
    "jobs_json",
    "outcome_line",
    "parse_status_filter",
    "plain_failure_line",
    "plain_text",
    "plain_progress_line",
    "progress_line",
    "redact",
    "table_rows",
]

# Exit codes. 0-3 are the outcomes of `wait`; the others are kept clear of them so a script
# can tell "the job failed" from "the tool could not find out". 64 is sysexits' EX_USAGE
# (argparse's own 2 would collide with "timed out"), 130 is the shell's 128 + SIGINT.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_TIMED_OUT = 2
EXIT_CANCELLED = 3
EXIT_API_ERROR = 4
EXIT_NOT_READY = 5  # results asked of a batch that has not ended: not an error of the API
EXIT_USAGE = 64
EXIT_DATA = 65  # sysexits' EX_DATAERR: an input file with problems; nothing was sent
EXIT_NO_INPUT = 66  # sysexits' EX_NOINPUT: an input file missing, unreadable or a directory
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug here, reported without a traceback
EXIT_IO = 74  # sysexits' EX_IOERR: a local file could not be written (or read) on the way
EXIT_BUSY = 75  # sysexits' EX_TEMPFAIL: another run of the workload is open; try again later
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `cmd | head` leaves a shell-native tool with
EXIT_TERMINATED = 143  # 128 + SIGTERM

TABLE_HEADER = ("ID", "STATUS", "PROGRESS", "CREATED", "ENDPOINT", "MODEL")
_BAR_MIN, _BAR_MAX = 10, 40
_STATUS_WIDTH = len("IN_PROGRESS")
_KNOWN_STATUSES = frozenset(status.value for status in BatchStatus)


def exit_code_for(status: BatchStatus | None) -> int:
    """The exit code of `wait` for a job's final status.

    Args:
        status: The status the wait ended on.

    Returns:
        0 for COMPLETED, 1 for FAILED or EXPIRED, 3 for CANCELLED. Anything else (a wait
        only returns on a terminal status, so this is a status the server added later and
        that the client treats as final) counts as a failure: 1.
    """
    if status is None:
        return EXIT_FAILED
    if status.is_success:
        return EXIT_OK
    if status.is_cancelled:
        return EXIT_CANCELLED
    return EXIT_FAILED


def parse_status_filter(values: Iterable[str] | None) -> frozenset[str]:
    """Read `--status` values: repeatable, comma-separated, case-insensitive.

    Args:
        values: The raw option values, or None when the option was not given.

    Returns:
        The upper-case statuses to keep; empty for "no filter".

    Raises:
        ValueError: A name is not a status the API documents: a typo would otherwise
            filter out every job and print "No batch jobs" (a status the API adds later
            can be filtered once `BatchStatus` lists it).
    """
    if not values:
        return frozenset()
    wanted = frozenset(
        part.strip().upper() for value in values for part in value.split(",") if part.strip()
    )
    if not wanted:
        raise ValueError("expected a status, such as COMPLETED")
    unknown = sorted(wanted - _KNOWN_STATUSES)
    if unknown:
        known = ", ".join(status.value for status in BatchStatus)
        raise ValueError(f"{unknown[0]!r} is not a batch status (choose from {known})")
    return wanted


def _timestamp(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _status_text(job: BatchJob | None) -> str:
    if job is None or job.status is None:
        return "?"
    return str(job.status)


def table_rows(jobs: Iterable[BatchJob]) -> list[tuple[str, ...]]:
    """The rows of the `list` table, one per job, in the columns of `TABLE_HEADER`.

    Args:
        jobs: The jobs, in the order to show them.

    Returns:
        One tuple of cell texts per job; absent fields show as `-`.
    """
    return [
        (
            job.id or "-",
            _status_text(job),
            f"{job.progress_percent:.1f}%",
            _timestamp(job.created_at),
            job.endpoint or "-",
            job.model_id or "-",
        )
        for job in jobs
    ]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Align cells into columns two spaces apart; the last column is not padded.

    Args:
        header: The column titles.
        rows: The cells, each row as long as `header`.

    Returns:
        The header line and one line per row, without trailing spaces.
    """
    widths = [len(title) for title in header]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *rows)
    ]


def job_details(job: BatchJob) -> list[str]:
    """A job as aligned `field: value` lines, for `get`, `create`, `cancel` and `demo`.

    Args:
        job: The job.

    Returns:
        One line per field the API reported (absent ones are left out).
    """
    # Driven by the generated field table, so a field added to the spec shows up here too.
    fields: list[tuple[str, object]] = [
        (field.name, _detail(job, field.attr)) for field in BatchJob.FIELDS
    ]
    fields += sorted(job.extras.items())
    shown = [(name, str(value)) for name, value in fields if value is not None]
    width = max(len(name) for name, _ in shown) + 1
    return [f"{name + ':':<{width}} {value}" for name, value in shown]


def _detail(job: BatchJob, attr: str) -> object:
    if attr == "progress":  # the overlay's fraction; the wire's percent is what users read
        return f"{job.progress_percent:.1f}%"
    value = getattr(job, attr)
    return _timestamp(value) if isinstance(value, dt.datetime) else value


def job_json(job: BatchJob) -> str:
    """A job as the API's JSON (`BatchJob.to_dict()`), indented."""
    return json.dumps(job.to_dict(), indent=2)


def jobs_json(jobs: Iterable[BatchJob]) -> str:
    """A list of jobs as a JSON array, indented."""
    return json.dumps([job.to_dict() for job in jobs], indent=2)


def format_duration(seconds: float) -> str:
    """Elapsed time as `M:SS`, or `H:MM:SS` from an hour on (negative counts as zero)."""
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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
    """What the progress view says while polls fail, e.g.
    `2 failed polls: Could not connect (Connection refused): ...`."""
    count, error = failure.consecutive, failure.error
    text = plain_text(str(error)).rstrip(".")
    return f"{count} failed poll{'' if count == 1 else 's'}: {text}"


def progress_line(
    job: BatchJob | None, elapsed: float, width: int, failure: PollFailure | None = None
) -> str:
    """One frame of the live progress bar, e.g. `IN_PROGRESS  [####......]  42.0%  0:07`.

    Args:
        job: The job as last seen, or None before the first poll answered.
        elapsed: Seconds since the wait started.
        width: The terminal's width in columns.
        failure: The last poll's failure, while polls fail: the bar shrinks to make room
            for `failure_text` after the time, so that the frame is not frozen silence.

    Returns:
        A line shorter than `width` (a line that fills the last column makes some terminals
        wrap, and then `\\r` no longer returns to its start), padded with spaces so that a
        shorter frame fully covers a longer one drawn before it.
    """
    status = "POLLING" if job is None else _status_text(job)
    percent = 0.0 if job is None else min(100.0, max(0.0, job.progress_percent))
    tail = f"{percent:5.1f}%  {format_duration(elapsed)}"
    # The status column is as wide as the longest usual status, so the bar stays put.
    status = status.ljust(_STATUS_WIDTH)
    room = width - 1 - len(status) - len(tail) - 6  # two gaps of two spaces, and "[]"
    if room >= _BAR_MIN:
        size = _BAR_MIN if failure is not None else min(room, _BAR_MAX)
        filled = int(size * percent / 100.0)
        line = f"{status}  [{'#' * filled}{'.' * (size - filled)}]  {tail}"
    else:  # too narrow for a bar: still show the numbers
        line = f"{status.rstrip()} {tail}"
    if failure is not None:
        line = f"{line}  {failure_text(failure)}"
    return line[: max(0, width - 1)].ljust(max(0, width - 1))


def plain_progress_line(job: BatchJob, elapsed: float) -> str:
    """The line `wait` prints for each change when its output is not a terminal.

    Args:
        job: The job as just seen.
        elapsed: Seconds since the wait started.

    Returns:
        E.g. `0:07  batch-abc  IN_PROGRESS  42.0%`.
    """
    return f"{format_duration(elapsed)}  {job.id}  {_status_text(job)}  {job.progress_percent:.1f}%"


def plain_failure_line(failure: PollFailure, elapsed: float) -> str:
    """The line `wait` prints for each failed poll when its output is not a terminal.

    Returns:
        E.g. `0:07  batch-abc  poll failed (3 in a row): Could not connect (...): ...; next
        poll in 4s`.
    """
    error = plain_text(str(failure.error)).rstrip(".")
    return (
        f"{format_duration(elapsed)}  {failure.batch_job_id}  poll failed "
        f"({failure.consecutive} in a row): {error}; next poll in {failure.retry_in:.0f}s"
    )


def outcome_line(job: BatchJob) -> str:
    """The summary `wait` prints once the job is done.

    Args:
        job: The terminal job.

    Returns:
        E.g. `batch batch-abc COMPLETED (100.0%); output file file-1`.
    """
    parts = [f"batch {job.id} {_status_text(job)} ({job.progress_percent:.1f}%)"]
    if job.error:
        parts.append(f"error: {job.error}")
    if job.output_file_id:
        parts.append(f"output file {job.output_file_id}")
    if job.error_file_id:
        parts.append(f"error file {job.error_file_id}")
    return "; ".join(parts)

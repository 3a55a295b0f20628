"""What the command-line tool prints: pure functions from jobs to text, and the exit codes.

Nothing here does I/O, so every format is tested with plain tables of inputs and outputs
(tests/test_cli.py); the commands only decide where the text goes. What the progress views
say is `_display.text`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..._display.text import plain_text, status_text
from ..._exceptions import as_sent
from ..._http.secrets import redact  # the client's own masking, the last guard before printing
from ..._models import BatchJob
from ..._status import BatchStatus
from .readable import cell, detail, live_percent, or_dash, percent_text, timestamp

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_BROKEN_PIPE",
    "EXIT_BUSY",
    "EXIT_CANCELLED",
    "EXIT_DATA",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_CREATED",
    "EXIT_IO",
    "EXIT_NOT_READY",
    "EXIT_NO_INPUT",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_TIMED_OUT",
    "EXIT_USAGE",
    "exit_code_for",
    "format_table",
    "job_details",
    "job_fields",
    "job_json",
    "jobs_json",
    "outcome_line",
    "parse_status_filter",
    "plain_text",
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
EXIT_NOT_CREATED = 6  # a create answered with a warning and no job: no batch was started
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


def table_rows(jobs: Iterable[BatchJob]) -> list[tuple[str, ...]]:
    """The rows of the `list` table, one per job, in the columns of `TABLE_HEADER`.

    Args:
        jobs: The jobs, in the order to show them.

    Returns:
        One tuple of cell texts per job; absent fields show as `-`, and a value the
        server sent as another type than the spec's as it came, marked (`unreadable`).
    """
    return [
        (
            job.id or "-",
            status_text(job),
            percent_text(job),
            cell(job, "created_at", timestamp),
            cell(job, "endpoint", or_dash),
            cell(job, "model_id", or_dash),
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
        One line per field the API reported (absent ones are left out); a value the server
        sent as another type than the spec's shows as it came, marked (`unreadable`).
    """
    shown = job_fields(job)
    width = max(len(name) for name, _ in shown) + 1
    return [f"{name + ':':<{width}} {value}" for name, value in shown]


def job_fields(job: BatchJob) -> list[tuple[str, str]]:
    """A job's fields as `(name, value)` pairs, those the API reported (absent ones are
    left out), then its extras by name."""
    # Driven by the generated field table, so a field added to the spec shows up here too.
    fields: list[tuple[str, object]] = [
        (field.name, detail(job, field.attr)) for field in BatchJob.FIELDS
    ]
    fields += sorted(job.extras.items())
    return [(name, str(value)) for name, value in fields if value is not None]


def job_json(job: BatchJob) -> str:
    """A job as the API's JSON (`BatchJob.to_dict()`), indented."""
    return json.dumps(job.to_dict(), indent=2)


def jobs_json(jobs: Iterable[BatchJob]) -> str:
    """A list of jobs as a JSON array, indented."""
    return json.dumps([job.to_dict() for job in jobs], indent=2)


def outcome_line(job: BatchJob) -> str:
    """The summary `wait` prints once the job is done.

    Args:
        job: The terminal job.

    Returns:
        E.g. `batch batch-abc COMPLETED (100.0%); output file file-1`.
    """
    parts = [f"batch {job.id} {status_text(job)} ({live_percent(job)})"]
    error, error_file = as_sent(lambda: job.error), as_sent(lambda: job.error_file_id)
    if error:  # as sent: an `error` object is shown as it came
        parts.append(f"error: {error}")
    if job.output_file_id:
        parts.append(f"output file {job.output_file_id}")
    if error_file:
        parts.append(f"error file {error_file}")
    return "; ".join(parts)

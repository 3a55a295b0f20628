"""What the file and workflow commands print: pure functions from files, results and input
problems to text (tested as tables in tests/test_cli_files.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..._display.text import format_bytes  # the tables' sizes, as the bars show them
from ..._exceptions import InputFileError
from ..._file_models import FileObject
from ..._jsonl.results import BatchResult
from ..._jsonl.summary import ResultsSummary
from .readable import cell, or_dash, timestamp

__all__ = [
    "FILE_HEADER",
    "file_json",
    "file_rows",
    "files_json",
    "format_bytes",
    "problem_lines",
    "result_json",
    "result_line",
    "results_summary",
    "summary_lines",
]

FILE_HEADER = ("ID", "FILENAME", "PURPOSE", "SIZE", "CREATED")
_MESSAGE_LIMIT = 200


def _size(size: int | None) -> str:
    return "-" if size is None else format_bytes(size)


def file_rows(files: Iterable[FileObject]) -> list[tuple[str, ...]]:
    """The rows of `files list`, in the columns of `FILE_HEADER` (absent fields as `-`, a
    value that cannot be read as its type as it came, marked `unreadable`)."""
    return [
        (
            file.id,
            cell(file, "filename", or_dash),
            cell(file, "purpose", or_dash),
            cell(file, "bytes_", _size),
            cell(file, "created_at", timestamp, lambda f: f.created),
        )
        for file in files
    ]


def file_json(file: FileObject) -> str:
    """A file as the API's JSON, indented."""
    return json.dumps(file.to_dict(), indent=2)


def files_json(files: Iterable[FileObject]) -> str:
    """Files as a JSON array, indented."""
    return json.dumps([file.to_dict() for file in files], indent=2)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


def result_line(result: BatchResult) -> str:
    """A result as `results` prints it: `q1  ok  200`, `q2  failed  404`, or
    `q3  failed  500  the message`, or `q4  not run  why`."""
    if result.not_run:
        return f"{result.custom_id}  not run  {_shorten(result.message or '')}"
    if result.error is not None:
        code = "-" if result.code is None else str(result.code)
        return f"{result.custom_id}  failed  {code}  {_shorten(result.message or '')}"
    return f"{result.custom_id}  {'ok' if result.ok else 'failed'}  {result.status_code}"


def result_json(result: BatchResult) -> str:
    """A result as one JSON line, as in its result file (fields it does not have left out)."""
    fields = {name: value for name, value in result.to_dict().items() if value is not None}
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def results_summary(succeeded: int, failed: int) -> str:
    """E.g. `6 requests: 4 succeeded, 2 failed`."""
    total = succeeded + failed
    return f"{total} request{'' if total == 1 else 's'}: {succeeded} succeeded, {failed} failed"


def summary_lines(summary: ResultsSummary) -> list[str]:
    """What `results` and `run` print at the end, e.g.
    `6 requests: 3 succeeded, 1 failed, 2 not run` and
    `tokens: 1,200 prompt, 300 completion, 1,500 total`."""
    total = summary.requests
    return [
        f"{total:,} request{'' if total == 1 else 's'}: {summary.succeeded:,} succeeded, "
        f"{summary.failed:,} failed, {summary.not_run:,} not run",
        f"tokens: {summary.prompt_tokens:,} prompt, {summary.completion_tokens:,} completion, "
        f"{summary.total_tokens:,} total",
    ]


def problem_lines(exc: InputFileError) -> list[str]:
    """Every problem of an input file, one a line with its line number, after a heading; a
    count of those the checker did not list (it keeps the first thousand)."""
    count = exc.problem_count
    lines = [
        f"error: {exc.source} has {count} problem{'' if count == 1 else 's'} a batch "
        "would refuse; nothing was sent:"
    ]
    lines += [f"{exc.source}:{problem.line}: {problem.message}" for problem in exc.problems]
    if count > len(exc.problems):
        lines.append(f"... and {count - len(exc.problems)} more")
    return lines

"""What the file and workflow commands print: pure functions from files, results and input
problems to text (tested as tables in tests/test_cli_files.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from ..._display.text import format_bytes  # the tables' sizes, as the bars show them
from ..._exceptions import InputFileError
from ..._file_models import FileObject
from ..._jsonl.results import BatchResult

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
]

FILE_HEADER = ("ID", "FILENAME", "PURPOSE", "SIZE", "CREATED")
_MESSAGE_LIMIT = 200


def _created(file: FileObject) -> str:
    created = file.created
    return "-" if created is None else created.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def file_rows(files: Iterable[FileObject]) -> list[tuple[str, ...]]:
    """The rows of `files list`, in the columns of `FILE_HEADER` (absent fields as `-`)."""
    return [
        (
            file.id or "-",
            file.filename or "-",
            file.purpose or "-",
            format_bytes(file.bytes_) if file.bytes_ is not None else "-",
            _created(file),
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
    `q3  failed  500  the message`."""
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

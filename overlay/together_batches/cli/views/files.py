"""What the file and workflow commands print: pure functions from files, results and input
problems to text (tested as tables in tests/test_cli_files.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..._display.text import format_bytes  # the tables' sizes, as the bars show them
from ..._exceptions import InputFileError, InvalidFieldError
from ..._file_models import FileObject
from ..._jsonl.results import BatchResult
from ..._jsonl.summary import ResultsSummary
from .readable import cell, or_dash, timestamp, unreadable

__all__ = [
    "FILE_HEADER",
    "answer_text",
    "cut",
    "file_details",
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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _content_text(content: object) -> str | None:
    """A chat message's content: a string, or the text of its parts (`[{"type": "text",
    "text": ...}]`); None when it holds no text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, dict)]
        joined = " ".join(t for t in texts if isinstance(t, str))
        return joined or None
    return None


def _choice_text(body: dict[str, Any]) -> str | None:
    """The first choice's answer: a chat completion's message content (or the tool calls
    it makes), or a completion's text."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    choice = choices[0]
    message = choice.get("message")
    if isinstance(message, dict):
        text = _content_text(message.get("content"))
        if text is not None:
            return text
        calls = message.get("tool_calls")
        if isinstance(calls, list) and calls:
            names = [
                str(call.get("function", {}).get("name", "?"))
                for call in calls
                if isinstance(call, dict) and isinstance(call.get("function"), dict)
            ]
            return f"(tool calls: {', '.join(names) or '?'})"
    text = choice.get("text")
    return text if isinstance(text, str) else None


def answer_text(result: BatchResult) -> str:
    """What a request got, on one line: a chat completion's message text (a completion's
    text), the compact JSON of any other body, or the error's message with its code.

    Examples: `Paris is the capital of France.`, `{"object":"list","data":[...]}`,
    `400 model not found`.
    """
    if result.error is not None:
        code = "" if result.code is None else f"{result.code} "
        return _one_line(f"{code}{result.message or ''}")
    body = result.body
    text = _choice_text(body) if isinstance(body, dict) else None
    if text is None:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if not result.ok:
        text = f"{result.status_code} {text}"
    return _one_line(text)


def result_line(result: BatchResult, width: int = 0) -> str:
    """A result as `results` prints it: `custom_id  ok|failed  answer`, cut to `width`
    columns (none when 0), e.g. `q1  ok  Paris is the capital of France.`,
    `q2  failed  400 model not found`, `q3  not run  the request did not run: ...`."""
    if result.not_run:
        state, answer = "not run", _one_line(result.message or "")
    else:
        state, answer = ("ok" if result.ok else "failed"), answer_text(result)
    return cut(f"{result.custom_id}  {state}  {answer}", width)


def cut(line: str, width: int) -> str:
    """`line` cut to fit in `width` columns (less one: a line that fills the last column
    wraps on some terminals), ending in `...` when cut; whole when `width` is 0."""
    room = width - 1
    if width <= 0 or len(line) <= room:
        return line
    return line[: max(0, room - 3)] + "..."


def result_json(result: BatchResult) -> str:
    """A result as one JSON line, as in its result file (fields it does not have left out)."""
    fields = {name: value for name, value in result.to_dict().items() if value is not None}
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def _field(file: FileObject, attr: str, text: Any = str, read: Any = None) -> str | None:
    """A field for `files get`: None when absent, the raw value marked when unreadable."""
    try:
        value = getattr(file, attr) if read is None else read(file)
    except InvalidFieldError:
        return unreadable(file, attr)
    return None if value is None else str(text(value))


def file_details(file: FileObject) -> list[str]:
    """A file as aligned `field: value` lines, for `files get` (absent fields left out)."""
    fields = [
        ("id", file.id),
        ("filename", _field(file, "filename")),
        ("purpose", _field(file, "purpose")),
        ("bytes", _field(file, "bytes_", lambda n: f"{n:,} ({format_bytes(n)})")),
        ("created", _field(file, "created_at", timestamp, lambda f: f.created)),
        ("file_type", _field(file, "file_type")),
        ("processing_status", _field(file, "processing_status")),
    ]
    shown = [(name, str(value)) for name, value in fields if value is not None]
    width = max((len(name) for name, _ in shown), default=0) + 1
    return [f"{name + ':':<{width}} {value}" for name, value in shown]


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


def problem_lines(exc: InputFileError, *, name: str | None = None, sent: bool = True) -> list[str]:
    """Every problem of an input file, one a line with its line number, after a heading; a
    count of those the checker did not list (it keeps the first thousand).

    Args:
        exc: The problems.
        name: The file as the user named it (`stdin` for `-`); its source by default.
        sent: Whether the command would have sent it (the heading then says nothing was):
            False for `check`, which never sends anything.
    """
    count, source = exc.problem_count, name or exc.source
    tail = "; nothing was sent:" if sent else ":"
    lines = [
        f"error: {source} has {count} problem{'' if count == 1 else 's'} a batch would refuse{tail}"
    ]
    lines += [f"{source}:{problem.line}: {problem.message}" for problem in exc.problems]
    if count > len(exc.problems):
        lines.append(f"... and {count - len(exc.problems)} more")
    return lines

"""What the file and workflow commands print: pure functions from files, results, transfers
and input problems to text (tested as tables in tests/test_cli_files.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from ..._exceptions import InputFileError
from ..._file_models import FileObject
from ..._jsonl.results import BatchResult
from .render import format_duration

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
    "transfer_line",
]

FILE_HEADER = ("ID", "FILENAME", "PURPOSE", "SIZE", "CREATED")
_UNITS = ("kB", "MB", "GB", "TB")
_BAR = 20


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


def transfer_line(
    verb: str, name: str, done: int, total: int | None, *, elapsed: float, width: int
) -> str:
    """One frame of an upload's or download's bar, e.g.
    `Uploading in.jsonl  [#####...............]  25.0%  2.5 MB of 10.0 MB  0:03`.

    Args:
        verb: `Uploading` or `Downloading`.
        name: The file.
        done: Bytes moved so far.
        total: Bytes in all, or None when unknown (no bar then).
        elapsed: Seconds since the transfer started.
        width: The terminal's width.

    Returns:
        A line shorter than `width`, padded so that it covers a longer frame before it.
    """
    clock = format_duration(elapsed)
    if total is None:
        line = f"{verb} {name}  {format_bytes(done)}  {clock}"
    else:
        fraction = 1.0 if total == 0 else min(1.0, max(0.0, done / total))
        filled = int(_BAR * fraction)
        bar = f"[{'#' * filled}{'.' * (_BAR - filled)}]"
        amounts = f"{format_bytes(done)} of {format_bytes(total)}"
        line = f"{verb} {name}  {bar}  {fraction:6.1%}  {amounts}  {clock}"
    room = max(0, width - 1)
    return line[:room].ljust(room)


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
    `q2  failed  400 model not found`."""
    line = f"{result.custom_id}  {'ok' if result.ok else 'failed'}  {answer_text(result)}"
    return cut(line, width)


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


def file_details(file: FileObject) -> list[str]:
    """A file as aligned `field: value` lines, for `files get` (absent fields left out)."""
    fields = [
        ("id", file.id),
        ("filename", file.filename),
        ("purpose", file.purpose),
        (
            "bytes",
            None if file.bytes_ is None else f"{file.bytes_:,} ({format_bytes(file.bytes_)})",
        ),
        ("created", None if file.created is None else _created(file)),
        ("file_type", file.file_type),
        ("processed", file.processed),
    ]
    shown = [(name, str(value)) for name, value in fields if value is not None]
    width = max((len(name) for name, _ in shown), default=0) + 1
    return [f"{name + ':':<{width}} {value}" for name, value in shown]


def results_summary(succeeded: int, failed: int) -> str:
    """E.g. `6 requests: 4 succeeded, 2 failed`."""
    total = succeeded + failed
    return f"{total} request{'' if total == 1 else 's'}: {succeeded} succeeded, {failed} failed"


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

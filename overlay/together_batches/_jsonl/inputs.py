"""Batch input files: build one from requests, or check one, before anything is uploaded.

An input file is JSON Lines, one `{"custom_id": str, "body": object}` per line (the spec's
`BatchInputLine`), with unique custom_ids of at most 64 characters, at most 50,000 lines
and 100 MB. Blank lines are not requests, and not problems (as for the official checker):
`check_input_file` passes them, counting their bytes, and `write_input_file` never writes
one. Both entry points stream: memory stays bounded by one line (and the custom_ids
of the first `max_requests` lines), however long the input. Both check everything and then
raise one `InputFileError` listing every problem with its line number, and both compute
the file's SHA-256 and size on the way, which an upload needs.

    info = write_input_file(((f"q{i}", {"model": m, "messages": [...]}) for i in ...), path)
    info = check_input_file("batch.jsonl")
    info.sha256, info.size, info.requests
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from .checks import BODY, CUSTOM_ID, MISSING, Checker, InputFileInfo
from .limits import MAX_CUSTOM_ID_LENGTH
from .writer import MAX_FILE_BYTES, MAX_REQUESTS, InputFileWriter, Writable, new_sha256

__all__ = [
    "MAX_CUSTOM_ID_LENGTH",
    "MAX_FILE_BYTES",
    "MAX_LISTED_PROBLEMS",
    "MAX_REQUESTS",
    "InputFileInfo",
    "InputFileWriter",
    "Readable",
    "Request",
    "Writable",
    "check_input_file",
    "checked_lines",
    "request_line",
    "write_input_file",
]

#: How many problems an `InputFileError` lists; all of them are counted.
MAX_LISTED_PROBLEMS = 1_000

_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode

Request = tuple[str, Mapping[str, Any]] | Mapping[str, Any]


class Readable(Protocol):
    """A binary file open for reading (what `open(path, "rb")` gives)."""

    def readline(self, size: int = -1, /) -> bytes: ...


def check_input_file(
    source: str | os.PathLike[str] | Readable,
    *,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_FILE_BYTES,
    max_custom_id_length: int = MAX_CUSTOM_ID_LENGTH,
    max_listed_problems: int = MAX_LISTED_PROBLEMS,
) -> InputFileInfo:
    """Check an existing JSONL input file, line by line, in bounded memory.

    Args:
        source: A path, or a binary file object read from its current position to its end.
        max_requests: The most lines the file may hold.
        max_bytes: The largest the file may be.
        max_custom_id_length: The longest a custom_id may be.
        max_listed_problems: How many problems the error lists (all are counted).

    Returns:
        The file's request count, size and SHA-256.

    Raises:
        InputFileError: The file has problems: every one, with its line number.
        OSError: The file cannot be read.
        ValueError: A limit is not a positive int.
    """
    checker = Checker(max_requests, max_bytes, max_custom_id_length, max_listed_problems)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        with path.open("rb") as stream:
            digest = _check_stream(checker, stream)
        return checker.finish(digest, str(path), path)
    digest = _check_stream(checker, source)
    return checker.finish(digest, str(getattr(source, "name", "the input file")), None)


def _check_stream(checker: Checker, stream: Readable) -> str:
    """Check every line of `stream`; return the SHA-256 of its bytes."""
    digest = new_sha256()
    for raw in checked_lines(checker, stream):
        digest.update(raw)
    return digest.hexdigest()


def checked_lines(checker: Checker, stream: Readable) -> Iterator[bytes]:
    """Check every line of `stream` against `checker`'s rules, in bounded memory.

    Yields:
        Each line, newline and all, once checked (its problems, if any, are in `checker`
        by then), blank lines included (`bytes.isspace` tells them: they are not
        requests), except one longer than the whole file may be: that is read past.
    """
    # No line may be longer than the whole file: reading at most that bounds memory.
    limit = checker.max_bytes + 1
    readline, number = stream.readline, 0
    while raw := readline(limit):
        number += 1
        size = len(raw)
        if size == limit and not raw.endswith(b"\n"):
            while chunk := readline(limit):  # the rest of the over-long line, read past
                size += len(chunk)
                if chunk.endswith(b"\n"):
                    break
            checker.request(number)
            checker.add(number, f"the line alone is {size:,} bytes, more than the file may be")
        else:
            checker.line(number, raw)
            yield raw
        checker.lines = number
        checker.sized(number, size)


def write_input_file(
    requests: Iterable[Request],
    dest: str | os.PathLike[str] | Writable,
    *,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_FILE_BYTES,
    max_custom_id_length: int = MAX_CUSTOM_ID_LENGTH,
    max_listed_problems: int = MAX_LISTED_PROBLEMS,
) -> InputFileInfo:
    """Write requests as a checked JSONL input file, streaming: a generator of millions of
    requests takes the memory of one.

    Each request is a `(custom_id, body)` pair, or a mapping with `custom_id` and `body`
    (written as it is, other keys included). Every request is checked, also after the
    first problem, so that the error lists them all.

    Args:
        requests: The requests, in the order the lines should have.
        dest: A path, written only if every check passes (through a temporary file beside
            it, renamed into place), or a binary file object, written from its current
            position; after an error it holds a partial file that must not be uploaded.
        max_requests: The most requests the file may hold.
        max_bytes: The largest the file may be.
        max_custom_id_length: The longest a custom_id may be.
        max_listed_problems: How many problems the error lists (all are counted).

    Returns:
        The file's request count, size and SHA-256.

    Raises:
        InputFileError: Some requests have problems: every one, by request number (the
            line it would be).
        OSError: The file cannot be written.
        ValueError: A limit is not a positive int.
    """
    checker = Checker(max_requests, max_bytes, max_custom_id_length, max_listed_problems)
    with InputFileWriter(dest, max_requests=max_requests, max_bytes=max_bytes) as writer:
        number = 0
        for number, request in enumerate(requests, start=1):
            line = request_line(checker, number, request)
            checker.sized(number, 0 if line is None else len(line))
            if line is not None and not checker.refuses():
                writer.write(line)  # the file is not refused yet, so the line fits
        checker.lines = number
        checker.finish(writer.sha256, "the requests", None)  # raises on any problem
        return writer.close()


def request_line(checker: Checker, number: int, request: object) -> bytes | None:
    """The bytes of one request's line, newline included, or None when it has a problem
    (recorded in `checker` under `number`). Never a blank line: a request is an object."""
    checker.request(number)
    if isinstance(request, tuple) and len(request) == 2:
        custom_id, body = request
        item: object = {CUSTOM_ID: custom_id, BODY: body}
    elif isinstance(request, Mapping):
        custom_id, body = request.get(CUSTOM_ID, MISSING), request.get(BODY, MISSING)
        item = request if type(request) is dict else dict(request)
    else:
        kind = type(request).__name__
        checker.add(
            number,
            f"a request must be a ({CUSTOM_ID}, {BODY}) pair or a mapping "
            f"with {CUSTOM_ID} and {BODY}, not {kind}",
        )
        return None
    if isinstance(body, Mapping) and type(body) is not dict:
        body = dict(body)
        assert isinstance(item, dict)
        item[BODY] = body
    before = checker.count
    checker.fields(number, custom_id, body)
    try:
        line = _dumps(item).encode() + b"\n"
    except (TypeError, ValueError) as exc:
        checker.add(number, f"the request cannot be written as JSON: {exc}")
        return None
    return line if checker.count == before else None

"""Every request of a batch accounted for: the requests its output and error files hold, then
a record for each request of its input that neither file holds (it never ran: its batch
ended first). `batches.results` (both twins) and `batches.run`'s parts share this.

The result files are read first, their custom_ids kept in an `_jsonl.ids.IdIndex` (exact,
about 14 to 16 bytes an id plus the id's bytes rounded up to 8 with a 12-byte header: ~48
bytes for a 15-character id, 2.4 MB for a 50,000-request batch; a Python `set` takes
~100 to 130). Then the input is streamed, a line at a time, and each custom_id the index
does not hold is a request that never ran: the input's ids are never held.

    tally = Tally()
    for result in output_then_errors:
        tally.feed(result)
    for record in tally.not_run(input_custom_ids(input_lines), not_run_message(job)):
        ...
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from together_batches_api.models.batch_request_error import BatchRequestError

from .checks import CUSTOM_ID
from .ids import IdIndex
from .results import MAX_RESULT_LINE_LENGTH, NOT_RUN_CODE, BatchResult

__all__ = [
    "InputIdReader",
    "InvalidInputLine",
    "Tally",
    "input_custom_id",
    "input_custom_ids",
    "not_run_message",
]


class InvalidInputLine(ValueError):
    """A line of an input file that is not a request (the message says which and why)."""


def input_custom_id(line: bytes | str) -> str:
    """The custom_id of an input line.

    Raises:
        ValueError: The line is not JSON, or not an object with a non-empty str custom_id.
    """
    item = json.loads(line)
    custom_id = item.get(CUSTOM_ID) if type(item) is dict else None
    if type(custom_id) is not str or not custom_id:
        raise ValueError(f"it has no {CUSTOM_ID}")
    return custom_id


def input_custom_ids(lines: Iterable[bytes], *, file: str = "the input file") -> Iterator[str]:
    """The custom_ids of an input file's requests (blank lines are none), in file order.

    Raises:
        InvalidInputLine: A line is not a request, named with its number.
    """
    for number, line in enumerate(lines, start=1):
        if line.isspace():
            continue
        yield _custom_id(line, number, file)


def _custom_id(line: bytes, number: int, file: str) -> str:
    try:
        return input_custom_id(line)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise InvalidInputLine(f"{file} line {number} is not a request ({exc})") from None


class InputIdReader:
    """The custom_ids of an input file's requests, from its bytes as they arrive (`feed`
    each chunk, then `close`): the memory of one line.

    Args:
        file: The file's name or id, for error messages.
        max_line_length: The longest line accepted, in bytes.
    """

    def __init__(self, file: str, *, max_line_length: int = MAX_RESULT_LINE_LENGTH) -> None:
        self.file = file
        self.max_line_length = max_line_length
        #: How many lines have been read so far.
        self.lines = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> list[str]:
        """The custom_ids of the lines the chunk completed.

        Raises:
            InvalidInputLine: A line is not a request, or is too long.
        """
        *complete, self._tail = (self._tail + chunk).split(b"\n")
        if len(self._tail) > self.max_line_length:
            raise InvalidInputLine(
                f"{self.file} line {self.lines + len(complete) + 1} is longer than "
                f"{self.max_line_length:,} bytes"
            )
        return self._ids(complete)

    def close(self) -> list[str]:
        """The custom_id of the last line, when the file does not end with a newline."""
        tail, self._tail = self._tail, b""
        return self._ids([tail]) if tail else []

    def _ids(self, lines: list[bytes]) -> list[str]:
        ids = []
        for line in lines:
            self.lines += 1
            if line and not line.isspace():
                ids.append(_custom_id(line, self.lines, self.file))
        return ids


def not_run_message(batch_id: str, status: str, error: str | None = None) -> str:
    """What the record of a request that never ran says."""
    why = f" ({error})" if error else ""
    return f"the request did not run: its batch {batch_id} ended {status}{why} first"


class Tally:
    """The custom_ids a batch's result files hold, as they are read (exact, compact)."""

    def __init__(self) -> None:
        self._seen = IdIndex()

    @property
    def seen(self) -> int:
        """How many requests have a result so far (each counted once)."""
        return len(self._seen)

    def feed(self, result: BatchResult) -> None:
        """Count a result (of the output or the error file)."""
        self._seen.add(result.custom_id)

    def not_run(self, custom_ids: Iterable[str], message: str) -> Iterator[BatchResult]:
        """A record for each request without a result, once each, in input order.

        Args:
            custom_ids: The input's custom_ids, in file order (read as needed).
            message: What each record's `message` says (`not_run_message`).

        Yields:
            Records with no response, `code` `NOT_RUN_CODE`, and `message`.
        """
        seen = self._seen
        for custom_id in custom_ids:
            if seen.add(custom_id) is None:  # kept now: an id the input repeats is one request
                error = BatchRequestError(message=message, code=NOT_RUN_CODE)
                yield BatchResult(custom_id=custom_id, error=error)

    def close(self) -> None:
        """Free the ids kept."""
        self._seen.close()

"""A workload's requests, split over as few batch input files ("parts") as the limits allow.

The requests stream through: each is checked and encoded as one line (the rules and the
encoding are `_jsonl.inputs`'), and the line goes into the current part, or starts the next one
when it would take the part over `max_requests` lines or `max_bytes` bytes. Nothing but the
current line and the custom_ids seen so far is held. The custom_ids are checked for
uniqueness over the whole workload, not per part, exactly, in an `_jsonl.ids.IdIndex`: its
hashes in memory (about 17 bytes a request for a million requests and more, 23 for
200,000; 36 MB for 2,000,000), the ids' bytes in an unnamed temporary file beside the parts
(about 32 bytes a 15-character id, on disk), read back only to confirm a repeated hash.
Blank lines of a JSONL file are skipped: not requests, not problems, and not written.

Bad input fails before anything is sent: every request is checked, and any problem raises
one `InputFileError` listing them all by request number (the request's line in an input
JSONL file), with no part left on disk.

    parts = split_requests(requests(), workdir / "parts")
    [(p.requests, p.size, p.sha256, p.path) for p in parts]

`split_file` does the same for a JSONL file of any length (its lines kept as they are, its
problems by line), and `split_lines` for lines checked already (a retry round's).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from .._exceptions import InputFileError
from .._jsonl.checks import Checker, InputFileInfo, InputProblem, check_limits
from .._jsonl.ids import IdIndex
from .._jsonl.inputs import (
    MAX_CUSTOM_ID_LENGTH,
    MAX_LISTED_PROBLEMS,
    Readable,
    Request,
    checked_lines,
    request_line,
)
from .._jsonl.writer import MAX_FILE_BYTES, MAX_REQUESTS, InputFileWriter

__all__ = ["part_path", "split_file", "split_lines", "split_requests"]


def part_path(directory: str | os.PathLike[str], prefix: str, number: int) -> Path:
    """Where the `number`th part (from 1) of a split goes: `prefix-00001.jsonl`, ..."""
    return Path(directory) / f"{prefix}-{number:05d}.jsonl"


class _Parts:
    """The part files of one split: the one being written, and those closed."""

    def __init__(
        self, directory: Path, prefix: str, max_requests: int, max_bytes: int, durable: bool
    ) -> None:
        check_limits(max_requests=max_requests, max_bytes=max_bytes)
        self.directory, self.prefix, self.durable = directory, prefix, durable
        self.max_requests, self.max_bytes = max_requests, max_bytes
        self.closed: list[InputFileInfo] = []
        self._current: InputFileWriter | None = None

    def add(self, line: bytes) -> None:
        """Append a line to the current part, or to a new one when it does not fit."""
        current = self._current
        if current is None or not current.fits(len(line)):
            if current is not None:
                self.closed.append(current.close())
            if not self.closed:
                self.directory.mkdir(parents=True, exist_ok=True)
            path = part_path(self.directory, self.prefix, len(self.closed) + 1)
            current = self._current = InputFileWriter(
                path,
                max_requests=self.max_requests,
                max_bytes=self.max_bytes,
                durable=self.durable,
            )
        current.write(line)

    def close(self) -> list[InputFileInfo]:
        if self._current is not None:
            self.closed.append(self._current.close())
            self._current = None
        return self.closed

    def discard(self) -> None:
        """Remove every part of this split, the one being written included."""
        if self._current is not None:
            self._current.discard()
        for info in self.closed:
            assert info.path is not None
            with contextlib.suppress(OSError):
                info.path.unlink()


def _workload_ids(directory: Path) -> IdIndex:
    """Where a split keeps the custom_ids it has seen: in compact memory (17 to 23 bytes
    an id, see `_jsonl.ids`), their bytes in an unnamed file in `directory` (made here)."""
    directory.mkdir(parents=True, exist_ok=True)
    return IdIndex(disk=True, directory=directory)


def _too_big(line: bytes, max_bytes: int) -> str:
    return (
        f"the request is {len(line):,} bytes as a line, more than a batch's whole "
        f"input file may be ({max_bytes:,})"
    )


def split_requests(
    requests: Iterable[Request],
    directory: str | os.PathLike[str],
    *,
    prefix: str = "part",
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_FILE_BYTES,
    max_custom_id_length: int = MAX_CUSTOM_ID_LENGTH,
    max_listed_problems: int = MAX_LISTED_PROBLEMS,
    durable: bool = True,
) -> list[InputFileInfo]:
    """Check requests and write them as input files, each as full as the limits allow.

    Args:
        requests: `(custom_id, body)` pairs or mappings with `custom_id` and `body`, as
            `write_input_file` takes them; any iterable, read once (a generator is fine).
        directory: Where the parts go (made if missing), named by `part_path`; a file
            already there under a part's name is replaced.
        prefix: The start of the parts' file names.
        max_requests: The most requests a part may hold.
        max_bytes: The largest a part may be.
        max_custom_id_length: The longest a custom_id may be.
        max_listed_problems: How many problems the error lists (all are counted).
        durable: Fsync each part before it is renamed into place, so that a part a
            manifest records outlives a crash of the machine.

    Returns:
        Each part's request count, size, SHA-256 and path, in the requests' order.

    Raises:
        InputFileError: Some requests have problems (custom_ids used twice anywhere in
            the workload included): every one, by request number. No part is left.
        OSError: A part cannot be written. No part is left.
        ValueError: A limit is not a positive int.
    """
    check_limits(max_custom_id_length=max_custom_id_length, max_listed_problems=max_listed_problems)
    parts = _Parts(Path(directory), prefix, max_requests, max_bytes, durable)
    ids = _workload_ids(parts.directory)
    checker = Checker(max_requests, max_bytes, max_custom_id_length, max_listed_problems, ids=ids)
    try:
        number = 0
        for number, request in enumerate(requests, start=1):
            line = request_line(checker, number, request)
            if line is not None and len(line) > max_bytes:
                checker.add(number, _too_big(line, max_bytes))
            elif line is not None and not checker.count:
                parts.add(line)  # once a problem is found, only the checks go on
        if number == 0:
            checker.add(1, "there are no requests")
        if checker.count:
            raise InputFileError(
                checker.problems, problem_count=checker.count, source="the requests"
            )
        return parts.close()
    except BaseException:
        parts.discard()
        raise
    finally:
        ids.close()


def split_file(
    source: str | os.PathLike[str] | Readable,
    directory: str | os.PathLike[str],
    *,
    prefix: str = "part",
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_FILE_BYTES,
    max_custom_id_length: int = MAX_CUSTOM_ID_LENGTH,
    max_listed_problems: int = MAX_LISTED_PROBLEMS,
    durable: bool = True,
) -> list[InputFileInfo]:
    """Check a JSONL file of requests of any length (the CLI's INPUT.jsonl) as
    `check_input_file` checks a batch's, custom_ids unique over all of it, and write its
    lines, as they are, as input files each as full as the limits allow.

    Args:
        source: A path, or a binary file object read from its current position.
        directory: Where the parts go (made if missing), named by `part_path`.
        prefix: The start of the parts' file names.
        max_requests: The most requests a part may hold.
        max_bytes: The largest a part may be.
        max_custom_id_length: The longest a custom_id may be.
        max_listed_problems: How many problems the error lists (all are counted).
        durable: Fsync each part before it is renamed into place.

    Returns:
        Each part's request count, size, SHA-256 and path, in the file's order. A last
        line without a newline gets one.

    Raises:
        InputFileError: Some lines have problems: every one, by line number (the file
            named as its `source`). No part is left.
        OSError: The file cannot be read, or a part written. No part is left.
        ValueError: A limit is not a positive int.
    """
    check_limits(max_custom_id_length=max_custom_id_length, max_listed_problems=max_listed_problems)
    parts = _Parts(Path(directory), prefix, max_requests, max_bytes, durable)
    ids = _workload_ids(parts.directory)
    checker = Checker(max_requests, max_bytes, max_custom_id_length, max_listed_problems, ids=ids)
    name = str(source) if isinstance(source, (str, os.PathLike)) else "the input file"
    try:
        with contextlib.ExitStack() as stack:
            stream = (
                stack.enter_context(Path(source).open("rb"))
                if isinstance(source, (str, os.PathLike))
                else source
            )
            for line in checked_lines(checker, stream):
                if line.isspace():  # a blank line: not a request, and not kept
                    continue
                whole = line if line.endswith(b"\n") else line + b"\n"
                if len(whole) > max_bytes:  # no part could hold it
                    # (checker.lines counts this line only once the next is asked for)
                    checker.add(checker.lines + 1, _too_big(whole, max_bytes))
                elif not checker.count:
                    parts.add(whole)  # once a problem is found, only the checks go on
        if checker.requests == 0:
            checker.add(1, "the file holds no requests")
        if checker.count:
            raise InputFileError(checker.problems, problem_count=checker.count, source=name)
        return parts.close()
    except BaseException:
        parts.discard()
        raise
    finally:
        ids.close()


def split_lines(
    lines: Iterable[bytes],
    directory: str | os.PathLike[str],
    *,
    prefix: str,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_FILE_BYTES,
    durable: bool = True,
) -> list[InputFileInfo]:
    """Write lines that were checked already (a retry round's requests, read back from
    earlier parts) as input files, each as full as the limits allow.

    Args:
        lines: Input file lines, each ending with a newline.
        directory: Where the parts go (made if missing), named by `part_path`.
        prefix: The start of the parts' file names.
        max_requests: The most lines a part may hold.
        max_bytes: The largest a part may be.
        durable: Fsync each part before it is renamed into place.

    Returns:
        Each part's line count, size, SHA-256 and path, in order; none for no lines.

    Raises:
        InputFileError: A line does not end with a newline, or is larger than a part may
            be (lines from a split never are). No part is left.
        OSError: A part cannot be written. No part is left.
    """
    parts = _Parts(Path(directory), prefix, max_requests, max_bytes, durable)
    try:
        for number, line in enumerate(lines, start=1):
            if not line.endswith(b"\n"):
                problem = InputProblem(number, "the line does not end with a newline")
                raise InputFileError([problem], source="the lines")
            if len(line) > max_bytes:
                raise InputFileError(
                    [InputProblem(number, _too_big(line, max_bytes))], source="the lines"
                )
            parts.add(line)
        return parts.close()
    except BaseException:
        parts.discard()
        raise

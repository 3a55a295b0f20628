"""The rules of a batch input file's lines, applied one line (or request) at a time.

`_jsonl.inputs` reads and writes the files; this module holds what it checks them against, and
collects every problem with its line number, in bounded memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from together_batches_api.models.batch_input_line import BatchInputLine

from .._exceptions import InputFileError
from .ids import IdIndex

__all__ = ["BODY", "CUSTOM_ID", "MISSING", "Checker", "InputFileInfo", "check_limits"]


class InputProblem(NamedTuple):
    """One problem of a batch input file.

    Attributes:
        line: The line (or, for requests given as objects, the request) it is on, from 1.
        message: What is wrong there.
    """

    line: int
    message: str


# The wire names of a line's two fields, from the spec (through the generated model).
CUSTOM_ID, BODY = (field.name for field in BatchInputLine.FIELDS)
#: Stands for a field the line or request does not have.
MISSING = object()
_decode = json.JSONDecoder().decode
_BOM = "\ufeff"  # a UTF-8 byte order mark, allowed before a line as `json.loads` allows it
_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


@dataclass(frozen=True, slots=True)
class InputFileInfo:
    """What building or checking a valid input file learnt about it.

    Attributes:
        requests: How many requests (lines) it holds.
        size: Its size in bytes.
        sha256: The SHA-256 of its bytes, lower-case hex (an upload's `checksum`).
        path: Where it is, when it was given or written as a path.
    """

    requests: int
    size: int
    sha256: str
    path: Path | None = None


def check_limits(**limits: int) -> None:
    """Check that each limit, named as its argument, is an int >= 1.

    Raises:
        ValueError: One is not, named in the message.
    """
    for name, value in limits.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, not {value!r}")


def _kind(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


class Checker:
    """Counts lines, requests and bytes, and collects the problems of each line, in order.

    Given `ids`, custom_ids are checked for uniqueness over every request however many (a
    workload over many files), in the index's compact memory; otherwise over the first
    `max_requests` requests only, in a dict (about 130 bytes an id, 6.5 MB at most).

    Blank lines (nothing but spaces, tabs and newlines) are not requests, as for the
    official checker: they are counted in the file's lines and bytes, never as a request,
    and the line numbers of problems are the file's own.
    """

    def __init__(
        self,
        max_requests: int,
        max_bytes: int,
        max_custom_id_length: int,
        max_listed: int,
        *,
        ids: IdIndex | None = None,
    ) -> None:
        check_limits(
            max_requests=max_requests,
            max_bytes=max_bytes,
            max_custom_id_length=max_custom_id_length,
            max_listed_problems=max_listed,
        )
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.max_custom_id_length = max_custom_id_length
        self.max_listed = max_listed
        #: The lines read so far (blank ones included), and the requests among them.
        self.lines = 0
        self.requests = 0
        self.size = 0
        self.count = 0
        self.problems: list[InputProblem] = []
        self._over_size_at = 0
        self._over_count_at = 0
        self._first_line: dict[str, int] = {}
        # One file keeps the ids of its first `max_requests` requests only (memory stays
        # bounded past the limit); a workload split over many files keeps them all, in
        # `ids`.
        self._ids = ids

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.problems) < self.max_listed:
            self.problems.append(InputProblem(line, message))

    def sized(self, line: int, size: int) -> None:
        """Count a line of `size` bytes (its newline included)."""
        self.size += size
        if not self._over_size_at and self.size > self.max_bytes:
            self._over_size_at = line

    def request(self, line: int) -> None:
        """Count a request, on `line`."""
        self.requests += 1
        if self.requests == self.max_requests + 1:
            self._over_count_at = line

    def refuses(self) -> bool:
        """Whether what was counted so far is refused already."""
        return bool(self.count or self._over_size_at) or self.requests > self.max_requests

    def fields(self, line: int, custom_id: object, body: object) -> None:
        """Check a request's custom_id and body."""
        if custom_id is MISSING:
            self.add(line, f"{CUSTOM_ID} is missing")
        elif type(custom_id) is not str:
            self.add(line, f"{CUSTOM_ID} must be a string, not {_kind(custom_id)}")
        elif not custom_id:
            self.add(line, f"{CUSTOM_ID} is empty")
        elif len(custom_id) > self.max_custom_id_length:
            self.add(
                line,
                f"{CUSTOM_ID} is {len(custom_id)} characters long, more than "
                f"{self.max_custom_id_length}",
            )
        elif self._ids is not None:
            first = self._ids.add(custom_id, line)
            if first is not None:
                self.add(line, f"{CUSTOM_ID} {custom_id!r} is already used on line {first}")
        elif self.requests <= self.max_requests:
            # Only the ids of a file within the limits are kept: memory stays bounded.
            first = self._first_line.setdefault(custom_id, line)
            if first != line:
                self.add(line, f"{CUSTOM_ID} {custom_id!r} is already used on line {first}")
        if body is MISSING:
            self.add(line, f"{BODY} is missing")
        elif not isinstance(body, dict):
            self.add(line, f"{BODY} must be a JSON object, not {_kind(body)}")

    def line(self, line: int, raw: bytes) -> bool:
        """Check one line of a file (its bytes, newline and all).

        Returns:
            Whether it is a request: any line but a blank one.
        """
        if raw.isspace():  # not a request, not a problem: as for the official checker
            return False
        self.request(line)
        try:
            # Decoded here, as UTF-8 (what a batch file is), not by `json.loads(bytes)`:
            # its sniffing for UTF-16 and -32 is a fifth of the time of a check.
            text = raw.decode()
            item = _decode(text[1:] if text.startswith(_BOM) else text)
        except UnicodeDecodeError:
            self.add(line, "the line is not UTF-8 text")
            return True
        except ValueError as exc:
            message = getattr(exc, "msg", str(exc))
            self.add(
                line,
                f"the line is not valid JSON ({message}, column {getattr(exc, 'colno', '?')})",
            )
            return True
        if type(item) is not dict:
            self.add(line, f"the line must be a JSON object, not {_kind(item)}")
            return True
        self.fields(line, item.get(CUSTOM_ID, MISSING), item.get(BODY, MISSING))
        return True

    def finish(self, sha256: str, source: str, path: Path | None) -> InputFileInfo:
        """The file's info, or the error listing every problem.

        Raises:
            InputFileError: Any problem was found.
        """
        extra = []
        if self.requests == 0:
            extra.append(InputProblem(1, "the file holds no requests"))
        if self.requests > self.max_requests:
            extra.append(
                InputProblem(
                    self._over_count_at,
                    (
                        f"the file holds {self.requests:,} requests, more than the "
                        f"{self.max_requests:,} a batch takes: split it over several batches"
                    ),
                )
            )
        if self._over_size_at:
            extra.append(
                InputProblem(
                    self._over_size_at,
                    (
                        f"the file is {self.size:,} bytes, more than the {self.max_bytes:,} a "
                        "batch takes; this line passes the limit"
                    ),
                )
            )
        if self.count or extra:
            problems = sorted([*self.problems, *extra], key=lambda p: p.line)
            raise InputFileError(problems, problem_count=self.count + len(extra), source=source)
        return InputFileInfo(self.requests, self.size, sha256, path)

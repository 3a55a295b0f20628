"""Batch results: one typed record per line of a batch's output and error files.

Lines are parsed one at a time, as they arrive, so a result file of any size takes the
memory of one line. An output line is `{"custom_id", "response": {"status_code", "body"}}`,
an error line `{"custom_id", "error": {"message", "code"}}`; `BatchResult` is the spec's
`BatchResultLine` (either kind) with the behaviour results need. A line that is neither is
never skipped: it raises `APIResponseValidationError` naming the file and the line.

    for result in iter_results(open("output.jsonl", "rb"), file="output.jsonl"):
        print(result.custom_id, result.body if result.ok else result.message)
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

from together_batches_api.models.batch_output_response import BatchOutputResponse
from together_batches_api.models.batch_request_error import BatchRequestError
from together_batches_api.models.batch_result_line import BatchResultLine
from together_batches_api.types import InvalidPayload, read_value

from .._exceptions import APIResponseValidationError, TogetherError
from .._http.calls import body_snippet

if TYPE_CHECKING:
    from .._models import BatchJob

__all__ = [
    "MAX_RESULT_LINE_LENGTH",
    "NOT_RUN_CODE",
    "BatchResult",
    "ResultReader",
    "ResultsIncompleteError",
    "ResultsUnavailableError",
    "failed_custom_ids",
    "iter_results",
    "parse_result",
]

#: The longest result line read, in characters: a longer one is an error, not a reason to
#: run out of memory.
MAX_RESULT_LINE_LENGTH = 64 * 1024 * 1024

#: The `code` of the record made for a request of a batch that ended before it ran: its
#: input holds it, and neither its output file nor its error file has a line for it.
NOT_RUN_CODE = "batch_ended_first"

# Wire names, from the spec (the generated models' field tables).
_CUSTOM_ID, _RESPONSE, _ERROR = (field.name for field in BatchResultLine.FIELDS)
_STATUS_CODE = BatchOutputResponse.FIELDS[0].name
_OUTCOME_FIELDS = BatchResultLine.FIELDS[1:]
_CODE = BatchRequestError.FIELDS[1].name


class BatchResult(BatchResultLine):
    """What became of one request of a batch: a line of its output or of its error file.

    Immutable. Besides the line's own fields (`custom_id`, `response`, `error`, and
    `extras` for fields the spec does not list), it reads:

    Attributes:
        status_code: The status of the request's response (output lines), else None.
        body: The response's body, e.g. a chat completion (output lines), else None.
        message: Why the request failed (error lines), else None.
        code: The error's code, a number or a string (error lines), else None.
        ok: The request got a 2xx response, and no error.
        failed: It did not: an error line, or a response with an error status, or it never
            ran.
        not_run: It never ran: its batch ended (CANCELLED, EXPIRED, FAILED) first, and
            neither of its files has a line for it. The record is made by the client, with
            no `response`, `code` `NOT_RUN_CODE`, and a `message` saying so.

    Build one for a test with the line's fields:
    `BatchResult(custom_id="a", response=BatchOutputResponse(status_code=200, body={}))`.
    """

    __slots__ = ()

    @property
    def status_code(self) -> int | None:
        """The status of the request's response (output lines), else None."""
        response = self.response
        return None if response is None else response.status_code

    @property
    def body(self) -> Any:
        """The response's body (output lines), else None."""
        response = self.response
        return None if response is None else response.body

    @property
    def message(self) -> str | None:
        """Why the request failed (error lines; a placeholder when the line gives none)."""
        error = self.error
        if error is None:
            return None
        message = error.message
        return "(the error line gives no message)" if message is None else message

    @property
    def code(self) -> int | str | None:
        """The error's code (error lines), else None."""
        error = self.error
        code: int | str | None = None if error is None else error.code
        return code

    @property
    def ok(self) -> bool:
        """Whether the request got a 2xx response, and no error."""
        response = self._data.get(_RESPONSE)
        if response is None or self._data.get(_ERROR) is not None:
            return False
        return 200 <= int(response[_STATUS_CODE]) < 300

    @property
    def failed(self) -> bool:
        """Whether the request failed: an error line, a response with an error status, or
        a request that never ran."""
        return not self.ok

    @property
    def not_run(self) -> bool:
        """Whether the request never ran (its batch ended first): a record the client made,
        without a response, whose code is `NOT_RUN_CODE`."""
        error = self._data.get(_ERROR)
        return (
            self._data.get(_RESPONSE) is None
            and type(error) is dict
            and error.get(_CODE) == NOT_RUN_CODE
        )


def parse_result(data: object) -> BatchResult:
    """The record of one decoded result line (kept, not copied).

    Raises:
        InvalidPayload: It is not an output line nor an error line.
    """
    if type(data) is dict:
        response = data.get(_RESPONSE)
        if (
            type(response) is dict
            and type(data.get(_CUSTOM_ID)) is str
            and type(response.get(_STATUS_CODE)) is int
            and data.get(_ERROR) is None
        ):
            # The usual output line, checked by hand, several times faster than `check`:
            # it is all `BatchResult.check` would look at (`body` may be anything).
            return BatchResult._trusted(data)
    BatchResult.check(data)
    assert type(data) is dict
    # `ok` is worked from too: a response with an int status_code, an error object.
    for field in _OUTCOME_FIELDS:
        value = data.get(field.name)
        if value is not None:
            read_value(field, value)
    if data.get(_RESPONSE) is None and data.get(_ERROR) is None:
        raise InvalidPayload(f"a result line needs a {_RESPONSE} or an {_ERROR}")
    return BatchResult._trusted(data)


class ResultReader:
    """Turns the bytes of one result file into records, as they arrive.

    Feed it the file's chunks (`feed`), then `close` it; each call answers the records of
    the lines it completed. Both twins of a client stream through one of these. A bad line
    is reported after the records of the lines before it: by the call that reaches it when
    it is the first line that call completes, else by the next call. A reader that raised
    raises the same error from then on.

    Args:
        file: The file's name or id, for error messages.
        status_code: The HTTP status the content came with, for error messages.
        max_line_length: The longest line accepted, in characters.
    """

    def __init__(
        self, file: str, *, status_code: int = 200, max_line_length: int = MAX_RESULT_LINE_LENGTH
    ) -> None:
        self.file = file
        self.status_code = status_code
        self.max_line_length = max_line_length
        #: How many lines have been read so far.
        self.lines = 0
        self._tail = ""
        self._error: APIResponseValidationError | None = None
        # Chunks are decoded whole (a character split between two chunks waits for the
        # next): json.loads of a str is faster than of bytes, which it would decode itself.
        self._decode = codecs.getincrementaldecoder("utf-8")().decode

    def feed(self, chunk: bytes) -> list[BatchResult]:
        """Read a chunk of the file.

        Returns:
            The records of the lines the chunk completed, in file order.

        Raises:
            APIResponseValidationError: A line is not a result line (or not UTF-8 text), or
                is longer than `max_line_length`.
        """
        self._raise_if_failed()
        try:
            text = self._tail + self._decode(chunk)
        except UnicodeDecodeError as exc:
            self._not_text(chunk, exc)
        *complete, self._tail = text.split("\n")
        records: list[BatchResult] = []
        try:
            for line in complete:
                record = self.line(line)
                if record is not None:
                    records.append(record)
            if len(self._tail) > self.max_line_length:
                problem = f"is longer than {self.max_line_length:,} characters"
                self._fail(self.lines + 1, problem, self._tail[:200])
        except APIResponseValidationError:
            if not records:
                raise
        return records

    def close(self) -> list[BatchResult]:
        """Read the last line, when the file does not end with a newline.

        Returns:
            Its record, or nothing.

        Raises:
            APIResponseValidationError: It is not a result line, the file ends inside a
                character, or an earlier line was bad and not reported yet.
        """
        self._raise_if_failed()
        try:
            tail = self._tail + self._decode(b"", True)
        except UnicodeDecodeError as exc:
            self._not_text(b"", exc)
        self._tail = ""
        record = self.line(tail) if tail else None
        return [] if record is None else [record]

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _not_text(self, chunk: bytes, exc: UnicodeDecodeError) -> NoReturn:
        # The error's offset counts from bytes the decoder held back (fewer than 4), so
        # the newlines before it in this chunk give the line, give or take that.
        number = self.lines + 1 + chunk.count(b"\n", 0, exc.start)
        self._fail(number, "is not UTF-8 text", chunk[max(0, exc.start - 40) : exc.start + 40])

    def line(self, line: bytes | str) -> BatchResult | None:
        """Read one whole line (with or without its newline).

        Returns:
            Its record, or None for a blank line (which holds none).

        Raises:
            APIResponseValidationError: The line is not a result line.
        """
        self._raise_if_failed()
        self.lines += 1
        if not line or line.isspace():
            return None
        try:
            data = json.loads(line)
        except ValueError:  # UnicodeDecodeError included
            self._fail(self.lines, "is not valid JSON", line)
        try:
            return parse_result(data)
        except InvalidPayload as exc:
            self._fail(self.lines, f"is not a result line: {exc}", line)

    def _fail(self, number: int, problem: str, line: bytes | str) -> NoReturn:
        raw = line.encode("utf-8", "replace") if isinstance(line, str) else line
        self._error = APIResponseValidationError(
            f"{self.file} line {number} {problem}",
            status_code=self.status_code,
            body=body_snippet(raw),
        )
        raise self._error


def iter_results(
    lines: Iterable[bytes | str], *, file: str = "the result file"
) -> Iterator[BatchResult]:
    """Parse result lines one at a time (a file object opened in binary mode, or
    `httpx.Response.iter_lines()`).

    Args:
        lines: The file's lines.
        file: The file's name or id, for error messages.

    Yields:
        One record per non-blank line, in file order.

    Raises:
        APIResponseValidationError: A line is not a result line; it names the file and
            the line number.
    """
    reader = ResultReader(file)
    for line in lines:
        record = reader.line(line)
        if record is not None:
            yield record


def failed_custom_ids(results: Iterable[BatchResult]) -> list[str]:
    """The custom_ids of the requests that failed, for a resubmission.

    Args:
        results: Records, from any number of files (output and error files alike).

    Returns:
        Each failed request's custom_id once, in the order first seen.
    """
    return list(dict.fromkeys(result.custom_id for result in results if result.failed))


class ResultsUnavailableError(TogetherError):
    """A job's results (or its files) were asked for, but it has none to give: it has not
    ended yet (`results`, `download`), or it ended without an output or an error file
    (`download`). Nothing was downloaded. (Its subclass `ResultsIncompleteError` comes after
    records were yielded.)

    Attributes:
        job: The job, as seen when asked.
    """

    def __init__(self, message: str, *, job: BatchJob) -> None:
        super().__init__(message)
        self.job = job


class ResultsIncompleteError(ResultsUnavailableError):
    """The requests of a batch that never ran cannot be listed: the batch ended before it
    finished, and its input file, the only list of its requests, could not be read (it is
    gone, the job names none, or a line of it is not a request). Raised after the records of
    its output and error files were yielded: the requests of your input that are not among
    them never ran. Nothing is counted short in silence. A `ResultsUnavailableError`, as a
    job without files was before `results` listed its unrun requests.

    Attributes:
        job: The job.
        input_file_id: Its input file, or None when it names none.
    """

    def __init__(self, message: str, *, job: BatchJob, input_file_id: str | None) -> None:
        super().__init__(message, job=job)
        self.input_file_id = input_file_id

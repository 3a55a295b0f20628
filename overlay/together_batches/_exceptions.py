"""Every exception the client raises on purpose.

The tree::

    TogetherError
    ├── APIConnectionError              the request did not get a usable response (network,
    │   │                               protocol, undecodable body, redirects: any httpx error)
    │   └── APITimeoutError             ... because a timeout ran out
    ├── APIResponseValidationError      a response that is not what the spec promises
    ├── InvalidFieldError               a field read from a model holds a value its type
    │                                   does not allow (raised at that read); also a ValueError
    ├── APIStatusError                  an error status (status_code, message, body, request_id)
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── RateLimitError              429
    │   └── InternalServerError         >= 500
    ├── BatchNotCreatedError            a create answered without a job, only a warning: no
    │                                   batch was started (.warning is why)
    ├── BatchFailedError                wait_until_done(raise_on_failure=True): FAILED, EXPIRED
    │   └── BatchCancelledError         ... and CANCELLED
    ├── BatchErrorGroup                 wait_all / as_completed: some jobs' errors (also an
    │                                   ExceptionGroup, for `except*`)
    ├── InputFileError                  a batch input file a batch would refuse: every
    │                                   problem, by line (also a ValueError); nothing sent
    ├── ManifestError                   a workload manifest that does not match its run (a
    │                                   checksum differs) or cannot be read; nothing sent
    ├── ResultsUnavailableError         (in _results) results asked of a job that has not
    │                                   ended, or that ended without an output or error file
    └── WaitTimeoutError                the wait's deadline passed (also a TimeoutError)

Messages never contain the API key: nothing here is built from request headers, and the
server's text (bodies, httpx's messages) has the key that was sent masked (`_http.secrets`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

if TYPE_CHECKING:
    from ._jsonl.checks import InputProblem
    from ._models import BatchJob

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchCancelledError",
    "BatchErrorGroup",
    "BatchFailedError",
    "BatchNotCreatedError",
    "InputFileError",
    "InternalServerError",
    "InvalidFieldError",
    "ManifestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TogetherError",
    "WaitTimeoutError",
    "as_sent",
    "status_error_class",
]


T = TypeVar("T")


class TogetherError(Exception):
    """Base of every error this package raises on purpose."""


class APIConnectionError(TogetherError):
    """The request was sent (or tried) but no response came back.

    Args:
        message: What went wrong.
        request: The request that failed, when there was one.
    """

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout ran out."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ):
        super().__init__(message, request=request)


class APIResponseValidationError(TogetherError):
    """A response whose body is not what the spec promises (HTML, truncated JSON, wrong type).

    Attributes:
        status_code: The HTTP status of the response.
        body: The start of the raw body, decoded leniently.
        response: The httpx response, when there is one.
    """

    def __init__(
        self, message: str, *, status_code: int, body: str, response: httpx.Response | None = None
    ) -> None:
        super().__init__(f"{message} (HTTP {status_code}, body: {body!r})")
        self.status_code = status_code
        self.body = body
        self.response = response


class InvalidFieldError(TogetherError, ValueError):
    """A model's field holds a value its type does not allow (`BatchJob.user_id should be a
    string, got a number: 42`). Raised at that read only: a field never read never fails a
    call, a list or a wait; `to_dict()` keeps the raw value. Also a `ValueError`.

    Attributes:
        value: The value as it came (set by the generated models at the read).
    """

    value: Any = None


def as_sent(read: Callable[[], T]) -> T | Any:
    """A field read through its typed attribute (`as_sent(lambda: job.error)`), or, when the
    server sent it as another type than the spec's, the value as it came: for messages that
    show what was sent and must not fail on it. No wire name is written again.
    """
    try:
        return read()
    except InvalidFieldError as exc:
        return exc.value


class APIStatusError(TogetherError):
    """The API answered with an error status.

    Attributes:
        status_code: The HTTP status.
        message: The server's own message (the batch endpoints' `error` string), or a
            description of the status when the body carried none.
        body: The decoded JSON body, or the start of the raw text when it was not JSON.
        request_id: The server's request id header, when present.
        response: The httpx response.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id: str | None = response.headers.get("x-request-id")

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status_code})"


class BadRequestError(APIStatusError):
    """400: the request was malformed or not allowed in the job's state."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not see this job."""


class NotFoundError(APIStatusError):
    """404: no such job or file."""


class RateLimitError(APIStatusError):
    """429: too many requests."""


class InternalServerError(APIStatusError):
    """A 5xx answer."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an error status.

    Args:
        status_code: Any HTTP status >= 400, including ones outside `http.HTTPStatus`.

    Returns:
        The most specific subclass of `APIStatusError`.
    """
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)


class BatchNotCreatedError(TogetherError):
    """A create was answered (201) without a job, with only the server's warning: no batch
    was started. The official SDK 3.1.1 allows this answer and reports it as "not created".

    Nothing is retried: the same create would likely get the same warning. Fix what the
    warning says (the input file, the model, a quota) and create again.

    Attributes:
        warning: Why, in the server's words; also the exception's message.
        input_file_id: The input file the create named; it is uploaded, and a new create
            may use it.
    """

    def __init__(self, warning: str, *, input_file_id: str | None = None) -> None:
        super().__init__(warning)
        self.warning = warning
        self.input_file_id = input_file_id


class BatchFailedError(TogetherError):
    """A waited-for job ended FAILED or EXPIRED (and `raise_on_failure=True` was given).

    Attributes:
        job: The job as last seen, terminal.
    """

    def __init__(self, job: BatchJob) -> None:
        details = [f"batch {job.id} ended {job.status}"]
        # As sent: an `error` object must not fail the wait raising this.
        error, error_file = as_sent(lambda: job.error), as_sent(lambda: job.error_file_id)
        if error:
            details.append(f"error: {error}")
        if error_file:
            details.append(f"error file: {error_file}")
        super().__init__("; ".join(details))
        self.job = job


class BatchCancelledError(BatchFailedError):
    """A waited-for job ended CANCELLED (and `raise_on_failure=True` was given)."""


class WaitTimeoutError(TogetherError, TimeoutError):
    """The wait's deadline passed before the job (or jobs) reached a terminal status.

    Attributes:
        job: The last job seen (for a single wait), or None if no poll succeeded.
        polls: How many polls were made.
        pending: For waits on many jobs: the jobs still unfinished, by id (the last state
            seen, or None where none was).
    """

    def __init__(
        self,
        message: str,
        *,
        job: BatchJob | None = None,
        polls: int = 0,
        pending: dict[str, BatchJob | None] | None = None,
    ) -> None:
        super().__init__(message)
        self.job = job
        self.polls = polls
        self.pending = pending if pending is not None else {}


class BatchErrorGroup(ExceptionGroup[Exception], TogetherError):
    """Waits on several jobs (`wait_all`, `as_completed`) where one or more ended in an error.

    Raised once every other job has been waited for. Its `exceptions` are the errors (each
    with a note naming its job), in the order the ids were given; `except* NotFoundError`
    and `except* BatchFailedError` pick them out.

    Attributes:
        errors: The error of each job that failed, by id (e.g. `NotFoundError`, or
            `BatchFailedError` under `raise_on_failure=True`).
        jobs: The jobs that did finish, by id, so that their results are not lost.
    """

    errors: dict[str, Exception]
    jobs: dict[str, BatchJob]

    def __new__(cls, errors: Mapping[str, Exception], jobs: Mapping[str, BatchJob]) -> Self:
        self = super().__new__(cls, _group_message(errors, jobs), list(errors.values()))
        self.errors = dict(errors)
        self.jobs = dict(jobs)
        return self

    def __init__(self, errors: Mapping[str, Exception], jobs: Mapping[str, BatchJob]) -> None:
        super().__init__(_group_message(errors, jobs), list(errors.values()))

    def derive(self, excs: Sequence[Exception]) -> BatchErrorGroup:  # type: ignore[override]
        """The group narrowed to `excs` (used by `except*`), keeping the ids and jobs."""
        kept = {k: v for k, v in self.errors.items() if any(v is e for e in excs)}
        return BatchErrorGroup(kept, self.jobs)


def _group_message(errors: Mapping[str, Exception], jobs: Mapping[str, BatchJob]) -> str:
    shown = ", ".join(f"{key}: {type(exc).__name__}" for key, exc in list(errors.items())[:5])
    more = ", ..." if len(errors) > 5 else ""
    total = len(errors) + len(jobs)
    return f"{len(errors)} of {total} batch waits failed ({shown}{more})"


class InputFileError(TogetherError, ValueError):
    """A batch input file, or requests for one, that a batch would refuse. Nothing was sent.

    Raised once the whole input has been checked, with every problem found, not just the
    first.

    Attributes:
        problems: The problems, by line, in line order; at most the checker's cap of them.
        problem_count: How many problems there are in all (more than `len(problems)` when
            the list was capped).
        source: What was checked: a path, or a description such as "requests".
    """

    #: How many problems the message itself lists.
    SHOWN = 20

    def __init__(
        self,
        problems: Sequence[InputProblem],
        *,
        problem_count: int | None = None,
        source: str = "the input file",
    ) -> None:
        self.problems = tuple(problems)
        self.problem_count = len(self.problems) if problem_count is None else problem_count
        self.source = source
        count = self.problem_count
        lines = [f"  line {p.line}: {p.message}" for p in self.problems[: self.SHOWN]]
        if count > len(lines):
            lines.append(f"  ... and {count - len(lines)} more")
        # "SOURCE: N problems", not "SOURCE has": a source may be plural ("the requests").
        # Nothing about sending: a check alone (`check_input_file`) sends nothing either.
        super().__init__(
            f"{source}: {count} problem{'' if count == 1 else 's'} a batch would refuse. "
            "Fix them and try again:\n" + "\n".join(lines)
        )


class ManifestError(TogetherError, ValueError):
    """A workload manifest that cannot be used: it records other requests or settings than
    the run's (a part's checksum differs, say), or is not one this version reads. Nothing
    was sent; the message names the manifest, says what differs, and what to do."""

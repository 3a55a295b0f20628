"""`BatchJob`: the generated model of a batch job, plus the behaviour users need.

The wire model (every field, its type, whether it is required, the type checks and the
tolerance rules) is generated from `spec/openapi.yaml` into
`together_batches_api.models.batch_job`; this module writes none of it again. A field added
to the spec is a typed attribute here after `make generate`, with no edit.

What this subclass adds:

- `status` as the open `BatchStatus`, with its helpers (`is_terminal`, ...);
- `progress` as a 0.0-1.0 fraction (so `f"{job.progress:.1%}"` works), beside
  `progress_percent`, the wire's 0-100;
- `warning`, the server's warning on the create that returned the job;
- equality and pickling that keep the warning.

Parsing is the hot path of `list_batches` (a 10,000-job list is one call): the decoded JSON
objects are kept as they are, and only what the client works from (each job's `id` and
`status`) is checked when they arrive; every other field is checked when it is read (the
tolerant reader of `together_batches_api.types`). Every lean model, nested ones included,
raises `InvalidFieldError` for a value it cannot read.
"""

from __future__ import annotations

import warnings
from typing import Any

from together_batches_api.models.batch_job import BatchJob as _WireBatchJob
from together_batches_api.models.batch_job_with_warning import BatchJobWithWarning
from together_batches_api.types import InvalidPayload, LeanModel

from ._exceptions import InvalidFieldError
from ._status import BatchStatus

__all__ = [
    "BatchJob",
    "BatchWarning",
    "InvalidPayload",
    "parse_create",
    "parse_job",
    "parse_job_list",
    "readable_progress",
    "warn_of",
]

# A field read from any model of the spec (a job's, a file's, a nested validation report's)
# whose value is not of its type raises this package's error, a TogetherError.
LeanModel.FIELD_ERROR = InvalidFieldError

_STATUS_CACHE: dict[str, BatchStatus] = {s.value: s for s in BatchStatus}


class BatchJob(_WireBatchJob):
    """A batch job as the API reported it. Immutable.

    Every field of the spec's `BatchJob` is a typed attribute (`id`, `status`,
    `created_at`, ...); fields the spec does not list yet are in `extras`. Optional fields
    read as None when absent or null; timestamps are timezone-aware.

    Construct one with the API's field names and wire values (tests, fakes):
    `BatchJob(id="b1", status="COMPLETED", progress=100.0)`; the client builds them from
    responses.

    A body is a job when its `id` and `status` are strings (else the call raises
    `APIResponseValidationError`). Every other field is checked when it is read: a value the
    spec's type does not allow raises `InvalidFieldError` (a `TogetherError` and a
    `ValueError`) naming the field, the type and what came, at that read only. An integral
    float reads as an integer, epoch seconds as a date-time; nothing else is converted.

    Attributes:
        status: A `BatchStatus`, possibly one this version does not list.
        progress: Progress as a fraction from 0.0 to 1.0 (0.0 when absent).
        progress_percent: Progress as the API sends it, 0 to 100 (0.0 when absent).
        warning: The server's warning on the create call that returned this job, if any.
    """

    # Set only on jobs returned by a create: one slot less to fill per job of a long list.
    __slots__ = ("_warning",)
    _warning: str

    @property
    def status(self) -> BatchStatus:  # type: ignore[override]
        # BatchStatus has the generated enum's values plus behaviour; Python enums with
        # members cannot be subclassed, so it cannot be a subtype of the generated one.
        value = super().status.value
        known = _STATUS_CACHE.get(value)
        return known if known is not None else BatchStatus(value)

    @property
    def progress_percent(self) -> float:
        """Progress as the API sends it, 0 to 100 (0.0 when absent).

        Raises:
            InvalidFieldError: The server sent a progress that is not a number.
        """
        value = super().progress
        return 0.0 if value is None else value

    @property
    def progress(self) -> float:
        """Progress as a fraction from 0.0 to 1.0 (0.0 when absent).

        Raises:
            InvalidFieldError: The server sent a progress that is not a number.
        """
        return self.progress_percent / 100.0

    @property
    def warning(self) -> str | None:
        """The server's warning on the create call that returned this job, if any."""
        try:
            return self._warning
        except AttributeError:
            return None

    def __eq__(self, other: object) -> bool:
        if type(other) is not BatchJob:
            return NotImplemented
        return super().__eq__(other) is True and self.warning == other.warning

    __hash__ = None  # type: ignore[assignment]  # the contents (extras) may be mutable

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.to_dict(), self.warning))


_put_warning = vars(BatchJob)["_warning"].__set__


def readable_progress(job: BatchJob) -> float | None:
    """`job.progress_percent`, or None when the server sent one that cannot be read (the
    waiter and the CLI's views count it as unknown: it never fails a poll or a view)."""
    try:
        return job.progress_percent
    except InvalidFieldError:
        return None


def _rebuild(data: dict[str, Any], warning: str | None) -> BatchJob:
    return parse_job(data, warning=warning)


def parse_job(data: object, *, warning: str | None = None) -> BatchJob:
    """Build a `BatchJob` from one decoded JSON object (kept, not copied).

    Args:
        data: The decoded JSON of one job.
        warning: The create call's warning, to keep on the job.

    Returns:
        The job.

    Raises:
        InvalidPayload: `data` is not an object, or its `id` or `status` is absent or not a
            string.
    """
    BatchJob.check(data)
    assert type(data) is dict
    job = BatchJob._trusted(data)
    if warning is not None:
        _put_warning(job, warning)
    return job


def parse_job_list(data: object) -> list[BatchJob]:
    """Parse the list endpoint's body: an array of jobs, or `null` for none.

    Raises:
        InvalidPayload: The body is neither, or one item is not an object with a string
            `id` and `status`.
    """
    return BatchJob.from_list(data)


def parse_create(data: object) -> BatchJob:
    """Parse a create's body (the spec's `BatchJobWithWarning`) into the job.

    Raises:
        InvalidPayload: The body is not an object, or has no `job` with a string `id` and
            `status`.
    """
    if type(data) is not dict:
        raise InvalidPayload(f"a create response should be an object, got {type(data).__name__}")
    BatchJobWithWarning.check(data)  # `job` is required: its id and status are checked too
    job = BatchJob._trusted(data["job"])
    # The warning is read as sent: one that is not a string is no message to show, and must
    # not fail a create that has run.
    warning = data.get("warning")
    if type(warning) is str and warning:
        _put_warning(job, warning)
    return job


class BatchWarning(UserWarning):
    """The server's warning on a create (also kept as `job.warning`)."""


def warn_of(job: BatchJob) -> BatchJob:
    """Issue the server's warning on a create as a `BatchWarning`; return the job."""
    if job.warning:
        warnings.warn(job.warning, BatchWarning, stacklevel=3)
    return job

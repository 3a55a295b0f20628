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
objects are kept as they are and checked once per shape (see `together_batches_api.types`).
"""

from __future__ import annotations

import warnings
from typing import Any

from together_batches_api.models.batch_job import BatchJob as _WireBatchJob
from together_batches_api.models.batch_job_with_warning import BatchJobWithWarning
from together_batches_api.types import InvalidPayload

from ._exceptions import BatchNotCreatedError, InvalidFieldError
from ._status import BatchStatus

__all__ = [
    "BatchJob",
    "BatchWarning",
    "InvalidPayload",
    "parse_create",
    "parse_job",
    "parse_job_list",
    "warn_of",
]

_STATUS_CACHE: dict[str, BatchStatus] = {s.value: s for s in BatchStatus}


class BatchJob(_WireBatchJob):
    """A batch job as the API reported it. Immutable.

    Every field of the spec's `BatchJob` is a typed attribute (`id`, `status`,
    `created_at`, ...); fields the spec does not list yet are in `extras`. Optional fields
    read as None when absent or null; timestamps are timezone-aware.

    Construct one with the API's field names and wire values (tests, fakes):
    `BatchJob(id="b1", status="COMPLETED", progress=100.0)`; the client builds them from
    responses.

    Reading a field never raises an HTTP-layer error: a body is checked when it arrives (a
    bad one is an `APIResponseValidationError` with the response's real status), so a field
    of a job from the API always reads as its type. A value that cannot be read (possible
    only for data that skipped those checks) raises `InvalidPayload`, a `ValueError`.

    Attributes:
        status: A `BatchStatus`, possibly one this version does not list.
        progress: Progress as a fraction from 0.0 to 1.0 (0.0 when absent).
        progress_percent: Progress as the API sends it, 0 to 100 (0.0 when absent).
        warning: The server's warning on the create call that returned this job, if any.
    """

    # Set only on jobs returned by a create: one slot less to fill per job of a long list.
    __slots__ = ("_warning",)
    _warning: str
    # A malformed date-time is found when read: a TogetherError (and ValueError) then.
    FIELD_ERROR = InvalidFieldError

    @property
    def status(self) -> BatchStatus:  # type: ignore[override]
        # BatchStatus has the generated enum's values plus behaviour; Python enums with
        # members cannot be subclassed, so it cannot be a subtype of the generated one.
        value = super().status.value
        known = _STATUS_CACHE.get(value)
        return known if known is not None else BatchStatus(value)

    @property
    def progress_percent(self) -> float:
        """Progress as the API sends it, 0 to 100 (0.0 when absent)."""
        value = super().progress
        return 0.0 if value is None else value

    @property
    def progress(self) -> float:
        """Progress as a fraction from 0.0 to 1.0 (0.0 when absent)."""
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
        InvalidPayload: `data` is not an object of the spec's shape.
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
        InvalidPayload: The body is neither, or one job is malformed.
    """
    return BatchJob.from_list(data)


def parse_create(data: object, *, input_file_id: str | None = None) -> BatchJob:
    """Parse a create's body (the spec's `BatchJobWithWarning`) into the job.

    Args:
        data: The decoded JSON body.
        input_file_id: The input file the create named, for `BatchNotCreatedError`.

    Raises:
        BatchNotCreatedError: The body has a warning and no job: no batch was started.
        InvalidPayload: The body is not of that shape, or has neither a job nor a warning
            (whether a batch was started cannot be told).
    """
    if type(data) is not dict:
        raise InvalidPayload(f"a create response should be an object, got {type(data).__name__}")
    created = BatchJobWithWarning.from_dict(data)
    if created.job is None:
        if created.warning:
            raise BatchNotCreatedError(created.warning, input_file_id=input_file_id)
        raise InvalidPayload("a create response should hold the job (or a warning), got neither")
    job = BatchJob.from_model(created.job)
    if created.warning:
        _put_warning(job, created.warning)
    return job


class BatchWarning(UserWarning):
    """The server's warning on a create (also kept as `job.warning`)."""


def warn_of(job: BatchJob) -> BatchJob:
    """Issue the server's warning on a create as a `BatchWarning`; return the job."""
    if job.warning:
        warnings.warn(job.warning, BatchWarning, stacklevel=3)
    return job

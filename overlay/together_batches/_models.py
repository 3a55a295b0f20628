"""`BatchJob` and the parsing of response bodies into it.

Parsing is the hot path of `list_batches` (a 10,000-job list is one call), so it reads the
decoded JSON once, checks types with cheap `type() is` tests and builds each job once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
from dateutil.parser import isoparse

from ._status import BatchStatus

__all__ = ["BatchJob", "InvalidPayload", "parse_create", "parse_job", "parse_job_list"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class InvalidPayload(ValueError):
    """A decoded body that does not have the shape the spec promises."""


@attrs.frozen(slots=True, weakref_slot=False)
class BatchJob:
    """A batch job as the API reported it.

    Every field the API may omit is `None` when absent. Timestamps are timezone-aware.

    Attributes:
        id: The job's id.
        status: A `BatchStatus` (possibly one this version does not list), or None.
        progress_percent: Progress as the API sends it, 0 to 100 (0.0 when absent).
        extras: Fields the API sent that this version does not know (also readable as
            attributes: `job.some_new_field`).
        warning: The server's warning on the create call that returned this job, if any.
    """

    id: str | None = None
    status: BatchStatus | None = None
    progress_percent: float = 0.0
    user_id: str | None = None
    input_file_id: str | None = None
    file_size_bytes: int | None = None
    endpoint: str | None = None
    model_id: str | None = None
    created_at: dt.datetime | None = None
    job_deadline: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    error: str | None = None
    extras: Mapping[str, Any] = attrs.field(default=_EMPTY, repr=False)
    warning: str | None = attrs.field(default=None, repr=False)

    @property
    def progress(self) -> float:
        """Progress as a fraction from 0.0 to 1.0, so that `f"{job.progress:.1%}"` works."""
        return self.progress_percent / 100.0

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: lets fields added to the API later be read
        # as attributes before this package knows them.
        if name.startswith("_") or name == "extras":
            raise AttributeError(name)
        try:
            return self.extras[name]
        except KeyError:
            raise AttributeError(f"'BatchJob' object has no attribute {name!r}") from None

    def to_dict(self) -> dict[str, Any]:
        """The job in the API's JSON form (progress 0 to 100, ISO 8601 timestamps)."""
        out: dict[str, Any] = dict(self.extras)
        for name in _WIRE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                value = value.isoformat().replace("+00:00", "Z")
            out[name] = value
        out["progress"] = self.progress_percent
        out["status"] = None if self.status is None else str(self.status)
        return out


_WIRE_FIELDS = (
    "id", "user_id", "input_file_id", "file_size_bytes", "status", "job_deadline", "created_at",
    "endpoint", "model_id", "output_file_id", "error_file_id", "error", "completed_at",
)  # fmt: skip
_KNOWN_KEYS = frozenset((*_WIRE_FIELDS, "progress"))
_STATUS_CACHE: dict[str, BatchStatus] = {s.value: s for s in BatchStatus}


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or type(value) is str:
        return value
    raise InvalidPayload(f"{key} should be a string, got {type(value).__name__}")


def _time(data: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if type(value) is not str:
        raise InvalidPayload(f"{key} should be an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:  # forms fromisoformat rejects, e.g. a comma before the fraction
            parsed = isoparse(value)
        except (ValueError, OverflowError):
            raise InvalidPayload(f"{key} is not an ISO 8601 timestamp: {value[:40]!r}") from None
    # The API's timestamps are UTC; one without an offset is read as UTC, never local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _status(data: Mapping[str, Any]) -> BatchStatus | None:
    value = data.get("status")
    if value is None:
        return None
    if type(value) is not str:
        raise InvalidPayload(f"status should be a string, got {type(value).__name__}")
    known = _STATUS_CACHE.get(value)
    return known if known is not None else BatchStatus(value)


def _progress(data: Mapping[str, Any]) -> float:
    value = data.get("progress")
    if value is None:
        return 0.0
    if type(value) is float or (type(value) is int):
        return float(value)
    raise InvalidPayload(f"progress should be a number, got {type(value).__name__}")


def _size(data: Mapping[str, Any]) -> int | None:
    value = data.get("file_size_bytes")
    if value is None or type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise InvalidPayload(f"file_size_bytes should be an integer, got {type(value).__name__}")


def parse_job(data: object, *, warning: str | None = None) -> BatchJob:
    """Build a `BatchJob` from one decoded JSON object.

    Args:
        data: The decoded JSON of one job.
        warning: The create call's warning, to keep on the job.

    Returns:
        The job.

    Raises:
        InvalidPayload: `data` is not an object, or a field has the wrong type.
    """
    if type(data) is not dict:
        raise InvalidPayload(f"a batch job should be a JSON object, got {type(data).__name__}")
    extras = _EMPTY if data.keys() <= _KNOWN_KEYS else _extras(data)
    return BatchJob(
        id=_text(data, "id"),
        status=_status(data),
        progress_percent=_progress(data),
        user_id=_text(data, "user_id"),
        input_file_id=_text(data, "input_file_id"),
        file_size_bytes=_size(data),
        endpoint=_text(data, "endpoint"),
        model_id=_text(data, "model_id"),
        created_at=_time(data, "created_at"),
        job_deadline=_time(data, "job_deadline"),
        completed_at=_time(data, "completed_at"),
        output_file_id=_text(data, "output_file_id"),
        error_file_id=_text(data, "error_file_id"),
        error=_text(data, "error"),
        extras=extras,
        warning=warning,
    )


def _extras(data: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({k: v for k, v in data.items() if k not in _KNOWN_KEYS})


def parse_job_list(data: object) -> list[BatchJob]:
    """Parse the list endpoint's body: an array of jobs, or `null` for none.

    Raises:
        InvalidPayload: The body is neither, or one job is malformed.
    """
    if data is None:
        return []
    if type(data) is not list:
        raise InvalidPayload(f"the job list should be an array, got {type(data).__name__}")
    return [parse_job(item) for item in data]


def parse_create(data: object) -> BatchJob:
    """Parse a create's body, `{"job": {...}, "warning": "..."}`, into the job.

    Raises:
        InvalidPayload: The body is not of that shape.
    """
    if type(data) is not dict:
        raise InvalidPayload(f"a create response should be an object, got {type(data).__name__}")
    warning = data.get("warning")
    if warning is not None and type(warning) is not str:
        raise InvalidPayload(f"warning should be a string, got {type(warning).__name__}")
    if "job" not in data:
        raise InvalidPayload("a create response should carry the job under 'job'")
    return parse_job(data["job"], warning=warning or None)

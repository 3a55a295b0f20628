"""`BatchJob` and the parsing of response bodies into it.

Parsing is the hot path of `list_batches` (a 10,000-job list is one call), so a job is built
in three steps that cost almost nothing per job:

- the decoded JSON object is kept as it is (no copy, no per-field objects);
- its types are checked once per *shape* (its keys and their value types, in order): the jobs
  of one list share a handful of shapes, so the full check runs a handful of times;
- timestamps and the status are read from the kept object when asked for.

Nothing about correctness is given up: a field of the wrong type fails the whole response
with `APIResponseValidationError` before the caller sees a job, absent fields read as None,
and a timestamp that is a string but not ISO 8601 raises `APIResponseValidationError` when it
is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NoReturn

from ._exceptions import APIResponseValidationError
from ._status import BatchStatus

__all__ = ["BatchJob", "InvalidPayload", "parse_create", "parse_job", "parse_job_list"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NONE = type(None)
_TEXT = (str, _NONE)
# What each known field may hold on the wire, in the order the API documents them.
_WIRE_TYPES: dict[str, tuple[type, ...]] = {
    "id": _TEXT, "user_id": _TEXT, "input_file_id": _TEXT, "file_size_bytes": (int, _NONE),
    "status": _TEXT, "job_deadline": _TEXT, "created_at": _TEXT, "endpoint": _TEXT,
    "progress": (int, float, _NONE), "model_id": _TEXT, "output_file_id": _TEXT,
    "error_file_id": _TEXT, "error": _TEXT, "completed_at": _TEXT,
}  # fmt: skip
_KNOWN_KEYS = frozenset(_WIRE_TYPES)
_TIMES = ("created_at", "job_deadline", "completed_at")
_STATUS_CACHE: dict[str, BatchStatus] = {s.value: s for s in BatchStatus}
# Shapes already checked. Capped: a server sending ever-new keys must not grow memory.
_CHECKED: set[tuple[Any, ...]] = set()
_CHECKED_CAP = 4096

_new = object.__new__
_set = object.__setattr__


class InvalidPayload(ValueError):
    """A decoded body that does not have the shape the spec promises."""


def _check(data: dict[str, Any]) -> None:
    # One flat tuple (keys, then value types) is the cheapest hashable shape to build.
    shape = (*data, *map(type, data.values()))
    if shape in _CHECKED:
        return
    for key, value in data.items():
        allowed = _WIRE_TYPES.get(key)
        if allowed is not None and type(value) not in allowed:
            if key == "file_size_bytes" and type(value) is float and value.is_integer():
                continue
            raise InvalidPayload(f"{key} has the wrong type: {type(value).__name__}")
    if len(_CHECKED) < _CHECKED_CAP:
        _CHECKED.add(shape)


def _bad_time(key: str, value: str) -> NoReturn:
    raise APIResponseValidationError(
        f"{key} is not an ISO 8601 timestamp", status_code=200, body=value[:200]
    )


def _parse_time(key: str, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        # Forms fromisoformat rejects (e.g. a comma before the fraction); imported here so
        # that `import together_batches` does not pay for dateutil.
        from dateutil.parser import isoparse  # noqa: PLC0415

        try:
            parsed = isoparse(value)
        except (ValueError, OverflowError):
            _bad_time(key, value)
    # The API's timestamps are UTC; one without an offset is read as UTC, never local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _wire_time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat().replace("+00:00", "Z")


class BatchJob:
    """A batch job as the API reported it. Immutable.

    Every field the API may omit is `None` when absent. Timestamps are timezone-aware.
    Construct one with keyword arguments named as the attributes (tests, fakes); the client
    builds them from responses.

    Attributes:
        id: The job's id.
        status: A `BatchStatus` (possibly one this version does not list), or None.
        progress: Progress as a fraction from 0.0 to 1.0, so that `f"{job.progress:.1%}"`
            works (0.0 when absent).
        progress_percent: Progress as the API sends it, 0 to 100 (0.0 when absent).
        extras: Fields the API sent that this version does not know (also readable as
            attributes: `job.some_new_field`).
        warning: The server's warning on the create call that returned this job, if any.
    """

    # `_warning` is set only on jobs returned by a create: one slot less to fill per job of
    # a long list.
    __slots__ = ("_data", "_warning")
    _data: dict[str, Any]
    _warning: str | None

    def __init__(
        self,
        *,
        id: str | None = None,
        status: BatchStatus | str | None = None,
        progress_percent: float = 0.0,
        user_id: str | None = None,
        input_file_id: str | None = None,
        file_size_bytes: int | None = None,
        endpoint: str | None = None,
        model_id: str | None = None,
        created_at: dt.datetime | None = None,
        job_deadline: dt.datetime | None = None,
        completed_at: dt.datetime | None = None,
        output_file_id: str | None = None,
        error_file_id: str | None = None,
        error: str | None = None,
        extras: Mapping[str, Any] | None = None,
        warning: str | None = None,
    ) -> None:
        data: dict[str, Any] = {
            "id": id, "user_id": user_id, "input_file_id": input_file_id,
            "file_size_bytes": file_size_bytes, "status": None if status is None else str(status),
            "job_deadline": _wire_time(job_deadline), "created_at": _wire_time(created_at),
            "endpoint": endpoint, "progress": float(progress_percent), "model_id": model_id,
            "output_file_id": output_file_id, "error_file_id": error_file_id, "error": error,
            "completed_at": _wire_time(completed_at),
        }  # fmt: skip
        for key, value in (extras or {}).items():
            if key in _KNOWN_KEYS:
                raise ValueError(f"extras may not hold the known field {key!r}")
            data[key] = value
        _check(data)
        _set(self, "_data", data)
        if warning is not None:
            _set(self, "_warning", warning)

    @classmethod
    def _from_checked(cls, data: dict[str, Any], warning: str | None = None) -> BatchJob:
        job = _new(cls)
        _set(job, "_data", data)
        if warning is not None:
            _set(job, "_warning", warning)
        return job

    @property
    def warning(self) -> str | None:
        try:
            return self._warning
        except AttributeError:
            return None

    # --- fields ------------------------------------------------------------------------------

    @property
    def id(self) -> str | None:
        return self._data.get("id")

    @property
    def status(self) -> BatchStatus | None:
        value = self._data.get("status")
        if value is None:
            return None
        known = _STATUS_CACHE.get(value)
        return known if known is not None else BatchStatus(value)

    @property
    def progress_percent(self) -> float:
        value = self._data.get("progress")
        return 0.0 if value is None else float(value)

    @property
    def progress(self) -> float:
        return self.progress_percent / 100.0

    @property
    def user_id(self) -> str | None:
        return self._data.get("user_id")

    @property
    def input_file_id(self) -> str | None:
        return self._data.get("input_file_id")

    @property
    def file_size_bytes(self) -> int | None:
        value = self._data.get("file_size_bytes")
        return None if value is None else int(value)

    @property
    def endpoint(self) -> str | None:
        return self._data.get("endpoint")

    @property
    def model_id(self) -> str | None:
        return self._data.get("model_id")

    @property
    def created_at(self) -> dt.datetime | None:
        return _parse_time("created_at", self._data.get("created_at"))

    @property
    def job_deadline(self) -> dt.datetime | None:
        return _parse_time("job_deadline", self._data.get("job_deadline"))

    @property
    def completed_at(self) -> dt.datetime | None:
        return _parse_time("completed_at", self._data.get("completed_at"))

    @property
    def output_file_id(self) -> str | None:
        return self._data.get("output_file_id")

    @property
    def error_file_id(self) -> str | None:
        return self._data.get("error_file_id")

    @property
    def error(self) -> str | None:
        return self._data.get("error")

    @property
    def extras(self) -> Mapping[str, Any]:
        data = self._data
        if data.keys() <= _KNOWN_KEYS:
            return _EMPTY
        return MappingProxyType({k: v for k, v in data.items() if k not in _KNOWN_KEYS})

    # --- behaviour ---------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: lets fields added to the API later be read
        # as attributes before this package knows them.
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.extras[name]
        except KeyError:
            raise AttributeError(f"'BatchJob' object has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"BatchJob is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"BatchJob is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not BatchJob:
            return NotImplemented
        return self.to_dict() == other.to_dict() and self.warning == other.warning

    __hash__ = None  # type: ignore[assignment]  # mutable-looking contents (extras)

    def __reduce__(self) -> tuple[Any, ...]:
        return (BatchJob._from_checked, (dict(self._data), self.warning))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _REPR_FIELDS)
        return f"BatchJob({shown})"

    def to_dict(self) -> dict[str, Any]:
        """The job in the API's JSON form (progress 0 to 100, ISO 8601 timestamps)."""
        # The API's field order (stable output for --json and diffs), then any extras.
        out: dict[str, Any] = dict.fromkeys(_WIRE_TYPES)
        out.update(self._data)
        out["progress"] = self.progress_percent
        return out


_REPR_FIELDS = (
    "id", "status", "progress_percent", "user_id", "input_file_id", "file_size_bytes",
    "endpoint", "model_id", "created_at", "job_deadline", "completed_at", "output_file_id",
    "error_file_id", "error",
)  # fmt: skip


def parse_job(data: object, *, warning: str | None = None) -> BatchJob:
    """Build a `BatchJob` from one decoded JSON object (kept, not copied).

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
    _check(data)
    return BatchJob._from_checked(data, warning)


def parse_job_list(data: object) -> list[BatchJob]:
    """Parse the list endpoint's body: an array of jobs, or `null` for none.

    Raises:
        InvalidPayload: The body is neither, or one job is malformed.
    """
    if data is None:
        return []
    if type(data) is not list:
        raise InvalidPayload(f"the job list should be an array, got {type(data).__name__}")
    checked, new, set_ = _CHECKED, _new, _set
    jobs = []
    for item in data:
        if type(item) is not dict:
            raise InvalidPayload(f"a batch job should be an object, got {type(item).__name__}")
        # The shape test of _check, inlined: this loop is the whole cost of a long list.
        if (*item, *map(type, item.values())) not in checked:
            _check(item)
        job = new(BatchJob)
        set_(job, "_data", item)
        jobs.append(job)
    return jobs


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

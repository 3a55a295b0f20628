from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.batch_job_status import BatchJobStatus
from ..types import (
    DATETIME,
    ENUM,
    FLOAT,
    INT,
    STR,
    LeanModel,
    WireField,
)


class BatchJob(LeanModel):
    """A batch job. `id` and `status` are always sent; any other field may be absent.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("id", "id", STR, required=True),
        WireField("user_id", "user_id", STR),
        WireField("input_file_id", "input_file_id", STR),
        WireField("file_size_bytes", "file_size_bytes", INT),
        WireField("status", "status", ENUM, required=True, enum=BatchJobStatus),
        WireField("job_deadline", "job_deadline", DATETIME),
        WireField("created_at", "created_at", DATETIME),
        WireField("endpoint", "endpoint", STR),
        WireField("progress", "progress", FLOAT),
        WireField("model_id", "model_id", STR),
        WireField("output_file_id", "output_file_id", STR, nullable=True),
        WireField("error_file_id", "error_file_id", STR, nullable=True),
        WireField("error", "error", STR, nullable=True),
        WireField("completed_at", "completed_at", DATETIME, nullable=True),
    )

    def __init__(
        self,
        *,
        id: str,
        status: BatchJobStatus | str,
        user_id: str | None = None,
        input_file_id: str | None = None,
        file_size_bytes: int | None = None,
        job_deadline: datetime.datetime | None = None,
        created_at: datetime.datetime | None = None,
        endpoint: str | None = None,
        progress: float | None = None,
        model_id: str | None = None,
        output_file_id: str | None = None,
        error_file_id: str | None = None,
        error: str | None = None,
        completed_at: datetime.datetime | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "id": id,
                "user_id": user_id,
                "input_file_id": input_file_id,
                "file_size_bytes": file_size_bytes,
                "status": status,
                "job_deadline": job_deadline,
                "created_at": created_at,
                "endpoint": endpoint,
                "progress": progress,
                "model_id": model_id,
                "output_file_id": output_file_id,
                "error_file_id": error_file_id,
                "error": error,
                "completed_at": completed_at,
            },
            extras,
        )

    @property
    def id(self) -> str:
        """The job's id (often a UUID, but not always)."""
        _value = self._data.get("id")
        if type(_value) is str:
            return _value
        _read: str = self._read("id", _value)
        return _read

    @property
    def user_id(self) -> str | None:
        """The `user_id` field."""
        _value: str | None = self._data.get("user_id")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("user_id", _value)
        return _read

    @property
    def input_file_id(self) -> str | None:
        """The `input_file_id` field."""
        _value: str | None = self._data.get("input_file_id")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("input_file_id", _value)
        return _read

    @property
    def file_size_bytes(self) -> int | None:
        """Size of the input file in bytes."""
        _value: int | None = self._data.get("file_size_bytes")
        if _value is None or type(_value) is int:
            return _value
        _read: int = self._read("file_size_bytes", _value)
        return _read

    @property
    def status(self) -> BatchJobStatus:
        """Where the job is in its life. Terminal: COMPLETED, FAILED, EXPIRED, CANCELLED.
        CANCELING (one L) sits between a cancel request and CANCELLED (two Ls). The set has
        changed before: clients must accept values not listed here."""
        _value = self._data.get("status")
        if type(_value) is str:
            return BatchJobStatus(_value)
        _read: BatchJobStatus = self._read("status", _value)
        return _read

    @property
    def job_deadline(self) -> datetime.datetime | None:
        """When the API gives up on the job (about created_at + 24 h)."""
        _value = self._data.get("job_deadline")
        if _value is None:
            return None
        _read: datetime.datetime = self._read("job_deadline", _value)
        return _read

    @property
    def created_at(self) -> datetime.datetime | None:
        """The `created_at` field."""
        _value = self._data.get("created_at")
        if _value is None:
            return None
        _read: datetime.datetime = self._read("created_at", _value)
        return _read

    @property
    def endpoint(self) -> str | None:
        """The inference endpoint each request goes to, e.g. `/v1/chat/completions`."""
        _value: str | None = self._data.get("endpoint")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("endpoint", _value)
        return _read

    @property
    def progress(self) -> float | None:
        """Percent of requests done, from 0 to 100."""
        _value: float | None = self._data.get("progress")
        if _value is None or type(_value) is float:
            return _value
        _read: float = self._read("progress", _value)
        return _read

    @property
    def model_id(self) -> str | None:
        """The `model_id` field."""
        _value: str | None = self._data.get("model_id")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("model_id", _value)
        return _read

    @property
    def output_file_id(self) -> str | None:
        """The output file, once the job has COMPLETED."""
        _value: str | None = self._data.get("output_file_id")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("output_file_id", _value)
        return _read

    @property
    def error_file_id(self) -> str | None:
        """A file listing the requests that failed, if any did."""
        _value: str | None = self._data.get("error_file_id")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("error_file_id", _value)
        return _read

    @property
    def error(self) -> str | None:
        """Why the job failed."""
        _value: str | None = self._data.get("error")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("error", _value)
        return _read

    @property
    def completed_at(self) -> datetime.datetime | None:
        """The `completed_at` field."""
        _value = self._data.get("completed_at")
        if _value is None:
            return None
        _read: datetime.datetime = self._read("completed_at", _value)
        return _read

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

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        _value: str = self._data["id"]
        return _value

    @property
    def user_id(self) -> str | None:
        """The `user_id` field."""
        _value: str | None = self._data.get("user_id")
        return _value

    @property
    def input_file_id(self) -> str | None:
        """The `input_file_id` field."""
        _value: str | None = self._data.get("input_file_id")
        return _value

    @property
    def file_size_bytes(self) -> int | None:
        """Size of the input file in bytes."""
        _value = self._data.get("file_size_bytes")
        return None if _value is None else int(_value)

    @property
    def status(self) -> BatchJobStatus:
        """Where the job is in its life. Terminal: COMPLETED, FAILED, EXPIRED, CANCELLED.
        CANCELING (one L) sits between a cancel request and CANCELLED (two Ls). The set has
        changed before: clients must accept values not listed here."""
        _value = self._data["status"]
        return BatchJobStatus(_value)

    @property
    def job_deadline(self) -> datetime.datetime | None:
        """When the API gives up on the job (about created_at + 24 h)."""
        _value = self._data.get("job_deadline")
        return None if _value is None else self._read_datetime(_value, "job_deadline")

    @property
    def created_at(self) -> datetime.datetime | None:
        """The `created_at` field."""
        _value = self._data.get("created_at")
        return None if _value is None else self._read_datetime(_value, "created_at")

    @property
    def endpoint(self) -> str | None:
        """The inference endpoint each request goes to, e.g. `/v1/chat/completions`."""
        _value: str | None = self._data.get("endpoint")
        return _value

    @property
    def progress(self) -> float | None:
        """Percent of requests done, from 0 to 100."""
        _value = self._data.get("progress")
        return None if _value is None else float(_value)

    @property
    def model_id(self) -> str | None:
        """The `model_id` field."""
        _value: str | None = self._data.get("model_id")
        return _value

    @property
    def output_file_id(self) -> str | None:
        """The output file, once the job has COMPLETED."""
        _value: str | None = self._data.get("output_file_id")
        return _value

    @property
    def error_file_id(self) -> str | None:
        """A file listing the requests that failed, if any did."""
        _value: str | None = self._data.get("error_file_id")
        return _value

    @property
    def error(self) -> str | None:
        """Why the job failed."""
        _value: str | None = self._data.get("error")
        return _value

    @property
    def completed_at(self) -> datetime.datetime | None:
        """The `completed_at` field."""
        _value = self._data.get("completed_at")
        return None if _value is None else self._read_datetime(_value, "completed_at")

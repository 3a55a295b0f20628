from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_job_status import BatchJobStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="BatchJob")


@_attrs_define
class BatchJob:
    """A batch job. Every field may be absent.

    Attributes:
        id (str | Unset): The job's id (often a UUID, but not always).
        user_id (str | Unset):
        input_file_id (str | Unset):
        file_size_bytes (int | Unset): Size of the input file in bytes.
        status (BatchJobStatus | Unset): Where the job is in its life. Terminal: COMPLETED, FAILED, EXPIRED, CANCELLED.
            CANCELING (one L) sits between a cancel request and CANCELLED (two Ls). The set has
            changed before: clients must accept values not listed here.
        job_deadline (datetime.datetime | Unset): When the API gives up on the job (about created_at + 24 h).
        created_at (datetime.datetime | Unset):
        endpoint (str | Unset): The inference endpoint each request goes to, e.g. `/v1/chat/completions`.
        progress (float | Unset): Percent of requests done, from 0 to 100.
        model_id (str | Unset):
        output_file_id (None | str | Unset): The output file, once the job has COMPLETED.
        error_file_id (None | str | Unset): A file listing the requests that failed, if any did.
        error (None | str | Unset): Why the job failed.
        completed_at (datetime.datetime | None | Unset):
    """

    id: str | Unset = UNSET
    user_id: str | Unset = UNSET
    input_file_id: str | Unset = UNSET
    file_size_bytes: int | Unset = UNSET
    status: BatchJobStatus | Unset = UNSET
    job_deadline: datetime.datetime | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    endpoint: str | Unset = UNSET
    progress: float | Unset = UNSET
    model_id: str | Unset = UNSET
    output_file_id: None | str | Unset = UNSET
    error_file_id: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        user_id = self.user_id

        input_file_id = self.input_file_id

        file_size_bytes = self.file_size_bytes

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        job_deadline: str | Unset = UNSET
        if not isinstance(self.job_deadline, Unset):
            job_deadline = self.job_deadline.isoformat()

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        endpoint = self.endpoint

        progress = self.progress

        model_id = self.model_id

        output_file_id: None | str | Unset
        if isinstance(self.output_file_id, Unset):
            output_file_id = UNSET
        else:
            output_file_id = self.output_file_id

        error_file_id: None | str | Unset
        if isinstance(self.error_file_id, Unset):
            error_file_id = UNSET
        else:
            error_file_id = self.error_file_id

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if input_file_id is not UNSET:
            field_dict["input_file_id"] = input_file_id
        if file_size_bytes is not UNSET:
            field_dict["file_size_bytes"] = file_size_bytes
        if status is not UNSET:
            field_dict["status"] = status
        if job_deadline is not UNSET:
            field_dict["job_deadline"] = job_deadline
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint
        if progress is not UNSET:
            field_dict["progress"] = progress
        if model_id is not UNSET:
            field_dict["model_id"] = model_id
        if output_file_id is not UNSET:
            field_dict["output_file_id"] = output_file_id
        if error_file_id is not UNSET:
            field_dict["error_file_id"] = error_file_id
        if error is not UNSET:
            field_dict["error"] = error
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        user_id = d.pop("user_id", UNSET)

        input_file_id = d.pop("input_file_id", UNSET)

        file_size_bytes = d.pop("file_size_bytes", UNSET)

        _status = d.pop("status", UNSET)
        status: BatchJobStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = BatchJobStatus(_status)

        _job_deadline = d.pop("job_deadline", UNSET)
        job_deadline: datetime.datetime | Unset
        if isinstance(_job_deadline, Unset):
            job_deadline = UNSET
        else:
            job_deadline = datetime.datetime.fromisoformat(_job_deadline)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        endpoint = d.pop("endpoint", UNSET)

        progress = d.pop("progress", UNSET)

        model_id = d.pop("model_id", UNSET)

        def _parse_output_file_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        output_file_id = _parse_output_file_id(d.pop("output_file_id", UNSET))

        def _parse_error_file_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_file_id = _parse_error_file_id(d.pop("error_file_id", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        batch_job = cls(
            id=id,
            user_id=user_id,
            input_file_id=input_file_id,
            file_size_bytes=file_size_bytes,
            status=status,
            job_deadline=job_deadline,
            created_at=created_at,
            endpoint=endpoint,
            progress=progress,
            model_id=model_id,
            output_file_id=output_file_id,
            error_file_id=error_file_id,
            error=error,
            completed_at=completed_at,
        )

        batch_job.additional_properties = d
        return batch_job

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

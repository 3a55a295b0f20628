from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_job import BatchJob


T = TypeVar("T", bound="BatchJobWithWarning")


@_attrs_define
class BatchJobWithWarning:
    """What a create answers.

    Attributes:
        job (BatchJob | Unset): A batch job. Every field may be absent.
        warning (str | Unset):
    """

    job: BatchJob | Unset = UNSET
    warning: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job: dict[str, Any] | Unset = UNSET
        if not isinstance(self.job, Unset):
            job = self.job.to_dict()

        warning = self.warning

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if job is not UNSET:
            field_dict["job"] = job
        if warning is not UNSET:
            field_dict["warning"] = warning

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_job import BatchJob

        d = dict(src_dict)
        _job = d.pop("job", UNSET)
        job: BatchJob | Unset
        if isinstance(_job, Unset):
            job = UNSET
        else:
            job = BatchJob.from_dict(_job)

        warning = d.pop("warning", UNSET)

        batch_job_with_warning = cls(
            job=job,
            warning=warning,
        )

        batch_job_with_warning.additional_properties = d
        return batch_job_with_warning

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FileUploadRequest")


@_attrs_define
class FileUploadRequest:
    """The form that starts an upload.

    Attributes:
        purpose (str): `batch-api` for a batch input file.
        file_name (str): The file's name, without directories.
        file_type (str | Unset): `jsonl`, `csv` or `parquet`, from the name's extension.
        checksum (str | Unset): The SHA-256 of the content, lower-case hex. With it the service can answer 409
            for content it already has.
    """

    purpose: str
    file_name: str
    file_type: str | Unset = UNSET
    checksum: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose = self.purpose

        file_name = self.file_name

        file_type = self.file_type

        checksum = self.checksum

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "file_name": file_name,
            }
        )
        if file_type is not UNSET:
            field_dict["file_type"] = file_type
        if checksum is not UNSET:
            field_dict["checksum"] = checksum

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        purpose = d.pop("purpose")

        file_name = d.pop("file_name")

        file_type = d.pop("file_type", UNSET)

        checksum = d.pop("checksum", UNSET)

        file_upload_request = cls(
            purpose=purpose,
            file_name=file_name,
            file_type=file_type,
            checksum=checksum,
        )

        file_upload_request.additional_properties = d
        return file_upload_request

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

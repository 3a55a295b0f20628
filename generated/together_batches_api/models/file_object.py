from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.file_processing_status import FileProcessingStatus
from ..models.file_validation_report import FileValidationReport
from ..types import (
    BOOL,
    ENUM,
    INT,
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class FileObject(LeanModel):
    """An uploaded or generated file. `id` is always sent; any other field may be absent.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("id", "id", STR, required=True),
        WireField("object", "object_", STR),
        WireField("created_at", "created_at", INT),
        WireField("filename", "filename", STR),
        WireField("bytes", "bytes_", INT),
        WireField("purpose", "purpose", STR),
        WireField("FileType", "file_type", STR),
        WireField("Processed", "processed", BOOL),
        WireField(
            "processing_status", "processing_status", ENUM, enum=FileProcessingStatus
        ),
        WireField(
            "validation_report", "validation_report", MODEL, model=FileValidationReport
        ),
    )

    def __init__(
        self,
        *,
        id: str,
        object_: str | None = None,
        created_at: int | None = None,
        filename: str | None = None,
        bytes_: int | None = None,
        purpose: str | None = None,
        file_type: str | None = None,
        processed: bool | None = None,
        processing_status: FileProcessingStatus | str | None = None,
        validation_report: FileValidationReport | None = None,
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
                "object": object_,
                "created_at": created_at,
                "filename": filename,
                "bytes": bytes_,
                "purpose": purpose,
                "FileType": file_type,
                "Processed": processed,
                "processing_status": processing_status,
                "validation_report": validation_report,
            },
            extras,
        )

    @property
    def id(self) -> str:
        """The file's id, e.g. `file-...`."""
        _value = self._data.get("id")
        if type(_value) is str:
            return _value
        _read: str = self._read("id", _value)
        return _read

    @property
    def object_(self) -> str | None:
        """The `object` field."""
        _value: str | None = self._data.get("object")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("object", _value)
        return _read

    @property
    def created_at(self) -> int | None:
        """Unix seconds."""
        _value: int | None = self._data.get("created_at")
        if _value is None or type(_value) is int:
            return _value
        _read: int = self._read("created_at", _value)
        return _read

    @property
    def filename(self) -> str | None:
        """The `filename` field."""
        _value: str | None = self._data.get("filename")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("filename", _value)
        return _read

    @property
    def bytes_(self) -> int | None:
        """The `bytes` field."""
        _value: int | None = self._data.get("bytes")
        if _value is None or type(_value) is int:
            return _value
        _read: int = self._read("bytes", _value)
        return _read

    @property
    def purpose(self) -> str | None:
        """E.g. `batch-api` for inputs, `batch-generated` for outputs."""
        _value: str | None = self._data.get("purpose")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("purpose", _value)
        return _read

    @property
    def file_type(self) -> str | None:
        """E.g. `jsonl`."""
        _value: str | None = self._data.get("FileType")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("FileType", _value)
        return _read

    @property
    def processed(self) -> bool | None:
        """Deprecated (Together's docs): the published spec still lists it, SDK 3.1.1 no
        longer does. Read `processing_status` instead."""
        _value: bool | None = self._data.get("Processed")
        if _value is None or type(_value) is bool:
            return _value
        _read: bool = self._read("Processed", _value)
        return _read

    @property
    def processing_status(self) -> FileProcessingStatus | None:
        """Where the file's validation stands (SDK 3.1.1). Files whose purpose needs no
        validation skip it. The set may grow: clients must accept values not listed here."""
        _value = self._data.get("processing_status")
        if type(_value) is str:
            return FileProcessingStatus(_value)
        if _value is None:
            return None
        _read: FileProcessingStatus = self._read("processing_status", _value)
        return _read

    @property
    def validation_report(self) -> FileValidationReport | None:
        """What the file validation found (SDK 3.1.1's `ValidationReport`), once it has run.
        It carries more fields than these (they are in `extras`)."""
        _value = self._data.get("validation_report")
        if _value is None:
            return None
        _read: FileValidationReport = self._read("validation_report", _value)
        return _read

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    BOOL,
    INT,
    STR,
    LeanModel,
    WireField,
)


class FileObject(LeanModel):
    """An uploaded or generated file.

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("id", "id", STR),
        WireField("object", "object_", STR),
        WireField("created_at", "created_at", INT),
        WireField("filename", "filename", STR),
        WireField("bytes", "bytes_", INT),
        WireField("purpose", "purpose", STR),
        WireField("FileType", "file_type", STR),
        WireField("Processed", "processed", BOOL),
    )

    def __init__(
        self,
        *,
        id: str | None = None,
        object_: str | None = None,
        created_at: int | None = None,
        filename: str | None = None,
        bytes_: int | None = None,
        purpose: str | None = None,
        file_type: str | None = None,
        processed: bool | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
            },
            extras,
        )

    @property
    def id(self) -> str | None:
        """The `id` field."""
        _value: str | None = self._data.get("id")
        return _value

    @property
    def object_(self) -> str | None:
        """The `object` field."""
        _value: str | None = self._data.get("object")
        return _value

    @property
    def created_at(self) -> int | None:
        """Unix seconds."""
        _value = self._data.get("created_at")
        return None if _value is None else int(_value)

    @property
    def filename(self) -> str | None:
        """The `filename` field."""
        _value: str | None = self._data.get("filename")
        return _value

    @property
    def bytes_(self) -> int | None:
        """The `bytes` field."""
        _value = self._data.get("bytes")
        return None if _value is None else int(_value)

    @property
    def purpose(self) -> str | None:
        """E.g. `batch-api` for inputs, `batch-generated` for outputs."""
        _value: str | None = self._data.get("purpose")
        return _value

    @property
    def file_type(self) -> str | None:
        """E.g. `jsonl`."""
        _value: str | None = self._data.get("FileType")
        return _value

    @property
    def processed(self) -> bool | None:
        """The `Processed` field."""
        _value: bool | None = self._data.get("Processed")
        return _value

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.error_detail import ErrorDetail
from ..types import (
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class FileUploadConflict(LeanModel):
    """The 409 an upload gets for content uploaded before: `file_id` is the existing file.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("file_id", "file_id", STR, required=True),
        WireField("error", "error", MODEL, model=ErrorDetail),
    )

    def __init__(
        self,
        *,
        file_id: str,
        error: ErrorDetail | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "file_id": file_id,
                "error": error,
            },
            extras,
        )

    @property
    def file_id(self) -> str:
        """The `file_id` field."""
        _value = self._data.get("file_id")
        if type(_value) is str:
            return _value
        _read: str = self._read("file_id", _value)
        return _read

    @property
    def error(self) -> ErrorDetail | None:
        """What went wrong, in the files endpoints' error bodies."""
        _value = self._data.get("error")
        if _value is None:
            return None
        _read: ErrorDetail = self._read("error", _value)
        return _read

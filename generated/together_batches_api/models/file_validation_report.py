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


class FileValidationReport(LeanModel):
    """What the file validation found (SDK 3.1.1's `ValidationReport`), once it has run.
    It carries more fields than these (they are in `extras`).

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("valid", "valid", BOOL),
        WireField("dataset_format", "dataset_format", STR),
        WireField("error", "error", STR),
        WireField("error_type", "error_type", STR),
        WireField("nlines", "nlines", INT),
    )

    def __init__(
        self,
        *,
        valid: bool | None = None,
        dataset_format: str | None = None,
        error: str | None = None,
        error_type: str | None = None,
        nlines: int | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "valid": valid,
                "dataset_format": dataset_format,
                "error": error,
                "error_type": error_type,
                "nlines": nlines,
            },
            extras,
        )

    @property
    def valid(self) -> bool | None:
        """Whether the file passed validation."""
        _value: bool | None = self._data.get("valid")
        if _value is None or type(_value) is bool:
            return _value
        _read: bool = self._read("valid", _value)
        return _read

    @property
    def dataset_format(self) -> str | None:
        """The dataset format found, e.g. `CONVERSATION`."""
        _value: str | None = self._data.get("dataset_format")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("dataset_format", _value)
        return _read

    @property
    def error(self) -> str | None:
        """Why the file failed validation, when `error_type` is set."""
        _value: str | None = self._data.get("error")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("error", _value)
        return _read

    @property
    def error_type(self) -> str | None:
        """The kind of failure, e.g. `INVALID_FORMAT`."""
        _value: str | None = self._data.get("error_type")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("error_type", _value)
        return _read

    @property
    def nlines(self) -> int | None:
        """The number of lines (records) in the file."""
        _value: int | None = self._data.get("nlines")
        if _value is None or type(_value) is int:
            return _value
        _read: int = self._read("nlines", _value)
        return _read

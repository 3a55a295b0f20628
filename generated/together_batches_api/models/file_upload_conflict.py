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
    Only `file_id` is documented (SDK 3.x reads it); clients should read it from any
    error shape that carries it: beside a flat error string (the batch endpoints'
    shape), beside the nested error object, or inside that object.

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        _value: str = self._data["file_id"]
        return _value

    @property
    def error(self) -> ErrorDetail | None:
        """What went wrong, in the files endpoints' error bodies."""
        _value = self._data.get("error")
        return None if _value is None else ErrorDetail._trusted(_value)

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.error_detail import ErrorDetail
from ..types import (
    MODEL,
    LeanModel,
    WireField,
)


class NestedErrorResponse(LeanModel):
    """The error body of the other endpoints: `{"error": {"message", "type", ...}}`.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("error", "error", MODEL, model=ErrorDetail),
    )

    def __init__(
        self,
        *,
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
                "error": error,
            },
            extras,
        )

    @property
    def error(self) -> ErrorDetail | None:
        """What went wrong, in the files endpoints' error bodies."""
        _value = self._data.get("error")
        if _value is None:
            return None
        _read: ErrorDetail = self._read("error", _value)
        return _read

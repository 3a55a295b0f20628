from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    STR,
    LeanModel,
    WireField,
)


class BatchErrorResponse(LeanModel):
    """The batch endpoints' error body: `{"error": "<message>"}`.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (WireField("error", "error", STR),)

    def __init__(
        self,
        *,
        error: str | None = None,
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
    def error(self) -> str | None:
        """The `error` field."""
        _value: str | None = self._data.get("error")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("error", _value)
        return _read

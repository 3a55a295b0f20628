from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    ANY,
    STR,
    LeanModel,
    WireField,
)


class BatchRequestError(LeanModel):
    """Why a batched request failed.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("message", "message", STR),
        WireField("code", "code", ANY, nullable=True),
    )

    def __init__(
        self,
        *,
        message: str | None = None,
        code: Any | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "message": message,
                "code": code,
            },
            extras,
        )

    @property
    def message(self) -> str | None:
        """The `message` field."""
        _value: str | None = self._data.get("message")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("message", _value)
        return _read

    @property
    def code(self) -> Any | None:
        """The `code` field."""
        _value: Any | None = self._data.get("code")
        return _value

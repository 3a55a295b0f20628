from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    STR,
    LeanModel,
    WireField,
)


class ErrorDetail(LeanModel):
    """What went wrong, in the files endpoints' error bodies.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("message", "message", STR),
        WireField("type", "type_", STR),
        WireField("param", "param", STR, nullable=True),
        WireField("code", "code", STR, nullable=True),
    )

    def __init__(
        self,
        *,
        message: str | None = None,
        type_: str | None = None,
        param: str | None = None,
        code: str | None = None,
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
                "type": type_,
                "param": param,
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
    def type_(self) -> str | None:
        """The `type` field."""
        _value: str | None = self._data.get("type")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("type", _value)
        return _read

    @property
    def param(self) -> str | None:
        """The `param` field."""
        _value: str | None = self._data.get("param")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("param", _value)
        return _read

    @property
    def code(self) -> str | None:
        """The `code` field."""
        _value: str | None = self._data.get("code")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("code", _value)
        return _read

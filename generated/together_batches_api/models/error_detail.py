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

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        return _value

    @property
    def type_(self) -> str | None:
        """The `type` field."""
        _value: str | None = self._data.get("type")
        return _value

    @property
    def param(self) -> str | None:
        """The `param` field."""
        _value: str | None = self._data.get("param")
        return _value

    @property
    def code(self) -> str | None:
        """The `code` field."""
        _value: str | None = self._data.get("code")
        return _value

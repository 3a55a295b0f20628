from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    INT,
    STR,
    LeanModel,
    WireField,
)


class ProblemDetails(LeanModel):
    """An RFC 9457 problem document (`application/problem+json`).

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("type", "type_", STR),
        WireField("title", "title", STR),
        WireField("status", "status", INT),
        WireField("detail", "detail", STR),
        WireField("instance", "instance", STR),
    )

    def __init__(
        self,
        *,
        type_: str | None = None,
        title: str | None = None,
        status: int | None = None,
        detail: str | None = None,
        instance: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
                "instance": instance,
            },
            extras,
        )

    @property
    def type_(self) -> str | None:
        """The `type` field."""
        _value: str | None = self._data.get("type")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("type", _value)
        return _read

    @property
    def title(self) -> str | None:
        """A short summary of the kind of problem."""
        _value: str | None = self._data.get("title")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("title", _value)
        return _read

    @property
    def status(self) -> int | None:
        """The `status` field."""
        _value: int | None = self._data.get("status")
        if _value is None or type(_value) is int:
            return _value
        _read: int = self._read("status", _value)
        return _read

    @property
    def detail(self) -> str | None:
        """What went wrong with this request."""
        _value: str | None = self._data.get("detail")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("detail", _value)
        return _read

    @property
    def instance(self) -> str | None:
        """The `instance` field."""
        _value: str | None = self._data.get("instance")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("instance", _value)
        return _read

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    BOOL,
    STR,
    LeanModel,
    WireField,
)


class FileDeleteResponse(LeanModel):
    """What a delete answers.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("id", "id", STR),
        WireField("deleted", "deleted", BOOL),
    )

    def __init__(
        self,
        *,
        id: str | None = None,
        deleted: bool | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "id": id,
                "deleted": deleted,
            },
            extras,
        )

    @property
    def id(self) -> str | None:
        """The `id` field."""
        _value: str | None = self._data.get("id")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("id", _value)
        return _read

    @property
    def deleted(self) -> bool | None:
        """The `deleted` field."""
        _value: bool | None = self._data.get("deleted")
        if _value is None or type(_value) is bool:
            return _value
        _read: bool = self._read("deleted", _value)
        return _read

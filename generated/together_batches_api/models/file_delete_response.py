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

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        return _value

    @property
    def deleted(self) -> bool | None:
        """The `deleted` field."""
        _value: bool | None = self._data.get("deleted")
        return _value

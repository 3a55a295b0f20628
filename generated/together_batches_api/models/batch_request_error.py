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

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        return _value

    @property
    def code(self) -> Any | None:
        """The `code` field."""
        _value: Any | None = self._data.get("code")
        return _value

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

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        return _value

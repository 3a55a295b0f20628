from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    ANY,
    INT,
    LeanModel,
    WireField,
)


class BatchOutputResponse(LeanModel):
    """The response a batched request got.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("status_code", "status_code", INT, required=True),
        WireField("body", "body", ANY),
    )

    def __init__(
        self,
        *,
        status_code: int,
        body: Any | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "status_code": status_code,
                "body": body,
            },
            extras,
        )

    @property
    def status_code(self) -> int:
        """The `status_code` field."""
        _value = self._data.get("status_code")
        if type(_value) is int:
            return _value
        _read: int = self._read("status_code", _value)
        return _read

    @property
    def body(self) -> Any | None:
        """The endpoint's response body, e.g. a chat completion."""
        _value: Any | None = self._data.get("body")
        return _value

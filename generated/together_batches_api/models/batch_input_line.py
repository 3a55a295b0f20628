from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.batch_input_line_body import BatchInputLineBody
from ..types import (
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class BatchInputLine(LeanModel):
    """One line of a batch input file (JSON Lines, at most 50,000 lines and 100 MB).

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("custom_id", "custom_id", STR, required=True),
        WireField("body", "body", MODEL, required=True, model=BatchInputLineBody),
    )

    def __init__(
        self,
        *,
        custom_id: str,
        body: BatchInputLineBody,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "custom_id": custom_id,
                "body": body,
            },
            extras,
        )

    @property
    def custom_id(self) -> str:
        """The caller's id for the request, unique within the file."""
        _value = self._data.get("custom_id")
        if type(_value) is str:
            return _value
        _read: str = self._read("custom_id", _value)
        return _read

    @property
    def body(self) -> BatchInputLineBody:
        """The request body sent to the batch's endpoint."""
        _value = self._data.get("body")
        _read: BatchInputLineBody = self._read("body", _value)
        return _read

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.batch_output_response import BatchOutputResponse
from ..types import (
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class BatchOutputLine(LeanModel):
    """One line of a batch output file, for a request that got a response.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("custom_id", "custom_id", STR, required=True),
        WireField(
            "response", "response", MODEL, required=True, model=BatchOutputResponse
        ),
    )

    def __init__(
        self,
        *,
        custom_id: str,
        response: BatchOutputResponse,
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
                "response": response,
            },
            extras,
        )

    @property
    def custom_id(self) -> str:
        """The `custom_id` field."""
        _value = self._data.get("custom_id")
        if type(_value) is str:
            return _value
        _read: str = self._read("custom_id", _value)
        return _read

    @property
    def response(self) -> BatchOutputResponse:
        """The response a batched request got."""
        _value = self._data.get("response")
        _read: BatchOutputResponse = self._read("response", _value)
        return _read

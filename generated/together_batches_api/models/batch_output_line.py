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

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
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
            ValueError: A value has the wrong type, or `extras` holds a spec field.
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
        _value: str = self._data["custom_id"]
        return _value

    @property
    def response(self) -> BatchOutputResponse:
        """The response a batched request got."""
        _value = self._data["response"]
        return BatchOutputResponse._trusted(_value)

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.batch_output_response import BatchOutputResponse
from ..models.batch_request_error import BatchRequestError
from ..types import (
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class BatchResultLine(LeanModel):
    """A line of a batch's output file or of its error file, whichever: a `response`
    (output lines), an `error` (error lines), or both. What a client reads results as.

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("custom_id", "custom_id", STR, required=True),
        WireField("response", "response", MODEL, model=BatchOutputResponse),
        WireField("error", "error", MODEL, model=BatchRequestError),
    )

    def __init__(
        self,
        *,
        custom_id: str,
        response: BatchOutputResponse | None = None,
        error: BatchRequestError | None = None,
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
                "error": error,
            },
            extras,
        )

    @property
    def custom_id(self) -> str:
        """The `custom_id` field."""
        _value: str = self._data["custom_id"]
        return _value

    @property
    def response(self) -> BatchOutputResponse | None:
        """The response a batched request got."""
        _value = self._data.get("response")
        return None if _value is None else BatchOutputResponse._trusted(_value)

    @property
    def error(self) -> BatchRequestError | None:
        """Why a batched request failed."""
        _value = self._data.get("error")
        return None if _value is None else BatchRequestError._trusted(_value)

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

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
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
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
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
        _value = self._data.get("custom_id")
        if type(_value) is str:
            return _value
        _read: str = self._read("custom_id", _value)
        return _read

    @property
    def response(self) -> BatchOutputResponse | None:
        """The response a batched request got."""
        _value = self._data.get("response")
        if _value is None:
            return None
        _read: BatchOutputResponse = self._read("response", _value)
        return _read

    @property
    def error(self) -> BatchRequestError | None:
        """Why a batched request failed."""
        _value = self._data.get("error")
        if _value is None:
            return None
        _read: BatchRequestError = self._read("error", _value)
        return _read

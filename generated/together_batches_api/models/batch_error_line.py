from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.batch_request_error import BatchRequestError
from ..types import (
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class BatchErrorLine(LeanModel):
    """One line of a batch error file, for a request that failed.

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("custom_id", "custom_id", STR, required=True),
        WireField("error", "error", MODEL, required=True, model=BatchRequestError),
    )

    def __init__(
        self,
        *,
        custom_id: str,
        error: BatchRequestError,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A value has the wrong type, or `extras` holds a spec field.
        """
        self._init(
            {
                "custom_id": custom_id,
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
    def error(self) -> BatchRequestError:
        """Why a batched request failed."""
        _value = self._data["error"]
        return BatchRequestError._trusted(_value)

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    LeanModel,
    WireField,
)


class BatchInputLineBody(LeanModel):
    """The request body sent to the batch's endpoint.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = ()

    def __init__(
        self,
        *,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {},
            extras,
        )

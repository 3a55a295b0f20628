from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..types import (
    INT,
    STR,
    LeanModel,
    WireField,
)


class ProblemDetails(LeanModel):
    """An RFC 9457 problem document (`application/problem+json`).

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("type", "type_", STR),
        WireField("title", "title", STR),
        WireField("status", "status", INT),
        WireField("detail", "detail", STR),
        WireField("instance", "instance", STR),
    )

    def __init__(
        self,
        *,
        type_: str | None = None,
        title: str | None = None,
        status: int | None = None,
        detail: str | None = None,
        instance: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A value has the wrong type, or `extras` holds a spec field.
        """
        self._init(
            {
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
                "instance": instance,
            },
            extras,
        )

    @property
    def type_(self) -> str | None:
        """The `type` field."""
        _value: str | None = self._data.get("type")
        return _value

    @property
    def title(self) -> str | None:
        """A short summary of the kind of problem."""
        _value: str | None = self._data.get("title")
        return _value

    @property
    def status(self) -> int | None:
        """The `status` field."""
        _value = self._data.get("status")
        return None if _value is None else int(_value)

    @property
    def detail(self) -> str | None:
        """What went wrong with this request."""
        _value: str | None = self._data.get("detail")
        return _value

    @property
    def instance(self) -> str | None:
        """The `instance` field."""
        _value: str | None = self._data.get("instance")
        return _value

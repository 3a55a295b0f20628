from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..models.batch_job import BatchJob
from ..types import (
    MODEL,
    STR,
    LeanModel,
    WireField,
)


class BatchJobWithWarning(LeanModel):
    """What a create answers.

    A lean model: an immutable view over the decoded JSON. Required fields are checked when
    it is built; every other field when it is read (a value of another type raises
    `FIELD_ERROR` at that read). Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("job", "job", MODEL, required=True, model=BatchJob),
        WireField("warning", "warning", STR),
    )

    def __init__(
        self,
        *,
        job: BatchJob,
        warning: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A required field is None or of the wrong type, or `extras` holds a
                spec field. Other fields are checked when read, as a response's are.
        """
        self._init(
            {
                "job": job,
                "warning": warning,
            },
            extras,
        )

    @property
    def job(self) -> BatchJob:
        """A batch job. `id` and `status` are always sent; any other field may be absent."""
        _value = self._data.get("job")
        _read: BatchJob = self._read("job", _value)
        return _read

    @property
    def warning(self) -> str | None:
        """The `warning` field."""
        _value: str | None = self._data.get("warning")
        if _value is None or type(_value) is str:
            return _value
        _read: str = self._read("warning", _value)
        return _read

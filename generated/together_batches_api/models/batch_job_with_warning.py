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
    """What a create answers: the new job, and the server's warning when it has one. The
    service may also answer with a `warning` and no `job` (the official SDK 3.1.1 makes
    `job` optional and reports that answer as "not created"): no batch was started.

    A lean model: an immutable view over the decoded JSON, each field read when accessed.
    Fields the spec does not list are in `extras`.
    """

    __slots__ = ()

    FIELDS: ClassVar[tuple[WireField, ...]] = (
        WireField("job", "job", MODEL, model=BatchJob),
        WireField("warning", "warning", STR),
    )

    def __init__(
        self,
        *,
        job: BatchJob | None = None,
        warning: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        """Build one from Python values, named as the attributes (tests, fakes).

        Raises:
            ValueError: A value has the wrong type, or `extras` holds a spec field.
        """
        self._init(
            {
                "job": job,
                "warning": warning,
            },
            extras,
        )

    @property
    def job(self) -> BatchJob | None:
        """A batch job. `id` and `status` are always sent; any other field may be absent."""
        _value = self._data.get("job")
        return None if _value is None else BatchJob._trusted(_value)

    @property
    def warning(self) -> str | None:
        """The `warning` field."""
        _value: str | None = self._data.get("warning")
        return _value

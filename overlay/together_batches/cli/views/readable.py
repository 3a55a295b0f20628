"""How the CLI shows a field the server sent as another type than the spec's: as it came,
marked (`42 (unreadable: expected a string)`), so that `get` and `list` never fail on a field;
and a job's progress in the live views, where one that cannot be read is unknown (`?%`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from together_batches_api.types import LeanModel, WireField

from ..._exceptions import InvalidFieldError
from ..._models import BatchJob, readable_progress

__all__ = [
    "cell", "detail", "live_percent", "or_dash", "percent_text", "timestamp", "unreadable",
]  # fmt: skip


def unreadable(model: LeanModel, attr: str) -> str:
    """The raw value of `model`'s field `attr` (a Python attribute name), marked.

    Returns:
        E.g. `42 (unreadable: expected a string)`: the value as JSON, and the spec's type.
    """
    field = _field(model, attr)
    return f"{json.dumps(sent(model, attr))} (unreadable: expected {field.type_name})"


def _field(model: LeanModel, attr: str) -> WireField:
    return next(f for f in type(model).FIELDS if f.attr == attr)


def sent(model: LeanModel, attr: str) -> Any:
    """The field `attr` (a Python attribute name) as the server sent it, unchecked: its wire
    name comes from the spec's `FIELDS`, never written here."""
    return model.to_dict()[_field(model, attr).name]


def cell(model: LeanModel, attr: str, text: Callable[[Any], str], read: Any = None) -> str:
    """`text` of the field's value, or the raw value marked when it cannot be read.

    Args:
        model: The job or file.
        attr: The field's attribute.
        text: How a readable value is shown.
        read: How to read it, when not as the attribute itself (a derived property).
    """
    try:
        value = getattr(model, attr) if read is None else read(model)
    except InvalidFieldError:
        return unreadable(model, attr)
    return text(value)


def or_dash(value: str | None) -> str:
    """A text, or `-` for none."""
    return value or "-"


def percent_text(job: BatchJob) -> str:
    """A job's progress as `get` and `list` show it: `42.0%`, or the raw value marked."""
    return cell(job, "progress", lambda percent: f"{percent:.1f}%", lambda j: j.progress_percent)


def live_percent(job: BatchJob) -> str:
    """A job's progress as the live views show it, `42.0%`, or `?%` when the server sent a
    progress that cannot be read (unknown there, never a crash)."""
    percent = readable_progress(job)
    return "?%" if percent is None else f"{percent:.1f}%"


def timestamp(value: dt.datetime | None) -> str:
    """A time as the CLI shows it, in UTC (`2024-01-15 14:30:00Z`), or `-` for none."""
    if value is None:
        return "-"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def detail(job: BatchJob, attr: str) -> object:
    """One field of a job as `get` shows it: None when absent, times in UTC, the progress in
    percent (the wire's, not the overlay's fraction), an unreadable value as it came."""
    if attr == "progress":
        return None if sent(job, "progress") is None else percent_text(job)
    try:
        value = getattr(job, attr)
    except InvalidFieldError:
        return unreadable(job, attr)
    return timestamp(value) if isinstance(value, dt.datetime) else value

"""Printing a table or a job's details: drawn with rich on a terminal (`tables`, loaded then),
plain aligned text elsewhere, so that a pipe gets what `grep` and `awk` read."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from ... import _display
from .. import views
from .render import format_table

__all__ = ["show_details", "show_table"]


def show_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], stream: TextIO | None = None
) -> None:
    """Print `rows` under `header` to `stream` (standard output by default)."""
    out = sys.stdout if stream is None else stream
    if _display.choose.is_tty(out):
        views.tables.print_table(header, rows, out)
    else:
        print("\n".join(format_table(header, rows)), file=out)


def show_details(fields: Sequence[tuple[str, str]], stream: TextIO | None = None) -> None:
    """Print `name: value` pairs, aligned, to `stream` (standard output by default)."""
    out = sys.stdout if stream is None else stream
    if _display.choose.is_tty(out):
        views.tables.print_details(fields, out)
        return
    width = max((len(name) for name, _ in fields), default=0) + 1
    for name, value in fields:
        print(f"{name + ':':<{width}} {value}", file=out)

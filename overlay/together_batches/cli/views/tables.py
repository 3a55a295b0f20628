"""The tables and details the tool prints to a terminal, drawn with rich: columns fitted to
the terminal's width (a long cell is cut with an ellipsis, not wrapped into the next row),
the header in bold. Pipes get `render.format_table`'s plain columns instead, which `grep`,
`cut` and `awk` read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["print_details", "print_table"]


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], stream: TextIO) -> None:
    """Draw `rows` under `header` on the terminal `stream`."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for title in header:
        table.add_column(title, no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    Console(file=stream, force_terminal=True, highlight=False).print(table)


def print_details(fields: Sequence[tuple[str, str]], stream: TextIO) -> None:
    """Draw `name: value` pairs on the terminal `stream`, the names in bold, the values
    wrapped under their column."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(Text(name + ":"), Text(value))
    Console(file=stream, force_terminal=True, highlight=False).print(table)

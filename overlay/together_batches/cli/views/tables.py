"""The tables and details the tool prints to a terminal, drawn with rich, the header in
bold; a table wider than the terminal is printed plain (rich would drop or cut columns).
Pipes get `render.format_table`'s plain columns instead, which `grep`, `cut` and `awk` read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .render import format_table

__all__ = ["print_details", "print_table"]


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], stream: TextIO) -> None:
    """Draw `rows` under `header` on the terminal `stream`."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold underline")
    for title in header:
        table.add_column(title, no_wrap=True)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(file=stream, force_terminal=True, highlight=False)
    plain = format_table(header, rows)  # the same columns, two spaces apart
    if max(len(line) for line in plain) > console.width:
        # Too wide: rich would drop or cut columns, and what is not shown cannot be copied.
        # The plain columns keep every cell whole, each row wrapped by the terminal.
        print("\n".join(plain), file=stream)
        return
    console.print(table)


def print_details(fields: Sequence[tuple[str, str]], stream: TextIO) -> None:
    """Draw `name: value` pairs on the terminal `stream`, the names in bold, the values
    wrapped under their column."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(Text(name + ":"), Text(value))
    Console(file=stream, force_terminal=True, highlight=False).print(table)

"""What the tool shows: pure text, from values to lines, and the tables drawn on a terminal.

| module | holds |
|---|---|
| `render` | tables, job details, outcome lines, exit codes |
| `files` | file tables, result lines, input problems |
| `workload_table` | a manifest's status, and whether `run` draws live |
| `show` | prints a table or details: rich on a terminal (`tables`), plain elsewhere |
| `tables` | the tables and details drawn with rich, on a terminal |
| `readable` | a field shown as it came when it cannot be read as its type (`unreadable`) |

The progress views (a wait's, a workload's, a transfer's bar) are `_display`'s, which the
library's `progress=True` draws too.

Loading: with the tool, but `tables` (and rich with it) on first use, when a table is
printed to a terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import on_first_use

if TYPE_CHECKING:
    from . import tables as tables

AT_IMPORT = frozenset({"files", "readable", "render", "show", "workload_table"})
ON_FIRST_USE = frozenset({"tables"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

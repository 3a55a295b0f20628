"""Showing progress as it goes: a wait's jobs, a workload, an upload or a download. The CLI
draws with these, and so does the library when a call is given `progress=True`.

| module | holds |
|---|---|
| `text` | what the views say: pure functions from jobs, failures and progress to text |
| `plain` | the views for pipes and logs: a line per change, rate-limited, no rich |
| `choose` | which view a stream gets (live on a terminal, plain lines elsewhere) |
| `library` | `progress=True`: the views on stderr, composed with the caller's callbacks |
| `live` | the rich piece every live view is drawn with: redraw, width, warnings, gone |
| `wait`, `workload`, `transfer` | the live views, as rich columns |

Only `text` is pure; the rest are I/O shells (threads, the clock, the terminal).

Loading: on first use, every module: `import together_batches` loads none of them (nor
rich); the CLI loads `text`, `plain` and `choose` with itself, and rich is imported only with
`live` and the live views, when something is drawn on a terminal or in a notebook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import choose as choose
    from . import library as library
    from . import live as live
    from . import plain as plain
    from . import text as text
    from . import transfer as transfer
    from . import wait as wait
    from . import workload as workload

AT_IMPORT: frozenset[str] = frozenset()
ON_FIRST_USE = frozenset(
    {"choose", "library", "live", "plain", "text", "transfer", "wait", "workload"}
)
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

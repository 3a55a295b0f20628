"""The `together-batches` command-line tool. Only `main` is public; nothing outside this
package imports from it.

- `commands/`: one module per command group, each a thin shell over the client;
- `views/`: what the tool shows: pure text (tables, details, exit codes) and live views;
- here: the entry point (`main`), the argument parser (`args`, `argtypes`), the client a
  command gets (`connect`), what it says when a call fails (`errors`), and the tool as a
  process (`process`: SIGTERM, `--verbose`, error lines).

Imports run downwards: `main` uses the command groups, the groups use the views and the
shared modules, never each other (but `demo`, which ends with `demo_workload`).
"""

from .main import main

__all__ = ["main"]

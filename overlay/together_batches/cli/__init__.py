"""The `together-batches` command-line tool: one module per command group, plus the shared
views. Only `main` is public; nothing outside this package imports from it.

Rooms (imports run downwards: the command groups use the shared modules, never each other):

| module | holds |
|---|---|
| `main` | the entry point: parse, dispatch to a command group, one error line per failure |
| `batches` | `list`, `get`, `create`, `cancel`, `wait` |
| `emulator` | `emulator` (a local Batch API, from `together_batches.testing`) |
| `demo` | `demo` (the whole workflow against a built-in emulator) |
| `args` | the argument parser and its checks |
| `connect` | the client a command gets: key and base URL from options or environment |
| `render` | pure text: tables, job details, progress lines, exit codes |
| `progress` | the live progress views (a bar on a terminal, lines elsewhere) |
| `errors` | pure text: what the tool says when a call fails or a wait is cut short |
| `process` | signals (SIGTERM as Ctrl-C), `--verbose` logging, error lines on stderr |
"""

from .main import main

__all__ = ["main"]

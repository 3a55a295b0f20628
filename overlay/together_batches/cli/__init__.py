"""The `together-batches` command-line tool: one module per command group, plus the shared
views. Only `main` is public; nothing outside this package imports from it.

Rooms (imports run downwards: the command groups use the shared modules, never each other):

| module | holds |
|---|---|
| `main` | the entry point: parse, dispatch to a command group, one error line per failure |
| `batches` | `list`, `get`, `create`, `cancel`, `wait` |
| `workflow` | `submit`, `download`, `results` |
| `files` | `files list`, `files upload`, `files delete` |
| `workload` | `run` (a workload of any size, resumable), `status` (what a manifest records) |
| `emulator` | `emulator` (a local Batch API, from `together_batches.testing`) |
| `demo` | `demo` (the whole workflow against a built-in emulator) |
| `demo_workload` | the end of `demo`: a workload of several parts, retried, then resumed |
| `args` | the argument parser |
| `argtypes` | the checks on each argument's value |
| `connect` | the client a command gets: key and base URL from options or environment |
| `render` | pure text: tables, job details, progress lines, exit codes |
| `file_render` | pure text: file tables, result lines, transfer bars, input problems |
| `progress` | a wait's live views (a bar on a terminal, lines elsewhere); `InPlaceLine` |
| `workload_render` | pure text: a workload's progress and status, and the views' decisions |
| `workload_view` | a workload's live views (an `InPlaceLine`, or rate-limited lines) |
| `transfer` | the live bar of an upload or download (on a terminal only) |
| `errors` | pure text: what the tool says when a call fails or a wait is cut short |
| `process` | signals (SIGTERM as Ctrl-C), `--verbose` logging, error lines on stderr |
"""

from .main import main

__all__ = ["main"]

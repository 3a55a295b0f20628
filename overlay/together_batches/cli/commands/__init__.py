"""The command groups, one module each, every one a thin shell over the client:

| module | commands |
|---|---|
| `batches` | `list`, `get`, `create`, `cancel`, `wait` |
| `workflow` | `submit`, `download`, `results` |
| `files` | `files list`, `files upload`, `files delete` |
| `workload` | `run` (a workload of any size, resumable), `status` (what a manifest records) |
| `emulator` | `emulator` (a local Batch API, from `together_batches.testing`) |
| `demo` | `demo` (the whole workflow against a built-in emulator) |
| `demo_workload` | the end of `demo`: a workload of several parts, retried, then resumed |

Loading: the groups that talk to the API with the tool; `emulator`, `demo` and
`demo_workload`, which load the emulator, on first use, so that the others start faster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import on_first_use

if TYPE_CHECKING:
    from . import demo as demo
    from . import demo_workload as demo_workload
    from . import emulator as emulator

AT_IMPORT = frozenset({"batches", "files", "workflow", "workload"})
ON_FIRST_USE = frozenset({"demo", "demo_workload", "emulator"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

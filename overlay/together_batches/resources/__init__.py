"""The resources: `client.batches` and `client.files`, one module per twin.

- `batches` / `batches_async`: `Batches` / `AsyncBatches`, the batch endpoints, the waits,
  and the workflow entry points (`submit`, `results`, `download`, `run`);
- `files` / `files_async`: `Files` / `AsyncFiles`, the file endpoints;
- `workflow`: a batch's workflow around its job (submit: check, upload, create; results and
  downloads), the I/O both twins' methods hand over to;
- `downloads`: where `download` saves a job's files, and which files hold its results (pure).

The public classes are exported by `together_batches`; import them from there.

Loading: the sync twins at import; the async twins when the first `AsyncTogether` is made
(they import asyncio); `workflow` and `downloads` on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import batches_async as batches_async
    from . import downloads as downloads
    from . import files_async as files_async
    from . import workflow as workflow

AT_IMPORT = frozenset({"batches", "files"})
ON_FIRST_USE = frozenset({"batches_async", "downloads", "files_async", "workflow"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

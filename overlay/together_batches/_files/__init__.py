"""Moving files: the upload protocol, the file an upload sends, and streamed transfers.

- `calls`: the file endpoints' calls (list, retrieve, content, delete);
- `source`: the file an upload sends (name, size, SHA-256, learnt before anything is
  sent) and its bytes read a chunk at a time (`file_chunks`);
- `upload`: the protocol's steps both twins share (`POST /files`, the PUT to storage,
  preprocess) and how each answer is read;
- `hosts`: which hosts an upload may be sent to (pure checks on the URLs handed out);
- `transfer`: a response body read a chunk at a time (`body_chunks`), a download that lands
  in place only when complete, and progress reports.

Loading: every module on first use (the first upload or download); nothing at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import calls as calls
    from . import hosts as hosts
    from . import source as source
    from . import transfer as transfer
    from . import upload as upload

AT_IMPORT: frozenset[str] = frozenset()
ON_FIRST_USE = frozenset({"calls", "hosts", "source", "transfer", "upload"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

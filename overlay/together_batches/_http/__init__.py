"""Sending requests: what each call sends and how its answer is read, and the rules of
retries and deadlines. Pure but for `sending`'s body reader, so both clients share all of it.

- `calls`: each batch API call as a `Call` (the request, how to read its answer), and
  decoding answers into results or `TogetherError`s;
- `error_bodies`: the server's message from an error answer of any shape;
- `sending`: the decision after each attempt (retry, after how long, or finish), shared by
  the two send shells in `_client`;
- `retry`: when to retry and how long to wait first (pure);
- `deadlines`: the time each attempt and each phase may take (pure arithmetic);
- `errors`: which httpx errors a send can raise and the `TogetherError` each becomes;
- `secrets`: the API key masked in every server text the client repeats;
- `json`: decoding bodies (the standard library, orjson for large ones);
- `ids`: the one check on ids before they go into a URL path.

Loading: every module at import (the client's core path) but `error_bodies`, on the first
error answer; `json` imports orjson on the first large body, and `calls.create_batch` the
request body's (attrs) class on the first create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import error_bodies as error_bodies

AT_IMPORT = frozenset(
    {"calls", "deadlines", "errors", "ids", "json", "retry", "secrets", "sending"}
)
ON_FIRST_USE = frozenset({"error_bodies"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

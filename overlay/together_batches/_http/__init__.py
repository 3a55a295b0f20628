"""Sending requests: what each call sends and how its answer is read, the rules of retries
and deadlines, and the two short shells that send. Pure but for the shells and `sending`'s
body reader, so both clients share every decision.

- `calls`: each batch API call as a `Call` (the request, how to read its answer), and
  decoding answers into results or `TogetherError`s;
- `error_bodies`: the server's message from an error answer of any shape;
- `attempts`: one call's attempts as steps (send this request until that time, sleep this
  long, done with this result or error), the one send loop, sans I/O;
- `send_sync` (`Together`) and `send_async` (`AsyncTogether`): the shells that drive those
  steps, sending and sleeping as they say;
- `sending`: what the two shells share around the steps (each attempt's request, the body
  reader that keeps a deadline, a call's result or error);
- `pacing`: one pace per client: when its next request may go (a 429's pause, a rate cap),
  pure decisions and the state every request of a client shares;
- `retry`: when to retry and how long to wait first (pure);
- `deadlines`: the time each attempt and each phase may take (pure arithmetic);
- `errors`: which httpx errors a send can raise and the `TogetherError` each becomes;
- `secrets`: the API key masked in every server text the client repeats;
- `json`: decoding bodies (the standard library, orjson for large ones);
- `ids`: the one check on ids before they go into a URL path.

Loading: every module at import (the client's core path) but `error_bodies`, on the first
error answer, and `send_async` (with asyncio), on the first async call; `json` imports orjson
on the first large body, and `calls.create_batch` the request body's (attrs) class on the
first create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import error_bodies as error_bodies
    from . import send_async as send_async

AT_IMPORT = frozenset(
    {
        "attempts",
        "calls",
        "deadlines",
        "errors",
        "ids",
        "json",
        "pacing",
        "retry",
        "secrets",
        "send_sync",
        "sending",
    }
)
ON_FIRST_USE = frozenset({"error_bodies", "send_async"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)

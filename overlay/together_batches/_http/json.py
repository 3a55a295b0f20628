"""Decoding JSON bodies: the standard library's decoder, and orjson for large bodies.

A 10,000-job list is one call, and decoding it is most of that call's cost: orjson decodes it
in about 60 % of `json.loads`' time. orjson is loaded on the first large body only, so that
`import together_batches` does not pay its ~14 ms; small bodies (single jobs, errors) never
load it. What is accepted does not change: a body orjson refuses (NaN, an integer beyond
64 bits, a lone surrogate escape) goes to `json.loads`, which decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["LARGE_BODY", "loads"]

#: Bodies at least this long are decoded with orjson when it is installed.
LARGE_BODY = 64 * 1024

_fast: Callable[[bytes], Any] | None = None
_fast_error: type[Exception] = ValueError
_loaded = False


def _load_fast() -> None:
    global _fast, _fast_error, _loaded  # noqa: PLW0603  # loaded once, on first use
    _loaded = True
    try:
        import orjson  # noqa: PLC0415  # on first large body: see the module's docstring
    except ImportError:  # a platform without its wheel: the standard library does it all
        return
    _fast, _fast_error = orjson.loads, orjson.JSONDecodeError


def loads(content: bytes) -> Any:
    """Decode a JSON body.

    Args:
        content: The raw body.

    Returns:
        The decoded value, as `json.loads` gives it.

    Raises:
        ValueError: The body is not JSON (`json.JSONDecodeError`, or `UnicodeDecodeError`).
    """
    if len(content) >= LARGE_BODY:
        if not _loaded:
            _load_fast()
        if _fast is not None:
            try:
                return _fast(content)
            except _fast_error:
                pass  # json.loads decides what the fast decoder refused, and says why
    return json.loads(content)

"""Checks on ids before they go into a URL path."""

from __future__ import annotations

__all__ = ["check_id"]

# httpx normalises these path segments away: "/batches/.." would request "/v1" itself and
# "/batches/../cancel" another endpoint. Everything else is percent-encoded as one segment
# by the generated request builders.
_DOT_SEGMENTS = frozenset({"", ".", ".."})


def check_id(value: object, *, name: str = "batch_job_id") -> str:
    """Return `value` if it can be sent as one path segment.

    Args:
        value: The id the caller gave.
        name: The argument's name, for the message.

    Returns:
        The id, unchanged.

    Raises:
        TypeError: `value` is not a `str`.
        ValueError: `value` is empty, `.` or `..`, or cannot be encoded as UTF-8 (a lone
            surrogate), so could not be percent-encoded.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value in _DOT_SEGMENTS:
        raise ValueError(f"{name} must be a non-empty id other than '.' and '..', got {value!r}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{name} is not valid text: {value!r}") from None
    return value

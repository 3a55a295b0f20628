"""Checks on ids before they go into a URL path: the generated package's one check, with the
overlay's argument names."""

from __future__ import annotations

from together_batches_api.types import check_path_id

__all__ = ["check_id"]


def check_id(value: object, *, name: str = "batch_job_id") -> str:
    """Return `value` if it can be sent as one path segment (see `check_path_id`).

    Raises:
        TypeError: `value` is not a `str`.
        ValueError: `value` is empty, `.` or `..`, or cannot be encoded as UTF-8.
    """
    return check_path_id(value, name)

"""`FileObject`: the metadata of an uploaded or generated file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ._models import InvalidPayload

__all__ = ["FileObject", "parse_file"]


@attrs.frozen(slots=True)
class FileObject:
    """A file's metadata.

    Attributes:
        id: The file's id.
        filename: Its name as uploaded.
        bytes: Its size.
        purpose: E.g. `batch-api` (an input) or `batch-generated` (an output).
        created_at: When it was made, timezone-aware, or None.
        file_type: E.g. `jsonl` (the API's `FileType`).
    """

    id: str | None = None
    filename: str | None = None
    bytes: int | None = None
    purpose: str | None = None
    created_at: dt.datetime | None = None
    file_type: str | None = None


def parse_file(data: Any) -> FileObject:
    """Build a `FileObject` from the decoded JSON.

    Raises:
        InvalidPayload: The body is not an object of that shape.
    """
    if type(data) is not dict:
        raise InvalidPayload(f"file metadata should be an object, got {type(data).__name__}")
    created = data.get("created_at")
    if created is not None and type(created) is not int:
        raise InvalidPayload("created_at should be an integer (Unix seconds)")
    size = data.get("bytes")
    if size is not None and type(size) is not int:
        raise InvalidPayload("bytes should be an integer")
    texts = {key: data.get(key) for key in ("id", "filename", "purpose", "FileType")}
    for key, value in texts.items():
        if value is not None and type(value) is not str:
            raise InvalidPayload(f"{key} should be a string")
    try:
        when = None if created is None else dt.datetime.fromtimestamp(created, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidPayload(f"created_at is out of range: {created}") from None
    return FileObject(
        id=texts["id"],
        filename=texts["filename"],
        bytes=size,
        purpose=texts["purpose"],
        created_at=when,
        file_type=texts["FileType"],
    )

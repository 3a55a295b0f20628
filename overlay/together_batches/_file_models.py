"""`FileObject`: the generated model of a file's metadata, plus a timezone-aware `created`;
and `FileDeleted`, what a delete answers.

Every field of the spec's `FileObject` (`id`, `object_`, `created_at`, `filename`, `bytes_`,
`purpose`, `file_type`, `processed`, `processing_status`, `validation_report`) comes from
`together_batches_api.models.file_object`; this module adds behaviour only.
"""

from __future__ import annotations

import datetime as dt

from together_batches_api.models.file_delete_response import FileDeleteResponse
from together_batches_api.models.file_list import FileList
from together_batches_api.models.file_object import FileObject as _WireFileObject

from ._exceptions import InvalidFieldError

__all__ = ["FileDeleted", "FileObject", "parse_deleted", "parse_file", "parse_file_list"]


class FileObject(_WireFileObject):
    """A file's metadata, as the API reported it. Immutable.

    A body is a file when its `id` is a string; every other field is checked when read
    (`InvalidFieldError` for a value of another type). `processed` (`Processed` on the wire)
    is deprecated: `processing_status` and `validation_report` say where validation stands.

    Attributes:
        created: `created_at` (Unix seconds on the wire) as a timezone-aware datetime, or
            None when absent.
    """

    __slots__ = ()

    @property
    def created(self) -> dt.datetime | None:
        """When the file was made, timezone-aware (UTC), or None when not given.

        Raises:
            InvalidFieldError: `created_at` is not an integer, or no representable time.
        """
        seconds = self.created_at
        if seconds is None:
            return None
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidFieldError(
                f"FileObject.created_at is out of range as epoch seconds: {seconds}"
            ) from None


def parse_file(data: object) -> FileObject:
    """Build a `FileObject` from the decoded JSON (kept, not copied).

    Raises:
        InvalidPayload: The body is not an object, or its `id` is absent or not a string.
    """
    FileObject.check(data)
    assert type(data) is dict
    return FileObject._trusted(data)


def parse_file_list(data: object) -> list[FileObject]:
    """The files of the list endpoint's body (`{"data": [...]}`); a `null` body or `data`
    is no files.

    Raises:
        InvalidPayload: The body is not of that shape, or an item is not an object with a
            string `id`.
    """
    if data is None or (type(data) is dict and data.get("data", ()) is None):
        return []
    FileList.check(data)
    assert type(data) is dict
    return FileObject.from_list(data["data"])


class FileDeleted(FileDeleteResponse):
    """What deleting a file answers: its `id` and `deleted` (True). Immutable."""

    __slots__ = ()


def parse_deleted(data: object) -> FileDeleted:
    """Build a `FileDeleted` from the decoded JSON.

    Raises:
        InvalidPayload: The body is not an object of the spec's shape.
    """
    FileDeleted.check(data)
    assert type(data) is dict
    return FileDeleted._trusted(data)

"""`Files` and `AsyncFiles`: the two file endpoints a batch needs, as `client.files`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _calls
from ._config import Timeout
from ._files import FileObject

if TYPE_CHECKING:
    from ._client import AsyncTogether, Together

__all__ = ["AsyncFiles", "Files"]


class Files:
    """Metadata and content of files, such as a batch's output and error files."""

    def __init__(self, client: Together) -> None:
        self._client = client

    def retrieve(self, file_id: str, *, timeout: Timeout = None) -> FileObject:
        """A file's metadata."""
        return self._client._execute(_calls.retrieve_file(file_id), timeout)

    def content(self, file_id: str, *, timeout: Timeout = None) -> bytes:
        """A file's bytes (JSON Lines for batch output and error files)."""
        return self._client._execute(_calls.file_content(file_id), timeout)


class AsyncFiles:
    """Metadata and content of files, awaitable."""

    def __init__(self, client: AsyncTogether) -> None:
        self._client = client

    async def retrieve(self, file_id: str, *, timeout: Timeout = None) -> FileObject:
        """A file's metadata."""
        return await self._client._execute(_calls.retrieve_file(file_id), timeout)

    async def content(self, file_id: str, *, timeout: Timeout = None) -> bytes:
        """A file's bytes (JSON Lines for batch output and error files)."""
        return await self._client._execute(_calls.file_content(file_id), timeout)

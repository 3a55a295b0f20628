"""`AsyncFiles`: the file endpoints, awaitable, as `AsyncTogether().files`.

The twin of `Files` (files.py), with the same methods and arguments, kept in step by
tests/test_surface.py; the docstrings are on the sync twin.
"""

from __future__ import annotations

import asyncio
import builtins
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .. import _display, _files
from .._config import Timeout
from .._file_models import FileDeleted, FileObject

if TYPE_CHECKING:
    from .._client import AsyncTogether
    from .files import UploadFile

__all__ = ["AsyncFiles"]


class AsyncFiles:
    """The file endpoints, awaitable. Same methods and arguments as `Files`."""

    def __init__(self, client: AsyncTogether) -> None:
        self._client = client

    async def upload(
        self,
        file: UploadFile,
        *,
        purpose: str = "batch-api",
        on_progress: _files.transfer.OnUpload = None,
        timeout: Timeout = None,
        progress: bool = False,
    ) -> FileObject:
        """Upload a file, streamed from disk (see `Files.upload`). It is hashed in a worker
        thread when given as a path; an `async def` `on_progress` is awaited."""

        _files.transfer.check_on_progress(on_progress, asynchronous=True)
        source = await asyncio.to_thread(_files.source.prepare_source, file)
        if not progress:
            return await self._send(source, purpose, on_progress, timeout)
        with _display.library.transfer_display("Uploading", source.name) as bar:
            on_both = _display.library.both(bar, on_progress)
            return await self._send(source, purpose, on_both, timeout)

    async def _send(
        self,
        source: _files.source.UploadSource,
        purpose: str,
        on_progress: _files.transfer.OnUpload,
        timeout: Timeout,
        *,
        on_existing: Callable[[str], object] | None = None,
    ) -> FileObject:

        execute, progress = self._client._execute, _files.transfer.areport(on_progress, source.size)
        started = await execute(_files.upload.initiate_call(source, purpose), timeout)
        if isinstance(started, _files.upload.Existing):
            if on_existing is not None:
                on_existing(started.file_id)
            await progress(source.size)
            file = await execute(
                _files.upload.finish_call(started.file_id, preprocess=False), timeout
            )
            if file.processed is not False:
                return file
        else:
            body = partial(_files.source.afile_chunks, source, progress)
            url: str | None = started.url
            hops = 0
            while url is not None:  # to storage, then wherever it redirects (a hop each)
                put = _files.upload.put_call(
                    url, source.size, body, base_url=self._client.base_url, hops=hops
                )
                url, hops = await execute(put, timeout), hops + 1
        return await execute(_files.upload.finish_call(started.file_id, preprocess=True), timeout)

    async def list(self, *, timeout: Timeout = None) -> builtins.list[FileObject]:
        """Every file of the account (see `Files.list`)."""
        return await self._client._execute(_files.calls.list_files(), timeout)

    async def retrieve(self, file_id: str, *, timeout: Timeout = None) -> FileObject:
        """A file's metadata."""
        return await self._client._execute(_files.calls.retrieve_file(file_id), timeout)

    async def content(self, file_id: str, *, timeout: Timeout = None) -> bytes:
        """A file's bytes, held in memory (see `Files.content`)."""
        return await self._client._execute(_files.calls.file_content(file_id), timeout)

    async def download(
        self,
        file_id: str,
        path: str | os.PathLike[str],
        *,
        on_progress: _files.transfer.OnDownload = None,
        timeout: Timeout = None,
    ) -> Path:
        """Save a file's bytes to `path`, streamed, in place only when complete (see
        `Files.download`)."""

        _files.transfer.check_on_progress(on_progress, asynchronous=True)
        with _files.transfer.PartFile(path, f"file {file_id}") as part:
            listed = (await self.retrieve(file_id, timeout=timeout)).bytes_
            async with self._client._stream(
                _files.calls.file_content(file_id), timeout
            ) as response:
                total = _files.transfer.expected_size(response.headers, listed)
                progress = _files.transfer.areport(on_progress, total)
                await progress(0)
                async for chunk in _files.transfer.abody_chunks(response):
                    part.write(chunk)
                    await progress(part.size)
            return part.commit(total)

    async def delete(self, file_id: str, *, timeout: Timeout = None) -> FileDeleted:
        """Delete a file for good (see `Files.delete`)."""
        return await self._client._execute(_files.calls.delete_file(file_id), timeout)

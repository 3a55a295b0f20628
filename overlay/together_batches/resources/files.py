"""`Files`: the file endpoints of the sync client, as `client.files`: upload, list, retrieve,
read, download and delete.

Thin shells, as the batch endpoints are: `_http.calls` and `_file_models.upload` say what to send
and how to read it, `_file_models.transfer` moves the bytes, the client sends with its retries. The
async twin is `AsyncFiles` (files_async.py).
"""

from __future__ import annotations

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
    from .._client import Together

    #: What `upload` takes: a path, or a binary file object.
    UploadFile = str | os.PathLike[str] | _files.source.BinaryFile

__all__ = ["Files"]


class Files:
    """The file endpoints. Every method takes `timeout=`: for `upload`'s PUT and
    `download`'s body it bounds each phase (connecting, each write or read), so that a large
    file is not cut, and for the other calls the whole request."""

    def __init__(self, client: Together) -> None:
        self._client = client

    def upload(
        self,
        file: UploadFile,
        *,
        purpose: str = "batch-api",
        on_progress: _files.transfer.OnUpload = None,
        timeout: Timeout = None,
        progress: bool = False,
    ) -> FileObject:
        """Upload a file, streamed from disk: memory holds one chunk (1 MiB), never the file.

        As both official SDKs do: the file is hashed (SHA-256, streaming), `POST /files`
        answers where to PUT it, the bytes go there with **no API key** (nor cookies or
        auth), and `POST /files/{id}/preprocess` finishes. The URL the API answers is
        trusted, as SDK 3.1.1 trusts it; storage's redirects (301, 302, 303, 307, 308: the
        PUT is sent again, bytes and all, at most 5 times) must each be https and no private,
        loopback or link-local address (unless the client's base URL is itself plain http),
        and the file id must look like one: else nothing is sent there. When the service
        already has the same content, it names that file (a 409, in any shape of error body)
        and that file is returned without uploading again. A PUT that fails on the way (a
        dropped connection, a timeout, a 5xx) is retried from the file's first byte, up to
        `max_retries` times.

        Args:
            file: A path, or a binary file object (seekable), read from its position.
            purpose: `batch-api` for a batch's input file.
            on_progress: Called as `on_progress(bytes_sent, bytes_total)`, from 0 at the
                start of each attempt. An `async def` is refused (`TypeError`) here and
                awaited by `AsyncTogether`.
            timeout: This upload's timeout (each request; each phase of the PUT).
            progress: Draw the upload's bar on standard error (on a terminal or in a
                Jupyter notebook), before `on_progress` is called, which still is.

        Returns:
            The uploaded (or already present) file, processed.

        Raises:
            TypeError: `file` is neither a path nor a binary file object.
            ValueError: The file object cannot seek, or `purpose` is empty.
            OSError: The file cannot be read.
            APIResponseValidationError: A storage redirect, or the file id handed out, is
                refused (or the upload URL is not an http(s) URL).
            TogetherError: The subclass for what else went wrong.
        """

        _files.transfer.check_on_progress(on_progress, asynchronous=False)
        source = _files.source.prepare_source(file)
        if not progress:
            return self._send(source, purpose, on_progress, timeout)
        with _display.library.transfer_display("Uploading", source.name) as bar:
            return self._send(source, purpose, _display.library.both(bar, on_progress), timeout)

    def _send(
        self,
        source: _files.source.UploadSource,
        purpose: str,
        on_progress: _files.transfer.OnUpload,
        timeout: Timeout,
        *,
        on_existing: Callable[[str], object] | None = None,
    ) -> FileObject:
        """Upload a measured file (`Batches.submit` measures it as it checks it).

        `on_existing(file_id)` is called when the service has the same content already, as
        that file: nothing new is stored (the CLI says "already uploaded").
        """

        execute, progress = self._client._execute, _files.transfer.report(on_progress, source.size)
        started = execute(_files.upload.initiate_call(source, purpose), timeout)
        if isinstance(started, _files.upload.Existing):
            if on_existing is not None:
                on_existing(started.file_id)
            progress(source.size)  # nothing to send: it is all there
            file = execute(_files.upload.finish_call(started.file_id, preprocess=False), timeout)
            if file.processed is not False:
                return file
        else:
            body = partial(_files.source.file_chunks, source, progress)
            url: str | None = started.url
            hops = 0
            while url is not None:  # to storage, then wherever it redirects (a hop each)
                put = _files.upload.put_call(
                    url, source.size, body, base_url=self._client.base_url, hops=hops
                )
                url, hops = execute(put, timeout), hops + 1
        return execute(_files.upload.finish_call(started.file_id, preprocess=True), timeout)

    def list(self, *, timeout: Timeout = None) -> builtins.list[FileObject]:
        """Every file of the account (the API does not paginate), uploaded inputs and the
        output and error files of batches (purpose `batch-generated`) alike."""
        return self._client._execute(_files.calls.list_files(), timeout)

    def retrieve(self, file_id: str, *, timeout: Timeout = None) -> FileObject:
        """A file's metadata."""
        return self._client._execute(_files.calls.retrieve_file(file_id), timeout)

    def content(self, file_id: str, *, timeout: Timeout = None) -> bytes:
        """A file's bytes (JSON Lines for batch output and error files), held in memory:
        `download` streams a large one to disk instead."""
        return self._client._execute(_files.calls.file_content(file_id), timeout)

    def download(
        self,
        file_id: str,
        path: str | os.PathLike[str],
        *,
        on_progress: _files.transfer.OnDownload = None,
        timeout: Timeout = None,
    ) -> Path:
        """Save a file's bytes to `path`, streamed: memory holds one chunk, never the file.

        The bytes go to a temporary file beside `path`, which is renamed to `path` only once
        the download is complete and its size is the one the file's metadata lists. A
        download that breaks off (the connection, a timeout, Ctrl-C) or comes out the wrong
        size leaves no file under `path` (an earlier file there stays as it was). Attempts
        are retried until the body starts, not after.

        Args:
            file_id: The file.
            path: Where to save it; its directory must exist.
            on_progress: Called as `on_progress(bytes_received, bytes_total)` (the total is
                None when unknown), from 0.
            timeout: Each request's timeout; for the body, each read's.

        Returns:
            `path`, as a `Path`.

        Raises:
            IsADirectoryError: `path` is a directory.
            OSError: The file cannot be written.
            APIConnectionError: The body broke off.
            TogetherError: The subclass for what else went wrong.
        """

        _files.transfer.check_on_progress(on_progress, asynchronous=False)
        with _files.transfer.PartFile(path, f"file {file_id}") as part:
            listed = self.retrieve(file_id, timeout=timeout).bytes_
            with self._client._stream(_files.calls.file_content(file_id), timeout) as response:
                total = _files.transfer.expected_size(response.headers, listed)
                progress = _files.transfer.report(on_progress, total)
                progress(0)
                for chunk in _files.transfer.body_chunks(response):
                    part.write(chunk)
                    progress(part.size)
            return part.commit(total)

    def delete(self, file_id: str, *, timeout: Timeout = None) -> FileDeleted:
        """Delete a file for good.

        Raises:
            NotFoundError: No such file (or it was deleted already).
        """
        return self._client._execute(_files.calls.delete_file(file_id), timeout)

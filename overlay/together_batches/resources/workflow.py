"""A batch's workflow around its job: submit (check, upload, create), then read its results
and save its files. `Batches` and `AsyncBatches` delegate here, one line a method.

Results are streamed: each line of the output file, then of the error file, is parsed as it
arrives (`_jsonl.results.ResultReader`), so a result file of any size takes the memory of a line.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .. import _files
from .._config import Timeout
from .._http import calls
from .._jsonl.inputs import Request, check_input_file, write_input_file
from .._jsonl.results import BatchResult, ResultReader, failed_custom_ids
from .._models import BatchJob
from .downloads import (
    DownloadedFiles,
    download_targets,
    downloaded,
    errors_path,
    names_a_directory,
    result_file_ids,
)

if TYPE_CHECKING:
    from .._client import AsyncTogether, Together

__all__ = [
    "BatchResult",
    "DownloadedFiles",
    "JobOrId",
    "OnDownload",
    "OnUpload",
    "PathArg",
    "download_targets",
    "SubmitInput",
    "download",
    "download_async",
    "downloaded",
    "errors_path",
    "failed_ids",
    "failed_ids_async",
    "result_file_ids",
    "results",
    "results_async",
    "submit",
    "submit_async",
]

JobOrId = BatchJob | str
PathArg = str | os.PathLike[str]
OnUpload = _files.transfer.OnUpload
OnDownload = _files.transfer.OnDownload
#: What `submit` takes: a JSONL file's path, a binary file object of one (seekable), or
#: requests (`(custom_id, body)` pairs or mappings with both), maybe a generator of many.
SubmitInput = str | os.PathLike[str] | _files.source.BinaryFile | Iterable[Request]
#: The name an input built from requests is uploaded under.
REQUESTS_FILE_NAME = "batch-input.jsonl"


def _job(client: Together, job_or_id: JobOrId, timeout: Timeout) -> BatchJob:
    if isinstance(job_or_id, BatchJob):
        return job_or_id
    return client.batches.get_batch(job_or_id, timeout=timeout)


async def _ajob(client: AsyncTogether, job_or_id: JobOrId, timeout: Timeout) -> BatchJob:
    if isinstance(job_or_id, BatchJob):
        return job_or_id
    return await client.batches.get_batch(job_or_id, timeout=timeout)


def results(client: Together, job_or_id: JobOrId, timeout: Timeout) -> Iterator[BatchResult]:
    """Every request's outcome, streamed (see `Batches.results`)."""
    for file_id in result_file_ids(_job(client, job_or_id, timeout)):
        with client._stream(_files.calls.file_content(file_id), timeout) as response:
            reader = ResultReader(file_id, status_code=response.status_code)
            for chunk in _files.transfer.body_chunks(response):
                yield from reader.feed(chunk)
            yield from reader.close()


async def results_async(
    client: AsyncTogether, job_or_id: JobOrId, timeout: Timeout
) -> AsyncIterator[BatchResult]:
    """`results` for the async twin."""
    for file_id in result_file_ids(await _ajob(client, job_or_id, timeout)):
        async with client._stream(_files.calls.file_content(file_id), timeout) as response:
            reader = ResultReader(file_id, status_code=response.status_code)
            async for chunk in _files.transfer.abody_chunks(response):
                for record in reader.feed(chunk):
                    yield record
            for record in reader.close():
                yield record


def failed_ids(client: Together, job_or_id: JobOrId, timeout: Timeout) -> list[str]:
    """The custom_ids of the job's failed requests, once each, in file order."""
    return failed_custom_ids(results(client, job_or_id, timeout))


async def failed_ids_async(
    client: AsyncTogether, job_or_id: JobOrId, timeout: Timeout
) -> list[str]:
    """`failed_ids` for the async twin."""
    failed: dict[str, None] = {}
    async for result in results_async(client, job_or_id, timeout):
        if result.failed:
            failed.setdefault(result.custom_id)
    return list(failed)


def download(
    client: Together,
    job_or_id: JobOrId,
    path: str | os.PathLike[str],
    on_progress: _files.transfer.OnDownload,
    timeout: Timeout,
) -> DownloadedFiles:
    """Save a job's output file to `path` and its error file beside it."""
    _files.transfer.check_on_progress(on_progress, asynchronous=False)
    job = _job(client, job_or_id, timeout)
    targets = download_targets(job, path)
    if names_a_directory(path):
        os.makedirs(path, exist_ok=True)  # `out/` is made if need be
    saved = [
        None
        if file_id is None
        else client.files.download(file_id, where, on_progress=on_progress, timeout=timeout)
        for file_id, where in targets
    ]
    return downloaded(targets, saved)


async def download_async(
    client: AsyncTogether,
    job_or_id: JobOrId,
    path: str | os.PathLike[str],
    on_progress: _files.transfer.OnDownload,
    timeout: Timeout,
) -> DownloadedFiles:
    """`download` for the async twin."""
    _files.transfer.check_on_progress(on_progress, asynchronous=True)
    job = await _ajob(client, job_or_id, timeout)
    targets = download_targets(job, path)
    if names_a_directory(path):
        os.makedirs(path, exist_ok=True)  # `out/` is made if need be
    saved = [
        None
        if file_id is None
        else await client.files.download(file_id, where, on_progress=on_progress, timeout=timeout)
        for file_id, where in targets
    ]
    return downloaded(targets, saved)


def _checked(source: SubmitInput, directory: str | None) -> _files.source.UploadSource:
    """Check (or, for requests, build and check) the input file, learning its size and
    SHA-256 on the way; raises `InputFileError` with every problem, before any request."""
    if isinstance(source, (str, os.PathLike)):
        info = check_input_file(source)
        return _files.source.prepare_source(source, sha256=info.sha256, size=info.size)
    if callable(getattr(source, "read", None)):
        _files.source.check_file_object(source)  # read twice (checked, then sent): it must seek
        stream: _files.source.BinaryFile = source  # type: ignore[assignment]
        start = stream.tell()
        info = check_input_file(stream)
        stream.seek(start)
        return _files.source.prepare_source(stream, sha256=info.sha256, size=info.size)
    if isinstance(source, (bytes, bytearray)) or not isinstance(source, Iterable):
        kind = type(source).__name__
        raise TypeError(f"submit takes a path, a binary file object or requests, not {kind}")
    assert directory is not None
    requests: Iterable[Request] = source  # type: ignore[assignment]  # not a file: checked above
    info = write_input_file(requests, Path(directory) / REQUESTS_FILE_NAME)
    assert info.path is not None
    return _files.source.prepare_source(info.path, sha256=info.sha256, size=info.size)


def _needs_directory(source: SubmitInput) -> bool:
    return not isinstance(source, (str, os.PathLike)) and not hasattr(source, "read")


@contextlib.contextmanager
def _scratch(source: SubmitInput) -> Iterator[str | None]:
    """A temporary directory for an input built from requests (deleted after), else None."""
    if not _needs_directory(source):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="together-batches-") as directory:
        yield directory


def submit(
    client: Together,
    source: SubmitInput,
    *,
    endpoint: str,
    model_id: str | None,
    completion_window: str | None,
    priority: int | None,
    on_upload_progress: _files.transfer.OnUpload,
    timeout: Timeout,
) -> BatchJob:
    """Check the input, upload it, start the batch (see `Batches.submit`)."""
    calls.check_endpoint(endpoint)
    _files.transfer.check_on_progress(on_upload_progress, asynchronous=False)
    with _scratch(source) as directory:
        checked = _checked(source, directory)
        file = client.files._send(checked, "batch-api", on_upload_progress, timeout)
    assert file.id is not None  # `_files.upload.finish_call` makes sure
    return client.batches.create_batch(
        file.id,
        endpoint,
        completion_window=completion_window,
        model_id=model_id,
        priority=priority,
        timeout=timeout,
    )


async def submit_async(
    client: AsyncTogether,
    source: SubmitInput,
    *,
    endpoint: str,
    model_id: str | None,
    completion_window: str | None,
    priority: int | None,
    on_upload_progress: _files.transfer.OnUpload,
    timeout: Timeout,
) -> BatchJob:
    """`submit` for the async twin: a file given by path is checked in a worker thread;
    requests are read in the caller's (a generator may be bound to it)."""
    import asyncio  # noqa: PLC0415 - loaded already by any program that gets here

    calls.check_endpoint(endpoint)
    _files.transfer.check_on_progress(on_upload_progress, asynchronous=True)
    with _scratch(source) as directory:
        if isinstance(source, (str, os.PathLike)):
            checked = await asyncio.to_thread(_checked, source, directory)
        else:
            checked = _checked(source, directory)
        file = await client.files._send(checked, "batch-api", on_upload_progress, timeout)
    assert file.id is not None  # `_files.upload.finish_call` makes sure
    return await client.batches.create_batch(
        file.id,
        endpoint,
        completion_window=completion_window,
        model_id=model_id,
        priority=priority,
        timeout=timeout,
    )

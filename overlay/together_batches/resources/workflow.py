"""A batch's workflow around its job: submit (check, upload, create), then read its results
and save its files. `Batches` and `AsyncBatches` delegate here, one line a method.

Results are streamed: each line of the output file, then of the error file, is parsed as it
arrives (`_jsonl.results.ResultReader`), so a result file of any size takes the memory of a line.
For a batch that ended before it finished, the input file is streamed after them, and each
request with no line in either file gets a record saying it never ran (`_jsonl.accounting`,
which keeps the results' custom_ids in compact memory, ~48 bytes an id).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .. import _display, _files
from .._config import Timeout
from .._exceptions import NotFoundError, TogetherError
from .._http import calls
from .._jsonl.accounting import InputIdReader, InvalidInputLine, Tally, not_run_message
from .._jsonl.inputs import Request, check_input_file, write_input_file
from .._jsonl.results import BatchResult, ResultReader, failed_custom_ids
from .._models import BatchJob
from .downloads import (
    DownloadedFiles,
    download_targets,
    downloaded,
    errors_path,
    incomplete,
    names_a_directory,
    result_file_ids,
    result_sources,
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
    "file_results",
    "file_results_async",
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


def file_results(
    client: Together, file_ids: Iterable[str], timeout: Timeout
) -> Iterator[BatchResult]:
    """The records of result files, each streamed and parsed a line at a time."""
    for file_id in file_ids:
        with client._stream(_files.calls.file_content(file_id), timeout) as response:
            reader = ResultReader(file_id, status_code=response.status_code)
            for chunk in _files.transfer.body_chunks(response):
                yield from reader.feed(chunk)
            yield from reader.close()


async def file_results_async(
    client: AsyncTogether, file_ids: Iterable[str], timeout: Timeout
) -> AsyncIterator[BatchResult]:
    """`file_results` for the async twin."""
    for file_id in file_ids:
        async with client._stream(_files.calls.file_content(file_id), timeout) as response:
            reader = ResultReader(file_id, status_code=response.status_code)
            async for chunk in _files.transfer.abody_chunks(response):
                for record in reader.feed(chunk):
                    yield record
            for record in reader.close():
                yield record


_NAMES_NO_INPUT = "the job names no input file"


def _gone(file_id: str) -> str:
    return f"its input file {file_id} is gone (404)"


def _bad_input(exc: InvalidInputLine) -> str:
    return f"its input file cannot be read: {exc}"


def results(client: Together, job_or_id: JobOrId, timeout: Timeout) -> Iterator[BatchResult]:
    """Every request's outcome, streamed (see `Batches.results`)."""
    job = _job(client, job_or_id, timeout)
    file_ids, account = result_sources(job)
    if not account:
        yield from file_results(client, file_ids, timeout)
        return
    tally = Tally()
    try:
        for record in file_results(client, file_ids, timeout):
            tally.feed(record)
            yield record
        yield from tally.not_run(_input_ids(client, job, tally, timeout), _message(job))
    finally:
        tally.close()


def _message(job: BatchJob) -> str:
    try:
        error = job.error
    except TogetherError:  # a field of another type than the spec's: not worth failing for
        error = None
    return not_run_message(job.id, str(job.status), error if isinstance(error, str) else None)


def _input_ids(client: Together, job: BatchJob, tally: Tally, timeout: Timeout) -> Iterator[str]:
    """The custom_ids of the job's input, streamed.

    Raises:
        ResultsIncompleteError: The job names no input file, it is gone, or a line of it is
            not a request.
    """
    file_id = job.input_file_id
    if not file_id:
        raise incomplete(job, tally.seen, _NAMES_NO_INPUT)
    with contextlib.ExitStack() as stack:
        try:
            response = stack.enter_context(
                client._stream(_files.calls.file_content(file_id), timeout)
            )
        except NotFoundError as exc:
            raise incomplete(job, tally.seen, _gone(file_id)) from exc
        reader = InputIdReader(file_id)
        try:
            for chunk in _files.transfer.body_chunks(response):
                yield from reader.feed(chunk)
            yield from reader.close()
        except InvalidInputLine as exc:
            raise incomplete(job, tally.seen, _bad_input(exc)) from exc


async def results_async(
    client: AsyncTogether, job_or_id: JobOrId, timeout: Timeout
) -> AsyncIterator[BatchResult]:
    """`results` for the async twin."""
    job = await _ajob(client, job_or_id, timeout)
    file_ids, account = result_sources(job)
    tally = Tally()
    try:
        async for record in file_results_async(client, file_ids, timeout):
            if account:
                tally.feed(record)
            yield record
        if account:
            message = _message(job)
            async for custom_id in _input_ids_async(client, job, tally, timeout):
                for record in tally.not_run((custom_id,), message):
                    yield record
    finally:
        tally.close()


async def _input_ids_async(
    client: AsyncTogether, job: BatchJob, tally: Tally, timeout: Timeout
) -> AsyncIterator[str]:
    """`_input_ids` for the async twin."""
    file_id = job.input_file_id
    if not file_id:
        raise incomplete(job, tally.seen, _NAMES_NO_INPUT)
    async with contextlib.AsyncExitStack() as stack:
        try:
            response = await stack.enter_async_context(
                client._stream(_files.calls.file_content(file_id), timeout)
            )
        except NotFoundError as exc:
            raise incomplete(job, tally.seen, _gone(file_id)) from exc
        reader = InputIdReader(file_id)
        try:
            async for chunk in _files.transfer.abody_chunks(response):
                for custom_id in reader.feed(chunk):
                    yield custom_id
            for custom_id in reader.close():
                yield custom_id
        except InvalidInputLine as exc:
            raise incomplete(job, tally.seen, _bad_input(exc)) from exc


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


@contextlib.contextmanager
def _upload_bar(
    checked: _files.source.UploadSource, progress: bool
) -> Iterator[_files.transfer.OnUpload]:
    """With `progress`, the upload's bar (`progress=True`), else None."""
    if not progress:
        yield None
        return
    with _display.library.transfer_display("Uploading", checked.name) as bar:
        yield bar


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
    progress: bool = False,
) -> BatchJob:
    """Check the input, upload it, start the batch (see `Batches.submit`)."""
    calls.check_endpoint(endpoint)
    _files.transfer.check_on_progress(on_upload_progress, asynchronous=False)
    with _scratch(source) as directory:
        checked = _checked(source, directory)
        with _upload_bar(checked, progress) as bar:
            on_upload = (
                _display.library.both(bar, on_upload_progress) if bar else on_upload_progress
            )
            file = client.files._send(checked, "batch-api", on_upload, timeout)
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
    progress: bool = False,
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
        with _upload_bar(checked, progress) as bar:
            on_upload = (
                _display.library.both(bar, on_upload_progress) if bar else on_upload_progress
            )
            file = await client.files._send(checked, "batch-api", on_upload, timeout)
    return await client.batches.create_batch(
        file.id,
        endpoint,
        completion_window=completion_window,
        model_id=model_id,
        priority=priority,
        timeout=timeout,
    )

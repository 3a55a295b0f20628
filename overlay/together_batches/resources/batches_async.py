"""`AsyncBatches`: the batch endpoints, awaitable, reached as `AsyncTogether().batches`.

The twin of `Batches` (batches.py), with the same methods and arguments, kept in step by
tests/test_surface.py; the docstrings are on the sync twin. Loaded with the first
`AsyncTogether`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING

from .. import _display, _wait, _workload, resources
from .._config import Timeout
from .._http import calls
from .._http.ids import check_id
from .._jsonl.limits import MAX_FILE_BYTES, MAX_REQUESTS
from .._models import BatchJob, warn_of
from .._wait.callbacks import OnPollError, OnProgress
from .._wait.options import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    check_ids,
    options_from,
)

if TYPE_CHECKING:
    from .._client import AsyncTogether

__all__ = ["AsyncBatches"]


class AsyncBatches:
    """The batch endpoints, awaitable. Same methods and arguments as `Batches`."""

    def __init__(self, client: AsyncTogether) -> None:
        self._client = client

    async def create_batch(
        self,
        file_id: str,
        endpoint: str,
        *,
        completion_window: str | None = "24h",
        model_id: str | None = None,
        priority: int | None = None,
        timeout: Timeout = None,
    ) -> BatchJob:
        """Start a batch over an uploaded JSONL input file (see `Batches.create_batch`)."""
        call = calls.create_batch(
            file_id,
            endpoint,
            completion_window=completion_window,
            model_id=model_id,
            priority=priority,
        )
        return warn_of(await self._client._execute(call, timeout))

    async def get_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Read one job (see `Batches.get_batch`)."""
        return await self._client._execute(calls.get_batch(batch_job_id), timeout)

    async def list_batches(self, *, timeout: Timeout = None) -> list[BatchJob]:
        """Every job of the account; `[]` when there are none."""
        return await self._client._execute(calls.list_batches(), timeout)

    async def cancel_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Ask for a job to be cancelled (see `Batches.cancel_batch`)."""
        return await self._client._execute(calls.cancel_batch(batch_job_id), timeout)

    async def submit(
        self,
        requests_or_path: resources.workflow.SubmitInput,
        *,
        endpoint: str,
        model_id: str | None = None,
        completion_window: str | None = "24h",
        priority: int | None = None,
        on_upload_progress: resources.workflow.OnUpload = None,
        timeout: Timeout = None,
        progress: bool = False,
    ) -> BatchJob:
        """Check, upload and start a batch in one call (see `Batches.submit`); a file given
        by path is checked in a worker thread."""

        return await resources.workflow.submit_async(
            self._client,
            requests_or_path,
            endpoint=endpoint,
            model_id=model_id,
            completion_window=completion_window,
            priority=priority,
            on_upload_progress=on_upload_progress,
            timeout=timeout,
            progress=progress,
        )

    async def results(
        self, job_or_id: resources.workflow.JobOrId, *, timeout: Timeout = None
    ) -> AsyncIterator[resources.workflow.BatchResult]:
        """`async for` every request's outcome, streamed (see `Batches.results`); to stop
        early, iterate in `contextlib.aclosing(...)` so the download is closed at once."""

        async for result in resources.workflow.results_async(self._client, job_or_id, timeout):
            yield result

    async def failed_custom_ids(
        self, job_or_id: resources.workflow.JobOrId, *, timeout: Timeout = None
    ) -> list[str]:
        """The custom_ids of the failed requests (see `Batches.failed_custom_ids`)."""

        return await resources.workflow.failed_ids_async(self._client, job_or_id, timeout)

    async def download(
        self,
        job_or_id: resources.workflow.JobOrId,
        path: resources.workflow.PathArg,
        *,
        on_progress: resources.workflow.OnDownload = None,
        timeout: Timeout = None,
    ) -> resources.workflow.DownloadedFiles:
        """Save a job's output and error files (see `Batches.download`)."""

        return await resources.workflow.download_async(
            self._client, job_or_id, path, on_progress, timeout
        )

    def run(
        self,
        requests: _workload.session.WorkloadInput,
        *,
        endpoint: str,
        manifest: resources.workflow.PathArg,
        model_id: str | None = None,
        retry_failed: int = 0,
        timeout: float | None = None,
        on_progress: _workload.session.OnWorkloadProgress = None,
        max_requests: int = MAX_REQUESTS,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        max_bytes: int = MAX_FILE_BYTES,
        progress: bool = False,
    ) -> AsyncIterator[resources.workflow.BatchResult]:
        """`async for` a workload's results (see `Batches.run`). The arguments are checked
        and the manifest's lock is taken here (`ManifestError` if another run holds it);
        the requests are checked, split and matched to the manifest in a worker thread
        when iteration starts, off the event loop, so `InputFileError` and a manifest
        that does not match (`ManifestError`) arrive at the first `__anext__`
        (`requests`, if a generator, is read in that thread)."""
        _workload.session.check_arguments(
            endpoint=endpoint, on_progress=on_progress, timeout=timeout
        )
        lock = _workload.session.take_lock(manifest)
        display = _display.library.workload_display() if progress else None
        if display is not None:
            on_progress = _display.library.both(display.update, on_progress)

        def start() -> _workload.session.Session:
            return _workload.session.start(
                requests,
                endpoint=endpoint,
                model_id=model_id,
                manifest=manifest,
                retry_failed=retry_failed,
                timeout=timeout,
                on_progress=on_progress,
                max_concurrency=max_concurrency,
                max_requests=max_requests,
                max_bytes=max_bytes,
                lock=lock,
            )

        results = _workload.driver_async.start_and_drive(self._client, start)
        return results if display is None else _display.library.shown_async(display, results)

    async def wait_until_done(
        self,
        batch_job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: OnProgress = None,
        on_poll_error: OnPollError = None,
        raise_on_failure: bool = False,
        cancel_on_timeout: bool = False,
        request_timeout: Timeout = None,
        progress: bool = False,
    ) -> BatchJob:
        """Poll a job until it is terminal (see `Batches.wait_until_done`). Task cancellation
        propagates at once, after a shielded best-effort cancel with `cancel_on_timeout`."""
        check_id(batch_job_id)
        options = options_from(locals())
        if not progress:
            return await _wait.tasks.wait_one_async(self._client, batch_job_id, options)
        with _display.library.wait_display() as display:
            options = _display.library.wait_options(options, display)
            return await _wait.tasks.wait_one_async(self._client, batch_job_id, options)

    def as_completed(
        self,
        batch_job_ids: Iterable[str],
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: OnProgress = None,
        on_poll_error: OnPollError = None,
        raise_on_failure: bool = False,
        cancel_on_timeout: bool = False,
        request_timeout: Timeout = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        progress: bool = False,
    ) -> AsyncIterator[BatchJob]:
        """Wait on many jobs, `async for` each as it ends (see `Batches.as_completed`). One
        event loop task polls them all, at most `max_concurrency` requests in flight. The
        arguments are checked here, before iteration starts."""
        ids = check_ids(batch_job_ids)
        options = options_from(locals())
        if not progress:
            return _wait.tasks.as_completed_async(self._client, ids, options)
        display = _display.library.wait_display()
        options = _display.library.wait_options(options, display)
        jobs = _wait.tasks.as_completed_async(self._client, ids, options)
        return _display.library.shown_async(display, jobs)

    async def wait_all(
        self,
        batch_job_ids: Iterable[str],
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: OnProgress = None,
        on_poll_error: OnPollError = None,
        raise_on_failure: bool = False,
        cancel_on_timeout: bool = False,
        request_timeout: Timeout = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        progress: bool = False,
    ) -> list[BatchJob]:
        """Wait on many jobs until all are terminal, in the order given (see
        `Batches.wait_all`)."""
        ids = check_ids(batch_job_ids)
        options = options_from(locals())
        if not progress:
            return await _wait.tasks.wait_all_async(self._client, ids, options)
        with _display.library.wait_display() as display:
            options = _display.library.wait_options(options, display)
            return await _wait.tasks.wait_all_async(self._client, ids, options)

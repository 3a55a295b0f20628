"""`Batches`: the batch endpoints and waits of the sync client, reached as `client.batches`.

Each method is a thin shell: `_http.calls` says what to send and how to read the answer, the
client sends it with retries; a wait hands its checked options to `_wait.threads`. The async
twin is `AsyncBatches` (batches_async.py); tests/test_surface.py keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
    from .._client import Together

__all__ = ["Batches"]


class Batches:
    """The batch endpoints. Every method takes `timeout=` (seconds or `httpx.Timeout`) to
    override the client's timeout for that call: it bounds each attempt as a whole
    (connecting, sending and reading the whole answer), not each phase."""

    def __init__(self, client: Together) -> None:
        self._client = client

    def create_batch(
        self,
        file_id: str,
        endpoint: str,
        *,
        completion_window: str | None = "24h",
        model_id: str | None = None,
        priority: int | None = None,
        timeout: Timeout = None,
    ) -> BatchJob:
        """Start a batch over an uploaded JSONL input file.

        Args:
            file_id: The input file's id.
            endpoint: Where each request goes, e.g. `/v1/chat/completions`.
            completion_window: Only `24h` is accepted by the API today.
            model_id: The model, when the input lines do not name one.
            priority: Processing priority.
            timeout: This call's timeout.

        Returns:
            The new job. A server warning is issued as a `BatchWarning` and kept as
            `job.warning`.

        Raises:
            TogetherError: The subclass for what went wrong. Never retried in a way that could
                create the batch twice.
        """
        call = calls.create_batch(
            file_id,
            endpoint,
            completion_window=completion_window,
            model_id=model_id,
            priority=priority,
        )
        return warn_of(self._client._execute(call, timeout))

    def get_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Read one job.

        Raises:
            ValueError: `batch_job_id` is empty, `.` or `..` (nothing is sent).
            TypeError: `batch_job_id` is not a str.
            NotFoundError: No such job.
        """
        return self._client._execute(calls.get_batch(batch_job_id), timeout)

    def list_batches(self, *, timeout: Timeout = None) -> list[BatchJob]:
        """Every job of the account (the API does not paginate); `[]` when there are none."""
        return self._client._execute(calls.list_batches(), timeout)

    def cancel_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Ask for a job to be cancelled; returns it, normally CANCELING.

        Raises:
            ValueError: `batch_job_id` is empty, `.` or `..` (nothing is sent).
            TypeError: `batch_job_id` is not a str.
            BadRequestError: The job can no longer be cancelled.
        """
        return self._client._execute(calls.cancel_batch(batch_job_id), timeout)

    def submit(
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
        """Check an input, upload it (`files.upload`) and `create_batch` over it: a JSONL
        file's path, a seekable binary file object, or requests (`(custom_id, body)` pairs
        or mappings with both; a generator of millions takes the memory of one).
        `progress=True` draws the upload's bar on standard error (as `files.upload`).

        Raises:
            InputFileError: Every problem of the input, by line; nothing was sent.
        """

        return resources.workflow.submit(
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

    def results(
        self, job_or_id: resources.workflow.JobOrId, *, timeout: Timeout = None
    ) -> Iterator[resources.workflow.BatchResult]:
        """Every request's outcome (`BatchResult`): the output file's lines, then the error
        file's, streamed and parsed a line at a time; then, for a batch that ended other than
        COMPLETED (or without either file), a `not_run` record for each request of its
        input (streamed too) that neither file holds. A job given by id is read first.

        Raises:
            ResultsUnavailableError: The job has not ended.
            ResultsIncompleteError: After the records of its files: the input of a batch that
                ended part-way cannot be read (gone, not named, or not requests).
            APIResponseValidationError: A line is not a result line (it is named).
        """

        return resources.workflow.results(self._client, job_or_id, timeout)

    def failed_custom_ids(
        self, job_or_id: resources.workflow.JobOrId, *, timeout: Timeout = None
    ) -> list[str]:
        """The custom_ids of the requests that failed, once each, the requests that never ran
        included (see `results`): what to resubmit."""

        return resources.workflow.failed_ids(self._client, job_or_id, timeout)

    def download(
        self,
        job_or_id: resources.workflow.JobOrId,
        path: resources.workflow.PathArg,
        *,
        on_progress: resources.workflow.OnDownload = None,
        timeout: Timeout = None,
    ) -> resources.workflow.DownloadedFiles:
        """Save the output file to `path` and the error file beside it as
        `NAME.errors.jsonl`, each through `files.download`. A `path` that ends in a
        separator (`out/`, made if need be) or is a directory gets `ID.jsonl` in it. Files
        are made with the umask's mode, as `open` makes them."""

        return resources.workflow.download(self._client, job_or_id, path, on_progress, timeout)

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
    ) -> Iterator[resources.workflow.BatchResult]:
        """Run any number of requests (as `submit` takes them, or a JSONL path) as batches
        of at most `max_requests` and `max_bytes`, tracked in the JSON file `manifest` (the
        same call resumes); waits share one `timeout`; `retry_failed` rounds resubmit what
        failed. Returns an iterator of each request's final outcome as parts end. Raises
        InputFileError, ManifestError (nothing sent), WaitTimeoutError (run it again).
        `progress=True` draws the workload's progress on standard error while the iterator
        is read (live on a terminal or in a notebook), as well as calling `on_progress`."""

        display = _display.library.workload_display() if progress else None
        if display is not None:
            on_progress = _display.library.both(display.update, on_progress)
        session = _workload.session.start(
            requests,
            endpoint=endpoint,
            manifest=manifest,
            model_id=model_id,
            timeout=timeout,
            retry_failed=retry_failed,
            on_progress=on_progress,
            max_concurrency=max_concurrency,
            max_requests=max_requests,
            max_bytes=max_bytes,
        )
        results = _workload.driver.drive(self._client, session)
        return results if display is None else _display.library.shown(display, results)

    def wait_until_done(
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
        """Poll a job until it is COMPLETED, FAILED, EXPIRED or CANCELLED, and return it.

        Polls start `poll_interval` apart (2 s by default, so a short job is noticed within
        seconds) and grow x1.5 while nothing changes, with up to 10 % jitter, to
        `max_poll_interval` (60 s, the API's advice for long jobs); a change of status or
        progress goes back to `poll_interval`, and a longer `retry-after` from the server is
        honoured. No sleep goes past the deadline.

        Connection errors, timeouts, 408, 429, 5xx and a 200 whose body is not a job are
        survived until the deadline (with the backoff, and counted); each poll is one
        attempt, the client's `max_retries` is not used. Other errors raise at once.

        Args:
            batch_job_id: The job to wait for.
            timeout: Seconds for the whole wait, the request in flight included. None (the
                default) is not forever: it is the job's own `job_deadline` plus 10 minutes
                of grace (the API expires the job then), else `created_at` + 24 h + 10 min,
                and 25 h until a job with either has been seen.
            poll_interval: The first and shortest delay between polls, in seconds.
            max_poll_interval: The longest delay between polls, in seconds.
            on_progress: Called with the job on the first poll and on every poll whose
                status or progress changed (the terminal one included). What it raises
                propagates. An `async def` is awaited by the async client and refused
                (`TypeError`, before any request) by the sync one.
            on_poll_error: Called with a `PollFailure` (`.batch_job_id`, `.error`,
                `.consecutive`, `.retry_in`) after each failed poll that the wait survives;
                the same rules as `on_progress`. Five failures in a row, and each five
                after, also log a WARNING on the `together_batches` logger.
            raise_on_failure: Raise instead of returning a FAILED, EXPIRED or CANCELLED job.
            cancel_on_timeout: When the deadline passes, or on `KeyboardInterrupt` (or task
                cancellation, async), first ask for the job to be cancelled: best effort, one
                attempt, 5 s at most, errors ignored.
            request_timeout: Each poll's timeout (None: the client's), cut to the time left.
            progress: Draw the job's progress on standard error while waiting: a live bar
                on a terminal or in a Jupyter notebook, a line per change elsewhere. It is
                drawn before `on_progress` and `on_poll_error` are called, which still are.

        Returns:
            The job as seen in a terminal status.

        Raises:
            ValueError: A bad id (`""`, `.`, `..`) or a time not finite and > 0, before any
                request.
            TypeError: The id is not a str.
            WaitTimeoutError: The deadline passed; carries `.job` (last seen) and `.polls`.
            BatchFailedError: FAILED or EXPIRED, with `raise_on_failure=True`.
            BatchCancelledError: CANCELLED, with `raise_on_failure=True`.
            APIStatusError: 400, 401, 403, 404 (or another non-retryable status).
        """

        check_id(batch_job_id)
        options = options_from(locals())
        if not progress:
            return _wait.threads.wait_one(self._client, batch_job_id, options)
        with _display.library.wait_display() as display:
            options = _display.library.wait_options(options, display)
            return _wait.threads.wait_one(self._client, batch_job_id, options)

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
    ) -> Iterator[BatchJob]:
        """Wait on many jobs; yield each as soon as it is seen terminal, in finishing order.

        Each job is polled on its own schedule (as in `wait_until_done`, same options), at
        most `max_concurrency` polls in flight (threads in the sync client, tasks in the
        async one; callbacks run in the caller's thread or task). A 429 holds back every
        poll for its delay. Ids are checked (and duplicates dropped) before any request.

        One job's error does not stop the others: a job whose wait ends in an error (404,
        `BatchFailedError` under `raise_on_failure`, ...) is not yielded; once every other
        job has been yielded, a `BatchErrorGroup` of the errors is raised. A 401 ends the
        whole wait at once (it would fail every job).

        Args:
            batch_job_ids: The jobs to wait for.
            max_concurrency: Polls in flight at once (default 8).
            progress: Draw a row per job on standard error while the jobs are iterated
                (as `wait_until_done`).

        Yields:
            Each job, once, as seen in a terminal status.

        Raises:
            WaitTimeoutError: The shared deadline (`timeout`, or with None the latest of the
                jobs' own deadlines plus grace) passed; `.pending` holds the unfinished jobs
                by id (last state seen), and any errors so far are its `__cause__`.
            BatchErrorGroup: At the end, when one or more jobs failed; `.errors` by id and
                `.jobs` (those that finished) by id.
        """

        ids = check_ids(batch_job_ids)
        options = options_from(locals())
        if not progress:
            return _wait.threads.as_completed(self._client, ids, options)
        display = _display.library.wait_display()
        options = _display.library.wait_options(options, display)
        jobs = _wait.threads.as_completed(self._client, ids, options)
        return _display.library.shown(display, jobs)

    def wait_all(
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
        """Wait on many jobs until all are terminal (see `as_completed` for the options).

        Returns:
            The terminal jobs in the order the ids were given (a repeated id, repeated).

        Raises:
            WaitTimeoutError: The shared deadline passed (`.pending` by id).
            BatchErrorGroup: One or more jobs failed; raised only after every other job was
                waited for, with the finished ones in `.jobs` and the errors in `.errors`.
        """

        ids = check_ids(batch_job_ids)
        options = options_from(locals())
        if not progress:
            return _wait.threads.wait_all(self._client, ids, options)
        with _display.library.wait_display() as display:
            options = _display.library.wait_options(options, display)
            return _wait.threads.wait_all(self._client, ids, options)

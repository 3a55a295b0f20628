"""`Batches` and `AsyncBatches`: the batch endpoints, reached as `client.batches`.

Each method is a thin shell: `_calls` says what to send and how to read the answer, the
client sends it with retries. The two classes are kept in step by tests/test_surface.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._config import Timeout
from .._http import calls as _calls
from .._jsonl.writer import MAX_FILE_BYTES, MAX_REQUESTS
from .._models import BatchJob, warn_of
from .._wait.options import (
    DEFAULT_MAX_CONCURRENCY,
)
from .waits import Waits

if TYPE_CHECKING:
    from .._client import Together
    from .._workload import session as _session
    from . import workflow as _workflow

__all__ = ["Batches"]


class Batches(Waits):
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
        call = _calls.create_batch(
            file_id, endpoint, completion_window=completion_window, model_id=model_id,
            priority=priority,
        )  # fmt: skip
        return warn_of(self._client._execute(call, timeout))

    def get_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Read one job.

        Raises:
            ValueError: `batch_job_id` is empty, `.` or `..` (nothing is sent).
            TypeError: `batch_job_id` is not a str.
            NotFoundError: No such job.
        """
        return self._client._execute(_calls.get_batch(batch_job_id), timeout)

    def list_batches(self, *, timeout: Timeout = None) -> list[BatchJob]:
        """Every job of the account (the API does not paginate); `[]` when there are none."""
        return self._client._execute(_calls.list_batches(), timeout)

    def cancel_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Ask for a job to be cancelled; returns it, normally CANCELING.

        Raises:
            ValueError: `batch_job_id` is empty, `.` or `..` (nothing is sent).
            TypeError: `batch_job_id` is not a str.
            BadRequestError: The job can no longer be cancelled.
        """
        return self._client._execute(_calls.cancel_batch(batch_job_id), timeout)

    def submit(
        self,
        requests_or_path: _workflow.SubmitInput,
        *,
        endpoint: str,
        model_id: str | None = None,
        completion_window: str | None = "24h",
        priority: int | None = None,
        on_upload_progress: _workflow.OnUpload = None,
        timeout: Timeout = None,
    ) -> BatchJob:
        """Check an input, upload it (`files.upload`) and `create_batch` over it: a JSONL
        file's path, a seekable binary file object, or requests (`(custom_id, body)` pairs
        or mappings with both; a generator of millions takes the memory of one).

        Raises:
            InputFileError: Every problem of the input, by line; nothing was sent.
        """
        from . import workflow as _workflow  # noqa: PLC0415 - loaded on first use: import time

        return _workflow.submit(self._client, requests_or_path, endpoint=endpoint,
                                model_id=model_id, completion_window=completion_window,
                                priority=priority, on_upload_progress=on_upload_progress,
                                timeout=timeout)  # fmt: skip

    def results(
        self, job_or_id: _workflow.JobOrId, *, timeout: Timeout = None
    ) -> Iterator[_workflow.BatchResult]:
        """Every request's outcome (`BatchResult`): the output file's lines, then the error
        file's, streamed and parsed a line at a time. A job given by id is read first.

        Raises:
            ResultsUnavailableError: The job has not ended, or has neither file.
            APIResponseValidationError: A line is not a result line (it is named).
        """
        from . import workflow as _workflow  # noqa: PLC0415 - loaded on first use: import time

        return _workflow.results(self._client, job_or_id, timeout)

    def failed_custom_ids(
        self, job_or_id: _workflow.JobOrId, *, timeout: Timeout = None
    ) -> list[str]:
        """The custom_ids of the requests that failed, once each: what to resubmit."""
        from . import workflow as _workflow  # noqa: PLC0415 - loaded on first use: import time

        return _workflow.failed_ids(self._client, job_or_id, timeout)

    def download(
        self, job_or_id: _workflow.JobOrId, path: _workflow.PathArg, *,
        on_progress: _workflow.OnDownload = None, timeout: Timeout = None,
    ) -> _workflow.DownloadedFiles:  # fmt: skip
        """Save the output file to `path` (`ID.jsonl` in it, if a directory) and the error
        file beside it as `NAME.errors.jsonl`, each through `files.download`."""
        from . import workflow as _workflow  # noqa: PLC0415 - loaded on first use: import time

        return _workflow.download(self._client, job_or_id, path, on_progress, timeout)

    def run(
        self, requests: _session.WorkloadInput, *, endpoint: str, manifest: _workflow.PathArg,
        model_id: str | None = None, retry_failed: int = 0, timeout: float | None = None,
        on_progress: _session.OnWorkloadProgress = None, max_requests: int = MAX_REQUESTS,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY, max_bytes: int = MAX_FILE_BYTES,
    ) -> Iterator[_workflow.BatchResult]:  # fmt: skip
        """Run any number of requests (as `submit` takes them, or a JSONL path) as batches
        of at most `max_requests` and `max_bytes`, tracked in the JSON file `manifest` (the
        same call resumes); waits share one `timeout`; `retry_failed` rounds resubmit what
        failed. Returns an iterator of each request's final outcome as parts end. Raises
        InputFileError, ManifestError (nothing sent), WaitTimeoutError (run it again)."""
        from .._workload import driver as _workload_run  # noqa: PLC0415 - loaded on first use: import time
        from .._workload import session as _session  # noqa: PLC0415 - loaded on first use: import time

        session = _session.start(
            requests, endpoint=endpoint, manifest=manifest, model_id=model_id, timeout=timeout,
            retry_failed=retry_failed, on_progress=on_progress, max_concurrency=max_concurrency,
            max_requests=max_requests, max_bytes=max_bytes)  # fmt: skip
        return _workload_run.drive(self._client, session)

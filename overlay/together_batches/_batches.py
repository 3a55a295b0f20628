"""`Batches` and `AsyncBatches`: the batch endpoints, reached as `client.batches`.

Each method is a thin shell: `_calls` says what to send and how to read the answer, the
client sends it with retries. The two classes are kept in step by tests/test_surface.py.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import httpx

from . import _calls
from ._models import BatchJob

if TYPE_CHECKING:
    from ._client import AsyncTogether, Together

__all__ = ["AsyncBatches", "BatchWarning", "Batches"]

Timeout = float | httpx.Timeout | None


class BatchWarning(UserWarning):
    """The server's warning on a create (also kept as `job.warning`)."""


def _warn(job: BatchJob) -> BatchJob:
    if job.warning:
        warnings.warn(job.warning, BatchWarning, stacklevel=3)
    return job


class Batches:
    """The batch endpoints. Every method takes `timeout=` (seconds or `httpx.Timeout`) to
    override the client's per-request timeout for that call."""

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
        return _warn(self._client._execute(call, timeout))

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
        call = _calls.create_batch(
            file_id, endpoint, completion_window=completion_window, model_id=model_id,
            priority=priority,
        )  # fmt: skip
        return _warn(await self._client._execute(call, timeout))

    async def get_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Read one job (see `Batches.get_batch`)."""
        return await self._client._execute(_calls.get_batch(batch_job_id), timeout)

    async def list_batches(self, *, timeout: Timeout = None) -> list[BatchJob]:
        """Every job of the account; `[]` when there are none."""
        return await self._client._execute(_calls.list_batches(), timeout)

    async def cancel_batch(self, batch_job_id: str, *, timeout: Timeout = None) -> BatchJob:
        """Ask for a job to be cancelled (see `Batches.cancel_batch`)."""
        return await self._client._execute(_calls.cancel_batch(batch_job_id), timeout)

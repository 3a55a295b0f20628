"""The waits of `Batches` (`wait_until_done`, `as_completed`, `wait_all`), kept apart from its
calls so that each module holds one thing; `Batches` inherits them. The async twin's are in
`AsyncBatches`. Each builds its options in one place (`options_from`) and hands them to the
sync waiter, loaded on the first wait.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .._config import Timeout
from .._http.ids import check_id
from .._models import BatchJob
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

__all__ = ["Waits"]


class Waits:
    """What `Batches` waits with: polls of `client.batches`' jobs until they end."""

    _client: Together

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
        from .._wait import threads as _waiter  # noqa: PLC0415 - loaded on first use: import time

        check_id(batch_job_id)
        options = options_from(locals())
        return _waiter.wait_one(self._client, batch_job_id, options)

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

        Yields:
            Each job, once, as seen in a terminal status.

        Raises:
            WaitTimeoutError: The shared deadline (`timeout`, or with None the latest of the
                jobs' own deadlines plus grace) passed; `.pending` holds the unfinished jobs
                by id (last state seen), and any errors so far are its `__cause__`.
            BatchErrorGroup: At the end, when one or more jobs failed; `.errors` by id and
                `.jobs` (those that finished) by id.
        """
        from .._wait import threads as _waiter  # noqa: PLC0415 - loaded on first use: import time

        ids = check_ids(batch_job_ids)
        options = options_from(locals())
        return _waiter.as_completed(self._client, ids, options)

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
    ) -> list[BatchJob]:
        """Wait on many jobs until all are terminal (see `as_completed` for the options).

        Returns:
            The terminal jobs in the order the ids were given (a repeated id, repeated).

        Raises:
            WaitTimeoutError: The shared deadline passed (`.pending` by id).
            BatchErrorGroup: One or more jobs failed; raised only after every other job was
                waited for, with the finished ones in `.jobs` and the errors in `.errors`.
        """
        from .._wait import threads as _waiter  # noqa: PLC0415 - loaded on first use: import time

        ids = check_ids(batch_job_ids)
        options = options_from(locals())
        return _waiter.wait_all(self._client, ids, options)

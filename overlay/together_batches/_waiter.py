"""The waiters: thin sync and async shells around the decisions in `_polling.py`.

One engine per twin waits on any number of jobs: it polls whichever job is due first (each
job with its own next-poll time), asks `_polling.after_poll` what follows, calls back, and
sleeps until the next poll is due, never past the deadline. `wait_until_done` is the engine
over one job with errors raised at once; `as_completed` and `wait_all` run it over many.

Each poll is one HTTP attempt, not the client's retry loop: the waiter retries itself, until
its deadline, with its own backoff and the server's `retry-after` hints, and a poll's timeout
is cut to the time left.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

import httpx

from . import _calls, _clock
from . import _polling as P
from ._calls import Call, decode
from ._exceptions import SEND_ERRORS, TogetherError, connection_error
from ._models import BatchJob

if TYPE_CHECKING:
    from ._client import Together

__all__ = ["as_completed", "wait_all", "wait_one"]

logger = logging.getLogger("together_batches")
T = TypeVar("T")
OnProgress = Callable[[BatchJob], object] | None


def _log_poll(step: P.Step, outcome: BatchJob | Exception) -> None:
    # One line per poll. Only the status, progress and the error's class and message: never
    # headers (the key is in them).
    tracker = step.tracker
    if isinstance(outcome, BatchJob):
        what = f"{outcome.status}, {outcome.progress_percent:g}%"
    else:
        what = f"failed: {type(outcome).__name__}: {outcome}"
    if step.error is not None or step.finished is not None:
        after = "done"
    else:
        after = f"next poll in {step.delay:.2f}s"
    logger.debug("poll %d of batch %s: %s; %s", tracker.polls, tracker.batch_job_id, what, after)


class _Run:
    """The state both engines share: the jobs' waits, the due queue, results and errors."""

    def __init__(self, ids: Sequence[str], options: P.WaitOptions, *, single: bool) -> None:
        now = _clock.monotonic()
        ids = list(dict.fromkeys(ids))  # a repeated id is waited for once
        self.ids = ids
        self.options = options
        self.single = single
        self.trackers = {i: P.start(i, options, now) for i in ids}
        self.pending = dict.fromkeys(ids)  # ordered set of the unfinished
        self.queue = P.DueQueue()
        for i in ids:
            self.queue.push(i, now)
        self.jobs: dict[str, BatchJob] = {}
        self.errors: dict[str, Exception] = {}
        self.not_before = now  # a 429 holds back every job's next poll
        self.deadline = P.shared_deadline(self.trackers.values())

    def due_now(self, now: float) -> bool:
        return bool(self.queue) and max(self.queue.next_due(), self.not_before) <= now

    def sleep_for(self, now: float) -> float:
        due = max(self.queue.next_due(), self.not_before)
        return P.sleep_seconds(due, self.deadline, now)

    def request_timeout(self, default: httpx.Timeout, now: float) -> httpx.Timeout:
        return P.request_timeout(
            self.options.request_timeout, default, P.seconds_left(self.deadline, now)
        )

    def settle(
        self, batch_job_id: str, outcome: BatchJob | Exception, on_progress: OnProgress
    ) -> BatchJob | None:
        """Apply a poll's outcome; returns the job when its wait is over with it.

        Raises:
            Exception: The job's error, for a single wait or one that ends every wait; or
                whatever `on_progress` raised.
        """
        old = self.trackers[batch_job_id]
        now = _clock.monotonic()
        step = P.after_poll(
            old, outcome, self.options, mono_now=now, wall_now=_clock.now(), rand=random.random
        )
        self.trackers[batch_job_id] = step.tracker
        _log_poll(step, outcome)
        if step.pause_all:
            self.not_before = max(self.not_before, now + step.pause_all)
        if step.notify and on_progress is not None and step.tracker.job is not None:
            on_progress(step.tracker.job)
        if step.error is not None:
            if self.single or step.abort:
                raise step.error
            step.error.add_note(f"while waiting for batch {batch_job_id}")
            self.errors[batch_job_id] = step.error
            self._end(batch_job_id)
            return None
        if step.finished is not None:
            self.jobs[batch_job_id] = step.finished
            self._end(batch_job_id)
            return step.finished
        self.queue.push(batch_job_id, step.tracker.due)
        if step.tracker.deadline >= self.deadline:
            self.deadline = step.tracker.deadline
        elif old.deadline >= self.deadline:  # the latest deadline moved in: find the new one
            self._recompute_deadline()
        return None

    def _end(self, batch_job_id: str) -> None:
        del self.pending[batch_job_id]
        self._recompute_deadline()

    def _recompute_deadline(self) -> None:
        # When a job ends or the latest deadline moves in; with a `timeout` all deadlines are
        # equal and stay so.
        if self.options.timeout is None and self.pending:
            self.deadline = P.shared_deadline(self.trackers[i] for i in self.pending)

    def timed_out(self) -> TogetherError:
        return P.timeout_error(
            [self.trackers[i] for i in self.pending], self.options, single=self.single
        )

    def finish(self) -> None:
        group = P.final_error(self.ids, self.errors, self.jobs)
        if group is not None:
            raise group


# --- sync ------------------------------------------------------------------------------


def _send_once(client: Together, call: Call[T], timeout: httpx.Timeout) -> T:
    try:
        response = client._http.request(**client._request_args(call, timeout))
    except SEND_ERRORS as exc:
        raise connection_error(exc) from exc
    return decode(call, response)


def _poll(client: Together, batch_job_id: str, timeout: httpx.Timeout) -> BatchJob | Exception:
    try:
        return _send_once(client, _calls.get_batch(batch_job_id), timeout)
    except TogetherError as exc:
        return exc


def _cancel_all(client: Together, ids: Sequence[str]) -> None:
    """Best effort: one attempt per job, `CANCEL_TIMEOUT` for all of them, errors swallowed."""
    end = _clock.monotonic() + P.CANCEL_TIMEOUT
    for batch_job_id in ids:
        left = P.seconds_left(end, _clock.monotonic())
        if P.is_past(end, _clock.monotonic()):
            logger.debug("no time left to cancel batch %s", batch_job_id)
            continue
        timeout = P.request_timeout(None, client.timeout, left)
        try:
            _send_once(client, _calls.cancel_batch(batch_job_id), timeout)
            logger.debug("cancelled batch %s", batch_job_id)
        except Exception as exc:  # best effort: the wait's own outcome matters more
            logger.debug("cancelling batch %s failed: %s", batch_job_id, type(exc).__name__)


def _engine(
    client: Together, run: _Run, on_progress: OnProgress
) -> Generator[tuple[str, BatchJob]]:
    """Polls round-robin in this thread, one request at a time; yields (id, job) as each
    job ends. Raises the group of errors at the end, `WaitTimeoutError` at the deadline."""
    try:
        while run.pending:
            now = _clock.monotonic()
            if P.is_past(run.deadline, now):
                if run.options.cancel_on_timeout:
                    _cancel_all(client, list(run.pending))
                group = P.final_error(run.ids, run.errors, run.jobs)
                raise run.timed_out() from group
            if not run.due_now(now):
                _clock.sleep(run.sleep_for(now))
                continue
            batch_job_id = run.queue.pop()
            outcome = _poll(client, batch_job_id, run.request_timeout(client.timeout, now))
            job = run.settle(batch_job_id, outcome, on_progress)
            if job is not None:
                yield batch_job_id, job
        run.finish()
    except KeyboardInterrupt:
        if run.options.cancel_on_timeout:
            _cancel_all(client, list(run.pending))
        raise


def wait_one(
    client: Together, batch_job_id: str, options: P.WaitOptions, on_progress: OnProgress
) -> BatchJob:
    """`Batches.wait_until_done` (see there)."""
    run = _Run([batch_job_id], options, single=True)
    with contextlib.closing(_engine(client, run, on_progress)) as events:
        for _, job in events:
            return job
    raise AssertionError("unreachable: a single wait returns or raises")  # pragma: no cover


def as_completed(
    client: Together, ids: Sequence[str], options: P.WaitOptions, on_progress: OnProgress
) -> Iterator[BatchJob]:
    """`Batches.as_completed` (see there)."""
    for _, job in _engine(client, _Run(ids, options, single=False), on_progress):
        yield job


def wait_all(
    client: Together, ids: Sequence[str], options: P.WaitOptions, on_progress: OnProgress
) -> list[BatchJob]:
    """`Batches.wait_all` (see there): the jobs in the order of `ids`, repeats included."""
    done = dict(_engine(client, _Run(ids, options, single=False), on_progress))
    return [done[i] for i in ids]
